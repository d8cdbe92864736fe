// Command coldstart is `task coldstart`: ten first consoles on a database,
// each in a new tmux server at 200×60, timed from asking tmux to start it
// until "Employees (" is on tmux's screen; after the same loop around a
// program that prints that at once (the machine's baseline: tmux, a shell
// and the watching), and with the load average before and after.
//
//	go run ./cmd/coldstart -bin ../bin/gatehouse -db ../bin/demo100k.db
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/bench/firstframe"
	"github.com/gatehouse/gatehouse/keys/attach"
)

const wait = 15 * time.Second

func main() {
	bin := flag.String("bin", "bin/gatehouse", "the gatehouse binary")
	db := flag.String("db", "bin/demo100k.db", "the database (the 100k demo)")
	runs := flag.Int("runs", 10, "runs of each")
	flag.Parse()
	abs, err := filepath.Abs(*bin)
	if err != nil {
		fail(err)
	}
	if _, err := os.Stat(*db); err != nil {
		fail(fmt.Errorf("%v; make it with: %s --db %s demo --users 100000", err, *bin, *db))
	}
	// each run is a first console: the holder it starts ends with it
	os.Setenv("GATEHOUSE_HOLD_LINGER", "1ms")
	console := []string{abs, "--db", *db}
	// one console unmeasured: the page cache, and the one write an older
	// file needs (bbolt then keeps its freelist in it), are not measured
	if _, err := run(console, *db); err != nil {
		fail(err)
	}
	fmt.Println("load average", loadAverage())
	measure("baseline", []string{"sh", "-c", `echo "Employees ("; exec sleep 60`}, *db, *runs)
	measure("console", console, *db, *runs)
	fmt.Println("load average", loadAverage())
}

func measure(label string, argv []string, db string, runs int) {
	fmt.Printf("%-9s", label+":")
	for range runs {
		d, err := run(argv, db)
		if err != nil {
			fmt.Println()
			fail(err)
		}
		fmt.Printf(" %d", d.Milliseconds())
	}
	fmt.Println(" ms")
}

// run is one start: the time to the first frame; then the server, the
// program and the holder it started are gone before it returns.
func run(argv []string, db string) (time.Duration, error) {
	sock := fmt.Sprintf("gh-coldstart-%d", os.Getpid())
	start := time.Now()
	s, err := firstframe.Start(sock, 200, 60, argv...)
	if err != nil {
		return 0, err
	}
	screen, err := s.WaitFor("Employees (", wait)
	took := time.Since(start)
	if stopErr := s.Stop(wait); err == nil {
		err = stopErr
	}
	if err != nil {
		return 0, fmt.Errorf("%v; run %s in a terminal to see why; the screen was:\n%s", err, strings.Join(argv, " "), screen)
	}
	// the holder removes its socket as it ends
	sock = attach.Socket(db)
	for deadline := time.Now().Add(wait); exists(sock); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			return 0, fmt.Errorf("the holder of %s still runs %s after its console ended", db, wait)
		}
	}
	return took, nil
}

func exists(path string) bool { _, err := os.Lstat(path); return err == nil }

func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	return strings.Join(strings.Fields(string(b))[:3], " ")
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "coldstart:", err)
	os.Exit(1)
}
