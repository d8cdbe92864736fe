package store

import (
	"sync"
	"time"
)

// Event tells subscribers a change set was committed.
type Event struct {
	Batch   uint64
	Actor   string
	Time    time.Time
	Summary string
	Refs    []Ref // every record the change set touched
}

// Touches reports whether the event touched a record of this kind and id.
func (e Event) Touches(kind string, id uint64) bool {
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
