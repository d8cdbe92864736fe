// Package hostile is the test support for "nothing a user typed can drive
// another person's terminal": the hostile payload, a database whose every
// text field holds it (written below the rules, as a file from before them
// would hold it; store/hostile_fixture_test.go writes and checks it), and
// the assertion that output holds nothing a terminal would act on. Only
// _test files import it; it imports nothing of gatehouse but safetext.
package hostile

import (
	"crypto/ed25519"
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/crypto/ssh"

	"github.com/gatehouse/gatehouse/internal/safetext"
)

// The parts of Payload, each a way text has been seen to drive a terminal.
const (
	Clipboard = "\x1b]52;c;SE9TVElMRQ==\a"           // OSC 52: writes the clipboard
	Link      = "\x1b]8;;http://evil.example/\x1b\\" // OSC 8: a hyperlink
	Move      = "\x1b[2J\x1b[1;1HMOVED"              // clears the screen, paints top left
	SGR       = "\x1b[38;5;199m"                     // a colour no theme uses: must never appear raw
	C1        = "\u009b2J"                           // CSI as one C1 character
	Stray     = "\x9b"                               // CSI as a byte that is not UTF-8
	Others    = "\r\a\x7f"                           // carriage return, bell, DEL
	Forge     = "\n\tFORGED "                        // a line of its own, if a newline got through
	Invisible = "\u202e\u2066\u200b\ufeff"           // bidi override and isolate, zero-width space, BOM
)

// Payload is every part at once.
const Payload = Clipboard + Link + Move + SGR + C1 + Stray + Others + Forge + Invisible

// Stored is Payload as a JSON record holds it: encoding/json writes the
// stray byte as U+FFFD. Only the users' binary records keep Payload itself.
var Stored = strings.ToValidUTF8(Payload, "\ufffd")

// Of is s made hostile: s, then the payload.
func Of(s string) string { return s + Payload }

// The fixture's signed-in admin (an Administrator, all sites) and the seed
// of their enrolled ed25519 key.
var (
	AdminEmail = Of("ada.admin@fixture.test")
	adminSeed  = sha256.Sum256([]byte("gatehouse hostile fixture: ada's key"))
)

// AdminKey is the private key enrolled for the admin.
func AdminKey() ed25519.PrivateKey { return ed25519.NewKeyFromSeed(adminSeed[:]) }

// AdminSigner signs in as the admin over SSH.
func AdminSigner() ssh.Signer {
	s, err := ssh.NewSignerFromKey(AdminKey())
	if err != nil {
		panic(err)
	}
	return s
}

// AdminAuthorizedKey is the admin's public key, one authorized_keys line.
func AdminAuthorizedKey() string {
	pub, err := ssh.NewPublicKey(AdminKey().Public())
	if err != nil {
		panic(err)
	}
	return strings.TrimSpace(string(ssh.MarshalAuthorizedKey(pub)))
}

// Path is the committed fixture. Tests open a Copy, never this file.
func Path() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "testdata", "hostile.db")
}

// Copy copies the fixture into a temporary directory and returns the copy's path.
func Copy(t testing.TB) string {
	t.Helper()
	src, err := os.Open(Path())
	if err != nil {
		t.Fatalf("%v (write it: go test ./store -run TestHostileFixture -update-hostile)", err)
	}
	defer src.Close()
	dst := filepath.Join(t.TempDir(), "hostile.db")
	f, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(f, src); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return dst
}

// Problem names the first thing in out a terminal would act on, or returns
// "" when there is none: after the SGR sequences are taken out (the
// console's own styling), no ESC, no C0 control but \n (and \t when tabs
// is set: tables), no C1 control, no DEL, no byte that is not UTF-8, no
// Hidden character; and the payload's SGR never appears at all.
func Problem(out string, tabs bool) string {
	if i := strings.Index(out, SGR); i >= 0 {
		return fmt.Sprintf("the payload's SGR %q is raw at byte %d: %s", SGR, i, around(out, i))
	}
	plain := withoutSGR(out)
	for i := 0; i < len(plain); {
		c := plain[i]
		if c < 0x80 {
			if (c < 0x20 && c != '\n' && !(tabs && c == '\t')) || c == 0x7f {
				return fmt.Sprintf("byte %#02x is raw at byte %d: %s", c, i, around(plain, i))
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(plain[i:])
		if r == utf8.RuneError && n <= 1 {
			return fmt.Sprintf("byte %#02x (not UTF-8) is raw at byte %d: %s", c, i, around(plain, i))
		}
		if safetext.Hidden(r) {
			return fmt.Sprintf("%U is raw at byte %d: %s", r, i, around(plain, i))
		}
		i += n
	}
	return ""
}

// Check fails t when out holds something a terminal would act on.
func Check(t testing.TB, what, out string, tabs bool) {
	t.Helper()
	if p := Problem(out, tabs); p != "" {
		t.Errorf("%s: %s", what, p)
	}
}

// Forged reports a line of out that begins with the payload's forged line:
// a newline of the data reached the output (only text meant to keep its
// lines, a message body, may do that).
func Forged(out string) (string, bool) {
	for _, l := range strings.Split(withoutSGR(out), "\n") {
		if strings.HasPrefix(strings.TrimLeft(l, " \t│┃"), "FORGED") {
			return l, true
		}
	}
	return "", false
}

// withoutSGR drops ESC [ digits ; : … m sequences.
func withoutSGR(s string) string {
	if !strings.Contains(s, "\x1b[") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		if n := sgrLen(s[i:]); n > 0 {
			i += n
			continue
		}
		b.WriteByte(s[i])
		i++
	}
	return b.String()
}

// sgrLen is written apart from safetext's on purpose: the check must not
// share the guard's blind spots.
func sgrLen(s string) int {
	if len(s) < 3 || s[0] != 0x1b || s[1] != '[' {
		return 0
	}
	for i := 2; i < len(s); i++ {
		switch c := s[i]; {
		case c == 'm':
			return i + 1
		case c >= '0' && c <= '9' || c == ';' || c == ':':
		default:
			return 0
		}
	}
	return 0
}

// around quotes a little of s around byte i.
func around(s string, i int) string {
	lo, hi := max(i-40, 0), min(i+40, len(s))
	return fmt.Sprintf("%q", s[lo:hi])
}
