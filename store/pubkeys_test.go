package store

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"
)

// newKeyLine makes a fresh ed25519 key and returns its authorized_keys line.
func newKeyLine(t *testing.T, comment string) (string, ssh.PublicKey) {
	t.Helper()
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	pk, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	line := strings.TrimSpace(string(ssh.MarshalAuthorizedKey(pk)))
	if comment != "" {
		line += " " + comment
	}
	return line, pk
}

func TestParsePublicKey(t *testing.T) {
	good, pk := newKeyLine(t, "jane@laptop")
	rsaKey, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	weak, err := ssh.NewPublicKey(&rsaKey.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	weakLine := string(ssh.MarshalAuthorizedKey(weak))
	bare := strings.TrimSpace(string(ssh.MarshalAuthorizedKey(pk)))
	for _, tc := range []struct {
		name, line string
		want       error
		mention    string
	}{
		{"ed25519 with comment", good, nil, ""},
		{"surrounding space", "  " + good + "\n", nil, ""},
		{"empty", "  ", ErrInput, "no public key"},
		{"garbage", "ssh-ed25519 notbase64!", ErrInput, "not an SSH public key"},
		{"private key", "-----BEGIN OPENSSH PRIVATE KEY-----", ErrInput, "private key"},
		{"options", `command="ls" ` + good, ErrInput, "options"},
		{"two keys", good + "\n" + good, ErrInput, "one public key"},
		{"weak rsa", weakLine, ErrInput, "2048"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k, _, err := ParsePublicKey(tc.line)
			checkErr(t, err, tc.want, tc.mention)
			if tc.want != nil {
				return
			}
			if k.Fingerprint != ssh.FingerprintSHA256(pk) || k.AuthorizedKey != bare || k.Type != "ssh-ed25519" || k.Comment != "jane@laptop" {
				t.Fatalf("parsed %+v", k)
			}
		})
	}
}

