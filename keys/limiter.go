package keys

import (
	"net"
	"strings"
	"sync"
	"time"

	"github.com/gatehouse/gatehouse/store"
)

// Limiter locks sign-in after repeated failures, per remote address and per
// account. It is consulted before any password is hashed, so a locked
// attacker costs the server nothing. Attempts and window are read on every
// call (the org settings may change while serving): `attempts` failures
// inside `window` lock the key for `window`.
type Limiter struct {
	now      func() time.Time
	settings func() (attempts int, window time.Duration)

	mu      sync.Mutex
	entries map[string]*limitEntry
	ops     int

	// shared, when several nodes serve the store, counts every node's
	// failures: a key with attempts failures inside the window, on any
	// nodes, is locked here too, until enough of them are older than
	// the window. When the store cannot answer, this node's own count
	// still holds.
	shared store.SignInFailures
}

type limitEntry struct {
	fails []time.Time // inside the window, oldest first
	until time.Time   // locked until
}

// maxLimitEntries bounds the memory an address-spraying attacker can cost.
const maxLimitEntries = 100_000

// NewLimiter builds a limiter; settings gives the current attempts and window.
func NewLimiter(settings func() (int, time.Duration), now func() time.Time) *Limiter {
	if now == nil {
		now = time.Now
	}
	return &Limiter{now: now, settings: settings, entries: map[string]*limitEntry{}}
}

// AddrKey is the limiter key of a remote address: its host, without the port
// (each connection comes from a new port).
func AddrKey(addr net.Addr) string {
	if addr == nil {
		return "addr:?"
	}
	s := addr.String()
	if host, _, err := net.SplitHostPort(s); err == nil {
		s = host
	}
	return "addr:" + s
}

// AccountKey is the limiter key of an account name (any case).
func AccountKey(name string) string { return "account:" + strings.ToLower(strings.TrimSpace(name)) }

func (l *Limiter) limits() (int, time.Duration) {
	n, w := l.settings()
	if n < 1 {
		n = 5
	}
	if w <= 0 {
		w = 15 * time.Minute
	}
	return n, w
}

// Locked reports whether any of the keys is locked now, and until when.
func (l *Limiter) Locked(keys ...string) (bool, time.Time) {
	now := l.now()
	l.mu.Lock()
	var until time.Time
	for _, k := range keys {
		if e := l.entries[k]; e != nil && e.until.After(now) && e.until.After(until) {
			until = e.until
		}
	}
	l.mu.Unlock()
	if l.shared != nil {
		attempts, window := l.limits()
		for _, k := range keys {
			if at := l.sharedLock(k, now, attempts, window); at.After(until) {
				until = at
			}
		}
	}
	return !until.IsZero(), until
}

// sharedLock is until when the failures every node counted lock key (zero:
// they do not).
func (l *Limiter) sharedLock(key string, now time.Time, attempts int, window time.Duration) time.Time {
	fails, err := l.shared.Since(key, now.Add(-window))
	if err != nil || len(fails) < attempts {
		return time.Time{}
	}
	// locked until the oldest of the newest attempts failures leaves the window
	if until := fails[len(fails)-attempts].Add(window); until.After(now) {
		return until
	}
	return time.Time{}
}

// Fail records one failed attempt against each key; it reports whether that
// locked any of them.
func (l *Limiter) Fail(keys ...string) bool {
	attempts, window := l.limits()
	now := l.now()
	locked := l.failHere(keys, now, attempts, window)
	if l.shared != nil {
		if err := l.shared.Note(keys, now, window); err == nil && !locked {
			for _, k := range keys {
				if !l.sharedLock(k, now, attempts, window).IsZero() {
					locked = true
				}
			}
		}
	}
	return locked
}

// failHere counts the failure in this node's memory.
func (l *Limiter) failHere(keys []string, now time.Time, attempts int, window time.Duration) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.ops++
	if l.ops%1024 == 0 || len(l.entries) >= maxLimitEntries {
		l.sweep(now, window)
	}
	locked := false
	for _, k := range keys {
		e := l.entries[k]
		if e == nil {
			if len(l.entries) >= maxLimitEntries {
				continue // full of live entries: the address lock still holds the attacker
			}
			e = &limitEntry{}
			l.entries[k] = e
		}
		if e.until.After(now) {
			continue // already locked: the lock does not grow
		}
		e.fails = prune(e.fails, now.Add(-window))
		e.fails = append(e.fails, now)
		if len(e.fails) >= attempts {
			e.until, e.fails, locked = now.Add(window), nil, true
		}
	}
	return locked
}

// Reset forgets the failures of a key (an account that signed in).
func (l *Limiter) Reset(key string) {
	l.mu.Lock()
	if e := l.entries[key]; e != nil && !e.until.After(l.now()) {
		delete(l.entries, key)
	}
	l.mu.Unlock()
	if l.shared != nil {
		_ = l.shared.Forget(key) // not forgotten: they leave the window in time
	}
}

// Share counts failures with the other nodes of a store (nil: none).
func (l *Limiter) Share(f store.SignInFailures) { l.shared = f }

func prune(fails []time.Time, since time.Time) []time.Time {
	i := 0
	for i < len(fails) && fails[i].Before(since) {
		i++
	}
	return append(fails[:0], fails[i:]...)
}

// sweep drops entries with nothing left to remember.
func (l *Limiter) sweep(now time.Time, window time.Duration) {
	for k, e := range l.entries {
		e.fails = prune(e.fails, now.Add(-window))
		if len(e.fails) == 0 && !e.until.After(now) {
			delete(l.entries, k)
		}
	}
}
