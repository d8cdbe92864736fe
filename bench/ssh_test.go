package bench

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/log/v2"
	"charm.land/ssh"
	gossh "golang.org/x/crypto/ssh"

	"github.com/gatehouse/gatehouse/cmd"
	"github.com/gatehouse/gatehouse/keys"
	"github.com/gatehouse/gatehouse/store"
	"github.com/gatehouse/gatehouse/tui"
	"github.com/gatehouse/gatehouse/tui/console"
)

// Per-session cost over SSH. The real server (keys.New with the real
// console and command tree, as `gatehouse serve` wires them) runs in this
// process on 127.0.0.1:0, on a copy of a demo database opened as serve
// opens it (fsync on). The SSH clients run in a child process (this test
// binary again, TestSSHClients), so the server's heap and goroutine counts
// hold only the server's. Every client signs in with an ed25519 key enrolled
// for the demo's first Administrator, asks for a pty with TERM=dumb (no
// background-colour query) at 200×60, starts a shell (the console) and
// reads until the first frame's user list title ("Employees (") arrives.
//
// A first round of N sessions on the cold server is reported apart
// (cold-p50, cold-max): the first consoles build what later ones share.
// Then each round opens N sessions at once, waits for every first frame, then the
// server is measured (after a GC: HeapInuse and goroutines above what they
// were before the round, divided by N), then every session closes. Rounds
// repeat until there are at least 60 latency samples (20 at 100k users).

const firstFrame = "Employees ("

type sshServer struct {
	srv     *keys.Server
	st      *store.Store
	addr    string
	keyFile string
	hostKey string
	cancel  context.CancelFunc
	served  chan error
}

func startSSH(tb testing.TB, users int) *sshServer {
	tb.Helper()
	dir := mkdir(tb, filepath.Join(fixtureDir, fmt.Sprintf("ssh-%d", users)))
	path := copyFile(tb, demoDB(tb, users), dir)
	st, err := store.Open(path, store.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	signer, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		tb.Fatal(err)
	}
	admin := profileUsers(tb, st, "Administrator", 1)[0]
	if _, err := st.Apply(actor, "bench key", func(t *store.Tx) error {
		_, err := t.AddKey(admin.ID, string(gossh.MarshalAuthorizedKey(signer.PublicKey())))
		return err
	}); err != nil {
		tb.Fatal(err)
	}
	block, err := gossh.MarshalPrivateKey(priv, "")
	if err != nil {
		tb.Fatal(err)
	}
	keyFile := filepath.Join(dir, "client_key")
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(block), 0o600); err != nil {
		tb.Fatal(err)
	}
	s := serveStore(tb, st, keys.DefaultHostKeyPath(path), path)
	s.keyFile = keyFile
	return s
}

// serveStore serves st on 127.0.0.1 with the real command tree and console
// (dbPath, when set, is the file the console names).
func serveStore(tb testing.TB, st *store.Store, hostKeyPath, dbPath string) *sshServer {
	tb.Helper()
	srv, err := keys.New(keys.Config{
		Store:       st,
		HostKeyPath: hostKeyPath,
		Console: func(_ ssh.Session, a store.Actor) tea.Model {
			return console.New(st, a, tui.Options{DBPath: dbPath})
		},
		Command:       cmd.RemoteCommand(st),
		Logger:        log.NewWithOptions(io.Discard, log.Options{}),
		ShutdownGrace: 2 * time.Second,
	})
	if err != nil {
		tb.Fatal(err)
	}
	a, err := srv.Listen("127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &sshServer{srv: srv, st: st, addr: a.String(), cancel: cancel, served: make(chan error, 1),
		hostKey: strings.TrimSpace(string(gossh.MarshalAuthorizedKey(srv.HostKey())))}
	go func() { s.served <- srv.Serve(ctx) }()
	return s
}

func (s *sshServer) stop(tb testing.TB) {
	s.cancel()
	select {
	case <-s.served:
	case <-time.After(15 * time.Second):
		tb.Error("the server did not stop within 15s")
	}
	s.st.Close()
}

// clients is the child process holding the client ends.
type clients struct {
	cmd   *exec.Cmd
	in    io.WriteCloser
	lines chan string
}

