package store

import (
	"fmt"
	"time"
)

// Freshness says whether the store takes change sets now, and how current
// this node's memory is: checks, consoles and every read from memory
// answer from it, whatever the store behind it can do. One process's
// bbolt file is always current; a store shared by several nodes (etcd) is
// not writable while its cluster has no quorum, and its memory is only as
// current as the last time this node heard from the cluster.
type Freshness struct {
	Writable bool
	// Since is when the store stopped taking change sets (zero while it
	// takes them).
	Since time.Time
	// AsOf is the last time memory was known to hold every change set
	// committed by then.
	AsOf time.Time
	// Reason says why it takes none, on one line ("" while it does).
	Reason string
}

// staleAfter is how long ago memory may have been known current for it
// still to be said current: a shared store checks about every second.
const staleAfter = 5 * time.Second

// Current says whether memory can be taken as the store's state at now.
func (f Freshness) Current(now time.Time) bool {
	return f.Writable && now.Sub(f.AsOf) <= staleAfter
}

// Note is the one line a front end shows beside what it answers from
// memory when that may be old: since when the store is read-only and why,
// and how old memory is; "" when it is current.
func (f Freshness) Note(now time.Time) string {
	if f.Current(now) {
		return ""
	}
	age := "this node's memory, never known current"
	if !f.AsOf.IsZero() {
		age = fmt.Sprintf("this node's memory as of %s (%s ago)", clock(f.AsOf), now.Sub(f.AsOf).Round(time.Second))
	}
	if !f.Writable {
		return fmt.Sprintf("read-only: the store has no quorum since %s (%s); checks answer from %s", clock(f.Since), f.Reason, age)
	}
	return fmt.Sprintf("checks answer from %s: it is catching up with the store", age)
}

// Brief is Note for a line with little room (a console's status line at
// 80 columns): what it means for edits first, the cluster's address and
// memory's age left to Note; "" when memory is current.
func (f Freshness) Brief(now time.Time) string {
	switch {
	case f.Current(now):
		return ""
	case !f.Writable:
		return "read-only since " + clock(f.Since) + ": the store has no quorum"
	}
	return "catching up with the store"
}

// Refusal is why a change set cannot be made now, for a front end that
// offers edits ("" when the store takes them): said before one is tried,
// short enough for a line at 80 columns after a key's name (Note says
// which cluster and why).
func (f Freshness) Refusal() string {
	if f.Writable {
		return ""
	}
	return "read-only since " + clock(f.Since) + " (no quorum): edits work again once etcd is back"
}

// clock is a time of day as people read it here.
func clock(t time.Time) string { return t.Local().Format("15:04:05") }

// freshnessTeller is an engine whose freshness can change (etcd).
type freshnessTeller interface {
	freshness() Freshness
}

// Freshness says whether the store takes change sets now and how current
// memory is (see the type).
func (s *Store) Freshness() Freshness {
	if f, ok := s.db.(freshnessTeller); ok {
		return f.freshness()
	}
	return Freshness{Writable: true, AsOf: s.now()}
}

// Shared says whether other nodes write to the store too (etcd): its
// Freshness can change, and is worth asking again now and then.
func (s *Store) Shared() bool {
	_, ok := s.db.(freshnessTeller)
	return ok
}
