package users

import (
	"bytes"
	"encoding/binary"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"
	"unsafe"

	"github.com/gatehouse/gatehouse/store"
)

// userIndex is an index over every user: rows sorted once by name, each with
// a lowercase haystack, so a filter keystroke is one linear scan (or a scan of
// the previous result when the query only grew) and the view renders just the
// visible window. bubbles/list re-filters with fuzzy matching and paginates
// everything, which costs tens of ms at 100k rows.
//
// An index is immutable once built: a change makes a new one (copy on write),
// and every console on the same store shares the newest (see sharedIndexes),
// so a hundred SSH sessions hold one index, not a hundred.
type userIndex struct {
	all  []*userRow // sorted by key
	ids  []*userRow // sorted by user id
	asOf uint64     // the last change set it reflects

	// blob is every row's haystack, in order, each ended by '\n'; starts[i]
	// is where row i begins. A text search is then one bytes.Index sweep
	// over a few MB instead of 100k separate substring searches. Built on
	// first use, once.
	blobOnce sync.Once
	blob     []byte
	starts   []int

	// base holds the rows of each text-less query, computed once and shared.
	baseMu sync.Mutex
	base   map[userQuery][]*userRow
}

// byID finds a user's row.
func (ix *userIndex) byID(id uint64) *userRow {
	i, ok := slices.BinarySearchFunc(ix.ids, id, func(r *userRow, id uint64) int { return cmpID(r.u.ID, id) })
	if !ok {
		return nil
	}
	return ix.ids[i]
}

func cmpID(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// text returns the rows whose haystack contains q (lowercase, no newline).
func (ix *userIndex) text(q string, keep func(*userRow) bool, out []*userRow) []*userRow {
	ix.blobOnce.Do(ix.buildBlob)
	needle := []byte(q)
	row := 0
	for pos := 0; pos < len(ix.blob); {
		i := bytes.Index(ix.blob[pos:], needle)
		if i < 0 {
			break
		}
		at := pos + i
		for row+1 < len(ix.starts) && ix.starts[row+1] <= at {
			row++
		}
		if r := ix.all[row]; keep(r) {
			out = append(out, r)
		}
		if row+1 >= len(ix.starts) {
			break
		}
		pos = ix.starts[row+1]
	}
	return out
}

func (ix *userIndex) buildBlob() {
	n := 0
	for _, r := range ix.all {
		n += len(r.hay) + 1
	}
	ix.blob = make([]byte, 0, n)
	ix.starts = make([]int, len(ix.all))
	for i, r := range ix.all {
		ix.starts[i] = len(ix.blob)
		ix.blob = append(ix.blob, r.hay...)
		ix.blob = append(ix.blob, '\n')
	}
}

type userRow struct {
	u   *store.User
	key string // store.SortKey
	hay string // lower(first last email)
	k8  uint64 // the key's first 8 bytes: most comparisons end here
}

// fillRow sets a row's key and haystack from one allocation.
func fillRow(r *userRow, u *store.User) {
	n := len(u.First) + len(u.Last) + len(u.Email)
	buf := make([]byte, 0, 2*n+4)
	buf = appendLower(buf, u.Last)
	buf = append(buf, 0)
	buf = appendLower(buf, u.First)
	buf = append(buf, 0)
	buf = appendLower(buf, u.Email)
	k := len(buf)
	buf = appendLower(buf, u.First)
	buf = append(buf, ' ')
	buf = appendLower(buf, u.Last)
	buf = append(buf, ' ')
	buf = appendLower(buf, u.Email)
	s := unsafe.String(unsafe.SliceData(buf), len(buf)) // buf is never written again
	var pre [8]byte
	copy(pre[:], s[:k])
	*r = userRow{u: u, key: s[:k], hay: s[k:], k8: binary.BigEndian.Uint64(pre[:])}
}

func newRow(u *store.User) *userRow {
	r := &userRow{}
	fillRow(r, u)
	return r
}

// appendLower appends s in lower case (the same as strings.ToLower).
func appendLower(buf []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return append(buf, strings.ToLower(s)...)
		}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf = append(buf, c)
	}
	return buf
}

func cmpRows(a, b *userRow) int {
	if a.k8 != b.k8 {
		if a.k8 < b.k8 {
			return -1
		}
		return 1
	}
	return strings.Compare(a.key, b.key)
}

