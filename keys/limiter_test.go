package keys

import (
	"net"
	"testing"
	"time"
)

func TestLimiter(t *testing.T) {
	type step struct {
		at     time.Duration // since the start
		fail   []string      // keys failing now
		locked []string      // keys that must be locked after the step
		free   []string      // keys that must not be
	}
	a, b, acct := "addr:10.0.0.1", "addr:10.0.0.2", "account:jane@example.com"
	for _, tc := range []struct {
		name     string
		attempts int
		window   time.Duration
		steps    []step
	}{
		{"locks on the nth failure", 3, time.Minute, []step{
			{at: 0, fail: []string{a, acct}, free: []string{a, acct}},
			{at: time.Second, fail: []string{a, acct}, free: []string{a, acct}},
			{at: 2 * time.Second, fail: []string{a, acct}, locked: []string{a, acct}, free: []string{b}},
		}},
		{"failures outside the window are forgotten", 3, time.Minute, []step{
			{at: 0, fail: []string{a}},
			{at: 30 * time.Second, fail: []string{a}},
			{at: 61 * time.Second, fail: []string{a}, free: []string{a}}, // the first has expired
			{at: 62 * time.Second, fail: []string{a}, locked: []string{a}},
		}},
		{"the lock lasts one window", 2, time.Minute, []step{
			{at: 0, fail: []string{a}},
			{at: time.Second, fail: []string{a}, locked: []string{a}},
			{at: 60 * time.Second, locked: []string{a}},
			{at: 62 * time.Second, free: []string{a}},
		}},
		{"failing while locked does not extend the lock", 2, time.Minute, []step{
			{at: 0, fail: []string{a}},
			{at: 0, fail: []string{a}, locked: []string{a}},
			{at: 50 * time.Second, fail: []string{a}, locked: []string{a}},
			{at: 61 * time.Second, free: []string{a}},
		}},
		{"keys are independent", 2, time.Minute, []step{
			{at: 0, fail: []string{a, acct}},
			{at: 0, fail: []string{b}},
			{at: 0, fail: []string{acct}, locked: []string{acct}, free: []string{a, b}},
		}},
		{"one attempt allowed", 1, time.Second, []step{
			{at: 0, fail: []string{a}, locked: []string{a}},
			{at: 1500 * time.Millisecond, free: []string{a}},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
			now := start
			l := NewLimiter(func() (int, time.Duration) { return tc.attempts, tc.window }, func() time.Time { return now })
			for i, st := range tc.steps {
				now = start.Add(st.at)
				if len(st.fail) > 0 {
					l.Fail(st.fail...)
				}
				for _, k := range st.locked {
					if ok, _ := l.Locked(k); !ok {
						t.Fatalf("step %d: %s should be locked", i, k)
					}
				}
				for _, k := range st.free {
					if ok, _ := l.Locked(k); ok {
						t.Fatalf("step %d: %s should not be locked", i, k)
					}
				}
			}
		})
	}
}

func TestLimiterResetAndKeys(t *testing.T) {
	now := time.Now()
	l := NewLimiter(func() (int, time.Duration) { return 2, time.Minute }, func() time.Time { return now })
	l.Fail("account:x")
	l.Reset("account:x")
	l.Fail("account:x")
	if ok, _ := l.Locked("account:x"); ok {
		t.Fatal("a reset account locked after one more failure")
	}
	l.Fail("account:x")
	l.Reset("account:x") // a lock is not lifted by a reset
	if ok, _ := l.Locked("account:x"); !ok {
		t.Fatal("reset lifted a lock")
	}
	if k := AddrKey(&net.TCPAddr{IP: net.ParseIP("10.1.2.3"), Port: 5555}); k != "addr:10.1.2.3" {
		t.Fatalf("AddrKey = %q", k)
	}
	if AccountKey(" Jane@Example.com ") != AccountKey("jane@example.com") {
		t.Fatal("account keys differ by case")
	}
	// bad settings fall back to safe defaults rather than never locking
	z := NewLimiter(func() (int, time.Duration) { return 0, 0 }, func() time.Time { return now })
	for i := 0; i < 5; i++ {
		z.Fail("a")
	}
	if ok, _ := z.Locked("a"); !ok {
		t.Fatal("zero settings never lock")
	}
}

func TestLimiterMemoryIsBounded(t *testing.T) {
	now := time.Now()
	l := NewLimiter(func() (int, time.Duration) { return 5, time.Minute }, func() time.Time { return now })
	for i := 0; i < maxLimitEntries+5000; i++ {
		l.Fail("addr:" + string(rune(i)))
		if i%50000 == 0 {
			now = now.Add(2 * time.Minute) // earlier ones expire
		}
	}
	if n := len(l.entries); n > maxLimitEntries {
		t.Fatalf("%d entries kept", n)
	}
}
