package store

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/safetext"
)

// Actor is whoever makes a change: the local operator or a signed-in user.
type Actor struct {
	UserID uint64 // 0 for the local operator
	Name   string // "local:<os user>" or the user's email
	local  bool
	ctx    context.Context // see WithContext
}

// WithContext is the actor acting for as long as ctx lasts: a change set it
// applies once ctx has ended is written not at all (ErrCallerGone). A
// command sent to the process holding the database by another process
// acts so: its caller killed or interrupted before the change set was
// committed, nothing is written, as when a command that opens the file
// itself is killed.
func (a Actor) WithContext(ctx context.Context) Actor {
	a.ctx = ctx
	return a
}

// gone says the actor's context has ended.
func (a Actor) gone() bool { return a.ctx != nil && a.ctx.Err() != nil }

// LocalActor is the operator at the machine: a full administrator.
func LocalActor(osUser string) Actor {
	if osUser == "" {
		osUser = "unknown"
	}
	return Actor{Name: "local:" + osUser, local: true}
}

// IsLocal reports whether this is the local operator.
func (a Actor) IsLocal() bool { return a.local }

// ActorFor acts as the user with this email, with exactly their rights.
// Invited and active users may act; disabled ones may not.
func (s *Store) ActorFor(email string) (Actor, error) {
	u, err := s.User(email)
	if err != nil {
		return Actor{}, err
	}
	if u.Disabled {
		return Actor{}, denied("%s is disabled and cannot act", u.Email)
	}
	return Actor{UserID: u.ID, Name: u.Email}, nil
}

// ChangeSet is what one Apply did.
type ChangeSet struct {
	Batch   uint64 // 0 when nothing changed or on a dry run
	Actor   string
	Summary string
	Time    time.Time
	Entries []AuditEntry // the field-level changes, in order
	DryRun  bool
	// Tokens are the plaintext invitation tokens this change set created; they
	// also travel in the outbox messages.
	Tokens []string
	// Queued are the outbox messages it queued, in order.
	Queued []Queued
}

// QueuedFor lists the outbox messages the change set queued for one user.
func (cs *ChangeSet) QueuedFor(userID uint64) []uint64 {
	var out []uint64
	for _, q := range cs.Queued {
		if q.UserID == userID {
			out = append(out, q.Message)
		}
	}
	return out
}

// Tx is one change set in progress. Its methods check the actor's rights and
// every rule, write through to the engine and record audit entries; nothing is
// visible to readers until Apply commits.
type Tx struct {
	s     *Store
	w     wtx // the engine's transaction
	actor Actor
	now   time.Time

	actorUser    *User
	actorProfile *Profile

	users   map[uint64]*User  // overlay: changed or new users; nil = deleted
	emails  map[string]uint64 // overlay of the email index; 0 = removed
	cat     *catalog          // nil until the change set touches the catalog
	entries []AuditEntry
	invites []string // plaintext tokens created in this change set
	queued  []Queued // outbox messages queued in this change set

	keysTouched     bool                 // a public key was written (see keyCache)
	signIn          bool                 // the change set records a sign-in, and nothing else
	expiriesTouched bool                 // a user's grants that end changed (see expiries)
	named           map[uint64][2]string // users whose email or name was set: as registered in looks
	looks           *lookalikes          // this change set's spellings (see lookalikes)

	// in a group of change sets written in one transaction (group.go): the
	// users and the catalog as the change sets before this one in the
	// group left them (nil: none of them changed any), which is what this
	// one's conflict checks compare with (committedUser, committedProfile)
	base    map[uint64]*User
	baseCat *catalog
}

var errDryRun = errors.New("dry run")

// Apply runs fn as one change set: one engine transaction, one audit batch.
// If fn fails nothing is written.
func (s *Store) Apply(actor Actor, summary string, fn func(*Tx) error) (*ChangeSet, error) {
	return s.apply(actor, summary, false, fn)
}

// Preview runs fn exactly as Apply would, reports what it would change, and
// writes nothing.
func (s *Store) Preview(actor Actor, summary string, fn func(*Tx) error) (*ChangeSet, error) {
	return s.apply(actor, summary, true, fn)
}

