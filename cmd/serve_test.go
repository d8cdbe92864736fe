package cmd_test

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/emersion/go-sasl"
	smtpd "github.com/emersion/go-smtp"
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
// local command line runs in it, a command runs over SSH, SIGTERM stops it.
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
	eventually(t, serving+" written", func() bool {
		b, err := os.ReadFile(serving)
		addr = strings.TrimSpace(string(b))
		return err == nil && addr != ""
	}, func() string { return "stderr:\n" + errb.String() })
	fi, err := os.Stat(g.db + ".hostkey")
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("host key beside the database: %v %v", fi, err)
	}

	// the local command line runs in the server, as the local operator,
	// over the socket beside the database (issue 12)
	fi, err = os.Lstat(g.db + ".sock")
	if err != nil || fi.Mode().Type() != os.ModeSocket || fi.Mode().Perm() != 0o600 {
		t.Fatalf("the local socket beside the database: %v %v", fi, err)
	}
	contains(t, "users list while serving", g.ok("users", "list"), "ada@example.com")
	g.ok("clients", "add", "Acme")
	// the same actor as a command that opened the file itself (#1, #2)
	me, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	contains(t, "its audit", g.ok("audit", "log", "--entity", "client:Acme"), "local:"+me.Username+"  client:Acme")

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
	case <-time.After(patience):
		t.Fatal("serve did not stop after SIGTERM")
	}
	for _, f := range []string{serving, g.db + ".sock"} {
		if _, err := os.Lstat(f); !os.IsNotExist(err) {
			t.Fatalf("%s left behind", f)
		}
	}
	contains(t, "serve stdout", out.String(), "listening on "+addr, "host key SHA256:", ".hostkey, new")
	contains(t, "serve log", errb.String(), "session start", "user=ada@example.com", "outcome=\"exit 0\"", "stopped")
	g.ok("users", "list") // the database is free again
}

// served is the real binary serving one database.
type served struct {
	addr     string
	out, err *syncBuf
	cmd      *exec.Cmd
	exited   chan error
}

type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuf) Write(p []byte) (int, error) { b.mu.Lock(); defer b.mu.Unlock(); return b.b.Write(p) }
func (b *syncBuf) String() string              { b.mu.Lock(); defer b.mu.Unlock(); return b.b.String() }

// serve starts `gatehouse serve` on 127.0.0.1:0 and waits until it listens;
// the test's end stops it (SIGTERM, then kill).
func (g *gh) serve(env []string, args ...string) *served {
	g.t.Helper()
	s := &served{out: &syncBuf{}, err: &syncBuf{}, exited: make(chan error, 1)}
	s.cmd = exec.Command(bin, append([]string{"--db", g.db, "serve", "--listen", "127.0.0.1:0"}, args...)...)
	s.cmd.Env = append(append(os.Environ(), "HOME="+g.home, "GATEHOUSE_DB=", "XDG_DATA_HOME="+g.home, "USER=tester"), env...)
	s.cmd.Stdout, s.cmd.Stderr = s.out, s.err
	if err := s.cmd.Start(); err != nil {
		g.t.Fatal(err)
	}
	go func() { s.exited <- s.cmd.Wait() }()
	g.t.Cleanup(func() {
		s.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-s.exited:
		case <-time.After(patience):
			s.cmd.Process.Kill()
			<-s.exited
		}
	})
	eventually(g.t, "serve listening", func() bool {
		b, err := os.ReadFile(g.db + ".serving")
		s.addr = strings.TrimSpace(string(b))
		return err == nil && s.addr != ""
	}, func() string { return "stderr:\n" + s.err.String() })
	return s
}

// run runs one command over SSH as the key's user.
func (s *served) run(t *testing.T, signer gossh.Signer, line string) (string, int) {
	t.Helper()
	out, errOut, code := s.runSplit(t, signer, line)
	if code != 0 {
		out += errOut
	}
	return out, code
}

