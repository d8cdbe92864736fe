package cmd_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/cmd"
	"github.com/gatehouse/gatehouse/store"
)

// Over SSH `users add-key EMAIL KEYFILE` named a file on the server: a
// signed-in administrator could learn which server files exist and whether
// they hold private keys, and `/dev/zero` read without end. Over SSH keys
// come on standard input only.
func TestRemoteAddKeyReadsNoServerFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	st, err := store.Open(filepath.Join(dir, "gatehouse.db"), store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var admin store.Actor
	if _, err := st.Apply(store.LocalActor("test"), "admin", func(tx *store.Tx) error {
		u, err := tx.AddUser(store.NewUser{First: "Ada", Last: "Admin", Email: "ada@example.com", Type: store.Employee, Profile: "Administrator"})
		admin = store.Actor{UserID: u.ID, Name: u.Email}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	secret := filepath.Join(dir, "server.key")
	if err := os.WriteFile(secret, []byte("-----BEGIN OPENSSH PRIVATE KEY-----\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, file := range []string{secret, filepath.Join(dir, "missing"), "/dev/zero"} {
		var out, errb bytes.Buffer
		code := cmd.RunRemote(cmd.Env{Store: st, Actor: &admin, In: strings.NewReader(""), Out: &out, Err: &errb}, []string{"users", "add-key", "ada@example.com", file})
		if code != cmd.ExitUsage || !strings.Contains(errb.String(), "standard input") || strings.Contains(errb.String(), "private key") || strings.Contains(errb.String(), "no such file") {
			t.Errorf("add-key %s over SSH: exit %d, %q", file, code, errb.String())
		}
	}
}
