package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// readTrace reads the start trace GATEHOUSE_TRACE_START wrote: the time
// each phase was reached, Unix nanoseconds (the first of each name).
func readTrace(t *testing.T, path string) map[string]int64 {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("the start trace: %v", err)
	}
	defer f.Close()
	phases := map[string]int64{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var phase string
		var at, cpu int64
		if _, err := fmt.Sscan(sc.Text(), &phase, &at, &cpu); err != nil {
			t.Fatalf("trace line %q: %v", sc.Text(), err)
		}
		if _, ok := phases[phase]; !ok {
			phases[phase] = at
		}
	}
	return phases
}

// A first console starts its holder before its own main runs (package
// early), so the holder's start overlaps the rest of the console's: the
// start trace has the spawn before main. A second console, with a holder
// listening, starts none; a database reached through a symbolic link is
// left to cmd, which starts the holder from main. Each console works and
// quits with 0.
func TestE2EFirstConsoleStartsItsHolderBeforeMain(t *testing.T) {
	t.Setenv("GATEHOUSE_HOLD_LINGER", "1s")
	dir := t.TempDir()
	db := filepath.Join(dir, "gatehouse.db")
	mustGH(t, db, "users", "add", "--first", "Max", "--last", "Manager", "--email", "max@example.com", "--profile", "Manager")

	first := filepath.Join(dir, "first.trace")
	t.Setenv("GATEHOUSE_TRACE_START", first)
	a := startTerm(t, 120, 30, "--db", db)
	a.waitFor(`Max Manager`)
	holder := waitHolder(t, db)
	ph := readTrace(t, first)
	spawn, ok := ph["spawn"]
	if !ok || ph["main"] == 0 {
		t.Fatalf("the first console's trace has no spawn or no main: %v", ph)
	}
	if spawn >= ph["main"] {
		t.Fatalf("the first console started its holder %s after its main, not before its packages were initialized", time.Duration(spawn-ph["main"]))
	}

	second := filepath.Join(dir, "second.trace")
	t.Setenv("GATEHOUSE_TRACE_START", second)
	b := startTerm(t, 100, 30, "--db", db)
	b.waitFor(`Max Manager`)
	if ph := readTrace(t, second); ph["spawn"] != 0 {
		t.Fatalf("the second console started a holder of its own though %d listens: %v", holder, ph)
	}
	if pid := holderPid(t, db); pid != holder {
		t.Fatalf("the socket is served by %d, not the first console's holder %d", pid, holder)
	}
	for _, tm := range []*term{a, b} {
		tm.keys("q")
		if st, ok := tm.exitStatus(); !ok || st != "0" {
			t.Fatalf("a console after q: %q %v\n%s", st, ok, tm.screen())
		}
	}
	for deadline := time.Now().Add(patience); running(holder); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the holder %d still runs after its last client", holder)
		}
	}

	link := filepath.Join(dir, "link.db")
	if err := os.Symlink(db, link); err != nil {
		t.Fatal(err)
	}
	linked := filepath.Join(dir, "linked.trace")
	t.Setenv("GATEHOUSE_TRACE_START", linked)
	c := startTerm(t, 80, 24, "--db", link)
	c.waitFor(`Max Manager`)
	waitHolder(t, db) // beside the file the link names
	if ph := readTrace(t, linked); ph["spawn"] == 0 || ph["spawn"] < ph["main"] {
		t.Fatalf("through a link the holder is started by cmd, from main: %v", ph)
	}
	c.keys("q")
	if st, ok := c.exitStatus(); !ok || st != "0" {
		t.Fatalf("the console through a link after q: %q %v\n%s", st, ok, c.screen())
	}
}
