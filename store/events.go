package store

import (
	"sync"
	"time"
)

// RecordKind names what a record is (an audit entry's entity, an event's refs).
type RecordKind string

// The kinds of records.
const (
	RecordUser     RecordKind = "user"
	RecordProfile  RecordKind = "profile"
	RecordClient   RecordKind = "client"
	RecordSite     RecordKind = "site"
	RecordTeam     RecordKind = "team"
	RecordScreen   RecordKind = "screen"
	RecordSettings RecordKind = "settings"
)

// Change is what a committed change set touched, as a set: subscribers
// match on it (a console redraws, a server ends sessions), never on the
// summary text people read.
type Change uint32

// What a change set may touch.
const (
	ChangedUser       Change = 1 << iota // a user's record: names, email, profile, type, client, sites, teams, features, status, default site
	ChangedProfile                       // a profile: levels, scope, created, deleted
	ChangedClient                        // a client
	ChangedSite                          // a site
	ChangedTeam                          // a team
	ChangedScreen                        // the screen catalog
	ChangedSettings                      // the org settings
	ChangedKey                           // a user's SSH keys
	ChangedInvitation                    // an invitation queued (or spent)
	ChangedPassword                      // a user's password
	ChangedSignIn                        // a sign-in recorded
)

// Has reports whether the change touched any of k.
func (c Change) Has(k Change) bool { return c&k != 0 }

// changeOf is what one audit entry says was touched.
func changeOf(ref Ref, field string) Change {
	switch ref.Kind {
	case RecordUser:
		switch field {
		case "sign-in":
			return ChangedSignIn
		case "key":
			return ChangedKey
		case "invitation":
			return ChangedInvitation
		case "password":
			return ChangedPassword
		}
		return ChangedUser
	case RecordProfile:
		return ChangedProfile
	case RecordClient:
		return ChangedClient
	case RecordSite:
		return ChangedSite
	case RecordTeam:
		return ChangedTeam
	case RecordScreen:
		return ChangedScreen
	case RecordSettings:
		return ChangedSettings
	}
	return 0
}

// changesOf is what a change set's entries touched.
func changesOf(entries []AuditEntry) Change {
	var c Change
	for i := range entries {
		c |= changeOf(entries[i].Entity, entries[i].Field)
	}
	return c
}

// Event tells subscribers a change set was committed.
type Event struct {
	Batch   uint64
	Actor   string
	Time    time.Time
	Summary string // for people; match on Changes and Refs
	Changes Change // what it touched
	SignIn  bool   // a change set that only records a sign-in
	Refs    []Ref  // every record the change set touched
}

// Touches reports whether the event touched a record of this kind and id.
func (e Event) Touches(kind RecordKind, id uint64) bool {
	for _, r := range e.Refs {
		if r.Kind == kind && r.ID == id {
			return true
		}
	}
	return false
}

// events fans committed change sets out to subscribers. Each subscriber has an
// unbounded queue so a slow reader never blocks a writer and never misses an
// event (a missed "user disabled" would leave a session open).
type events struct {
	mu   sync.Mutex
	subs map[*subscriber]struct{}
}

type subscriber struct {
	mu    sync.Mutex
	queue []Event
	wake  chan struct{}
	out   chan Event
	done  chan struct{}
	once  sync.Once
}

func (sub *subscriber) stop() { sub.once.Do(func() { close(sub.done) }) }

// Subscribe returns a channel of events after commit, and a function that
// ends the subscription (and closes the channel).
func (s *Store) Subscribe() (<-chan Event, func()) {
	sub := &subscriber{wake: make(chan struct{}, 1), out: make(chan Event), done: make(chan struct{})}
	s.events.mu.Lock()
	if s.events.subs == nil {
		s.events.subs = map[*subscriber]struct{}{}
	}
	s.events.subs[sub] = struct{}{}
	s.events.mu.Unlock()
	go sub.pump()
	return sub.out, func() {
		s.events.mu.Lock()
		delete(s.events.subs, sub)
		s.events.mu.Unlock()
		sub.stop()
	}
}

func (sub *subscriber) pump() {
	defer close(sub.out)
	for {
		sub.mu.Lock()
		q := sub.queue
		sub.queue = nil
		sub.mu.Unlock()
		for _, e := range q {
			select {
			case sub.out <- e:
			case <-sub.done:
				return
			}
		}
		select {
		case <-sub.wake:
		case <-sub.done:
			return
		}
	}
}

func (ev *events) publish(e Event) {
	ev.mu.Lock()
	defer ev.mu.Unlock()
	for sub := range ev.subs {
		sub.mu.Lock()
		sub.queue = append(sub.queue, e)
		sub.mu.Unlock()
		select {
		case sub.wake <- struct{}{}:
		default:
		}
	}
}

func (ev *events) closeAll() {
	ev.mu.Lock()
	defer ev.mu.Unlock()
	for sub := range ev.subs {
		sub.stop()
		delete(ev.subs, sub)
	}
}