// runSplit runs line over SSH: its stdout, its stderr and its exit status.
func (s *served) runSplit(t *testing.T, signer gossh.Signer, line string) (string, string, int) {
	t.Helper()
	client, err := gossh.Dial("tcp", s.addr, &gossh.ClientConfig{User: "x", Auth: []gossh.AuthMethod{gossh.PublicKeys(signer)},
		HostKeyCallback: gossh.InsecureIgnoreHostKey(), Timeout: 5 * time.Second})
	if err != nil {
		t.Fatalf("ssh: %v\n%s", err, s.err.String())
	}
	defer client.Close()
	sess, err := client.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	var so, se bytes.Buffer
	sess.Stdout, sess.Stderr = &so, &se
	err = sess.Run(line)
	var ee *gossh.ExitError
	switch {
	case err == nil:
		return so.String(), se.String(), 0
	case errors.As(err, &ee):
		return so.String(), se.String(), ee.ExitStatus()
	}
	t.Fatalf("%s: %v %s", line, err, se.String())
	return "", "", 0
}

// smtpSink is a real SMTP server (go-smtp) that wants AUTH PLAIN and
// records the decoded bodies it accepts.
type smtpSink struct {
	addr   string
	mu     sync.Mutex
	to     []string
	bodies []string
}

type sinkSession struct {
	k    *smtpSink
	auth bool
	to   string
}

func (s *sinkSession) AuthMechanisms() []string { return []string{sasl.Plain} }
func (s *sinkSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pw string) error {
		if user != "mailer" || pw != "s3cret pass" {
			return smtpd.ErrAuthFailed
		}
		s.auth = true
		return nil
	}), nil
}
func (s *sinkSession) Mail(string, *smtpd.MailOptions) error {
	if !s.auth {
		return smtpd.ErrAuthRequired
	}
	return nil
}
func (s *sinkSession) Rcpt(to string, _ *smtpd.RcptOptions) error { s.to = to; return nil }
func (s *sinkSession) Data(r io.Reader) error {
	m, err := mail.ReadMessage(r)
	if err != nil {
		return err
	}
	body, err := io.ReadAll(quotedprintable.NewReader(m.Body))
	if err != nil {
		return err
	}
	s.k.mu.Lock()
	s.k.to = append(s.k.to, s.to)
	s.k.bodies = append(s.k.bodies, string(body))
	s.k.mu.Unlock()
	return nil
}
func (s *sinkSession) Reset()        {}
func (s *sinkSession) Logout() error { return nil }

func newSMTPSink(t *testing.T) *smtpSink {
	t.Helper()
	k := &smtpSink{}
	srv := smtpd.NewServer(smtpd.BackendFunc(func(*smtpd.Conn) (smtpd.Session, error) { return &sinkSession{k: k}, nil }))
	srv.Domain, srv.AllowInsecureAuth = "mail.test", true
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	k.addr = ln.Addr().String()
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return k
}

// waitBody waits for a message to email and returns its body.
func (k *smtpSink) waitBody(t *testing.T, email string) string {
	t.Helper()
	var body string
	eventually(t, "mail to "+email, func() bool {
		k.mu.Lock()
		defer k.mu.Unlock()
		for i, to := range k.to {
			if to == email {
				body = k.bodies[i]
				return true
			}
		}
		return false
	}, func() string { return "" })
	return body
}

var tokenLine = regexp.MustCompile(`(?m)^\s+([a-z2-7]{32})$`)