func startClients(tb testing.TB, s *sshServer, n int) *clients {
	tb.Helper()
	c := exec.Command(os.Args[0], "-test.run=^TestSSHClients$", "-test.count=1", "-test.timeout=30m")
	c.Env = append(os.Environ(), "GH_SSH_ADDR="+s.addr, "GH_SSH_KEY="+s.keyFile, "GH_SSH_HOSTKEY="+s.hostKey, "GH_SSH_N="+strconv.Itoa(n))
	c.Stderr = os.Stderr
	in, err := c.StdinPipe()
	if err != nil {
		tb.Fatal(err)
	}
	out, err := c.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	if err := c.Start(); err != nil {
		tb.Fatal(err)
	}
	cl := &clients{cmd: c, in: in, lines: make(chan string, 16)}
	go func() {
		defer close(cl.lines)
		sc := bufio.NewScanner(out)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			if line, ok := strings.CutPrefix(sc.Text(), "GHSSH "); ok {
				cl.lines <- line
			}
		}
	}()
	return cl
}

// ask sends a command to the child and waits (bounded) for its answer.
func (cl *clients) ask(tb testing.TB, what string, d time.Duration) string {
	tb.Helper()
	if _, err := fmt.Fprintln(cl.in, what); err != nil {
		tb.Fatal(err)
	}
	select {
	case line, ok := <-cl.lines:
		if !ok {
			tb.Fatalf("the client process ended before answering %q", what)
		}
		if strings.HasPrefix(line, "ERR") {
			tb.Fatal(line)
		}
		return line
	case <-time.After(d):
		tb.Fatalf("no answer to %q within %s", what, d)
	}
	return ""
}

func (cl *clients) stop() {
	cl.in.Close()
	done := make(chan struct{})
	go func() { cl.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		cl.cmd.Process.Kill()
		<-done
	}
}

type serverState struct {
	heap       uint64
	goroutines int
}

func measure() serverState {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return serverState{heap: m.HeapInuse, goroutines: runtime.NumGoroutine()}
}

// settle waits (bounded) until the goroutines are back to at most base.
func settle(base int) {
	deadline := time.Now().Add(10 * time.Second)
	for runtime.NumGoroutine() > base && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
}

func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted))*p+0.5) - 1
	return sorted[max(min(i, len(sorted)-1), 0)]
}

func median[T int | uint64 | float64](xs []T) T {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}

func latencies(tb testing.TB, up string) []time.Duration {
	var out []time.Duration
	for _, f := range strings.Fields(up) {
		us, err := strconv.Atoi(f)
		if err != nil {
			tb.Fatalf("bad answer %q", up)
		}
		out = append(out, time.Duration(us)*time.Microsecond)
	}
	return out
}

func BenchmarkSSHSessions(b *testing.B) {
	type cfg struct{ users, sessions, samples int }
	var cfgs []cfg
	for _, n := range []int{1, 10, 100, 300} {
		cfgs = append(cfgs, cfg{2_000, n, 60})
	}
	for _, n := range []int{1, 10} {
		cfgs = append(cfgs, cfg{100_000, n, 20})
	}
	for _, c := range cfgs {
		b.Run(fmt.Sprintf("users=%s/sessions=%d", sizeName(c.users), c.sessions), func(b *testing.B) {
			s := startSSH(b, c.users)
			defer s.stop(b)
			cl := startClients(b, s, c.sessions)
			defer cl.stop()
			rounds := max(1, (c.samples+c.sessions-1)/c.sessions)
			// a first round on the cold server, reported apart: the first
			// consoles build what later ones share (the users index)
			base := measure().goroutines
			cold := latencies(b, cl.ask(b, "go", 5*time.Minute))
			cl.ask(b, "close", 2*time.Minute)
			settle(base)
			slices.Sort(cold)
			for b.Loop() {
				var lat []time.Duration
				var heap, gor []float64
				for r := 0; r < rounds; r++ {
					before := measure()
					lat = append(lat, latencies(b, cl.ask(b, "go", 5*time.Minute))...)
					time.Sleep(100 * time.Millisecond) // let every console settle
					after := measure()
					heap = append(heap, (float64(after.heap)-float64(before.heap))/float64(c.sessions))
					gor = append(gor, float64(after.goroutines-before.goroutines)/float64(c.sessions))
					cl.ask(b, "close", 2*time.Minute)
					settle(before.goroutines)
				}
				slices.Sort(lat)
				b.ReportMetric(median(heap)/1024, "heap-KiB/session")
				b.ReportMetric(median(gor), "goroutines/session")
				b.ReportMetric(float64(percentile(lat, 0.50).Microseconds())/1000, "p50-ms")
				b.ReportMetric(float64(percentile(lat, 0.95).Microseconds())/1000, "p95-ms")
				b.ReportMetric(float64(percentile(lat, 0.99).Microseconds())/1000, "p99-ms")
				b.ReportMetric(float64(len(lat)), "samples")
				b.ReportMetric(float64(percentile(cold, 0.50).Microseconds())/1000, "cold-p50-ms")
				b.ReportMetric(float64(cold[len(cold)-1].Microseconds())/1000, "cold-max-ms")
			}
		})
	}
}

