package keys_test

import (
	"fmt"
	"strings"
	"testing"

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