func (s *Store) apply(actor Actor, summary string, dry bool, fn func(*Tx) error) (*ChangeSet, error) {
	s.waitSignIn(actor.UserID) // never act before one's own sign-in is recorded
	return s.commit(actor, summary, dry, fn)
}

func (s *Store) commit(actor Actor, summary string, dry bool, fn func(*Tx) error) (*ChangeSet, error) {
	summary = cleanSummary(summary)
	s.wmu.Lock()
	defer s.wmu.Unlock()
	return s.commitLocked(actor, summary, dry, fn)
}

// cleanSummary is the summary as it is kept: the caller's words for people
// (it may quote what a user typed) on one line, visibly escaped, bounded.
func cleanSummary(summary string) string {
	summary = safetext.Escape(summary)
	if len(summary) > 300 {
		summary = strings.ToValidUTF8(summary[:297], "") + "..."
	}
	return summary
}

// commitLocked is commit once the caller holds wmu: one change set, one
// engine transaction (tried again when another node committed first).
func (s *Store) commitLocked(actor Actor, summary string, dry bool, fn func(*Tx) error) (*ChangeSet, error) {
	var t *Tx
	var cs *ChangeSet
	start := time.Now()
	for races := 0; ; races++ {
		if actor.gone() {
			return nil, callerGone()
		}
		var err error
		t, cs, err = s.try(actor, summary, dry, fn)
		if errors.Is(err, errRaced) && (races < maxRaces || time.Since(start) < raceBudget) {
			// another node committed first: catch up with it, and run
			// the change set again on what it left (version checks then
			// raise today's conflicts)
			if err := s.catchUp(); err != nil {
				return nil, err
			}
			backOff(races)
			continue
		}
		if errors.Is(err, errRaced) {
			return nil, &Error{Kind: KindConflict, Msg: fmt.Sprintf("%d other changes were committed while this one was tried; nothing was written, try again", races)}
		}
		if errors.Is(err, errDryRun) {
			if dry {
				cs.Entries = t.entries
			}
			return cs, nil
		}
		if err != nil {
			return nil, err
		}
		break
	}
	cs.Entries = t.entries
	cs.Tokens = t.invites
	cs.Queued = t.queued
	s.publish(t, cs.Batch)
	if t.keysTouched {
		s.dropKeyCache()
	}
	if t.expiriesTouched {
		s.armExpiry()
	}
	s.events.publish(Event{Batch: cs.Batch, Actor: t.actor.Name, Time: t.now, Summary: summary,
		Changes: changesOf(t.entries), SignIn: t.signIn, Refs: refsOf(t.entries)})
	return cs, nil
}

// A change set is tried again when other writers commit first: at least
// maxRaces times, and for raceBudget.
const (
	maxRaces   = 20
	raceBudget = 10 * time.Second
)

// backOff waits a random while, longer the more races were lost, before a
// change set that keeps losing is tried again: when several nodes write
// at once, those that lost make room for each other rather than all
// trying again at once (a node that has just caught up is otherwise
// behind again by the time it commits).
func backOff(races int) {
	if races == 0 {
		return
	}
	time.Sleep(time.Duration(rand.Int64N(int64(min(1<<races, 32)) * int64(time.Millisecond))))
}

// try runs fn once in one engine transaction.
func (s *Store) try(actor Actor, summary string, dry bool, fn func(*Tx) error) (*Tx, *ChangeSet, error) {
	t := &Tx{s: s, actor: actor, now: s.now(), users: map[uint64]*User{}, emails: map[string]uint64{}}
	cs := &ChangeSet{Actor: actor.Name, Summary: summary, Time: t.now, DryRun: dry}
	err := s.db.update(func(w wtx) error {
		t.w = w
		if err := t.resolveActor(); err != nil {
			return err
		}
		cs.Actor = t.actor.Name
		if err := fn(t); err != nil {
			return err
		}
		if len(t.entries) == 0 {
			return errDryRun // nothing changed: roll back quietly
		}
		if err := t.markAuthored(); err != nil {
			return err
		}
		if err := t.flushUsers(); err != nil {
			return err
		}
		if dry {
			cs.Entries = t.entries
			return errDryRun
		}
		if actor.gone() { // the last moment it can be taken back
			return callerGone()
		}
		batch, err := t.writeAudit(summary)
		if err != nil {
			return err
		}
		cs.Batch = batch
		return nil
	})
	return t, cs, err
}

