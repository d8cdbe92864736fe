package tuitest

import (
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/store"
)

// Store opens a fresh database in a temp dir. With demoUsers > 0 it holds
// the (deterministic) demo data.
func Store(t testing.TB, demoUsers int) *store.Store {
	t.Helper()
	return open(t, demoUsers, store.Options{NoSync: true})
}

// Clock is a settable clock for a store and a console, so goldens hold the
// same times on every run and in every time zone.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// ClockedStore is Store on a fixed clock (2026-03-02 09:30 UTC).
func ClockedStore(t testing.TB, demoUsers int) (*store.Store, *Clock) {
	t.Helper()
	c := &Clock{t: time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)}
	return open(t, demoUsers, store.Options{NoSync: true, Now: c.Now}), c
}

func open(t testing.TB, demoUsers int, opts store.Options) *store.Store {
	t.Helper()
	s, err := store.Open(filepath.Join(t.TempDir(), "tui.db"), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if demoUsers > 0 {
		if _, err := s.Demo(store.LocalActor("test"), store.DemoOptions{Users: demoUsers}); err != nil {
			t.Fatal(err)
		}
	}
	return s
}
