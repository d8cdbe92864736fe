//go:build linux

package bench

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/keys/attach"
)

// One database, many local clients (issue 12). The real binary, run as a
// person runs it: a command that opens the 100k-user database itself,
// side by side with the same command attached to the process holding it
// (a holder, as the first console starts one), in one run; and bursts of
// 20 attached edits at once while two consoles (the real binary in tmux)
// are open, each burst's edits checked afterwards and the audit chain
// verified.

// gatehouseBinary is the gatehouse binary of this checkout (built once).
func gatehouseBinary(tb testing.TB) string { return currentBinary(tb) }

// startHolder starts the holder on db (as a console would, but with no
// console) and waits until it serves the socket; it is stopped at the end.
// It returns the holder's pid.
func startHolder(tb testing.TB, bin, db string) int {
	tb.Helper()
	h := exec.Command(bin, "--db", db, "__hold", "--linger", "10m")
	if err := h.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		h.Process.Signal(os.Interrupt)
		h.Wait()
	})
	for deadline := time.Now().Add(60 * time.Second); !attach.Answers(attach.Socket(db)); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			tb.Fatal("the holder did not listen within 60s")
		}
	}
	return h.Process.Pid
}

// cpuTicks is the CPU time a process has used, in clock ticks (Linux).
func cpuTicks(pid int) (int64, bool) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, false
	}
	// after "(comm)": state is field 3; utime and stime are 14 and 15
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	if len(f) < 13 {
		return 0, false
	}
	var u, s int64
	fmt.Sscan(f[11], &u)
	fmt.Sscan(f[12], &s)
	return u + s, true
}

// waitSettled waits until the holder has finished its own start — the
// collector's first cycle over the heap it loaded — which runs on after it
// answers: until it uses no CPU for a tick of the clock while nobody asks
// it anything (where /proc cannot say, it does not wait).
func waitSettled(tb testing.TB, pid int) {
	tb.Helper()
	for deadline := time.Now().Add(60 * time.Second); ; {
		a, ok := cpuTicks(pid)
		time.Sleep(50 * time.Millisecond)
		b, _ := cpuTicks(pid)
		if !ok || a == b {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatal("the holder was still busy 60s after it started")
		}
	}
}

