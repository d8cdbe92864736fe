package keys_test

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	gossh "golang.org/x/crypto/ssh"

	"github.com/gatehouse/gatehouse/internal/safetext"
	"github.com/gatehouse/gatehouse/keys"
)

// hostile is text a client types to drive whoever reads it: the clipboard
// (OSC 52), the title, the bell, a carriage return that overwrites the
// line, a bidi override that reverses it, a zero-width space, a stray byte.
const hostile = "\x1b]52;c;cGF5bG9hZA==\a\x1b]0;pwned\x07\x1b[2J\rfake\u202eevil\u200b\xff"

// rawControl finds the first character of a log that would drive a
// terminal (anything safetext hides, but the newline and tab that make
// lines and tables).
func rawControl(log string) (int, string) {
	for i, r := range log {
		if r == '\n' || r == '\t' {
			continue
		}
		if r == utf8.RuneError {
			if _, n := utf8.DecodeRuneInString(log[i:]); n <= 1 {
				return i, fmt.Sprintf("%q", log[i:i+1])
			}
		}
		if safetext.Hidden(r) {
			return i, fmt.Sprintf("%U", r)
		}
	}
	return -1, ""
}

// What clients type reaches the server log escaped: user names of every
// kind of sign-in (refused and admitted), command lines, TERM; and a user
// name no account can have is refused at once, in one line, before it is
// looked up or counted against anyone.
func TestLogEscapesWhatClientsType(t *testing.T) {
	f := newFixture(t)

	for _, tc := range []struct{ name, user, banner string }{
		{"control characters", "jane" + hostile, `gatehouse: the user name holds a control or invisible character (\x1b); sign in with your email: ssh -l EMAIL HOST`},
		{"a bidi override", "jane\u202e@example.com", `gatehouse: the user name holds a control or invisible character (\u202e); sign in with your email: ssh -l EMAIL HOST`},
		{"the invitation's name with a control character", keys.InviteUser + "\r", `gatehouse: the user name holds a control or invisible character (\x0d); sign in with your email: ssh -l EMAIL HOST`},
		{"not UTF-8", "jane\xff", "gatehouse: the user name is not valid UTF-8 text; sign in with your email: ssh -l EMAIL HOST"},
		{"too long", strings.Repeat("a", 1000) + "@example.com", "gatehouse: the user name has 1012 bytes, more than an email address can; sign in with your email: ssh -l EMAIL HOST"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, banner, err := f.dial(tc.user, answers(pw))
			if err == nil {
				c.Close()
				t.Fatal("signed in")
			}
			if banner != tc.banner+"\n" {
				t.Fatalf("told %q\nwant %q", banner, tc.banner+"\n")
			}
		})
	}

	// a key sign-in ignores the user name, but the log names it; the
	// command line and a wrong password's user name are logged too
	c, banner, err := f.dial("x"+hostile, gossh.PublicKeys(f.signer[emAdmin]))
	if err != nil {
		t.Fatalf("key sign-in with a hostile user name: %v %q", err, banner)
	}
	defer c.Close()
	execute(t, c, "effective '"+hostile+"'", "")
	execute(t, c, "users show "+hostile, "")
	if c, _, err := f.dial("nobody@example.com", answers("wrong "+hostile)); err == nil {
		c.Close()
	}

	log := f.logs.String()
	if i, what := rawControl(log); i >= 0 {
		t.Fatalf("the log holds %s at byte %d:\n%q", what, i, tail(log[:i+1], 300))
	}
	for _, want := range []string{`\x1b]52;c;cGF5bG9hZA==\x07`, `\u202eevil`, "session start", "sign-in refused"} {
		if !strings.Contains(log, want) {
			t.Errorf("the log lacks %q:\n%s", want, log)
		}
	}
	if strings.Contains(log, "wrong "+`\x1b`) {
		t.Error("the log holds a password")
	}
}
