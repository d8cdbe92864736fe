package store

import (
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// testClock is a clock the tests move by hand (Options.Now).
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *testClock {
	return &testClock{now: time.Date(2025, 3, 14, 9, 30, 0, 0, time.UTC)}
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// fx is a fresh store filled through the real API.
type fx struct {
	t     *testing.T
	s     *Store
	path  string
	etcd  *EtcdConfig // the store's prefix on etcd (onEtcd), else nil
	clock *testClock
	local Actor
}

// Fixture emails, one per built-in profile.
const (
	emAdmin      = "admin@example.com"      // Administrator, no sites
	emManager    = "manager@example.com"    // Manager, North Depot
	emSupervisor = "supervisor@example.com" // Supervisor, North Depot
	emUser       = "user@example.com"       // User, South Yard
	emBasic      = "basic@example.com"      // Basic, team Night (North Depot)
	emClient     = "client@acme.example"    // Client (Acme), North Depot
)

// openStore opens a fresh, empty store in t.TempDir().
func openStore(t *testing.T) *fx {
	t.Helper()
	clock := newClock()
	f := &fx{t: t, path: filepath.Join(t.TempDir(), "gatehouse.db"), clock: clock, local: LocalActor("test")}
	if onEtcd(t) {
		cfg := etcdConfig(t)
		f.etcd = &cfg
	}
	s, err := f.open(Options{NoSync: true, Now: clock.Now})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	f.s = s
	t.Cleanup(func() {
		if f.s != nil {
			f.s.Close()
		}
	})
	return f
}

// newFixture opens a fresh store with the shared fixtures: clients Acme and
// Zeta; sites North Depot and South Yard (Acme), Zeta HQ (Zeta), Head Office
// (no client); team Night at North Depot; and one user of each built-in profile.
func newFixture(t *testing.T) *fx {
	t.Helper()
	f := openStore(t)
	f.apply("fixtures", func(tx *Tx) error {
		for _, c := range []string{"Acme", "Zeta"} {
			if _, err := tx.AddClient(c); err != nil {
				return err
			}
		}
		for _, s := range [][2]string{{"North Depot", "Acme"}, {"South Yard", "Acme"}, {"Zeta HQ", "Zeta"}, {"Head Office", ""}} {
			if _, err := tx.AddSite(s[0], s[1]); err != nil {
				return err
			}
		}
		if _, err := tx.AddTeam("Night", "North Depot"); err != nil {
			return err
		}
		users := []NewUser{
			{First: "Ada", Last: "Admin", Email: emAdmin, Type: Employee, Profile: "Administrator"},
			{First: "Max", Last: "Manager", Email: emManager, Type: Employee, Profile: "Manager", Sites: []string{"North Depot"}},
			{First: "Sue", Last: "Supervisor", Email: emSupervisor, Type: Employee, Profile: "Supervisor", Sites: []string{"North Depot"}},
			{First: "Uma", Last: "User", Email: emUser, Type: Employee, Profile: "User", Sites: []string{"South Yard"}},
			{First: "Bob", Last: "Basic", Email: emBasic, Type: Employee, Profile: "Basic", Teams: []string{"Night"}},
			{First: "Cal", Last: "Client", Email: emClient, Type: ClientUser, Profile: "Client", Clients: []string{"Acme"}, Sites: []string{"North Depot"}},
		}
		for _, n := range users {
			if _, err := tx.AddUser(n); err != nil {
				return err
			}
		}
		return nil
	})
	return f
}

// apply runs a change set as the local actor and fails the test on error.
func (f *fx) apply(summary string, fn func(*Tx) error) *ChangeSet {
	f.t.Helper()
	cs, err := f.s.Apply(f.local, summary, fn)
	if err != nil {
		f.t.Fatalf("%s: %v", summary, err)
	}
	return cs
}

// user returns the current record of a user, failing the test if missing.
func (f *fx) user(email string) *User {
	f.t.Helper()
	u, err := f.s.User(email)
	if err != nil {
		f.t.Fatalf("User(%s): %v", email, err)
	}
	return u
}

// actor acts as the user with this email.
func (f *fx) actor(email string) Actor {
	f.t.Helper()
	a, err := f.s.ActorFor(email)
	if err != nil {
		f.t.Fatalf("ActorFor(%s): %v", email, err)
	}
	return a
}

// reopen closes the store and opens the same file again.
func (f *fx) reopen() {
	f.t.Helper()
	if err := f.s.Close(); err != nil {
		f.t.Fatalf("Close: %v", err)
	}
	f.s = nil
	s, err := f.open(Options{NoSync: true, Now: f.clock.Now})
	if err != nil {
		f.t.Fatalf("reopen: %v", err)
	}
	f.s = s
}

// open opens the fixture's store again, on its engine.
func (f *fx) open(opt Options) (*Store, error) {
	if f.etcd != nil {
		return OpenEtcd(*f.etcd, opt)
	}
	return Open(f.path, opt)
}

func ptr[T any](v T) *T { return &v }

// kindName names a sentinel for messages.
func kindName(k error) string {
	switch k {
	case nil:
		return "no error"
	case ErrInput:
		return "ErrInput"
	case ErrNotFound:
		return "ErrNotFound"
	case ErrRefused:
		return "ErrRefused"
	case ErrDenied:
		return "ErrDenied"
	case ErrConflict:
		return "ErrConflict"
	case ErrLocked:
		return "ErrLocked"
	}
	return "?"
}

// checkErr asserts err is of kind want (nil: no error) and its message holds
// every one of names (case-insensitive).
func checkErr(t *testing.T, err error, want error, names ...string) {
	t.Helper()
	if want == nil {
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return
	}
	if err == nil {
		t.Fatalf("want %s, got no error", kindName(want))
	}
	if !errors.Is(err, want) {
		t.Fatalf("want %s, got %v (kind %d)", kindName(want), err, KindOf(err))
	}
	for _, n := range names {
		if !strings.Contains(strings.ToLower(err.Error()), strings.ToLower(n)) {
			t.Errorf("error %q does not mention %q", err, n)
		}
	}
}

// auditLen is the number of audit entries.
func (f *fx) auditLen() int {
	f.t.Helper()
	es, err := f.s.AuditLog(AuditFilter{})
	if err != nil {
		f.t.Fatalf("AuditLog: %v", err)
	}
	return len(es)
}

// do adapts an op on the fixture to Apply's callback.
func (f *fx) do(op func(*fx, *Tx) error) func(*Tx) error {
	return func(tx *Tx) error { return op(f, tx) }
}
