package keys_test

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"encoding/pem"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"charm.land/log/v2"
	"github.com/charmbracelet/x/vt"
	gossh "golang.org/x/crypto/ssh"

	"github.com/gatehouse/gatehouse/internal/cputime"
	"github.com/gatehouse/gatehouse/internal/proof"
	"github.com/gatehouse/gatehouse/store"
)

// The load test: many console sessions over real SSH against a demo
// database, each scrolling and editing. The sessions' clients run in a
// child process (this test binary again), so the server's heap is measured
// alone. In the normal suite it opens 10 sessions; for the figures:
//
//	go test ./keys -run TestLoad -sessions 100 -v
var (
	loadSessions = flag.Int("sessions", 10, "TestLoad: console sessions to open at once")
	loadUsers    = flag.Int("load-users", 2000, "TestLoad: users in the demo database")
	loadEdits    = flag.Int("load-edits", 2, "TestLoad: users each session disables from the console")
	loadBurst    = flag.Int("load-burst", 0, "TestLoad: sessions opening at the same moment (0: all of them)")
	loadProfile  = flag.String("load-cpuprofile", "", "TestLoad: write the server's CPU profile while the sessions open to this file")
	loadHeap     = flag.String("load-memprofile", "", "TestLoad: write the server's heap profile, with every session open and idle, to this file")
)

// loadConfig is what the parent hands the child clients (a JSON file).
type loadConfig struct {
	Addr     string
	HostKey  []byte // authorized_keys line
	Burst    int
	Sessions []loadSession
}

type loadSession struct {
	Email   string
	Key     []byte // OpenSSH private key (PEM)
	Targets []string
}

// loadOpened is what the child reports once every console shows its first frame.
type loadOpened struct {
	Connect    []time.Duration // TCP + SSH handshake + key sign-in
	FirstFrame []time.Duration // shell request → the first screen text
	Total      []time.Duration // dial → the first screen text, what the person waits
	ClientCPU  time.Duration   // the clients' own CPU while they opened (same cores)
	Errors     []string
}

type loadEdited struct {
	KeysSent int
	Errors   []string
}

const loadEnv = "GATEHOUSE_LOAD_CLIENT"

