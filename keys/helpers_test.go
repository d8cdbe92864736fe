package keys_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/log/v2"
	"charm.land/ssh"
	"github.com/charmbracelet/x/vt"
	gossh "golang.org/x/crypto/ssh"

	"github.com/gatehouse/gatehouse/cmd"
	"github.com/gatehouse/gatehouse/internal/proof"
	"github.com/gatehouse/gatehouse/keys"
	"github.com/gatehouse/gatehouse/store"
	"github.com/gatehouse/gatehouse/tui"
	tuiconsole "github.com/gatehouse/gatehouse/tui/console"
)

// The fixture's people. Everyone with a password has this one.
const (
	pw        = "correct horse battery"
	emAdmin   = "admin@example.com"   // Administrator, key + password
	emManager = "manager@example.com" // Manager at North Depot, key
	emClient  = "cal@acme.example"    // Client user of Acme at North Depot, key + password
	emBasic   = "bob@example.com"     // Basic at North Depot, password only
	emNobody  = "nora@example.com"    // User, neither key nor password
	emGone    = "dan@example.com"     // Administrator, key + password, disabled
	emSouth   = "sam@example.com"     // Supervisor at Head Office: outside the manager's sites
)

// clock is the lockout clock, moved by hand.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

type fixture struct {
	t      *testing.T
	st     *store.Store
	dbPath string
	srv    *keys.Server
	addr   string
	signer map[string]gossh.Signer // by email
	logs   *proof.Log
	clock  *clock
	cancel context.CancelFunc
	served chan error
}

