package tui

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

// userIndex is the Users screen's own index over every user: rows sorted once
// by name, each with a lowercase haystack, so a filter keystroke is one linear
// scan (or a scan of the previous result when the query only grew) and the
// view renders just the visible window. bubbles/list re-filters with fuzzy
// matching and paginates everything, which costs tens of ms at 100k rows.
type userIndex struct {
	all  []*userRow // sorted by key
	byID map[uint64]*userRow

	// blob is every row's haystack, in order, each ended by '\n'; starts[i]
	// is where row i begins. A text search is then one bytes.Index sweep
	// over a few MB instead of 100k separate substring searches.
	blob   []byte
	starts []int
}

// text returns the rows whose haystack contains q (lowercase, no newline).
func (ix *userIndex) text(q string, keep func(*userRow) bool, out []*userRow) []*userRow {
	if ix.blob == nil {
		ix.buildBlob()
	}
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

// build reads every user: rows are made and sorted in two halves on two
// cores, then merged (a cold start at 100k users spends most time here).
func (ix *userIndex) build(s *store.Store) {
	var users []*store.User
	s.EachUser(func(u *store.User) { users = append(users, u) })
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
	all = mergeRows(all[:half], all[half:])
	ix.all = all
	ix.blob, ix.starts = nil, nil
	ix.byID = make(map[uint64]*userRow, len(all))
	for _, r := range all {
		ix.byID[r.u.ID] = r
	}
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

// update re-reads the given users, moving each to its sorted place.
func (ix *userIndex) update(s *store.Store, ids []uint64) {
	ix.blob, ix.starts = nil, nil
	for _, id := range ids {
		if old, ok := ix.byID[id]; ok {
			if i, found := slices.BinarySearchFunc(ix.all, old, cmpRows); found {
				// equal keys are possible only for the same user (emails are unique)
				ix.all = slices.Delete(ix.all, i, i+1)
			}
			delete(ix.byID, id)
		}
		u, err := s.UserByID(id)
		if err != nil {
			continue // deleted
		}
		r := newRow(u)
		i, _ := slices.BinarySearchFunc(ix.all, r, cmpRows)
		ix.all = slices.Insert(ix.all, i, r)
		ix.byID[id] = r
	}
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
// it scans the previous result instead of everything.
func (ix *userIndex) narrow(q, prev userQuery, prevRows []*userRow, teamSite func(uint64) uint64) []*userRow {
	src := ix.all
	if prevRows != nil && q.typ == prev.typ && q.status == prev.status && q.profile == prev.profile &&
		q.site == prev.site && strings.HasPrefix(q.text, prev.text) {
		src = prevRows
	}
	out := make([]*userRow, 0, min(len(src), 1024))
	if q.text != "" && !strings.Contains(q.text, "\n") && len(src) == len(ix.all) {
		return ix.text(q.text, func(r *userRow) bool { return q.matchBase(r, teamSite) }, out)
	}
	for _, r := range src {
		if q.match(r, teamSite) {
			out = append(out, r)
		}
	}
	return out
}
