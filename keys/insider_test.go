package keys_test

import (
	"strings"
	"testing"

	gossh "golang.org/x/crypto/ssh"

	"github.com/gatehouse/gatehouse/keys"
	"github.com/gatehouse/gatehouse/store"
)

// The security issue's point 3 over SSH: ulla was invited, signed in with a
// key an administrator enrolled for her, and her old token then set an
// attacker's password and key over `ssh invite@HOST`. Now the first sign-in
// spends the invitation: the token gets the answer every bad token gets.
func TestInvitationEndsAtTheFirstSignIn(t *testing.T) {
	f := newFixture(t)
	ulla := newSigner(t)
	cs, err := f.st.Apply(store.LocalActor("test"), "invite ulla, enrol her key", func(tx *store.Tx) error {
		u, err := tx.AddUser(store.NewUser{First: "Ulla", Last: "Invitee", Email: "ulla@example.com", Type: store.Employee, Profile: "Basic", Sites: []string{"North Depot"}})
		if err != nil {
			return err
		}
		_, err = tx.AddKey(u.ID, authorized(ulla))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	token := cs.Tokens[0]
	c, banner, err := f.dial("ulla@example.com", gossh.PublicKeys(ulla))
	if err != nil {
		t.Fatalf("ulla's key sign-in: %v (%q)", err, banner)
	}
	if out, _, code := execute(t, c, "effective ulla@example.com", ""); code != 0 || !strings.Contains(out, "active") {
		t.Fatalf("ulla signed in: exit %d, %q", code, out)
	}
	c.Close()

	attacker := newSigner(t)
	const stolen = "an attacker's fine passphrase 42"
	c, banner, err = f.dial(keys.InviteUser, gossh.PublicKeys(attacker), answers(token, stolen, stolen))
	if err == nil {
		c.Close()
		t.Fatal("the spent token was accepted")
	}
	if !strings.Contains(banner, "invitation token is not valid") {
		t.Fatalf("the spent token was told %q, not the bad-token answer", banner)
	}
	if u, _ := f.st.User("ulla@example.com"); u.PasswordHash != "" && store.CheckPassword(u.PasswordHash, stolen) {
		t.Fatal("the spent token set a password")
	}
	if _, err := f.st.UserByKey(gossh.FingerprintSHA256(attacker.PublicKey())); err == nil {
		t.Fatal("the attacker's key was enrolled")
	}
}