func TestLoad(t *testing.T) {
	if os.Getenv(loadEnv) != "" {
		t.Skip("the child process runs TestLoadClient only")
	}
	n, users, edits := *loadSessions, *loadUsers, *loadEdits
	dir := t.TempDir()
	f := &fixture{t: t, dbPath: filepath.Join(dir, "load.db"), signer: map[string]gossh.Signer{}, logs: &proof.Log{}, clock: &clock{now: time.Now()}}
	st, err := store.Open(f.dbPath, store.Options{}) // fsync on: every sign-in and edit is a real commit
	if err != nil {
		t.Fatal(err)
	}
	f.st = st
	start := time.Now()
	if _, err := st.Demo(store.LocalActor("load"), store.DemoOptions{Users: users}); err != nil {
		t.Fatal(err)
	}
	demoTook := time.Since(start)

	// the targets: active or invited demo users whose email is no part of
	// another user's email or name, so typing it in the filter leaves one row
	all, err := st.Users(store.UserFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var text []string
	for _, u := range all {
		text = append(text, strings.ToLower(u.Email+" "+u.First+" "+u.Last))
	}
	var targets []string
	for i, u := range all {
		if len(targets) == n*edits {
			break
		}
		if u.Disabled || u.Type != store.Employee { // the list shows employees first
			continue
		}
		e := strings.ToLower(u.Email)
		unique := true
		for j, s := range text {
			if j != i && strings.Contains(s, e) {
				unique = false
				break
			}
		}
		if unique {
			targets = append(targets, u.Email)
		}
	}
	if len(targets) < n*edits {
		t.Fatalf("only %d users to edit for %d sessions × %d edits", len(targets), n, edits)
	}

	// one administrator per session, and one to warm up with
	cfg := loadConfig{Burst: *loadBurst}
	signers := make([]gossh.Signer, n+1)
	pems := make([][]byte, n+1)
	for i := range signers {
		signers[i], pems[i] = newKeyPair(t)
	}
	if _, err := st.Apply(store.LocalActor("load"), "load admins", func(tx *store.Tx) error {
		for i := 0; i <= n; i++ {
			u, err := tx.AddUser(store.NewUser{First: "Load", Last: fmt.Sprintf("Admin%03d", i), Email: fmt.Sprintf("load%03d@admins.test", i), Type: store.Employee, Profile: "Administrator"})
			if err != nil {
				return err
			}
			if _, err := tx.AddKey(u.ID, authorized(signers[i])); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	f.start(log.InfoLevel)
	cfg.Addr = f.addr
	cfg.HostKey = gossh.MarshalAuthorizedKey(f.srv.HostKey())
	for i := 1; i <= n; i++ {
		s := loadSession{Email: fmt.Sprintf("load%03d@admins.test", i), Key: pems[i]}
		s.Targets = targets[(i-1)*edits : i*edits]
		cfg.Sessions = append(cfg.Sessions, s)
	}

	// warm up: one console builds what every console shares (the users
	// index), then goes away; what is measured below is what each session adds
	warm := console(t, f.keyClientWith(signers[0]), "dumb")
	warm.waitFor("1 Users")
	warm.sess.Close()
	warm.waitEnd()
	time.Sleep(200 * time.Millisecond)
	before := settledHeap()

	cfgPath := filepath.Join(dir, "load.json")
	data, _ := json.Marshal(cfg)
	if err := os.WriteFile(cfgPath, data, 0o600); err != nil {
		t.Fatal(err)
	}
	child := exec.Command(os.Args[0], "-test.run=^TestLoadClient$", "-test.v")
	child.Env = append(os.Environ(), loadEnv+"="+cfgPath)
	toChild, _ := child.StdinPipe()
	fromChild, _ := child.StdoutPipe()
	var childErr bytes.Buffer
	child.Stderr = &childErr
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	defer child.Process.Kill()
	lines := bufio.NewScanner(fromChild)
	lines.Buffer(make([]byte, 1<<20), 1<<20)
	var childOut strings.Builder
	expect := func(prefix string, v any) {
		t.Helper()
		for lines.Scan() {
			l := lines.Text()
			if rest, ok := strings.CutPrefix(l, prefix+" "); ok {
				if err := json.Unmarshal([]byte(rest), v); err != nil {
					t.Fatalf("%s: %v", prefix, err)
				}
				return
			}
			childOut.WriteString(l + "\n")
		}
		t.Fatalf("the clients ended before %s:\n%s\n%s", prefix, childOut.String(), childErr.String())
	}

	if *loadProfile != "" {
		pf, err := os.Create(*loadProfile)
		if err != nil {
			t.Fatal(err)
		}
		if err := pprof.StartCPUProfile(pf); err != nil {
			t.Fatal(err)
		}
	}
	openStart, cpuStart := time.Now(), cputime.Process()
	var opened loadOpened
	expect("OPENED", &opened)
	if *loadProfile != "" {
		pprof.StopCPUProfile()
	}
	openTook, openCPU := time.Since(openStart), cputime.Process()-cpuStart
	if len(opened.Errors) > 0 {
		t.Fatalf("%d sessions failed to open: %v", len(opened.Errors), opened.Errors[:min(5, len(opened.Errors))])
	}
	time.Sleep(time.Second) // idle: let every console settle
	after := settledHeap()
	if *loadHeap != "" {
		pf, err := os.Create(*loadHeap)
		if err != nil {
			t.Fatal(err)
		}
		if err := pprof.WriteHeapProfile(pf); err != nil {
			t.Fatal(err)
		}
		pf.Close()
	}
	perSession := float64(int64(after.heap)-int64(before.heap)) / float64(n)

	// every session scrolls and edits at once
	auditBefore := len(mustAudit(t, st, store.AuditFilter{Actor: "@admins.test"}))
	editStart, cpuStart := time.Now(), cputime.Process()
	fmt.Fprintln(toChild, "EDIT")
	var edited loadEdited
	expect("EDITED", &edited)
	if len(edited.Errors) > 0 {
		t.Errorf("%d sessions could not type: %v", len(edited.Errors), edited.Errors[:min(5, len(edited.Errors))])
	}
	// the store has every edit, by the session that made it
	lost := func() []string {
		var out []string
		for _, s := range cfg.Sessions {
			for _, e := range s.Targets {
				if u, err := st.User(e); err != nil || !u.Disabled {
					out = append(out, s.Email+" → "+e)
				}
			}
		}
		return out
	}
	deadline := time.Now().Add(patience)
	for len(lost()) > 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	editsTook, editCPU := time.Since(editStart), cputime.Process()-cpuStart
	missing := lost()
	wrong := 0
	entries := mustAudit(t, st, store.AuditFilter{Actor: "@admins.test"})
	by := map[string]map[string]bool{}
	for _, e := range entries {
		if e.Field != "status" || e.After != store.Disabled.String() {
			continue
		}
		if by[e.Actor] == nil {
			by[e.Actor] = map[string]bool{}
		}
		by[e.Actor][strings.TrimPrefix(e.Entity.Label, "user:")] = true
	}
	for _, s := range cfg.Sessions {
		for _, e := range s.Targets {
			if !by[s.Email][e] {
				wrong++
				t.Errorf("no audit entry: %s disabled %s", s.Email, e)
			}
		}
		if len(by[s.Email]) != len(s.Targets) {
			t.Errorf("%s disabled %d users, want %d: %v", s.Email, len(by[s.Email]), len(s.Targets), by[s.Email])
		}
	}
	if r, err := st.VerifyAudit(); err != nil || !r.OK {
		t.Errorf("audit chain: %v %v", err, r.Problems)
	}
	fmt.Fprintln(toChild, "CLOSE")
	var closed struct{}
	expect("CLOSED", &closed)
	child.Wait()

	ms := func(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond)) }
	burst := "all at once"
	if cfg.Burst > 0 {
		burst = fmt.Sprintf("%d at a time", cfg.Burst)
	}
	t.Logf("load: %d console sessions over SSH (TERM=dumb, 140×40), opened %s, against a demo database of %d users (built in %s), %d edits each, %d CPUs",
		n, burst, users, demoTook.Round(time.Millisecond), edits, runtime.NumCPU())
	t.Logf("  heap per idle session: %.0f KiB (HeapInuse %.1f → %.1f MiB, measured after a warm-up console; target ≤ 1024 KiB); goroutine stacks per session: %.0f KiB; goroutines per session: %.1f",
		perSession/1024, float64(before.heap)/(1<<20), float64(after.heap)/(1<<20),
		float64(int64(after.stack)-int64(before.stack))/float64(n)/1024, float64(after.goroutines-before.goroutines)/float64(n))
	t.Logf("  sign-in (TCP + SSH + key): p50 %s, p95 %s, max %s", ms(pct(opened.Connect, 50)), ms(pct(opened.Connect, 95)), ms(pct(opened.Connect, 100)))
	t.Logf("  first frame (shell request → first screen text): p50 %s, p95 %s, max %s (target p95 ≤ 150 ms); all open in %s",
		ms(pct(opened.FirstFrame, 50)), ms(pct(opened.FirstFrame, 95)), ms(pct(opened.FirstFrame, 100)), openTook.Round(time.Millisecond))
	t.Logf("  dial → first frame, what a person waits: p50 %s, p95 %s, max %s", ms(pct(opened.Total, 50)), ms(pct(opened.Total, 95)), ms(pct(opened.Total, 100)))
	t.Logf("  server CPU while they opened: %s, %s per session; the clients' own CPU, in another process on the same cores: %s", openCPU.Round(time.Millisecond), ms(openCPU/time.Duration(n)), opened.ClientCPU.Round(time.Millisecond))
	t.Logf("  edits: %d of %d in the store and the audit log (%d lost, %d without their audit entry), all within %s of the first key; %d keys typed; %d audit entries written",
		n*edits-len(missing), n*edits, len(missing), wrong, editsTook.Round(time.Millisecond), edited.KeysSent, len(entries)-auditBefore)
	t.Logf("  server CPU while they scrolled and edited: %s", editCPU.Round(time.Millisecond))
	if len(missing) > 0 {
		t.Errorf("%d edits lost: %v", len(missing), missing[:min(10, len(missing))])
	}
}

func mustAudit(t *testing.T, st *store.Store, f store.AuditFilter) []store.AuditEntry {
	t.Helper()
	es, err := st.AuditLog(f)
	if err != nil {
		t.Fatal(err)
	}
	return es
}

// heapState is the server process's memory at rest.
type heapState struct {
	heap, stack uint64
	goroutines  int
}

// settledHeap collects garbage a few times, then reads HeapInuse,
// StackInuse and the number of goroutines.
func settledHeap() heapState {
	var m runtime.MemStats
	for i := 0; i < 3; i++ {
		runtime.GC()
		time.Sleep(50 * time.Millisecond)
	}
	runtime.ReadMemStats(&m)
	return heapState{m.HeapInuse, m.StackInuse, runtime.NumGoroutine()}
}

func pct(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := (len(s)*p + 99) / 100
	return s[max(min(i, len(s))-1, 0)]
}

// newKeyPair is an ed25519 key and its private half as an OpenSSH key file.
func newKeyPair(t *testing.T) (gossh.Signer, []byte) {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	block, err := gossh.MarshalPrivateKey(priv, "")
	if err != nil {
		t.Fatal(err)
	}
	return s, pem.EncodeToMemory(block)
}

// ---- the child: many SSH clients, each with one console

// TestLoadClient runs only as TestLoad's child process.
func TestLoadClient(t *testing.T) {
	path := os.Getenv(loadEnv)
	if path == "" {
		t.Skip("run by TestLoad")
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var cfg loadConfig
	if err := json.Unmarshal(data, &cfg); err != nil {
		t.Fatal(err)
	}
	hostKey, _, _, _, err := gossh.ParseAuthorizedKey(cfg.HostKey)
	if err != nil {
		t.Fatal(err)
	}
	out := bufio.NewWriter(os.Stdout)
	report := func(prefix string, v any) {
		b, _ := json.Marshal(v)
		fmt.Fprintf(out, "\n%s %s\n", prefix, b)
		out.Flush()
	}
	in := bufio.NewScanner(os.Stdin)

	clients := make([]*loadClient, len(cfg.Sessions))
	var opened loadOpened
	var mu sync.Mutex
	burst := cfg.Burst
	if burst <= 0 {
		burst = len(cfg.Sessions)
	}
	sem := make(chan struct{}, burst)
	var wg sync.WaitGroup
	cpuStart := cputime.Process()
	for i, s := range cfg.Sessions {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			c, connect, first, err := openLoadClient(cfg.Addr, hostKey, s)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				opened.Errors = append(opened.Errors, s.Email+": "+err.Error())
				return
			}
			clients[i] = c
			opened.Connect = append(opened.Connect, connect)
			opened.FirstFrame = append(opened.FirstFrame, first)
			opened.Total = append(opened.Total, connect+first)
		}()
	}
	wg.Wait()
	opened.ClientCPU = cputime.Process() - cpuStart
	report("OPENED", opened)

	if !in.Scan() || in.Text() != "EDIT" {
		return
	}
	var edited loadEdited
	for i, c := range clients {
		if c == nil {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			n, err := c.work(cfg.Sessions[i].Targets)
			mu.Lock()
			defer mu.Unlock()
			edited.KeysSent += n
			if err != nil {
				edited.Errors = append(edited.Errors, cfg.Sessions[i].Email+": "+err.Error())
			}
		}()
	}
	wg.Wait()
	report("EDITED", edited)

	if !in.Scan() || in.Text() != "CLOSE" {
		return
	}
	for _, c := range clients {
		if c != nil {
			c.close()
		}
	}
	report("CLOSED", struct{}{})
}

// loadClient is one SSH connection with one console session. It keeps only
// the tail of what the console draws, and the screen as a terminal shows it
// (bubbletea v2 draws only the cells that change).
type loadClient struct {
	client *gossh.Client
	sess   *gossh.Session
	in     io.WriteCloser

	mu       sync.Mutex
	term     *vt.Emulator
	stopTerm func()
	tail     []byte
	seen     string // the needle being waited for
	found    chan struct{}
	readErr  error
}

func openLoadClient(addr string, hostKey gossh.PublicKey, s loadSession) (*loadClient, time.Duration, time.Duration, error) {
	signer, err := gossh.ParsePrivateKey(s.Key)
	if err != nil {
		return nil, 0, 0, err
	}
	t0 := time.Now()
	d := net.Dialer{Timeout: 30 * time.Second}
	conn, err := d.Dial("tcp", addr)
	if err != nil {
		return nil, 0, 0, err
	}
	cc, chans, reqs, err := gossh.NewClientConn(conn, addr, &gossh.ClientConfig{User: s.Email, Auth: []gossh.AuthMethod{gossh.PublicKeys(signer)},
		HostKeyCallback: gossh.FixedHostKey(hostKey), Timeout: 30 * time.Second})
	if err != nil {
		conn.Close()
		return nil, 0, 0, err
	}
	connect := time.Since(t0)
	c := &loadClient{client: gossh.NewClient(cc, chans, reqs)}
	c.term, c.stopTerm = newTerminal(140, 40)
	t1 := time.Now()
	if c.sess, err = c.client.NewSession(); err != nil {
		return nil, 0, 0, err
	}
	if c.in, err = c.sess.StdinPipe(); err != nil {
		return nil, 0, 0, err
	}
	out, err := c.sess.StdoutPipe()
	if err != nil {
		return nil, 0, 0, err
	}
	if err := c.sess.RequestPty("dumb", 40, 140, gossh.TerminalModes{}); err != nil {
		return nil, 0, 0, err
	}
	found := c.expect("1 Users")
	if err := c.sess.Shell(); err != nil {
		return nil, 0, 0, err
	}
	go c.read(out)
	select {
	case <-found:
	case <-time.After(60 * time.Second):
		return nil, 0, 0, fmt.Errorf("no first frame within 60s")
	}
	return c, connect, time.Since(t1), nil
}

// expect arms a wait for text in what the console draws from now on.
func (c *loadClient) expect(s string) <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.tail = c.tail[:0]
	c.seen, c.found = s, make(chan struct{})
	return c.found
}