// serve --smtp delivers the outbox: an invitation queued before the start,
// and one queued over SSH while it serves; outbox list shows them sent.
func TestServeSMTP(t *testing.T) {
	g := newGH(t)
	g.employee("Ada", "Admin", "ada@example.com", "Administrator")
	signer, pub := newKeyFile(t, g.home, "ada")
	g.ok("users", "add-key", "ada@example.com", pub)
	g.employee("Nina", "New", "nina@example.com", "Basic")
	var queued []map[string]any
	g.jsonOf(&queued, "outbox", "list")
	shown := g.ok("outbox", "show", fmt.Sprint(queued[1]["id"]))
	m := tokenLine.FindStringSubmatch(shown)
	if m == nil || !strings.Contains(shown, "To: nina@example.com") {
		t.Fatalf("no token in:\n%s", shown)
	}
	ninaToken := m[1]

	contains(t, "--from alone", g.fail(2, "serve", "--from", "g@example.com"), "go with --smtp")
	contains(t, "bad URL", g.fail(2, "serve", "--smtp", "http://mail.test", "--from", "g@example.com"), "smtp:// or smtps://")
	contains(t, "no --from", g.fail(2, "serve", "--smtp", "smtp://mail.test"), "needs --from")

	sink := newSMTPSink(t)
	srv := g.serve([]string{"GATEHOUSE_SMTP_PASSWORD=s3cret pass"}, "--smtp", "smtp://mailer@"+sink.addr, "--from", "Gatehouse <gatehouse@example.com>")
	body := sink.waitBody(t, "nina@example.com")
	contains(t, "nina's invitation", body, "Hello Nina", ninaToken)

	out, code := srv.run(t, signer, "users add --first Omar --last Other --email omar@example.com --profile Basic")
	if code != 0 {
		t.Fatalf("users add over ssh: %d %s", code, out)
	}
	contains(t, "omar's invitation", sink.waitBody(t, "omar@example.com"), "Hello Omar", "invited to gatehouse")

	var msgs []struct {
		To       string `json:"to"`
		State    string `json:"state"`
		Attempts int    `json:"attempts"`
	}
	eventually(t, "three messages sent", func() bool {
		out, code = srv.run(t, signer, "outbox list --json")
		if code != 0 || json.Unmarshal([]byte(out), &msgs) != nil {
			t.Fatalf("outbox list --json over ssh: %d %s", code, out)
		}
		sent := 0
		for _, m := range msgs {
			if m.State == "sent" && m.Attempts == 1 {
				sent++
			}
		}
		return sent == 3 // ada's and nina's invitations, omar's
	}, func() string { return fmt.Sprintf("outbox after delivery: %+v", msgs) })
	contains(t, "serve stdout", srv.out.String(), "outbox: delivered through smtp://mailer@"+sink.addr+` as "Gatehouse" <gatehouse@example.com>`)
	// the log line follows the state change: wait for it
	eventually(t, "omar's mail in the log", func() bool { return strings.Contains(srv.err.String(), "to=omar@example.com attempt=1") },
		func() string { return srv.err.String() })
	contains(t, "serve log", srv.err.String(), "delivering the outbox", "mail sent", "to=omar@example.com attempt=1")
	lacks(t, "serve log", srv.err.String()+srv.out.String(), "s3cret")
}

// Without --smtp the outbox stays queued, and serve says so.
func TestServeWithoutSMTP(t *testing.T) {
	g := newGH(t)
	g.employee("Ada", "Admin", "ada@example.com", "Administrator")
	srv := g.serve(nil)
	eventually(t, "the outbox line", func() bool { return strings.Contains(srv.out.String(), "outbox:") },
		func() string { return "stdout:\n" + srv.out.String() })
	contains(t, "serve stdout", srv.out.String(), "outbox: 1 message queued and not delivered (no --smtp)")
}

// The log `serve` writes holds what clients typed escaped: a user name
// and a command line full of terminal controls reach the operator's
// terminal as text.
func TestServeLogEscapesClientText(t *testing.T) {
	g := newGH(t)
	g.employee("Ada", "Admin", "ada@example.com", "Administrator")
	signer, pub := newKeyFile(t, g.home, "ada")
	g.ok("users", "add-key", "ada@example.com", pub)
	srv := g.serve(nil)
	const hostile = "\x1b]52;c;cGF5bG9hZA==\a\x1b[2J\rfake\u202eevil\xff"
	client, err := gossh.Dial("tcp", srv.addr, &gossh.ClientConfig{User: "x" + hostile, Auth: []gossh.AuthMethod{gossh.PublicKeys(signer)},
		HostKeyCallback: gossh.InsecureIgnoreHostKey(), Timeout: 5 * time.Second})
	if err != nil {
		t.Fatalf("ssh: %v\n%s", err, srv.err.String())
	}
	defer client.Close()
	sess, err := client.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	_ = sess.Run("effective '" + hostile + "'")
	if _, err := gossh.Dial("tcp", srv.addr, &gossh.ClientConfig{User: "jane" + hostile, Auth: []gossh.AuthMethod{gossh.Password("x")},
		HostKeyCallback: gossh.InsecureIgnoreHostKey(), Timeout: 5 * time.Second}); err == nil {
		t.Fatal("signed in with a hostile user name")
	}
	eventually(t, "session end in the log", func() bool { return strings.Contains(srv.err.String(), "session end") },
		func() string { return srv.err.String() })
	log := srv.err.String()
	for i, r := range log {
		if r == utf8.RuneError || (r < 0x20 && r != '\n' && r != '\t') || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == '\u202e' {
			t.Fatalf("the serve log holds %U at byte %d:\n%q", r, i, log)
		}
	}
	contains(t, "serve log", log, `\x1b]52;c;cGF5bG9hZA==`, `\u202eevil`)
}
