package keys_test

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/gatehouse/gatehouse/keys"
)

// A command line longer than MaxCommandLine is refused in one line that
// says what to do, and not logged whole; one of exactly that length runs.
func TestLongCommandLine(t *testing.T) {
	f := newFixture(t)
	c := f.keyClient(emAdmin)
	line := func(n int) string {
		s := "effective " + emAdmin + " "
		return s + strings.Repeat("x", n-len(s))
	}
	_, errOut, code := execute(t, c, line(keys.MaxCommandLine+1), "")
	want := fmt.Sprintf("gatehouse: the command line has %d bytes, more than the %d this server takes; pick many users with --where, or run several commands\r\n", keys.MaxCommandLine+1, keys.MaxCommandLine)
	if code != 1 || errOut != want {
		t.Fatalf("a long command line: exit %d %q", code, errOut)
	}
	_, errOut, code = execute(t, c, line(keys.MaxCommandLine), "")
	if code != 2 || !strings.Contains(errOut, "effective takes") {
		t.Fatalf("a command line of the longest length: exit %d %q", code, errOut)
	}
	if n := len(f.logs.String()); n > 4*keys.MaxCommandLine {
		t.Fatalf("the log holds %d bytes for two command lines", n)
	}
}

// A terminal asked for at 100000×100000 is served at MaxColumns columns
// and the rows MaxCells leaves, and so is every window change; a TERM that
// is no terminal's name gets no terminal; env and agent forwarding are
// refused (nothing uses them).
func TestSessionRequests(t *testing.T) {
	f := newFixture(t)
	c := f.keyClient(emAdmin)

	s, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.RequestPty("xterm", 100000, 100000, gossh.TerminalModes{}); err != nil {
		t.Fatalf("a huge pty: %v", err)
	}
	if err := s.WindowChange(100000, 100000); err != nil {
		t.Fatalf("a huge window change: %v", err)
	}
	out, err := s.Output("effective " + emAdmin)
	if err != nil || !strings.Contains(string(out), "Administrator") {
		t.Fatalf("a command with a huge pty: %v %q", err, out)
	}
	if want := fmt.Sprintf("size=%dx%d", keys.MaxColumns, keys.MaxCells/keys.MaxColumns); !strings.Contains(f.logs.String(), want) {
		t.Fatalf("the session's terminal is not %s:\n%s", want, f.logs.String())
	}

	for _, term := range []string{"xterm\x1b]0;pwned\a", strings.Repeat("x", 65), "xterm 256color"} {
		s, err := c.NewSession()
		if err != nil {
			t.Fatal(err)
		}
		if err := s.RequestPty(term, 24, 80, gossh.TerminalModes{}); err == nil {
			t.Errorf("a pty with TERM %q was granted", term)
		}
		s.Close()
	}
	if !strings.Contains(f.logs.String(), "terminal refused") {
		t.Errorf("refused terminals not logged:\n%s", f.logs.String())
	}

	s, err = c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Setenv("LANG", "C.UTF-8"); err == nil {
		t.Error("env was accepted")
	}
	if ok, err := s.SendRequest("auth-agent-req@openssh.com", true, nil); ok || err != nil {
		t.Errorf("agent forwarding: granted %v (%v)", ok, err)
	}
	if ok, err := s.SendRequest("x11-req", true, nil); ok || err != nil {
		t.Errorf("X11 forwarding: granted %v (%v)", ok, err)
	}
	// the session still runs a command after the refusals
	out, err = s.Output("effective " + emAdmin)
	if err != nil || !strings.Contains(string(out), "Administrator") {
		t.Fatalf("a command after refused requests: %v %q", err, out)
	}
}

// One connection holds at most MaxSessionsPerConnection sessions at once;
// the next is refused with a message saying so, and once one ends another
// opens. Other channel types are refused.
func TestSessionsPerConnection(t *testing.T) {
	f := newFixture(t)
	c := f.keyClient(emAdmin)
	var stdins []io.WriteCloser
	var running []*gossh.Session
	for range keys.MaxSessionsPerConnection {
		s, err := c.NewSession()
		if err != nil {
			t.Fatalf("session %d: %v", len(running)+1, err)
		}
		in, _ := s.StdinPipe()
		if err := s.Start("users add-key " + emAdmin + " -"); err != nil { // reads stdin to its end
			t.Fatal(err)
		}
		stdins, running = append(stdins, in), append(running, s)
	}
	_, err := c.NewSession()
	var oce *gossh.OpenChannelError
	if !errors.As(err, &oce) || oce.Reason != gossh.ResourceShortage ||
		oce.Message != fmt.Sprintf("gatehouse: at most %d sessions at once on one connection; close one, or connect again", keys.MaxSessionsPerConnection) {
		t.Fatalf("one session too many: %v", err)
	}
	// another connection is not held back
	out, _, code := execute(t, f.keyClient(emAdmin), "effective "+emAdmin, "")
	if code != 0 || !strings.Contains(out, "Administrator") {
		t.Fatalf("another connection: exit %d %q", code, out)
	}
	stdins[0].Close()
	running[0].Wait()
	// the slot is free once the server has seen the session close
	eventually(t, fmt.Sprintf("a session after one of %d ended", keys.MaxSessionsPerConnection), func() bool {
		s, err := c.NewSession()
		if err == nil {
			s.Close()
		}
		return err == nil
	})
	if _, _, err := c.OpenChannel("direct-tcpip", nil); err == nil {
		t.Error("a direct-tcpip channel was opened")
	}
	for _, in := range stdins[1:] {
		in.Close()
	}
}

