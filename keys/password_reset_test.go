package keys_test

import (
	"strings"
	"testing"
)

// Resetting a password ends that user's password sessions, and a
// connection that signed in with the old password opens no new one; the
// same user's key sessions stay, and the new password signs in.
func TestPasswordResetEndsPasswordSessions(t *testing.T) {
	f := newFixture(t)
	byPassword := console(t, f.passwordClient(emClient, pw), "dumb")
	byPassword.waitFor("Cal Client")
	byKey := console(t, f.keyClient(emClient), "dumb")
	byKey.waitFor("Cal Client")
	idle := f.passwordClient(emClient, pw) // signed in, no session yet

	const newPW = "a completely new passphrase"
	admin := f.keyClient(emAdmin)
	if _, errOut, code := execute(t, admin, "users set-password "+emClient, newPW+"\n"); code != 0 {
		t.Fatalf("set-password: exit %d %q", code, errOut)
	}
	byPassword.waitEnd()
	if !strings.Contains(byPassword.text(), "gatehouse: your password was changed; this session has ended: sign in again with the new password") {
		t.Fatalf("the password session was not told why:\n%q", tail(byPassword.text(), 500))
	}
	// the key session still answers
	byKey.in.Write([]byte("?"))
	byKey.waitFor("esc or ? closes this help")
	if n := strings.Count(f.logs.String(), "ending session user="+emClient); n != 1 {
		t.Fatalf("%d sessions ended for the reset, want the one password session:\n%s", n, f.logs.String())
	}

	_, errOut, code := execute(t, idle, "effective "+emClient, "")
	if code != 1 || errOut != "gatehouse: your password was changed since this connection signed in; sign in again with the new password\r\n" {
		t.Fatalf("a session on a connection signed in with the old password: exit %d %q", code, errOut)
	}
	out, _, code := execute(t, f.passwordClient(emClient, newPW), "effective "+emClient, "")
	if code != 0 || !strings.Contains(out, "Cal Client") {
		t.Fatalf("with the new password: exit %d %q", code, out)
	}
	if c, _, err := f.dial(emClient, answers(pw)); err == nil {
		c.Close()
		t.Fatal("the old password still signs in")
	}
}
