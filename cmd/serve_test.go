package cmd_test

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"
)

func newKeyFile(t *testing.T, dir, name string) (gossh.Signer, string) {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name+".pub")
	line := strings.TrimSpace(string(gossh.MarshalAuthorizedKey(signer.PublicKey()))) + " " + name + "@laptop\n"
	if err := os.WriteFile(path, []byte(line), 0o644); err != nil {
		t.Fatal(err)
	}
	return signer, path
}

func TestUsersKeys(t *testing.T) {
	g := newGH(t)
	g.places()
	g.employee("Ada", "Admin", "ada@example.com", "Administrator")
	g.employee("Max", "Manager", "max@example.com", "Manager", "North Depot")
	signer, pub := newKeyFile(t, g.home, "ada")
	fp := gossh.FingerprintSHA256(signer.PublicKey())

	out := g.ok("users", "add-key", "ada@example.com", pub)
	contains(t, "add-key", out, "1 key enrolled for ada@example.com", fp, "ada@laptop", "change set #")
	out = g.ok("users", "add-key", "ada@example.com", pub)
	contains(t, "add-key again", out, "already holds", fp)

	var keys []map[string]any
	g.jsonOf(&keys, "users", "keys", "ada@example.com")
	if len(keys) != 1 || keys[0]["fingerprint"] != fp || keys[0]["comment"] != "ada@laptop" || !strings.HasPrefix(keys[0]["authorized_key"].(string), "ssh-ed25519 ") {
		t.Fatalf("users keys --json: %v", keys)
	}
	contains(t, "users keys", g.ok("users", "keys", "ada@example.com"), "FINGERPRINT", fp)
	contains(t, "no keys", g.ok("users", "keys", "max@example.com"), "has no keys")

	msg := g.fail(1, "users", "add-key", "max@example.com", pub)
	contains(t, "duplicate key", msg, "already enrolled for ada@example.com", fp)
	msg = g.fail(2, "users", "add-key", "max@example.com", filepath.Join(g.home, "nothere.pub"))
	contains(t, "missing file", msg, "cannot read")
	os.WriteFile(filepath.Join(g.home, "id"), []byte("-----BEGIN OPENSSH PRIVATE KEY-----\nxx\n"), 0o600)
	msg = g.fail(2, "users", "add-key", "max@example.com", filepath.Join(g.home, "id"))
	contains(t, "private key", msg, "private key")
	msg = g.failIn("not a key\n", 2, "users", "add-key", "max@example.com", "-")
	contains(t, "garbage", msg, "not an SSH public key")

	// from stdin, two keys at once
	_, p1 := newKeyFile(t, g.home, "m1")
	_, p2 := newKeyFile(t, g.home, "m2")
	b1, _ := os.ReadFile(p1)
	b2, _ := os.ReadFile(p2)
	r := g.runIn("# max's keys\n"+string(b1)+"\n"+string(b2), "users", "add-key", "max@example.com", "-")
	if r.code != 0 || !strings.Contains(r.out, "2 keys enrolled") {
		t.Fatalf("two keys from stdin: %v", r)
	}

	msg = g.fail(2, "users", "remove-key", "max@example.com", fp)
	contains(t, "remove someone else's key", msg, "max@example.com has no key")
	contains(t, "remove-key", g.ok("users", "remove-key", "ada@example.com", fp), "removed key "+fp+" from ada@example.com")
	contains(t, "history", g.ok("users", "history", "ada@example.com"), "key", fp)
	// a Basic user may not enrol keys for others
	g.employee("Bob", "Basic", "bob@example.com", "Basic", "North Depot")
	contains(t, "denied", g.fail(1, "--as", "bob@example.com", "users", "add-key", "max@example.com", pub), "needs maintain")
}

// TestServe runs the real binary as the server: the database is held, the
// local CLI names the server, a command runs over SSH, SIGTERM stops it.
func TestServe(t *testing.T) {
	g := newGH(t)
	g.employee("Ada", "Admin", "ada@example.com", "Administrator")
	signer, pub := newKeyFile(t, g.home, "ada")
	g.ok("users", "add-key", "ada@example.com", pub)

	srv := exec.Command(bin, "--db", g.db, "serve", "--listen", "127.0.0.1:0")
	srv.Env = append(os.Environ(), "HOME="+g.home, "GATEHOUSE_DB=", "XDG_DATA_HOME="+g.home, "USER=tester")
	var out, errb bytes.Buffer
	srv.Stdout, srv.Stderr = &out, &errb
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- srv.Wait() }()
	defer func() {
		srv.Process.Kill()
		<-exited
	}()
	serving := g.db + ".serving"
	var addr string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if b, err := os.ReadFile(serving); err == nil && len(b) > 0 {
			addr = strings.TrimSpace(string(b))
			break
		}
	}
	if addr == "" {
		t.Fatalf("no %s after 10s; stderr:\n%s", serving, errb.String())
	}
	fi, err := os.Stat(g.db + ".hostkey")
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("host key beside the database: %v %v", fi, err)
	}

	// the local CLI fails fast and names the server
	start := time.Now()
	msg := g.fail(1, "users", "list")
	contains(t, "locked database", msg, "gatehouse serve on "+addr)
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("the local CLI waited %s", d)
	}

	client, err := gossh.Dial("tcp", addr, &gossh.ClientConfig{User: "ada", Auth: []gossh.AuthMethod{gossh.PublicKeys(signer)},
		HostKeyCallback: gossh.InsecureIgnoreHostKey(), Timeout: 5 * time.Second})
	if err != nil {
		t.Fatalf("ssh: %v\n%s", err, errb.String())
	}
	sess, _ := client.NewSession()
	var so, se bytes.Buffer
	sess.Stdout, sess.Stderr = &so, &se
	if err := sess.Run("users list --json"); err != nil {
		t.Fatalf("users list over ssh: %v %s", err, se.String())
	}
	var users []map[string]any
	if err := json.Unmarshal(so.Bytes(), &users); err != nil || len(users) != 1 {
		t.Fatalf("users list --json over ssh: %v\n%s", err, so.String())
	}
	sess, _ = client.NewSession()
	err = sess.Run("check ada@example.com payroll view --site nowhere")
	var ee *gossh.ExitError
	if !errors.As(err, &ee) || ee.ExitStatus() != 2 {
		t.Fatalf("check at an unknown site: %v", err)
	}
	client.Close()

	if err := srv.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		exited <- err
		if err != nil {
			t.Fatalf("serve after SIGTERM: %v\n%s", err, errb.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop after SIGTERM")
	}
	if _, err := os.Stat(serving); !os.IsNotExist(err) {
		t.Fatalf("%s left behind", serving)
	}
	contains(t, "serve stdout", out.String(), "listening on "+addr, "host key SHA256:", ".hostkey, new")
	contains(t, "serve log", errb.String(), "session start", "user=ada@example.com", "outcome=\"exit 0\"", "stopped")
	g.ok("users", "list") // the database is free again
}