// TestSSHClients is the client process of BenchmarkSSHSessions (it does
// nothing when run on its own). On "go" it opens N console sessions at once
// and answers with each one's first-frame latency in µs; on "close" it
// closes them and answers "DOWN"; it ends when its stdin closes.
func TestSSHClients(t *testing.T) {
	addr := os.Getenv("GH_SSH_ADDR")
	if addr == "" {
		t.Skip("the client side of BenchmarkSSHSessions")
	}
	n, _ := strconv.Atoi(os.Getenv("GH_SSH_N"))
	pemBytes, err := os.ReadFile(os.Getenv("GH_SSH_KEY"))
	if err != nil {
		t.Fatal(err)
	}
	signer, err := gossh.ParsePrivateKey(pemBytes)
	if err != nil {
		t.Fatal(err)
	}
	hostKey, _, _, _, err := gossh.ParseAuthorizedKey([]byte(os.Getenv("GH_SSH_HOSTKEY")))
	if err != nil {
		t.Fatal(err)
	}
	cfg := &gossh.ClientConfig{User: "bench", Auth: []gossh.AuthMethod{gossh.PublicKeys(signer)},
		HostKeyCallback: gossh.FixedHostKey(hostKey), Timeout: 60 * time.Second}
	in := bufio.NewScanner(os.Stdin)
	var open []*gossh.Client
	for in.Scan() {
		switch in.Text() {
		case "go":
			lat := make([]time.Duration, n)
			conns := make([]*gossh.Client, n)
			errs := make([]error, n)
			var wg sync.WaitGroup
			for i := 0; i < n; i++ {
				wg.Add(1)
				go func(i int) {
					defer wg.Done()
					lat[i], conns[i], errs[i] = openConsole(addr, cfg)
				}(i)
			}
			wg.Wait()
			open = conns
			if err := firstErr(errs); err != nil {
				fmt.Printf("GHSSH ERR %v\n", err)
				continue
			}
			var b strings.Builder
			for _, d := range lat {
				fmt.Fprintf(&b, "%d ", d.Microseconds())
			}
			fmt.Printf("GHSSH %s\n", b.String())
		case "close":
			for _, c := range open {
				if c != nil {
					c.Close()
				}
			}
			open = nil
			fmt.Println("GHSSH DOWN")
		}
	}
	for _, c := range open {
		if c != nil {
			c.Close()
		}
	}
}

func firstErr(errs []error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// openConsole dials, signs in, asks for a pty and a shell, and returns once
// the first frame is on the screen; the session stays open (its output is
// drained) until the client closes.
func openConsole(addr string, cfg *gossh.ClientConfig) (time.Duration, *gossh.Client, error) {
	start := time.Now()
	conn, err := net.DialTimeout("tcp", addr, 60*time.Second)
	if err != nil {
		return 0, nil, err
	}
	conn.SetDeadline(time.Now().Add(2 * time.Minute))
	cc, chans, reqs, err := gossh.NewClientConn(conn, addr, cfg)
	if err != nil {
		conn.Close()
		return 0, nil, err
	}
	c := gossh.NewClient(cc, chans, reqs)
	fail := func(err error) (time.Duration, *gossh.Client, error) { c.Close(); return 0, nil, err }
	sess, err := c.NewSession()
	if err != nil {
		return fail(err)
	}
	out, err := sess.StdoutPipe()
	if err != nil {
		return fail(err)
	}
	if err := sess.RequestPty("dumb", listH, listW, gossh.TerminalModes{}); err != nil {
		return fail(err)
	}
	if err := sess.Shell(); err != nil {
		return fail(err)
	}
	var seen []byte
	buf := make([]byte, 32<<10)
	for !bytes.Contains(seen, []byte(firstFrame)) {
		k, err := out.Read(buf)
		seen = append(seen, buf[:k]...)
		if err != nil {
			return fail(fmt.Errorf("no first frame (%v) after %q", err, tail(seen, 300)))
		}
	}
	d := time.Since(start)
	conn.SetDeadline(time.Time{})
	go io.Copy(io.Discard, out) // keep reading: the server must never block on us
	return d, c, nil
}

func tail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}
