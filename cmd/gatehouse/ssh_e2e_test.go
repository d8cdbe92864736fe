//go:build unix

package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/proof"
)

// End to end over SSH: the built binary serves, OpenSSH's own ssh client
// connects — commands with their exit codes, and the console in a real
// terminal (tmux).

// sshServer is `gatehouse serve` on a free loopback port.
type sshServer struct {
	port string
	log  *proof.Log
}

func needTools(t *testing.T, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed (.ci/run installs openssh-client and tmux)", tool)
		}
	}
}

// keygen makes an ed25519 key pair with ssh-keygen; it returns the private key's path.
func keygen(t *testing.T, dir, name string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name+"@laptop", "-f", path).CombinedOutput(); err != nil {
		t.Fatalf("ssh-keygen: %v\n%s", err, out)
	}
	return path
}

// serveDB starts the server on db and stops it (SIGTERM) when the test ends.
func serveDB(t *testing.T, db string) *sshServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	srv := &sshServer{log: &proof.Log{}}
	_, srv.port, _ = net.SplitHostPort(addr)
	cmd := exec.Command(binary, "--db", db, "serve", "--listen", addr)
	cmd.Stderr = srv.log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(patience):
			cmd.Process.Kill()
			<-exited
			t.Errorf("serve did not stop within %s of SIGTERM", patience)
		}
		if t.Failed() {
			t.Logf("server log:\n%s", srv.log.String())
		}
	})
	for deadline := time.Now().Add(patience); ; time.Sleep(20 * time.Millisecond) {
		if b, err := os.ReadFile(db + ".serving"); err == nil && strings.TrimSpace(string(b)) == addr {
			return srv
		}
		select {
		case err := <-exited:
			t.Fatalf("serve exited: %v\n%s", err, srv.log.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve did not listen on %s within %s", addr, patience)
		}
	}
}

// sshArgs are OpenSSH's options for a throwaway server: this key only, no
// agent, no config, no known_hosts, never a prompt.
func (s *sshServer) sshArgs(key string, extra ...string) []string {
	return append([]string{"-F", "/dev/null", "-p", s.port, "-i", key, "-o", "IdentitiesOnly=yes", "-o", "IdentityAgent=none",
		"-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes", "-o", "LogLevel=ERROR"}, extra...)
}

// ssh runs one command over OpenSSH and returns stdout, stderr and the exit code.
func (s *sshServer) ssh(t *testing.T, key string, command ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command("ssh", s.sshArgs(key, append([]string{"127.0.0.1"}, command...)...)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return out.String(), errb.String(), 0
	case errors.As(err, &ee):
		return out.String(), errb.String(), ee.ExitCode()
	}
	t.Fatalf("ssh %v: %v", command, err)
	return "", "", 0
}