// newIndex reads every user: rows are made and sorted in two halves on two
// cores, then merged (a cold start at 100k users spends most time here).
func newIndex(s *store.Store) *userIndex {
	var users []*store.User
	asOf := s.EachUser(func(u *store.User) { users = append(users, u) })
	rows := make([]userRow, len(users))
	all := make([]*userRow, len(users))
	half := len(users) / 2
	var wg sync.WaitGroup
	part := func(lo, hi int) {
		defer wg.Done()
		for i := lo; i < hi; i++ {
			fillRow(&rows[i], users[i])
			all[i] = &rows[i]
		}
		slices.SortFunc(all[lo:hi], cmpRows)
	}
	wg.Add(2)
	go part(0, half)
	part(half, len(users))
	wg.Wait()
	ix := &userIndex{all: mergeRows(all[:half], all[half:]), asOf: asOf}
	ix.ids = make([]*userRow, len(rows))
	for i := range rows {
		ix.ids[i] = &rows[i]
	}
	slices.SortFunc(ix.ids, func(a, b *userRow) int { return cmpID(a.u.ID, b.u.ID) })
	return ix
}

func mergeRows(a, b []*userRow) []*userRow {
	out := make([]*userRow, 0, len(a)+len(b))
	for len(a) > 0 && len(b) > 0 {
		if cmpRows(a[0], b[0]) <= 0 {
			out, a = append(out, a[0]), a[1:]
		} else {
			out, b = append(out, b[0]), b[1:]
		}
	}
	return append(append(out, a...), b...)
}

// with returns a new index in which the given users are re-read (moved to
// their sorted place, or gone), reflecting change set asOf. ix is unchanged.
func (ix *userIndex) with(s *store.Store, ids []uint64, asOf uint64) *userIndex {
	n := &userIndex{all: slices.Clone(ix.all), ids: slices.Clone(ix.ids), asOf: asOf}
	for _, id := range ids {
		if old := n.byID(id); old != nil {
			if i, found := slices.BinarySearchFunc(n.all, old, cmpRows); found {
				// equal keys are possible only for the same user (emails are unique)
				n.all = slices.Delete(n.all, i, i+1)
			}
			i, _ := slices.BinarySearchFunc(n.ids, id, func(r *userRow, id uint64) int { return cmpID(r.u.ID, id) })
			n.ids = slices.Delete(n.ids, i, i+1)
		}
		u, err := s.UserByID(id)
		if err != nil {
			continue // deleted
		}
		r := newRow(u)
		i, _ := slices.BinarySearchFunc(n.all, r, cmpRows)
		n.all = slices.Insert(n.all, i, r)
		j, _ := slices.BinarySearchFunc(n.ids, id, func(r *userRow, id uint64) int { return cmpID(r.u.ID, id) })
		n.ids = slices.Insert(n.ids, j, r)
	}
	return n
}

// userQuery is everything that narrows the list.
type userQuery struct {
	typ     int // 0 employees, 1 client users, 2 both
	status  int // index into statusChoices
	profile uint64
	site    uint64
	text    string
}

var statusChoices = []struct {
	label string
	ok    func(store.Status) bool
}{
	{"active+invited", func(s store.Status) bool { return s != store.Disabled }},
	{"active", func(s store.Status) bool { return s == store.Active }},
	{"invited", func(s store.Status) bool { return s == store.Invited }},
	{"disabled", func(s store.Status) bool { return s == store.Disabled }},
	{"all", func(store.Status) bool { return true }},
}

var typeChoices = []string{"Employees", "Client users", "Everyone"}