func newSigner(t *testing.T) gossh.Signer {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func authorized(s gossh.Signer) string {
	return strings.TrimSpace(string(gossh.MarshalAuthorizedKey(s.PublicKey())))
}

// newFixture fills a store through its API and starts a real server on
// 127.0.0.1:0 with the real command tree and the real console.
func newFixture(t *testing.T, setup ...func(*keys.Server)) *fixture {
	t.Helper()
	return newFixtureOn(t, func(path string) (*store.Store, error) { return store.Open(path, store.Options{NoSync: true}) }, setup...)
}

// newFixtureOn is newFixture on the store open opens (given the fixture's
// database path, which it may ignore: another engine).
func newFixtureOn(t *testing.T, open func(path string) (*store.Store, error), setup ...func(*keys.Server)) *fixture {
	t.Helper()
	dir := t.TempDir()
	f := &fixture{t: t, dbPath: filepath.Join(dir, "gatehouse.db"), signer: map[string]gossh.Signer{},
		logs: &proof.Log{}, clock: &clock{now: time.Now()}}
	st, err := open(f.dbPath)
	if err != nil {
		t.Fatal(err)
	}
	f.st = st
	for _, e := range []string{emAdmin, emManager, emClient, emGone} {
		f.signer[e] = newSigner(t)
	}
	_, err = st.Apply(store.LocalActor("test"), "fixtures", func(tx *store.Tx) error {
		if _, err := tx.AddClient("Acme"); err != nil {
			return err
		}
		if _, err := tx.AddSite("North Depot", "Acme"); err != nil {
			return err
		}
		if _, err := tx.AddSite("Head Office", ""); err != nil {
			return err
		}
		people := []store.NewUser{
			{First: "Ada", Last: "Admin", Email: emAdmin, Type: store.Employee, Profile: "Administrator"},
			{First: "Max", Last: "Manager", Email: emManager, Type: store.Employee, Profile: "Manager", Sites: []string{"North Depot"}},
			{First: "Cal", Last: "Client", Email: emClient, Type: store.ClientUser, Profile: "Client", Clients: []string{"Acme"}, Sites: []string{"North Depot"}},
			{First: "Bob", Last: "Basic", Email: emBasic, Type: store.Employee, Profile: "Basic", Sites: []string{"North Depot"}},
			{First: "Nora", Last: "Nokey", Email: emNobody, Type: store.Employee, Profile: "User", Sites: []string{"North Depot"}},
			{First: "Dan", Last: "Gone", Email: emGone, Type: store.Employee, Profile: "Administrator"},
			{First: "Sam", Last: "South", Email: emSouth, Type: store.Employee, Profile: "Supervisor", Sites: []string{"Head Office"}},
		}
		for _, n := range people {
			u, err := tx.AddUser(n)
			if err != nil {
				return err
			}
			if s, ok := f.signer[n.Email]; ok {
				if _, err := tx.AddKey(u.ID, authorized(s)); err != nil {
					return err
				}
			}
			switch n.Email {
			case emAdmin, emClient, emBasic, emGone:
				if err := tx.SetPassword(u.ID, 0, pw); err != nil {
					return err
				}
			}
			if n.Email == emGone {
				if err := tx.SetDisabled(u.ID, 0, true); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// the fixture's clients all come from 127.0.0.1: no lockout unless a test asks
	if _, err := st.Apply(store.LocalActor("test"), "no lockout", func(tx *store.Tx) error {
		return tx.SetSetting("lockout-attempts", "100")
	}); err != nil {
		t.Fatal(err)
	}
	f.start(log.DebugLevel, setup...)
	return f
}

// start serves f.st on 127.0.0.1:0 with the real command tree and the real
// console, until the test ends.
func (f *fixture) start(level log.Level, setup ...func(*keys.Server)) {
	t, st := f.t, f.st
	t.Helper()
	srv, err := keys.New(keys.Config{
		Store:       st,
		HostKeyPath: keys.DefaultHostKeyPath(f.dbPath),
		Console: func(_ ssh.Session, actor store.Actor) tea.Model {
			return tuiconsole.New(st, actor, tui.Options{DBPath: f.dbPath})
		},
		Command:       cmd.RemoteCommand(st),
		Logger:        keys.NewLogger(f.logs, log.Options{Level: level}),
		ShutdownGrace: 2 * time.Second,
		Now:           f.clock.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	f.srv = srv
	for _, fn := range setup {
		fn(srv)
	}
	addr, err := srv.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f.addr = addr.String()
	ctx, cancel := context.WithCancel(context.Background())
	f.cancel, f.served = cancel, make(chan error, 1)
	go func() { f.served <- srv.Serve(ctx) }()
	t.Cleanup(func() {
		f.stop()
		st.Close()
		if t.Failed() {
			t.Logf("server log:\n%s", tail(f.logs.String(), 20000))
		}
	})
}

// stop shuts the server down (once) and returns what Serve returned.
func (f *fixture) stop() error {
	if f.cancel == nil {
		return nil
	}
	f.cancel()
	f.cancel = nil
	select {
	case err := <-f.served:
		return err
	case <-time.After(patience):
		f.t.Errorf("the server did not stop within %s", patience)
		return errors.New("timeout")
	}
}

// dial connects as user with the given auth methods; banner collects what
// the server said while refusing.
func (f *fixture) dial(user string, auth ...gossh.AuthMethod) (*gossh.Client, string, error) {
	return f.dialFrom("127.0.0.1", user, auth...)
}

// dialFrom connects from another loopback address (127.0.0.0/8 is all ours),
// so lockout by address and by account can be told apart.
func (f *fixture) dialFrom(ip, user string, auth ...gossh.AuthMethod) (*gossh.Client, string, error) {
	var mu sync.Mutex
	var banner strings.Builder
	cfg := &gossh.ClientConfig{
		User:            user,
		Auth:            auth,
		HostKeyCallback: gossh.FixedHostKey(f.srv.HostKey()),
		BannerCallback: func(m string) error {
			mu.Lock()
			banner.WriteString(m)
			mu.Unlock()
			return nil
		},
		Timeout: 5 * time.Second,
	}
	d := net.Dialer{Timeout: 5 * time.Second, LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	conn, err := d.Dial("tcp", f.addr)
	if err != nil {
		return nil, "", err
	}
	cc, chans, reqs, err := gossh.NewClientConn(conn, f.addr, cfg)
	mu.Lock()
	defer mu.Unlock()
	if err != nil {
		conn.Close()
		return nil, banner.String(), err
	}
	return gossh.NewClient(cc, chans, reqs), banner.String(), nil
}

func (f *fixture) keyClient(email string) *gossh.Client {
	f.t.Helper()
	c, banner, err := f.dial("whoever", gossh.PublicKeys(f.signer[email]))
	if err != nil {
		f.t.Fatalf("key sign-in of %s: %v (banner %q)", email, err, banner)
	}
	f.t.Cleanup(func() { c.Close() })
	return c
}

// answers is a keyboard-interactive client that answers prompts in order.
func answers(list ...string) gossh.AuthMethod {
	i := 0
	return gossh.KeyboardInteractive(func(name, instruction string, questions []string, echos []bool) ([]string, error) {
		out := make([]string, len(questions))
		for q := range questions {
			if i < len(list) {
				out[q] = list[i]
				i++
			}
		}
		return out, nil
	})
}

func (f *fixture) passwordClient(email, password string) *gossh.Client {
	f.t.Helper()
	c, banner, err := f.dial(email, answers(password))
	if err != nil {
		f.t.Fatalf("password sign-in of %s: %v (banner %q)", email, err, banner)
	}
	f.t.Cleanup(func() { c.Close() })
	return c
}

// exec runs one command line in a new session.
func execute(t *testing.T, c *gossh.Client, line, stdin string) (string, string, int) {
	t.Helper()
	s, err := c.NewSession()
	if err != nil {
		t.Fatalf("new session: %v", err)
	}
	defer s.Close()
	var out, errb bytes.Buffer
	s.Stdout, s.Stderr = &out, &errb
	s.Stdin = strings.NewReader(stdin)
	err = s.Run(line)
	code := 0
	var ee *gossh.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		code = ee.ExitStatus()
	default:
		t.Fatalf("%q: %v (stderr %q)", line, err, errb.String())
	}
	return out.String(), errb.String(), code
}

// screen is an interactive session with a pty, read in the background: what
// the server sends, as it came and as a terminal shows it (bubbletea v2 draws
// only the cells that change, so a text drawn on screen need not be in the
// stream whole).
type screen struct {
	t     *testing.T
	sess  *gossh.Session
	in    io.WriteCloser
	mu    sync.Mutex
	out   bytes.Buffer
	term  *vt.Emulator
	shown []shown // the screens the terminal showed, the newest last
	ended chan error
}

// shown is what the terminal showed once the stream had reached at.
type shown struct {
	at   int
	text string
}

// maxShown is how many screens a screen keeps.
const maxShown = 4000

// console opens an interactive session. With TERM xterm-256color the server
// asks the terminal for its background colour; the test answers like a real
// terminal would (with dumb it does not ask).
func console(t *testing.T, c *gossh.Client, term string) *screen {
	t.Helper()
	sess, err := c.NewSession()
	if err != nil {
		t.Fatalf("new session: %v", err)
	}
	sc := &screen{t: t, sess: sess, ended: make(chan error, 1)}
	var stop func()
	sc.term, stop = newTerminal(140, 40)
	t.Cleanup(stop)
	if sc.in, err = sess.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	out, err := sess.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	sess.Stderr = writerFunc(func(p []byte) (int, error) { sc.mu.Lock(); sc.record(p); sc.mu.Unlock(); return len(p), nil })
	if err := sess.RequestPty(term, 40, 140, gossh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	if err := sess.Shell(); err != nil {
		t.Fatal(err)
	}
	go func() {
		buf := make([]byte, 32<<10)
		answered := false
		for {
			n, err := out.Read(buf)
			sc.mu.Lock()
			sc.record(buf[:n])
			query := !answered && bytes.Contains(sc.out.Bytes(), []byte("\x1b]11;?"))
			sc.mu.Unlock()
			if query {
				answered = true
				// background colour (dark), then the primary device attributes
				sc.in.Write([]byte("\x1b]11;rgb:1c1c/1c1c/1c1c\x1b\\\x1b[?62;22c"))
			}
			if err != nil {
				return
			}
		}
	}()
	go func() { sc.ended <- sess.Wait() }()
	t.Cleanup(func() { sess.Close() })
	return sc
}

// newTerminal is a terminal emulator of w×h whose answers to queries go
// nowhere (a test answers those it needs itself); stop ends it. (Its Close
// races with its Read: stop closes the pipe its answers go through.)
func newTerminal(w, h int) (*vt.Emulator, func()) {
	term := vt.NewEmulator(w, h)
	go io.Copy(io.Discard, term)
	return term, func() { term.InputPipe().(io.Closer).Close() }
}

type writerFunc func([]byte) (int, error)

func (w writerFunc) Write(p []byte) (int, error) { return w(p) }

// record takes what the server sent (sc.mu held).
func (sc *screen) record(p []byte) {
	sc.out.Write(p)
	sc.term.Write(p)
	if text := sc.term.String(); len(sc.shown) == 0 || sc.shown[len(sc.shown)-1].text != text {
		if len(sc.shown) == maxShown {
			sc.shown = append(sc.shown[:0], sc.shown[maxShown/2:]...)
		}
		sc.shown = append(sc.shown, shown{sc.out.Len(), text})
	}
}

// text is the stream as it came.
func (sc *screen) text() string {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	return sc.out.String()
}

// showing is what the terminal shows now.
func (sc *screen) showing() string {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	return sc.term.String()
}

// seen says whether s came after the stream's offset mark: in the stream,
// or on a screen the terminal showed since.
func (sc *screen) seen(mark int, s string) bool {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if strings.Contains(sc.out.String()[mark:], s) {
		return true
	}
	for i := len(sc.shown) - 1; i >= 0 && sc.shown[i].at > mark; i-- {
		if strings.Contains(sc.shown[i].text, s) {
			return true
		}
	}
	return false
}

// patience bounds every wait of these tests for a condition. It only ends a
// test whose condition never comes: each comes in a small part of it on a
// machine whose cores are busy, with the race detector on.
const patience = time.Minute

// eventually polls cond until it holds, failing with what after patience.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(patience); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not after %s", what, patience)
		}
	}
}

// waitFor waits until s is on screen (or in the stream).
func (sc *screen) waitFor(s string) {
	sc.t.Helper()
	sc.waitForSince(0, s)
}

// waitLog waits until the server log holds s.
func (f *fixture) waitLog(s string) {
	f.t.Helper()
	eventually(f.t, fmt.Sprintf("%q in the server log", s), func() bool { return strings.Contains(f.logs.String(), s) })
}

// waitEnd waits for the session to end and returns how long it took.
func (sc *screen) waitEnd() (time.Duration, error) {
	sc.t.Helper()
	start := time.Now()
	select {
	case err := <-sc.ended:
		return time.Since(start), err
	case <-time.After(patience):
		sc.t.Fatalf("the session did not end within %s; screen:\n%q", patience, tail(sc.text(), 2000))
		return 0, nil
	}
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// failingSigner offers a public key it cannot sign for (it signs with another key).
type failingSigner struct {
	pub  gossh.PublicKey
	real gossh.Signer
}

func (s failingSigner) PublicKey() gossh.PublicKey { return s.pub }
func (s failingSigner) Sign(r io.Reader, data []byte) (*gossh.Signature, error) {
	if s.real == nil {
		return nil, errors.New("cannot sign")
	}
	return s.real.Sign(r, data)
}