func TestKeys(t *testing.T) {
	f := newFixture(t)
	line, pk := newKeyLine(t, "ada@desk")
	fp := ssh.FingerprintSHA256(pk)
	other, opk := newKeyLine(t, "")
	ofp := ssh.FingerprintSHA256(opk)
	admin, manager, basic := f.user(emAdmin), f.user(emManager), f.user(emBasic)

	before := f.auditLen()
	cs := f.apply("add key", func(tx *Tx) error { _, err := tx.AddKey(admin.ID, line); return err })
	if len(cs.Entries) != 1 || cs.Entries[0].Field != "key" || cs.Entries[0].Before != "" || !strings.HasPrefix(cs.Entries[0].After, fp) {
		t.Fatalf("add key audit: %+v", cs.Entries)
	}
	if f.auditLen() != before+1 {
		t.Fatal("add key: want one audit entry")
	}
	if v := f.user(emAdmin).Version; v != admin.Version+1 {
		t.Fatalf("version %d after adding a key, want %d", v, admin.Version+1)
	}

	for _, tc := range []struct {
		name    string
		actor   Actor
		op      func(tx *Tx) error
		want    error
		mention []string
	}{
		{"same key again is no change", f.local, func(tx *Tx) error { _, err := tx.AddKey(admin.ID, line); return err }, nil, nil},
		{"same key for another user names the holder", f.local, func(tx *Tx) error { _, err := tx.AddKey(manager.ID, line); return err }, ErrRefused, []string{fp, emAdmin}},
		{"same key twice in one change set", f.local, func(tx *Tx) error {
			if _, err := tx.AddKey(manager.ID, other); err != nil {
				return err
			}
			_, err := tx.AddKey(basic.ID, other)
			return err
		}, ErrRefused, []string{emManager}},
		{"unknown user", f.local, func(tx *Tx) error { _, err := tx.AddKey(9999, other); return err }, ErrNotFound, nil},
		{"bad key", f.local, func(tx *Tx) error { _, err := tx.AddKey(admin.ID, "nope"); return err }, ErrInput, nil},
		{"basic user may not add keys to others", f.actor(emBasic), func(tx *Tx) error { _, err := tx.AddKey(manager.ID, other); return err }, ErrDenied, []string{"maintain"}},
		{"scoped manager may not reach the admin", f.actor(emManager), func(tx *Tx) error { _, err := tx.AddKey(admin.ID, other); return err }, ErrDenied, nil},
		{"remove a key that is not theirs", f.local, func(tx *Tx) error { return tx.RemoveKey(manager.ID, fp) }, ErrNotFound, []string{emManager}},
		{"remove an unknown key", f.local, func(tx *Tx) error { return tx.RemoveKey(admin.ID, "SHA256:nothere") }, ErrNotFound, nil},
		{"the operator cannot enrol an own key", f.local, func(tx *Tx) error { _, err := tx.EnrolOwnKey(other); return err }, ErrRefused, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := f.auditLen()
			_, err := f.s.Apply(tc.actor, tc.name, tc.op)
			checkErr(t, err, tc.want, tc.mention...)
			if f.auditLen() != n {
				t.Fatalf("audit grew by %d", f.auditLen()-n)
			}
		})
	}

	// a scoped manager reaches users inside their sites
	if _, err := f.s.Apply(f.actor(emManager), "manager adds", func(tx *Tx) error {
		_, err := tx.AddKey(f.user(emSupervisor).ID, other)
		return err
	}); err != nil {
		t.Fatalf("manager adding a key to their supervisor: %v", err)
	}
	u, err := f.s.UserByKey(ofp)
	if err != nil || u.Email != emSupervisor {
		t.Fatalf("UserByKey(other) = %v, %v", u, err)
	}
	u, err = f.s.UserByKey(strings.TrimPrefix(fp, "SHA256:"))
	if err != nil || u.Email != emAdmin {
		t.Fatalf("UserByKey(bare fingerprint) = %v, %v", u, err)
	}
	if _, err := f.s.UserByKey("SHA256:unknown"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("UserByKey(unknown) = %v", err)
	}
	ks, err := f.s.Keys(emAdmin)
	if err != nil || len(ks) != 1 || ks[0].Fingerprint != fp || ks[0].Comment != "ada@desk" || ks[0].AddedBy != f.local.Name || ks[0].UserID != admin.ID {
		t.Fatalf("Keys(admin) = %+v, %v", ks, err)
	}
	if ks, _ := f.s.Keys(emUser); len(ks) != 0 || ks == nil {
		t.Fatalf("Keys(user) = %#v, want an empty list", ks)
	}

	// survives a reopen
	f.reopen()
	if u, err := f.s.UserByKey(fp); err != nil || u.Email != emAdmin {
		t.Fatalf("after reopen: %v, %v", u, err)
	}

	cs = f.apply("remove key", func(tx *Tx) error { return tx.RemoveKey(admin.ID, fp) })
	if len(cs.Entries) != 1 || cs.Entries[0].Field != "key" || !strings.HasPrefix(cs.Entries[0].Before, fp) || cs.Entries[0].After != "" {
		t.Fatalf("remove key audit: %+v", cs.Entries)
	}
	if _, err := f.s.UserByKey(fp); !errors.Is(err, ErrNotFound) {
		t.Fatalf("removed key still signs in: %v", err)
	}
	// now free for someone else
	f.apply("re-add", func(tx *Tx) error { _, err := tx.AddKey(manager.ID, line); return err })
	if u, _ := f.s.UserByKey(fp); u == nil || u.Email != emManager {
		t.Fatalf("re-added key belongs to %v", u)
	}
}

func TestKeysOfDeletedUserAreFree(t *testing.T) {
	f := newFixture(t)
	line, pk := newKeyLine(t, "")
	uma := f.user(emUser)
	f.apply("add", func(tx *Tx) error { _, err := tx.AddKey(uma.ID, line); return err })
	f.apply("delete", func(tx *Tx) error { return tx.DeleteUser(uma.ID, 0) })
	if _, err := f.s.UserByKey(ssh.FingerprintSHA256(pk)); !errors.Is(err, ErrNotFound) {
		t.Fatalf("a deleted user's key still resolves: %v", err)
	}
	f.apply("re-add", func(tx *Tx) error { _, err := tx.AddKey(f.user(emBasic).ID, line); return err })
	if u, err := f.s.UserByKey(ssh.FingerprintSHA256(pk)); err != nil || u.Email != emBasic {
		t.Fatalf("key after its holder was deleted: %v, %v", u, err)
	}
}

func TestEnrolOwnKey(t *testing.T) {
	f := newFixture(t)
	line, pk := newKeyLine(t, "")
	cal := f.user(emClient) // a client user: no rights on users at all
	cs, err := f.s.Apply(f.actor(emClient), "enrol", func(tx *Tx) error { _, err := tx.EnrolOwnKey(line); return err })
	if err != nil || len(cs.Entries) == 0 {
		t.Fatalf("EnrolOwnKey: %v", err)
	}
	if u, err := f.s.UserByKey(ssh.FingerprintSHA256(pk)); err != nil || u.ID != cal.ID {
		t.Fatalf("enrolled key resolves to %v, %v", u, err)
	}
	// but not a key someone else holds
	_, err = f.s.Apply(f.actor(emBasic), "steal", func(tx *Tx) error { _, err := tx.EnrolOwnKey(line); return err })
	checkErr(t, err, ErrRefused, emClient)
}