func (q *userQuery) match(r *userRow, teamSite func(uint64) uint64) bool {
	u := r.u
	switch q.typ {
	case 0:
		if u.Type != store.Employee {
			return false
		}
	case 1:
		if u.Type != store.ClientUser {
			return false
		}
	}
	if !statusChoices[q.status].ok(u.Status()) {
		return false
	}
	if q.profile != 0 && u.ProfileID != q.profile {
		return false
	}
	if q.site != 0 && !slices.Contains(u.SiteIDs, q.site) {
		found := false
		for _, t := range u.TeamIDs {
			if teamSite(t) == q.site {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return q.text == "" || strings.Contains(r.hay, q.text)
}

// matchBase is match without the text.
func (q *userQuery) matchBase(r *userRow, teamSite func(uint64) uint64) bool {
	t := q.text
	q.text = ""
	ok := q.match(r, teamSite)
	q.text = t
	return ok
}

// narrow returns the rows matching q. When only the text grew since prev,
// it scans the previous result instead of everything; a query without text
// gets the index's shared list for it (read-only: never changed in place).
func (ix *userIndex) narrow(q, prev userQuery, prevRows []*userRow, teamSite func(uint64) uint64) []*userRow {
	if q.text == "" {
		return ix.baseRows(q, teamSite)
	}
	src := ix.all
	if prevRows != nil && q.typ == prev.typ && q.status == prev.status && q.profile == prev.profile &&
		q.site == prev.site && strings.HasPrefix(q.text, prev.text) {
		src = prevRows
	}
	out := make([]*userRow, 0, min(len(src), 1024))
	if !strings.Contains(q.text, "\n") && len(src) == len(ix.all) {
		return ix.text(q.text, func(r *userRow) bool { return q.matchBase(r, teamSite) }, out)
	}
	for _, r := range src {
		if q.match(r, teamSite) {
			out = append(out, r)
		}
	}
	return out
}

func (ix *userIndex) baseRows(q userQuery, teamSite func(uint64) uint64) []*userRow {
	q.text = ""
	ix.baseMu.Lock()
	defer ix.baseMu.Unlock()
	if rows, ok := ix.base[q]; ok {
		return rows
	}
	rows := make([]*userRow, 0, 1024)
	for _, r := range ix.all {
		if q.match(r, teamSite) {
			rows = append(rows, r)
		}
	}
	if ix.base == nil {
		ix.base = map[userQuery][]*userRow{}
	}
	if len(ix.base) >= 32 {
		clear(ix.base) // bounded: filters are few, but not unlimited
	}
	ix.base[q] = rows
	return rows
}

// sharedIndexes holds the newest index of each open store, shared by every
// console on it.
var sharedIndexes sync.Map // *store.Store → *sharedIndex

type sharedIndex struct {
	mu       sync.Mutex
	cur      *userIndex
	building *buildingIndex // a build under way (see startIndex)
}

func sharedFor(s *store.Store) *sharedIndex {
	v, _ := sharedIndexes.LoadOrStore(s, &sharedIndex{})
	return v.(*sharedIndex)
}

// current returns an index reflecting the store now: the shared one, moved on
// by the users the change sets since touched (a sign-in is a change set), or
// built anew when it is missing or too far behind.
func (si *sharedIndex) current(s *store.Store) *userIndex {
	si.mu.Lock()
	if b := si.building; b != nil && si.cur == nil {
		si.mu.Unlock()
		<-b.done // another console is building it: wait rather than build twice
		si.mu.Lock()
	}
	defer si.mu.Unlock()
	if si.cur == nil {
		si.cur = newIndex(s)
		return si.cur
	}
	if ids, last, ok := s.ChangedUsersSince(si.cur.asOf, 5000); !ok {
		si.cur = newIndex(s)
	} else if last > si.cur.asOf {
		si.cur = si.cur.with(s, ids, last)
	}
	return si.cur
}

// publish offers a freshly built index (a quick start's background build).
func (si *sharedIndex) publish(ix *userIndex) {
	si.mu.Lock()
	defer si.mu.Unlock()
	if si.cur == nil || si.cur.asOf < ix.asOf {
		si.cur = ix
	}
}

// follow returns an index that includes change set batch, which touched the
// given users: the shared one if some console already moved it on, else one
// moved on from have (and shared).
func (si *sharedIndex) follow(s *store.Store, have *userIndex, batch uint64, ids []uint64) *userIndex {
	si.mu.Lock()
	defer si.mu.Unlock()
	if si.cur != nil && si.cur.asOf >= batch {
		return si.cur
	}
	base := si.cur
	if base == nil || (have != nil && have.asOf > base.asOf) {
		base = have
	}
	if base == nil || base.asOf+1 != batch || len(ids) > 5000 {
		si.cur = newIndex(s) // a change set was missed, or too many to move one by one
		return si.cur
	}
	si.cur = base.with(s, ids, batch)
	return si.cur
}

// fresh returns the shared index if it reflects the store now, else nil.
func (si *sharedIndex) fresh(s *store.Store) *userIndex {
	si.mu.Lock()
	defer si.mu.Unlock()
	if si.cur != nil && si.cur.asOf == s.LastBatch() {
		return si.cur
	}
	return nil
}
