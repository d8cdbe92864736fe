package store

import (
	"errors"
	"sync"
	"sync/atomic"
)

// Group commit. Change sets are written one at a time (wmu), each one bbolt
// transaction with its two fdatasyncs; when many arrive at once — twenty
// command lines attached to the process holding the database — each waits
// for all those before it, and most of that wait is the commit of each. So
// change sets applied with ApplyGrouped while another is being written wait
// together, and whoever takes the write lock next writes them all in one
// transaction, one after another as if each had been written alone:
//
//   - each is still its own change set: its own actor, rights checks, time,
//     audit batch (chained after the one before it) and event;
//   - each sees everything the ones before it in the group did, and its
//     conflict checks compare with what they left (committedUser,
//     committedProfile): two edits of one record from the same version
//     conflict in a group exactly as one after the other;
//   - one that fails, refuses, panics, changes nothing or whose caller has
//     gone undoes the whole transaction (bbolt has no savepoint); the group
//     is written again without it, and it is then run alone by its own
//     caller, which gets its own error (or panic) exactly as from Apply;
//   - readers see nothing of the group until its transaction is written,
//     then all of it, as they see a change set.
//
// So a function given to ApplyGrouped may run more than once: it must
// change nothing outside the Tx (but the results it sets, afresh on each
// run). Everything else applies with Apply, alone, as before.

// group is the change sets waiting to be written together.
type group struct {
	mu      sync.Mutex
	pending []*groupCall
	commits atomic.Int64 // transactions that wrote more than one change set (tests)
}

// groupCall is one ApplyGrouped waiting for its change set.
type groupCall struct {
	actor   Actor
	summary string
	fn      func(*Tx) error
	done    bool // cs and err are its answer (set under wmu)
	alone   bool // it could not be written in a group: its caller runs it alone
	cs      *ChangeSet
	err     error
}

// errGroupAgain undoes a group's transaction so that it is written again
// without the change set that failed in it; errGroupEmpty one in which
// nothing was done (every caller had gone).
var (
	errGroupAgain = errors.New("group: write it again without the change set that failed")
	errGroupEmpty = errors.New("group: nothing to write")
)

// ApplyGrouped is Apply for a change set that may be written in one
// transaction with others applied at the same moment (see the top of this
// file): fn may run more than once, each time on a fresh Tx, and must
// change nothing but through it (and its own results).
func (s *Store) ApplyGrouped(actor Actor, summary string, fn func(*Tx) error) (*ChangeSet, error) {
	if _, shared := s.db.(follower); shared {
		// on an engine other nodes write to, a group would be raced and
		// re-run whole; grouping saves bbolt's fsyncs, which etcd has not
		return s.Apply(actor, summary, fn)
	}
	s.waitSignIn(actor.UserID) // as apply
	if actor.gone() {
		return nil, callerGone()
	}
	c := &groupCall{actor: actor, summary: cleanSummary(summary), fn: fn}
	s.grp.mu.Lock()
	s.grp.pending = append(s.grp.pending, c)
	s.grp.mu.Unlock()
	s.wmu.Lock()
	defer s.wmu.Unlock()
	// whoever holds the write lock writes every change set waiting: ours,
	// unless the one before us took it
	s.grp.mu.Lock()
	calls := s.grp.pending
	s.grp.pending = nil
	s.grp.mu.Unlock()
	if len(calls) > 0 {
		s.commitGroup(calls)
	}
	if !c.done {
		panic("store: a grouped change set was neither written nor handed back") // never: it was pending
	}
	if c.alone {
		return s.commitLocked(c.actor, c.summary, false, c.fn)
	}
	return c.cs, c.err
}

// commitGroup writes calls (the caller holds wmu), in order: several in
// one transaction; one that cannot be written in it is handed back to be
// run alone by its caller, after those before it, which are written first
// (again, as a group of their own), and those after it form the next group.
func (s *Store) commitGroup(calls []*groupCall) {
	alone := func(cs []*groupCall) {
		for _, c := range cs {
			c.alone, c.done = true, true
		}
	}
	for len(calls) > 1 {
		failed := s.writeGroup(calls)
		if failed < 0 {
			for _, c := range calls {
				c.done = true
			}
			return
		}
		// those before it are written now, even one alone: handed back, it
		// could be written after the one that failed (whichever caller
		// takes the write lock first), which ran as if it had not been
		if before := calls[:failed]; len(before) > 0 {
			if s.writeGroup(before) >= 0 {
				alone(before) // they ran before; if not again, each runs alone
			} else {
				for _, c := range before {
					c.done = true
				}
			}
		}
		alone(calls[failed : failed+1])
		calls = calls[failed+1:]
	}
	alone(calls)
}