// report gives the latencies' median and 95th percentile (nearest rank).
func report(b *testing.B, ds []time.Duration) {
	s := slices.Clone(ds)
	slices.Sort(s)
	b.ReportMetric(float64(percentile(s, 0.50).Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(percentile(s, 0.95).Microseconds())/1000, "p95-ms")
}

func firstEmail(tb testing.TB, bin, db string) string {
	tb.Helper()
	out, err := exec.Command(bin, "--db", db, "users", "list", "--json", "--profile", "Manager").Output()
	if err != nil {
		tb.Fatal(err)
	}
	var users []struct {
		Email string `json:"email"`
	}
	if err := json.Unmarshal(out, &users); err != nil || len(users) == 0 {
		tb.Fatalf("users list: %v", err)
	}
	return users[0].Email
}

// BenchmarkAttachedCommand: `gatehouse check EMAIL roster view` on the
// 100k-user database, the whole process as a shell runs it: opening the
// file itself (no holder), and attached to a holder; `gatehouse version`,
// which touches no database, is the floor of any process. attach-only is
// the round trip alone from an already running process (attach.Run:
// connect, SSH, the command in the holder, its output), without a process
// start.
func BenchmarkAttachedCommand(b *testing.B) {
	bin := gatehouseBinary(b)
	db := demoCopy(b, 100_000)
	email := firstEmail(b, bin, db)
	args := []string{"--db", db, "check", email, "roster", "view"}
	want := []byte("allowed: " + email)
	// each op one process: its wall time (p50, p95), and the CPU time it
	// used (a loaded machine stretches the first, not the second)
	processes := func(b *testing.B, args []string, want []byte) {
		var ds []time.Duration
		var cpu time.Duration
		for i := 0; i < b.N; i++ {
			c := exec.Command(bin, args...)
			start := time.Now()
			out, err := c.Output()
			ds = append(ds, time.Since(start))
			if err != nil || !bytes.HasPrefix(out, want) {
				b.Fatalf("%v: %v %q", args, err, out)
			}
			cpu += c.ProcessState.UserTime() + c.ProcessState.SystemTime()
		}
		report(b, ds)
		b.ReportMetric(float64(cpu.Microseconds())/1000/float64(b.N), "cpu-ms/op")
	}
	// the floor: a process that touches no database at all
	b.Run("version", func(b *testing.B) { processes(b, []string{"version"}, []byte("gatehouse")) })
	b.Run("open-the-file", func(b *testing.B) { processes(b, args, want) })
	pid := startHolder(b, bin, db)
	// the holder's first command builds its email index (a holder started
	// by a console puts it off until the console's first frame is out),
	// and its collector's first cycle runs on after it answers: that is
	// the holder's start, not what an attached command costs (a console
	// started the holder long before, as a rule)
	if out, err := exec.Command(bin, args...).Output(); err != nil || !bytes.HasPrefix(out, want) {
		b.Fatalf("%v: %v %q", args, err, out)
	}
	waitSettled(b, pid)
	b.Run("attached", func(b *testing.B) { processes(b, args, want) })
	b.Run("attach-only", func(b *testing.B) {
		devnull, _ := os.OpenFile(os.DevNull, os.O_RDWR, 0)
		defer devnull.Close()
		out, _ := os.CreateTemp(b.TempDir(), "out")
		defer out.Close()
		var ds []time.Duration
		for i := 0; i < b.N; i++ {
			start := time.Now()
			code, err := attach.Run(attach.Options{Socket: attach.Socket(db), Args: args, Stdin: devnull, Stdout: out, Stderr: out, DB: db})
			ds = append(ds, time.Since(start))
			if err != nil || code != 0 {
				b.Fatalf("attach: %d %v", code, err)
			}
		}
		report(b, ds)
	})
}

// BenchmarkAttachedBurst: two consoles open on the 100k-user database (the
// real binary in tmux: the first starts the holder), then each op is 20
// attached edits at once, each from a process of its own, each a
// different user's first name. Every burst's 20 edits must be there after
// it (no lost edit), and the audit chain verifies at the end. version is
// the floor: 20 gatehouse processes at once that touch no database.
func BenchmarkAttachedBurst(b *testing.B) {
	if _, err := exec.LookPath("tmux"); err != nil {
		b.Skip("tmux is not installed")
	}
	bin := gatehouseBinary(b)
	db := demoCopy(b, 100_000)
	out, err := exec.Command(bin, "--db", db, "users", "list", "--json", "--type", "employee").Output()
	if err != nil {
		b.Fatal(err)
	}
	var users []struct {
		Email string `json:"email"`
	}
	if err := json.Unmarshal(out, &users); err != nil || len(users) < 20 {
		b.Fatalf("users list: %v", err)
	}
	sock := fmt.Sprintf("gh-bench-%d", os.Getpid())
	tmux := func(args ...string) {
		if out, err := exec.Command("tmux", append([]string{"-L", sock}, args...)...).CombinedOutput(); err != nil {
			b.Fatalf("tmux %v: %v %s", args, err, out)
		}
	}
	screen := func(w string) string {
		out, _ := exec.Command("tmux", "-L", sock, "capture-pane", "-p", "-t", w).Output()
		return string(out)
	}
	tmux("new-session", "-d", "-s", "a", "-x", "120", "-y", "40", "-e", "TERM=xterm-256color", bin+" --db "+db)
	b.Cleanup(func() { exec.Command("tmux", "-L", sock, "kill-server").Run() })
	waitScreen := func(w, text string) {
		for deadline := time.Now().Add(120 * time.Second); !strings.Contains(screen(w), text); time.Sleep(50 * time.Millisecond) {
			if time.Now().After(deadline) {
				b.Fatalf("console %s: %q did not appear:\n%s", w, text, screen(w))
			}
		}
	}
	waitScreen("a", "Employees (")
	tmux("new-session", "-d", "-s", "b", "-x", "120", "-y", "40", "-e", "TERM=xterm-256color", bin+" --db "+db)
	waitScreen("b", "Employees (")
	if pidA, pidB := holderOf(b, db), holderOf(b, db); pidA == 0 || pidA != pidB {
		b.Fatal("the consoles are not served by one holder")
	}

	b.Cleanup(func() {
		if b.Failed() {
			log, _ := os.ReadFile(attach.CanonicalDB(db) + ".holder.log")
			b.Logf("the holder's log:\n%s", log)
		}
	})
	round := 0
	// each op: 20 edits at once, each a process of its own (processes) or
	// a attach.Run of this process's (attach-only: the holder's side, no
	// process start); then every edit of the op must be there (check). An
	// edit returns the CPU time its process used (0: no process of its own)
	burst := func(b *testing.B, check bool, edit func(email, first string) (time.Duration, error)) {
		var ds []time.Duration
		var cpu time.Duration
		var mu sync.Mutex
		for i := 0; i < b.N; i++ {
			round++
			var wg sync.WaitGroup
			for j := 0; j < 20; j++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					start := time.Now()
					used, err := edit(users[j].Email, fmt.Sprintf("Burst%dx%d", round, j))
					d := time.Since(start)
					if err != nil {
						b.Errorf("users edit %s: %v", users[j].Email, err)
					}
					mu.Lock()
					ds = append(ds, d)
					cpu += used
					mu.Unlock()
				}()
			}
			wg.Wait()
			b.StopTimer()
			if !check {
				b.StartTimer()
				continue
			}
			// no lost edit: each user holds this round's name
			out, err := exec.Command(bin, "--db", db, "users", "list", "--json", "--search", fmt.Sprintf("Burst%dx", round)).Output()
			if err != nil {
				b.Fatal(err)
			}
			var got []json.RawMessage
			if err := json.Unmarshal(out, &got); err != nil || len(got) != 20 {
				b.Fatalf("round %d: %d of 20 edits are there (%v)", round, len(got), err)
			}
			b.StartTimer()
		}
		b.StopTimer()
		report(b, ds)
		if cpu > 0 {
			b.ReportMetric(float64(cpu.Microseconds())/1000/float64(len(ds)), "cpu-ms/op")
		}
	}
	processOf := func(bin string, args ...string) (time.Duration, error) {
		c := exec.Command(bin, args...)
		out, err := c.CombinedOutput()
		if err != nil {
			return 0, fmt.Errorf("%v %s", err, out)
		}
		return c.ProcessState.UserTime() + c.ProcessState.SystemTime(), nil
	}
	process := func(args ...string) (time.Duration, error) { return processOf(bin, args...) }
	// the machine's floor: 20 processes at once that do nothing (/bin/true),
	// and 20 of the smallest Go program (a hello world, 2 MB)
	b.Run("floor-true", func(b *testing.B) {
		burst(b, false, func(string, string) (time.Duration, error) { return processOf("true") })
	})
	hello := helloBinary(b)
	b.Run("floor-go-hello", func(b *testing.B) {
		burst(b, false, func(string, string) (time.Duration, error) { return processOf(hello) })
	})
	// the floor: 20 gatehouse processes at once that touch no database
	b.Run("version", func(b *testing.B) {
		burst(b, false, func(string, string) (time.Duration, error) { return process("version") })
	})
	b.Run("processes", func(b *testing.B) {
		burst(b, true, func(email, first string) (time.Duration, error) {
			return process("--db", db, "users", "edit", email, "--first", first)
		})
	})
	b.Run("attach-only", func(b *testing.B) {
		devnull, _ := os.OpenFile(os.DevNull, os.O_RDWR, 0)
		defer devnull.Close()
		burst(b, true, func(email, first string) (time.Duration, error) {
			errf, err := os.CreateTemp(b.TempDir(), "err")
			if err != nil {
				return 0, err
			}
			defer errf.Close()
			code, err := attach.Run(attach.Options{Socket: attach.Socket(db), Args: []string{"--db", db, "users", "edit", email, "--first", first},
				Stdin: devnull, Stdout: devnull, Stderr: errf, DB: db})
			if err == nil && code != 0 {
				msg, _ := os.ReadFile(errf.Name())
				err = fmt.Errorf("exit %d: %s", code, msg)
			}
			return 0, err
		})
	})
	if out, err := exec.Command(bin, "--db", db, "audit", "verify").CombinedOutput(); err != nil || !strings.Contains(string(out), "chain intact") {
		b.Fatalf("audit verify: %v %s", err, out)
	}
}