// A window change sent after the pty-req and before the shell or exec
// (a terminal resized while ssh connects) used to block the session's
// request loop for good: the exec was never read. The command runs and the
// console opens.
func TestWindowChangeBeforeTheSessionStarts(t *testing.T) {
	f := newFixture(t)
	c := f.keyClient(emAdmin)
	done := make(chan error, 1)
	go func() {
		s, err := c.NewSession()
		if err != nil {
			done <- err
			return
		}
		defer s.Close()
		if err := s.RequestPty("xterm", 24, 80, gossh.TerminalModes{}); err != nil {
			done <- err
			return
		}
		for i := range 3 {
			if err := s.WindowChange(30+i, 100); err != nil {
				done <- err
				return
			}
		}
		out, err := s.Output("effective " + emAdmin)
		if err == nil && !strings.Contains(string(out), "Administrator") {
			err = fmt.Errorf("output %q", out)
		}
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(patience):
		t.Fatal("the exec after early window changes never ran")
	}
	s, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var out strings.Builder
	var mu sync.Mutex
	s.Stdout = writerFunc(func(p []byte) (int, error) { mu.Lock(); defer mu.Unlock(); return out.Write(p) })
	if err := s.RequestPty("dumb", 24, 80, gossh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	if err := s.WindowChange(40, 140); err != nil {
		t.Fatal(err)
	}
	if err := s.Shell(); err != nil {
		t.Fatal(err)
	}
	eventually(t, "a console after an early window change", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return strings.Contains(out.String(), "Ada Admin")
	})
}

// A console sent a paste of megabytes that does not end for a long while
// holds little of it at a time and keeps answering: bubbletea v1 alone kept
// all of it and took time growing with its square (minutes for 8 MB);
// bubbletea v2 alone keeps all of it too, over 100 bytes of heap for each
// byte pasted (124 MB for 1 MB).
func TestConsolePasteIsBounded(t *testing.T) {
	f := newFixture(t)
	sc := console(t, f.keyClient(emAdmin), "dumb")
	sc.waitFor("Ada Admin")
	const size = 8 << 20
	chunk := []byte(strings.Repeat("pasted text without an end ", 1<<10))
	start := time.Now()
	sent := make(chan error, 1)
	go func() {
		if _, err := sc.in.Write([]byte("\x1b[200~")); err != nil {
			sent <- err
			return
		}
		for n := 0; n < size; n += len(chunk) {
			if _, err := sc.in.Write(chunk); err != nil {
				sent <- err
				return
			}
		}
		_, err := sc.in.Write([]byte("\x1b[201~2"))
		sent <- err
	}()
	// meanwhile another client is served
	if _, err := f.wellBehaved(t, "127.0.0.9"); err != nil {
		t.Fatalf("during the paste: %v", err)
	}
	select {
	case err := <-sent:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(60 * time.Second):
		t.Fatalf("the console took in %d MB of paste in 60 s at most", size>>20)
	}
	sc.waitFor("Sites & teams")
	t.Logf("%d MiB pasted and the next key answered in %s", size>>20, time.Since(start).Round(time.Millisecond))
}

// One user holds at most MaxSessionsPerUser sessions at once, over any
// number of connections; the next is told so in one line; other users are
// not held back, and once one ends another opens.
func TestSessionsPerUser(t *testing.T) {
	f := newFixture(t)
	var stdins []io.WriteCloser
	var running []*gossh.Session
	var c *gossh.Client
	for i := range keys.MaxSessionsPerUser {
		if i%keys.MaxSessionsPerConnection == 0 {
			c = f.keyClient(emAdmin)
		}
		s, err := c.NewSession()
		if err != nil {
			t.Fatalf("session %d: %v", i+1, err)
		}
		in, _ := s.StdinPipe()
		if err := s.Start("users add-key " + emAdmin + " -"); err != nil { // reads stdin to its end
			t.Fatal(err)
		}
		stdins, running = append(stdins, in), append(running, s)
	}
	// every one of them registered: the server logs each start
	eventually(t, fmt.Sprintf("%d sessions started", keys.MaxSessionsPerUser), func() bool {
		return strings.Count(f.logs.String(), "session start") >= keys.MaxSessionsPerUser
	})
	_, errOut, code := execute(t, f.keyClient(emAdmin), "effective "+emAdmin, "")
	want := fmt.Sprintf("gatehouse: %s has %d sessions open, the most one user may; close one, then connect again\r\n", emAdmin, keys.MaxSessionsPerUser)
	if code != 1 || errOut != want {
		t.Fatalf("one session too many: exit %d %q", code, errOut)
	}
	out, _, code := execute(t, f.keyClient(emManager), "effective "+emManager, "")
	if code != 0 || !strings.Contains(out, "Manager") {
		t.Fatalf("another user: exit %d %q", code, out)
	}
	stdins[0].Close()
	running[0].Wait()
	eventually(t, fmt.Sprintf("a session after one of %d ended", keys.MaxSessionsPerUser), func() bool {
		out, _, code := execute(t, f.keyClient(emAdmin), "effective "+emAdmin, "")
		return code == 0 && strings.Contains(out, "Administrator")
	})
	for _, in := range stdins[1:] {
		in.Close()
	}
}