func (c *loadClient) read(r io.Reader) {
	buf := make([]byte, 16<<10)
	for {
		n, err := r.Read(buf)
		c.mu.Lock()
		c.tail = append(c.tail, buf[:n]...)
		c.term.Write(buf[:n])
		if c.seen != "" && (bytes.Contains(c.tail, []byte(c.seen)) || strings.Contains(c.term.String(), c.seen)) {
			c.seen = ""
			close(c.found)
		}
		if len(c.tail) > 8<<10 { // keep only what a needle may straddle
			c.tail = append(c.tail[:0], c.tail[len(c.tail)-256:]...)
		}
		if err != nil {
			c.readErr = err
			c.mu.Unlock()
			return
		}
		c.mu.Unlock()
	}
}

func (c *loadClient) key(k string) error {
	_, err := c.in.Write([]byte(k))
	time.Sleep(10 * time.Millisecond) // the pace of a fast typist
	return err
}

// work scrolls the user list, disables each target through the "/" filter,
// "d" and "y", scrolls again. Where the next key depends on what the last ones
// did (the filter's result), it waits for the screen to show it.
func (c *loadClient) work(targets []string) (int, error) {
	n := 0
	send := func(ks ...string) error {
		for _, k := range ks {
			if err := c.key(k); err != nil {
				return err
			}
			n++
		}
		return nil
	}
	await := func(what string, ch <-chan struct{}) error {
		select {
		case <-ch:
			return nil
		case <-time.After(patience):
			return fmt.Errorf("%s did not show within %s", what, patience)
		}
	}
	// filter opens the "/" prompt, then waits for what next arms
	filter := func() error {
		prompt := c.expect("enter keep · esc clear")
		if err := send("/"); err != nil {
			return err
		}
		return await("the filter prompt", prompt)
	}
	for i := 0; i < 15; i++ {
		if err := send(keyDown); err != nil {
			return n, err
		}
	}
	if err := send(keyPgDown, keyPgDown); err != nil {
		return n, err
	}
	for _, e := range targets {
		if err := filter(); err != nil {
			return n, err
		}
		one := c.expect("Employees (1) ")
		if err := send("\x15"); err != nil { // ctrl+u: the last filter goes
			return n, err
		}
		for _, r := range e {
			if err := send(string(r)); err != nil {
				return n, err
			}
		}
		if err := await(e+" alone in the list", one); err != nil {
			return n, err
		}
		if err := send("\r"); err != nil {
			return n, err
		}
		ask := c.expect("y / enter: yes") // a single disable asks first
		if err := send("d"); err != nil {
			return n, err
		}
		if err := await("the question to disable "+e, ask); err != nil {
			return n, err
		}
		gone := c.expect("Employees (0) ") // disabled: the active+invited list no longer shows them
		if err := send("y"); err != nil {
			return n, err
		}
		if err := await(e+" disabled", gone); err != nil {
			return n, err
		}
	}
	if err := filter(); err != nil {
		return n, err
	}
	if err := send("\x15", "\r"); err != nil {
		return n, err
	}
	for i := 0; i < 10; i++ {
		if err := send(keyUp); err != nil {
			return n, err
		}
	}
	return n, nil
}

func (c *loadClient) close() {
	_ = c.key("q")
	c.sess.Close()
	c.client.Close()
	c.stopTerm()
}
