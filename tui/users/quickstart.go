package users

import (
	"container/heap"

	"github.com/gatehouse/gatehouse/store"
)

// A cold start on a big database draws its first frame from the first page
// of the list, found in one pass over the users without building keys for
// all of them, while the full index builds on the other core. The first key
// (or change) waits for the index; the first frame does not.

// quickStartUsers is the size from which the first frame does not wait for the index.
const quickStartUsers = 20_000

// quickRows is how many rows the first page holds (more than any screen shows).
const quickRows = 256

type buildingIndex struct {
	ix   *userIndex
	done chan struct{}
}

// startIndex starts building the store's shared index, or joins the build
// already under way (consoles opening together build it once).
// buildIndex builds the full index in the background (tests hold it back to
// open two consoles while one build runs).
var buildIndex = newIndex

func startIndex(s *store.Store) *buildingIndex {
	si := sharedFor(s)
	si.mu.Lock()
	defer si.mu.Unlock()
	if si.building != nil {
		return si.building
	}
	b := &buildingIndex{done: make(chan struct{})}
	si.building = b
	go func() {
		defer close(b.done)
		b.ix = buildIndex(s)
		si.publish(b.ix)
		si.mu.Lock()
		si.building = nil
		si.mu.Unlock()
	}()
	return b
}

// candidate orders a user by the first eight bytes of its sort key, and by
// the whole key only on a tie (computed then, and kept).
type candidate struct {
	u   *store.User
	k8  uint64
	row *userRow
}

func (c *candidate) full() *userRow {
	if c.row == nil {
		c.row = newRow(c.u)
	}
	return c.row
}

func less(a, b *candidate) bool {
	if a.k8 != b.k8 {
		return a.k8 < b.k8
	}
	return cmpRows(a.full(), b.full()) < 0
}

// topK is a max-heap of the k smallest candidates seen.
type topK []*candidate

func (h topK) Len() int           { return len(h) }
func (h topK) Less(i, j int) bool { return less(h[j], h[i]) }
func (h topK) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *topK) Push(x any)        { *h = append(*h, x.(*candidate)) }
func (h *topK) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// sortPrefix is the first eight bytes of store.SortKey(u) — last name, 0,
// first name, 0, email, lowercased — without allocating; false when a name
// is not ASCII (then the caller builds the key).
func sortPrefix(u *store.User) (uint64, bool) {
	var v uint64
	n := 0
	fields := [3]string{u.Last, u.First, u.Email}
	for f, s := range fields {
		for i := 0; i < len(s) && n < 8; i++ {
			c := s[i]
			if c >= 0x80 {
				return 0, false
			}
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			v = v<<8 | uint64(c)
			n++
		}
		if f < len(fields)-1 && n < 8 {
			v <<= 8 // the separator
			n++
		}
	}
	return v << (8 * uint(8-n)), true
}

// quickFirstPage returns the first rows matching q (which has no text) in
// list order, and how many users match in all; with keep, only the users it
// keeps (those the actor may see).
func quickFirstPage(s *store.Store, q userQuery, teamSite func(uint64) uint64, keep func(*store.User) bool) ([]*userRow, int) {
	h := make(topK, 0, quickRows+1)
	total := 0
	probe := &userRow{}
	s.EachUser(func(u *store.User) {
		probe.u = u
		if !q.matchBase(probe, teamSite) || (keep != nil && !keep(u)) {
			return
		}
		total++
		k8, ascii := sortPrefix(u)
		if ascii && len(h) == quickRows && k8 > h[0].k8 {
			return // after the last of the page so far: most users end here, with nothing allocated
		}
		c := &candidate{u: u, k8: k8}
		if !ascii {
			c.row = newRow(u)
			c.k8 = c.row.k8
		}
		if len(h) < quickRows {
			heap.Push(&h, c)
		} else if less(c, h[0]) {
			h[0] = c
			heap.Fix(&h, 0)
		}
	})
	rows := make([]*userRow, len(h))
	for i := len(h) - 1; i >= 0; i-- {
		rows[i] = heap.Pop(&h).(*candidate).full()
	}
	return rows, total
}