// holderOf is the pid serving the database's socket, from the kernel.
func holderOf(tb testing.TB, db string) int {
	tb.Helper()
	c, err := net.DialTimeout("unix", attach.Socket(db), time.Second)
	if err != nil {
		return 0
	}
	defer c.Close()
	raw, err := c.(*net.UnixConn).SyscallConn()
	if err != nil {
		return 0
	}
	pid := 0
	raw.Control(func(fd uintptr) {
		if cred, err := syscall.GetsockoptUcred(int(fd), syscall.SOL_SOCKET, syscall.SO_PEERCRED); err == nil {
			pid = int(cred.Pid)
		}
	})
	return pid
}

// helloBinary builds the smallest Go program that writes a line: the cost
// of starting a Go process at all, beside gatehouse's.
func helloBinary(tb testing.TB) string {
	tb.Helper()
	dir := tb.TempDir()
	src := "package main\n\nimport \"os\"\n\nfunc main() { os.Stdout.WriteString(\"hello\\n\") }\n"
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(src), 0o600); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module hello\n\ngo 1.26\n"), 0o600); err != nil {
		tb.Fatal(err)
	}
	c := exec.Command("go", "build", "-o", "hello", ".")
	c.Dir = dir
	if out, err := c.CombinedOutput(); err != nil {
		tb.Fatalf("go build hello: %v %s", err, out)
	}
	return filepath.Join(dir, "hello")
}
