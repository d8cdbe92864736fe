package bench

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/bench/firstframe"
	"github.com/gatehouse/gatehouse/keys/attach"
)

// Cold start (issue 11): the real binary opening the console on the 100k
// demo database in tmux at 200×60, from asking tmux to start it until
// "Employees (" is on tmux's screen (read when output comes, over tmux's
// control client, as `task coldstart` does: firstframe). The binary
// appends when it reaches each phase to the file GATEHOUSE_TRACE_START
// names (the console's process and the holder it starts, both); the
// phases are reported as ms/op, each from the one before it that the trace
// has:
//
//	start-ms         tmux starts the process, the runtime and package init run, main is entered
//	spawn-ms         the console's process finds nobody holding the file and starts a holder
//	holder-start-ms  the holder's process starts, until its main
//	holder-tree-ms   its command tree, until __hold runs
//	open-ms          the store is open (store.Open; in the holder, or in the console's process)
//	listen-ms        the holder listens on the socket beside the database
//	session-ms       the console's process has attached to it (a build that relays the console over SSH)
//	console-ms       the console's command line runs there: the tree, the actor
//	page-ms          the console is built: its first page of users ready
//	frame-ms         bubbletea starts and writes the first frame to the terminal
//	shown-ms         tmux shows it and its control client says so
//	total-ms         the sum: what `task coldstart` prints
//	cpu-ms           the CPU time (user and system) the process that drew the
//	                 first frame had used by then: what the start costs, less
//	                 bent by a busy machine
//
// The baseline is the same loop around a program that prints "Employees ("
// at once: what tmux and the watching cost on this machine, to read the total
// against. GATEHOUSE_COLD_BASELINE=REV adds that revision's binary (its
// phases if it has the trace, else the total alone).
//
//	go test -run '^$' -bench '^BenchmarkColdStart$' -benchmem -count=5 .

const (
	coldUsers = 100_000
	coldW     = 200
	coldH     = 60
	coldWait  = 30 * time.Second
)

// coldPhases are the binary's trace phases in order, and the metric that
// ends at each. The console's process has main, opened, page and frame
// always; the rest are the holder's, in builds that trace it.
var coldPhases = []struct{ phase, metric string }{
	{"main", "start-ms/op"},
	{"spawn", "spawn-ms/op"},
	{"hold-main", "holder-start-ms/op"},
	{"hold-run", "holder-tree-ms/op"},
	{"hold-opened", "open-ms/op"},
	{"hold-listening", "listen-ms/op"},
	{"hold-session", "session-ms/op"},
	{"opened", "console-ms/op"},
	{"page", "page-ms/op"},
	{"frame", "frame-ms/op"},
}

// coldRequired are the phases every traced build has.
var coldRequired = []string{"main", "opened", "page", "frame"}

// coldMetric is the metric of a phase: opened is the open itself in a
// build whose holder does not trace its own.
func coldMetric(phase, metric string, traced map[string]time.Duration) string {
	if _, ok := traced["hold-opened"]; phase == "opened" && !ok {
		return "open-ms/op"
	}
	return metric
}

func BenchmarkColdStart(b *testing.B) {
	if _, err := exec.LookPath("tmux"); err != nil {
		b.Skip("tmux is not installed (.ci/run installs it)")
	}
	b.Run("baseline", func(b *testing.B) {
		t := newColdTerm(b, "baseline")
		var totals []float64
		for b.Loop() {
			r := t.run(b, []string{"sh", "-c", `echo "Employees ("; exec sleep 60`}, "")
			totals = append(totals, ms(r.shown))
		}
		reportTotals(b, totals)
	})
	db := coldDB(b)
	// the console runs in a holder it starts (issue 12): each run's holder
	// ends as its console does, so that the next run starts cold too
	b.Setenv("GATEHOUSE_HOLD_LINGER", "1ms")
	b.Run("console", func(b *testing.B) { benchConsole(b, "console", currentBinary(b), db) })
	// a second console: the holder of the first one serves it (the store is
	// open, the console is built in that process)
	b.Run("second-console", func(b *testing.B) {
		bin := currentBinary(b)
		h := exec.Command(bin, "--db", db, "__hold", "--linger", "10m")
		if err := h.Start(); err != nil {
			b.Fatal(err)
		}
		defer func() { h.Process.Signal(os.Interrupt); h.Wait() }()
		for deadline := time.Now().Add(coldWait); !attach.Answers(attach.Socket(db)); time.Sleep(10 * time.Millisecond) {
			if time.Now().After(deadline) {
				b.Fatal("the holder did not listen")
			}
		}
		t := newColdTerm(b, "second")
		var totals []float64
		t.run(b, []string{bin, "--db", db}, "") // the page cache, as benchConsole
		for b.Loop() {
			totals = append(totals, ms(t.run(b, []string{bin, "--db", db}, "").shown))
		}
		reportTotals(b, totals)
	})
	if rev := os.Getenv("GATEHOUSE_COLD_BASELINE"); rev != "" {
		b.Run("revision", func(b *testing.B) {
			b.Setenv("GATEHOUSE_BASELINE", rev)
			benchConsole(b, "revision", baselineBinary(b), db)
		})
	}
}

