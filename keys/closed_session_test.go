package keys_test

import (
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/cputime"
)

// A client that closes its console session but keeps the connection (ssh
// -O, ControlMaster) ends the console, and the server stays idle; the
// connection serves another session.
func TestClosedConsoleSessionEnds(t *testing.T) {
	f := newFixture(t)
	c := f.keyClient(emAdmin)
	sc := console(t, c, "dumb")
	sc.waitFor("Ada Admin")
	sc.sess.Close()
	f.waitLog("session end")
	// CPU time over a window, not a wait for anything: a busy machine
	// gives the idle server no more of it
	start := cputime.Process()
	time.Sleep(500 * time.Millisecond)
	if used := cputime.Process() - start; used > 150*time.Millisecond {
		t.Fatalf("the idle server used %s of CPU in 500ms after a session closed", used)
	}
	out, _, code := execute(t, c, "effective "+emAdmin, "")
	if code != 0 || !strings.Contains(out, "Administrator") {
		t.Fatalf("a new session on the same connection: exit %d %q", code, out)
	}
	sc2 := console(t, c, "dumb")
	sc2.waitFor("Ada Admin")
}
