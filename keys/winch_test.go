package keys_test

import (
	"errors"
	"runtime"
	"strings"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"
)

// A terminal resized while a command runs over `ssh -t` (or just after a
// console ends) sends window changes nobody reads: charm.land/ssh hands
// them to a channel of one, already holding the first size, from the
// session's request loop — which then blocked for good, one goroutine and
// session kept per such session. The server drains them.
func TestWindowChangesNobodyReadsLeakNothing(t *testing.T) {
	f := newFixture(t)
	c := f.keyClient(emAdmin)
	execute(t, c, "effective "+emAdmin, "") // warm-up: lazily started goroutines
	f.waitLog("session end")                // the server is done with it
	before := runtime.NumGoroutine()
	const sessions = 10
	for i := 0; i < sessions; i++ {
		s, err := c.NewSession()
		if err != nil {
			t.Fatal(err)
		}
		if err := s.RequestPty("xterm", 40, 80, nil); err != nil {
			t.Fatal(err)
		}
		if err := s.Start("effective " + emAdmin); err != nil {
			t.Fatal(err)
		}
		for w := 0; w < 4; w++ {
			_ = s.WindowChange(40+w, 100) // may race the session's end: either is fine
		}
		_ = s.Wait()
		s.Close()
	}
	var after int
	for deadline := time.Now().Add(patience); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if after = runtime.NumGoroutine(); after <= before+2 {
			return
		}
	}
	buf := make([]byte, 1<<20)
	n := runtime.Stack(buf, true)
	t.Fatalf("%d goroutines before %d sessions with unread window changes, %d after:\n%s", before, sessions, after, buf[:n])
}

// A shell without a terminal (ssh -T HOST) is told the console needs one,
// and ends with status 1.
func TestShellWithoutTerminalIsRefused(t *testing.T) {
	f := newFixture(t)
	c := f.keyClient(emAdmin)
	s, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var out strings.Builder
	s.Stdout = &out
	if err := s.Shell(); err != nil {
		t.Fatal(err)
	}
	err = s.Wait()
	var ee *gossh.ExitError
	if !errors.As(err, &ee) || ee.ExitStatus() != 1 || !strings.Contains(out.String(), "the console needs a terminal") {
		t.Fatalf("a shell without a pty: %v, %q", err, out.String())
	}
}
