package keys_test

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/gatehouse/gatehouse/internal/proof"
	"github.com/gatehouse/gatehouse/store"
)

// hugeServerEnv makes the test binary the server of TestHugeTerminals (the
// value is the administrator's authorized key).
const hugeServerEnv = "GATEHOUSE_HUGE_TERMINALS_SERVER"

// procStatus reads a number of kB from /proc/PID/status (VmRSS, VmHWM).
func procStatus(pid int, field string) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, field+":"); ok {
			return strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		}
	}
	return 0, fmt.Errorf("no %s in /proc/%d/status", field, pid)
}

// hugeLimitMB is the most RSS TestHugeTerminals allows the server (without
// the race detector's shadow memory).
const hugeLimitMB = 800

// TestHugeTerminalsServer is the server TestHugeTerminals measures, alone
// in a process of its own. It serves the fixture until its stdin closes,
// and gives up at twice the limit rather than take a shared machine with
// it.
func TestHugeTerminalsServer(t *testing.T) {
	key := os.Getenv(hugeServerEnv)
	if key == "" {
		t.Skip("the server of TestHugeTerminals")
	}
	go func() {
		for {
			if kb, err := procStatus(os.Getpid(), "VmRSS"); err == nil && kb > 2*hugeLimit()<<10 {
				fmt.Printf("RSS %d MiB: giving up\n", kb>>10)
				os.Exit(3)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}()
	f := newFixture(t)
	if _, err := f.st.Apply(store.LocalActor("test"), "key", func(tx *store.Tx) error {
		u, _ := f.st.User(emAdmin)
		_, err := tx.AddKey(u.ID, key)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	fmt.Printf("SERVING %s\n", f.addr)
	io.Copy(io.Discard, os.Stdin)
}

// hugeConsole is one session asking for a 100000×100000 terminal.
type hugeConsole struct {
	sess  *gossh.Session
	frame chan struct{} // closed at the first frame
	bytes atomic.Int64
}

func openHuge(t *testing.T, c *gossh.Client) *hugeConsole {
	t.Helper()
	sess, err := c.NewSession()
	if err != nil {
		t.Fatalf("new session: %v", err)
	}
	h := &hugeConsole{sess: sess, frame: make(chan struct{})}
	in, _ := sess.StdinPipe()
	out, _ := sess.StdoutPipe()
	if err := sess.RequestPty("xterm-256color", 100000, 100000, gossh.TerminalModes{}); err != nil {
		t.Fatalf("pty-req: %v", err)
	}
	if err := sess.Shell(); err != nil {
		t.Fatal(err)
	}
	go func() {
		var seen bytes.Buffer // only until the first frame
		buf := make([]byte, 64<<10)
		answered, framed := false, false
		for {
			n, err := out.Read(buf)
			h.bytes.Add(int64(n))
			if !framed {
				seen.Write(buf[:n])
				if !answered && bytes.Contains(seen.Bytes(), []byte("\x1b]11;?")) {
					answered = true
					in.Write([]byte("\x1b]11;rgb:1c1c/1c1c/1c1c\x1b\\\x1b[?62;22c"))
				}
				if bytes.Contains(seen.Bytes(), []byte("Ada Admin")) {
					framed = true
					close(h.frame)
					seen = bytes.Buffer{}
				}
			}
			if err != nil {
				return
			}
		}
	}()
	return h
}

// hugeLimit is hugeLimitMB, and four times that under the race detector
// (its own shadow memory).
func hugeLimit() int64 {
	if raceEnabled {
		return 4 * hugeLimitMB
	}
	return hugeLimitMB
}

// 50 consoles ask for 100000×100000 terminals at once, and again in window
// changes: the server clamps them (MaxColumns, MaxRows, MaxCells), its RSS
// stays under hugeLimitMB, and a well-behaved client keeps being served
// throughout. Without the clamp one 10000×10000 console took the server
// past 800 MB. (With bubbletea v1 the limit was 300 MB at 512×256 and the
// peak near 100 MB; v2 keeps two buffers of every cell, ~10 MB a console
// at MaxCells: the peak is near 600 MB.)
func TestHugeTerminals(t *testing.T) {
	if os.Getenv(hugeServerEnv) != "" {
		t.Skip("this process is the server")
	}
	const sessions, perConn = 50, 5
	limitMB := hugeLimit()
	signer := newSigner(t)
	child := exec.Command(os.Args[0], "-test.run=^TestHugeTerminalsServer$", "-test.count=1")
	child.Env = append(os.Environ(), hugeServerEnv+"="+authorized(signer))
	stdin, _ := child.StdinPipe()
	stdout, _ := child.StdoutPipe()
	var childErr bytes.Buffer
	child.Stderr = &childErr
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { child.Wait(); close(exited) }()
	defer func() {
		stdin.Close()
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			child.Process.Kill()
			<-exited
		}
	}()
	lines := bufio.NewScanner(stdout)
	addr := ""
	for lines.Scan() {
		if a, ok := strings.CutPrefix(lines.Text(), "SERVING "); ok {
			addr = a
			break
		}
	}
	if addr == "" {
		t.Fatalf("the server did not start:\n%s", childErr.String())
	}
	go func() { // the rest of its output: a give-up line
		for lines.Scan() {
			t.Log("server: " + lines.Text())
		}
	}()
	pid := child.Process.Pid

	// the peak, sampled; over the limit the server is stopped at once
	var peakKB atomic.Int64
	stopSampling := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		for {
			if kb, err := procStatus(pid, "VmRSS"); err == nil {
				if kb > peakKB.Load() {
					peakKB.Store(kb)
				}
				if kb > 2*limitMB<<10 {
					child.Process.Kill()
					return
				}
			}
			select {
			case <-stopSampling:
				return
			case <-exited:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()

	dial := func() *gossh.Client {
		c, err := gossh.Dial("tcp", addr, &gossh.ClientConfig{User: "x", Auth: []gossh.AuthMethod{gossh.PublicKeys(signer)},
			HostKeyCallback: gossh.InsecureIgnoreHostKey(), Timeout: 10 * time.Second})
		if err != nil {
			t.Fatalf("sign-in: %v\n%s", err, childErr.String())
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	// the well-behaved client: a command, and a console of 80×24
	served := func() error {
		s, err := dial().NewSession()
		if err != nil {
			return err
		}
		defer s.Close()
		out, err := s.Output("effective " + emAdmin)
		if err != nil || !strings.Contains(string(out), "Administrator") {
			return fmt.Errorf("command: %v %q", err, out)
		}
		return nil
	}
	if err := served(); err != nil {
		t.Fatal(err)
	}
	baseKB, _ := procStatus(pid, "VmRSS")

	start := time.Now()
	var consoles []*hugeConsole
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range sessions / perConn {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := dial()
			for range perConn {
				h := openHuge(t, c)
				mu.Lock()
				consoles = append(consoles, h)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	// while they draw, the well-behaved client is served
	var during []time.Duration
	for _, h := range consoles {
		begin := time.Now()
		if err := served(); err != nil {
			t.Fatalf("the well-behaved client was not served: %v", err)
		}
		during = append(during, time.Since(begin))
		select {
		case <-h.frame:
		case <-exited:
			t.Fatalf("the server died (peak RSS %d MiB):\n%s", peakKB.Load()>>10, tail(childErr.String(), 3000))
		case <-time.After(60 * time.Second):
			t.Fatalf("no first frame within 60 s (peak RSS %d MiB)", peakKB.Load()>>10)
		}
	}
	framed := time.Since(start)
	// every console is resized to the same absurd size again, then to a
	// normal one: the console redraws at whatever it is told
	for _, h := range consoles {
		if err := h.sess.WindowChange(100000, 100000); err != nil {
			t.Fatalf("window change: %v", err)
		}
	}
	for _, h := range consoles {
		h.sess.WindowChange(200, 60)
	}
	if err := served(); err != nil {
		t.Fatalf("after the resizes: %v", err)
	}
	close(stopSampling)
	<-sampled
	select {
	case <-exited:
		t.Fatalf("the server died (peak RSS %d MiB):\n%s", peakKB.Load()>>10, tail(childErr.String(), 3000))
	default:
	}
	hwmKB, err := procStatus(pid, "VmHWM")
	if err != nil {
		t.Fatal(err)
	}
	var sent int64
	for _, h := range consoles {
		sent += h.bytes.Load()
	}
	slowest := time.Duration(0)
	for _, d := range during {
		slowest = max(slowest, d)
	}
	proof.Figure(t, "huge-terms", "%d consoles asking 100000×100000 (%d per connection) drew their first frame in %s; server RSS %d MiB before, peak %d MiB (VmHWM; limit %d); %d MiB of frames sent; well-behaved command served %d times meanwhile, slowest %s",
		len(consoles), perConn, framed.Round(time.Millisecond), baseKB>>10, hwmKB>>10, limitMB, sent>>20, len(during), slowest.Round(time.Millisecond))
	if hwmKB > limitMB<<10 {
		t.Fatalf("the server's RSS peaked at %d MiB, over %d MiB", hwmKB>>10, limitMB)
	}
}