func TestE2EOpenSSH(t *testing.T) {
	if raceEnabled {
		// the server under test is the binary built with plain go build, and
		// the client is OpenSSH: the race detector instruments neither, and
		// only slows the machine this timing-sensitive test shares (.ci/run
		// runs it in its plain go test step)
		t.Skip("not under -race: it tests processes the race detector does not instrument")
	}
	needTools(t, "ssh", "ssh-keygen", "tmux")
	dir := t.TempDir()
	db := filepath.Join(dir, "ssh.db")
	mustGH(t, db, "clients", "add", "Acme")
	mustGH(t, db, "sites", "add", "North Depot", "--client", "Acme")
	mustGH(t, db, "users", "add", "--first", "Ada", "--last", "Admin", "--email", "ada@example.com", "--profile", "Administrator")
	mustGH(t, db, "users", "add", "--first", "Cal", "--last", "Client", "--email", "cal@acme.test", "--type", "client",
		"--client", "Acme", "--site", "North Depot", "--profile", "Client")
	adaKey, calKey := keygen(t, dir, "ada"), keygen(t, dir, "cal")
	// the first admin's key is enrolled locally, before the server holds the database
	out := mustGH(t, db, "users", "add-key", "ada@example.com", adaKey+".pub")
	if !strings.Contains(out, "1 key enrolled for ada@example.com") {
		t.Fatalf("add-key: %s", out)
	}
	mustGH(t, db, "users", "add-key", "cal@acme.test", calKey+".pub")
	srv := serveDB(t, db)

	// a command: JSON on stdout, exit 0
	stdout, stderr, code := srv.ssh(t, adaKey, "users", "list", "--json")
	var users []struct {
		Email string `json:"email"`
	}
	if code != 0 || json.Unmarshal([]byte(stdout), &users) != nil || len(users) != 2 {
		t.Fatalf("ssh users list --json: exit %d\n%s\n%s", code, stdout, stderr)
	}
	// a decision another system can ask for: denied is exit 1
	stdout, _, code = srv.ssh(t, adaKey, "check", "cal@acme.test", "payroll", "view")
	if code != 1 || !strings.HasPrefix(stdout, "denied:") {
		t.Fatalf("check payroll: exit %d %q", code, stdout)
	}
	stdout, _, code = srv.ssh(t, adaKey, "check", "cal@acme.test", "roster", "view", "--site", "'North Depot'")
	if code != 0 || !strings.HasPrefix(stdout, "allowed:") {
		t.Fatalf("check roster at North Depot: exit %d %q", code, stdout)
	}
	// a client user may ask only about themselves
	_, stderr, code = srv.ssh(t, calKey, "users", "list")
	if code != 1 || !strings.Contains(stderr, "cal@acme.test may run only") {
		t.Fatalf("client user's users list: exit %d %q", code, stderr)
	}
	// a key nobody enrolled is refused
	strangerKey := keygen(t, dir, "stranger")
	if _, stderr, code = srv.ssh(t, strangerKey, "users", "list"); code != 255 || !strings.Contains(stderr, "Permission denied") {
		t.Fatalf("unknown key: exit %d %q", code, stderr)
	}

	// the console, in a real terminal, through ssh -tt
	tm := startProgram(t, 120, 40, "ssh", srv.sshArgs(adaKey, "-tt", "127.0.0.1")...)
	tm.waitFor(`\[1 Users\]`)
	tm.waitFor(`Ada Admin`)
	if screen := tm.waitFor(`ada@example\.com │`); strings.Contains(screen, filepath.Base(db)) { // the status line names the actor
		t.Fatalf("a remote admin is shown where the server keeps its database:\n%s", screen)
	}
	tm.keys("?")
	tm.waitFor(`command palette`)
	tm.keys("Escape")
	// the help closed: without the kitty keyboard protocol (tmux) a key
	// within 50 ms of ESC would make alt and that key, not Escape
	tm.waitFor(`Ada Admin`)
	tm.keys("3")
	tm.waitFor(`Matrix \(`)
	tm.keys("q")
	quitEnds(t, tm, srv, "ada@example.com")

	// a client user's console: only their own access
	tc := startProgram(t, 120, 40, "ssh", srv.sshArgs(calKey, "-tt", "127.0.0.1")...)
	tc.waitFor(`\[1 My access\]`)
	s := tc.waitFor(`Screens I may use`)
	if tabs := strings.TrimSpace(strings.SplitN(s, "\n", 2)[0]); tabs != "[1 My access]" {
		t.Fatalf("a client user's console has the tabs %q:\n%s", tabs, s)
	}
	tc.keys("3") // no admin screen behind a number either
	tc.waitFor(`you may see only your own access`)
	tc.keys("q")
	quitEnds(t, tc, srv, "cal@acme.test")
}

// quitEnds checks that q ends the console: the server logs the console
// session closed, and the ssh client exits with status 0.
func quitEnds(t *testing.T, tm *term, srv *sshServer, user string) {
	t.Helper()
	want := regexp.MustCompile(`session end .*user=` + regexp.QuoteMeta(user) + `.*kind=console.*outcome="console closed"`)
	for deadline := time.Now().Add(patience); !want.MatchString(srv.log.String()); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the server did not close %s's console after q; the screen shows:\n%s", user, tm.screen())
		}
	}
	if st, ok := tm.exitStatus(); !ok {
		t.Fatalf("the server closed %s's console but ssh had not exited %s later:\n%s", user, patience, tm.screen())
	} else if st != "0" {
		t.Fatalf("ssh ended with status %q after q:\n%s", st, tm.screen())
	}
}

// exitStatus waits for the program in the terminal to end and returns its
// exit status; false if it had not ended within patience.
func (tm *term) exitStatus() (string, bool) {
	tm.t.Helper()
	for deadline := time.Now().Add(patience); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if b, err := os.ReadFile(tm.status); err == nil && strings.HasSuffix(string(b), "\n") {
			return strings.TrimSpace(string(b)), true
		}
	}
	return "", false
}