// benchConsole starts bin on db once unmeasured (the page cache, and the
// first open's one write), then once per iteration; a build without the
// trace reports the total alone.
func benchConsole(b *testing.B, name, bin, db string) {
	t := newColdTerm(b, name)
	trace := filepath.Join(b.TempDir(), "trace")
	traced := len(t.run(b, []string{bin, "--db", db}, trace).phases) > 0
	sums := map[string]float64{}
	var totals []float64
	cpu := 0.0
	for b.Loop() {
		r := t.run(b, []string{bin, "--db", db}, trace)
		totals = append(totals, ms(r.shown))
		if !traced {
			continue
		}
		for _, p := range coldRequired {
			if _, ok := r.phases[p]; !ok {
				b.Fatalf("the trace has no %q phase: %v", p, r.phases)
			}
		}
		last := time.Duration(0)
		for _, p := range coldPhases {
			at, ok := r.phases[p.phase]
			if !ok {
				continue
			}
			sums[coldMetric(p.phase, p.metric, r.phases)] += ms(at - last)
			last = at
		}
		sums["shown-ms/op"] += ms(r.shown - last)
		cpu += ms(r.cpu["frame"])
	}
	if traced {
		n := float64(len(totals))
		for metric, sum := range sums {
			b.ReportMetric(sum/n, metric)
		}
		if cpu > 0 {
			b.ReportMetric(cpu/n, "cpu-ms/op")
		}
	}
	reportTotals(b, totals)
}

// coldDB is a copy of the 100k demo database for the console to open (it
// writes to it: expiries, the freelist).
func coldDB(b *testing.B) string {
	b.Helper()
	dir, err := os.MkdirTemp(fixtureDir, "cold-")
	if err != nil {
		b.Fatal(err)
	}
	return copyFile(b, demoDB(b, coldUsers), dir)
}

func reportTotals(b *testing.B, totals []float64) {
	s := slices.Clone(totals)
	slices.Sort(s)
	sum := 0.0
	for _, t := range s {
		sum += t
	}
	b.ReportMetric(sum/float64(len(s)), "total-ms/op")
	b.ReportMetric(s[len(s)-1], "total-max-ms")
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// coldTerm is a tmux socket of the benchmark's own; each run starts a new
// server, as `task coldstart` does, watched over its control client
// (firstframe): the screen is read when output comes, not polled.
type coldTerm struct {
	sock string
	env  []string
}

func newColdTerm(b *testing.B, name string) *coldTerm {
	t := &coldTerm{
		sock: fmt.Sprintf("gh-cold-%d-%s", os.Getpid(), name),
		env:  firstframe.Environ(),
	}
	b.Cleanup(func() {
		cmd := exec.Command("tmux", "-L", t.sock, "kill-server")
		cmd.Env = t.env
		cmd.Run()
	})
	return t
}

// coldRun is one start: when each traced phase was reached, and when the
// first frame was seen on tmux's screen, from asking tmux to start it.
type coldRun struct {
	phases map[string]time.Duration
	cpu    map[string]time.Duration // the process's CPU time at each phase
	shown  time.Duration
}

// run starts argv in a new tmux server (with GATEHOUSE_TRACE_START=trace
// when trace is set), waits until the screen shows the first frame, and
// stops it: the server, then the process itself gone (the next run opens
// the same database, whose lock it holds until it exits).
func (t *coldTerm) run(b *testing.B, argv []string, trace string) coldRun {
	b.Helper()
	if trace != "" {
		if err := os.Remove(trace); err != nil && !os.IsNotExist(err) {
			b.Fatal(err)
		}
		argv = append([]string{"env", "GATEHOUSE_TRACE_START=" + trace}, argv...)
	}
	start := time.Now()
	s, err := firstframe.Start(t.sock, coldW, coldH, argv...)
	if err != nil {
		b.Fatal(err)
	}
	screen, err := s.WaitFor(firstFrame, coldWait)
	r := coldRun{shown: time.Since(start), phases: map[string]time.Duration{}, cpu: map[string]time.Duration{}}
	b.StopTimer() // ns/op is the start alone
	defer b.StartTimer()
	if stopErr := s.Stop(coldWait); err == nil {
		err = stopErr
	}
	if err != nil {
		b.Fatalf("%s: %v; the screen was:\n%s", argv[0], err, screen)
	}
	// and the holder the console started, which holds the file for a
	// moment more (GATEHOUSE_HOLD_LINGER): gone too
	for deadline := time.Now().Add(coldWait); holderRuns(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			b.Fatalf("a holder still runs %s after its console ended", coldWait)
		}
	}
	if trace != "" {
		f, err := os.Open(trace)
		if os.IsNotExist(err) {
			return r // a build from before the trace
		}
		if err != nil {
			b.Fatal(err)
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			var phase string
			var at, cpu int64 // cpu: 0 in a trace from before it was there
			if n, _ := fmt.Sscan(sc.Text(), &phase, &at, &cpu); n < 2 {
				b.Fatalf("a trace line %q is not \"phase unix-ns [cpu-ns]\"", sc.Text())
			}
			r.phases[phase] = time.Unix(0, at).Sub(start)
			r.cpu[phase] = time.Duration(cpu)
		}
	}
	return r
}

// holderRuns says whether a gatehouse holder of this benchmark's lingers
// (one started with a short linger by a console it measured).
func holderRuns() bool {
	procs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, p := range procs {
		b, err := os.ReadFile(p)
		if err == nil && strings.Contains(string(b), "__hold\x00--linger\x001ms") {
			return true
		}
	}
	return false
}