// writeGroup runs every call's change set, in order, in one transaction
// and writes it. It returns the index of the first one that could not be
// written in the group (nothing is written then), or -1: each call's cs
// and err are its answer (err the transaction's, if it could not be
// written; callerGone for one whose caller had gone before it began).
func (s *Store) writeGroup(calls []*groupCall) (failed int) {
	failed = -1
	t := &Tx{s: s, users: map[uint64]*User{}, emails: map[string]uint64{}}
	sets := make([]*ChangeSet, len(calls))
	signIns := make([]bool, len(calls))
	last := uint64(0)
	err := s.db.update(func(w wtx) error {
		t.w = w
		for i, c := range calls {
			c.cs, c.err = nil, nil
			if c.actor.gone() {
				// nothing of it has run: it is refused, the rest goes on
				c.err = callerGone()
				continue
			}
			cs, ok := t.groupMember(c)
			if !ok {
				failed = i
				return errGroupAgain
			}
			sets[i], signIns[i] = cs, t.signIn
			last = cs.Batch
			t.nextInGroup()
		}
		if last == 0 {
			return errGroupEmpty // every caller had gone
		}
		return t.flushUsers()
	})
	switch {
	case failed >= 0:
		for _, c := range calls {
			c.cs, c.err = nil, nil
		}
		return failed
	case errors.Is(err, errGroupEmpty):
		return -1
	case err != nil:
		for _, c := range calls {
			c.cs, c.err = nil, err
		}
		return -1
	}
	s.grp.commits.Add(1)
	s.publish(t, last)
	if t.keysTouched {
		s.dropKeyCache()
	}
	if t.expiriesTouched {
		s.armExpiry()
	}
	for i, c := range calls {
		cs := sets[i]
		if cs == nil {
			continue
		}
		c.cs = cs
		s.events.publish(Event{Batch: cs.Batch, Actor: cs.Actor, Time: cs.Time, Summary: cs.Summary,
			Changes: changesOf(cs.Entries), SignIn: signIns[i], Refs: refsOf(cs.Entries)})
	}
	return -1
}

// groupMember runs one call's change set in the group's transaction, as
// commitLocked would alone; ok false if it cannot be written in the group
// (it failed, panicked, changed nothing, or its caller went away while it
// ran): what it did is then in the transaction, which must be undone.
func (t *Tx) groupMember(c *groupCall) (cs *ChangeSet, ok bool) {
	defer func() {
		if recover() != nil {
			cs, ok = nil, false // its caller runs it alone, and panics there
		}
	}()
	t.actor, t.now = c.actor, t.s.now()
	t.actorUser, t.actorProfile = nil, nil
	t.entries, t.invites, t.queued, t.signIn = nil, nil, nil, false
	cs = &ChangeSet{Actor: c.actor.Name, Summary: c.summary, Time: t.now}
	if t.resolveActor() != nil {
		return nil, false
	}
	cs.Actor = t.actor.Name
	if c.fn(t) != nil || len(t.entries) == 0 {
		return nil, false
	}
	if t.markAuthored() != nil || c.actor.gone() {
		return nil, false
	}
	batch, err := t.writeAudit(c.summary)
	if err != nil {
		return nil, false
	}
	cs.Batch, cs.Entries, cs.Tokens, cs.Queued = batch, t.entries, t.invites, t.queued
	return cs, true
}

// nextInGroup makes what the change sets so far did the base of the next
// one's conflict checks.
func (t *Tx) nextInGroup() {
	if len(t.users) > 0 {
		if t.base == nil {
			t.base = map[uint64]*User{}
		}
		for id, u := range t.users {
			t.base[id] = u
		}
	}
	if t.cat != nil {
		t.cat.index() // as publish does: the next one reads it whole
		t.baseCat, t.cat = t.cat, nil
	}
}

// committedUser is the user as committed before this change set: in the
// store, or as the change sets before it in its group left it.
func (t *Tx) committedUser(id uint64) *User {
	if u, ok := t.base[id]; ok {
		return u
	}
	t.s.mu.RLock()
	defer t.s.mu.RUnlock()
	return t.s.users.get(id)
}

// committedProfile is the profile as committed before this change set (see
// committedUser).
func (t *Tx) committedProfile(id uint64) *Profile {
	if t.baseCat != nil {
		return t.baseCat.profiles[id]
	}
	t.s.mu.RLock()
	defer t.s.mu.RUnlock()
	return t.s.cat.profiles[id]
}