// publish makes a committed change set visible to readers.
func (s *Store) publish(t *Tx, batch uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.publishLookalikes(t)
	if s.noteExpiries(t.users) {
		t.expiriesTouched = true // the set changed: arm the timer again
	}
	s.batch = batch
	byEmail := s.emails()
	for e, id := range t.emails {
		if id == 0 {
			delete(byEmail, e)
		}
	}
	for id, u := range t.users {
		if u == nil {
			s.users.del(id)
		} else {
			s.users.set(u)
			byEmail[lower(u.Email)] = entryOf(u)
		}
	}
	if t.cat != nil {
		t.cat.index() // change sets add to some indexes as they go; rebuild all once
		s.cat = t.cat
	} else if t.baseCat != nil {
		s.cat = t.baseCat // a group's earlier change sets changed it (indexed then)
	}
}

func (t *Tx) resolveActor() error {
	if t.actor.local {
		return nil
	}
	u := t.user(t.actor.UserID)
	if u == nil {
		return denied("%s no longer exists and cannot act", t.actor.Name)
	}
	if u.Disabled {
		return denied("%s is disabled and cannot act", u.Email)
	}
	t.actorUser = u
	t.actorProfile = t.catalog().profiles[u.ProfileID]
	t.actor.Name = u.Email // their email now, should it have changed since they signed in
	return nil
}

// markAuthored records rule 4: an actor who changed something has records.
func (t *Tx) markAuthored() error {
	if t.actorUser == nil {
		return nil
	}
	u := t.user(t.actorUser.ID)
	if u == nil || u.Authored {
		return nil
	}
	c := u.clone()
	c.Authored = true
	return t.putUser(c)
}

// catalog is the change set's view of the shared collections.
func (t *Tx) catalog() *catalog {
	if t.cat != nil {
		return t.cat
	}
	if t.baseCat != nil {
		return t.baseCat
	}
	t.s.mu.RLock()
	defer t.s.mu.RUnlock()
	return t.s.cat
}

// writableCatalog clones the catalog on first write.
func (t *Tx) writableCatalog() *catalog {
	if t.cat == nil {
		t.cat = t.catalog().clone()
	}
	return t.cat
}

// user returns the change set's view of a user (nil if none).
func (t *Tx) user(id uint64) *User {
	if u, ok := t.users[id]; ok {
		return u
	}
	t.s.mu.RLock()
	defer t.s.mu.RUnlock()
	return t.s.users.get(id)
}

// userByEmail returns the change set's view of a user by email.
func (t *Tx) userByEmail(email string) *User {
	e := foldKey(email)
	if id, ok := t.emails[e]; ok {
		if id == 0 {
			return nil
		}
		return t.user(id)
	}
	t.s.mu.RLock()
	u := t.s.emails()[e].u
	t.s.mu.RUnlock()
	if u == nil {
		return nil
	}
	return t.user(u.ID)
}

// putUser records a changed user (already cloned); flushUsers writes them.
func (t *Tx) putUser(u *User) error {
	t.users[u.ID] = u
	return nil
}

// flushUsers writes every changed user once, in key order: a user touched by
// several edits is encoded once, and ordered puts walk the tree in one sweep.
func (t *Tx) flushUsers() error {
	ids := make([]uint64, 0, len(t.users))
	for id, u := range t.users {
		if u != nil {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	for _, id := range ids {
		if err := t.w.put(bucketUsers, itob(id), encodeUser(t.users[id])); err != nil {
			return err
		}
	}
	return nil
}

// Now is the change set's timestamp.
func (t *Tx) Now() time.Time { return t.now }

// Actor is who makes this change set.
func (t *Tx) Actor() Actor { return t.actor }

// Refs lists every record the change set touched, once each.
func (cs *ChangeSet) Refs() []Ref { return refsOf(cs.Entries) }
