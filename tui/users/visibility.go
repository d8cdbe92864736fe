package users

import (
	"github.com/gatehouse/gatehouse/store"
)

// The Users screen lists only the users its actor may see (store.Visible:
// everyone for the operator and all-sites profiles; for a profile scoped to
// assigned sites, the users whose sites are all inside the actor's own; for
// one without view on Users & permissions, themselves). The index the
// screen filters is shared by every console on the store, so the answer is
// kept per console, one bit per user id: asked once per user, forgotten for
// the users a change touched, and wholly when the actor's own record, a
// profile or the catalog changed (any of which can move what they see).

// visibility is one console's memo of store.Visible for its actor.
type visibility struct {
	s     *store.Store
	actor store.Actor
	see   func(*store.User) bool
	known []uint64 // bit id: asked
	yes   []uint64 // bit id: visible
}

// newVisibility returns the memo for actor, or nil for the local operator,
// who sees everyone (and whose console must not pay for a filter).
func newVisibility(s *store.Store, actor store.Actor) *visibility {
	if actor.IsLocal() {
		return nil
	}
	v := &visibility{s: s, actor: actor}
	v.reset()
	return v
}

// reset forgets every answer and takes the actor's rights afresh.
func (v *visibility) reset() {
	v.see = v.s.Visible(v.actor)
	clear(v.known)
	clear(v.yes)
}

// forget drops the answers for these users (their sites may have changed).
func (v *visibility) forget(ids []uint64) {
	for _, id := range ids {
		if w := id / 64; w < uint64(len(v.known)) {
			v.known[w] &^= 1 << (id % 64)
		}
	}
}

// sees says whether the actor may see u.
func (v *visibility) sees(u *store.User) bool {
	w, bit := u.ID/64, uint64(1)<<(u.ID%64)
	if w >= uint64(len(v.known)) {
		n := max(w+1, uint64(len(v.known))*2)
		v.known = append(v.known, make([]uint64, n-uint64(len(v.known)))...)
		v.yes = append(v.yes, make([]uint64, n-uint64(len(v.yes)))...)
	}
	if v.known[w]&bit == 0 {
		v.known[w] |= bit
		if v.see(u) {
			v.yes[w] |= bit
		} else {
			v.yes[w] &^= bit
		}
	}
	return v.yes[w]&bit != 0
}

// filter returns the rows the actor may see: rows itself when that is all
// of them (rows may be shared: never changed in place).
func (v *visibility) filter(rows []*userRow) []*userRow {
	if v == nil {
		return rows
	}
	for i, r := range rows {
		if v.sees(r.u) {
			continue
		}
		out := make([]*userRow, i, len(rows))
		copy(out, rows[:i])
		for _, r := range rows[i+1:] {
			if v.sees(r.u) {
				out = append(out, r)
			}
		}
		return out
	}
	return rows
}

// keep is a predicate for the quick start's first pass (nil: everyone).
func (v *visibility) keep() func(*store.User) bool {
	if v == nil {
		return nil
	}
	return v.sees
}
