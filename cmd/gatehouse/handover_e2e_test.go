//go:build linux

package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The first console hands its terminal to the holder it starts (issue 11's
// cold start): the holder draws that console straight on it, while it
// serves every other console and command over the socket, and lets go of
// it when that console ends — by q, by its process being killed, or by the
// holder stopping.

// paneTTY is the terminal device of the pane (/dev/pts/N).
func (tm *term) paneTTY() string {
	return strings.TrimSpace(tm.tmux("display-message", "-p", "-t", "main", "#{pane_tty}"))
}

// holdsOpen says whether process pid has the file at path open.
func holdsOpen(pid int, path string) bool {
	fds, _ := filepath.Glob("/proc/" + strconv.Itoa(pid) + "/fd/*")
	for _, fd := range fds {
		if target, err := os.Readlink(fd); err == nil && target == path {
			return true
		}
	}
	return false
}

// waitLetGo waits until the holder no longer has the terminal open.
func waitLetGo(t *testing.T, holder int, tty string) {
	t.Helper()
	for deadline := time.Now().Add(patience); holdsOpen(holder, tty); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the holder %d still has %s open after its console ended", holder, tty)
		}
	}
}

// consoleOn is the pid of the gatehouse process whose standard input is
// the terminal tty (the console's own process, not the holder's).
func consoleOn(t *testing.T, tty string) int {
	t.Helper()
	for deadline := time.Now().Add(patience); ; time.Sleep(20 * time.Millisecond) {
		procs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
		for _, p := range procs {
			b, err := os.ReadFile(p)
			if err != nil || !strings.HasPrefix(string(b), binary+"\x00") || strings.Contains(string(b), "__hold") {
				continue
			}
			dir := filepath.Dir(p)
			if in, err := os.Readlink(dir + "/fd/0"); err == nil && in == tty {
				pid, _ := strconv.Atoi(filepath.Base(dir))
				return pid
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no gatehouse process reads %s", tty)
		}
	}
}

// editManagersDashboard gives the profile Manager view on the Dashboard
// from the console's Permissions screen, and saves it (change set #2).
func editManagersDashboard(tm *term) {
	tm.t.Helper()
	tm.keys("3")
	tm.waitFor(`Matrix \(`)
	tm.keys("BTab") // the profiles
	tm.keys("Down") // Manager
	tm.waitFor(`Matrix \(16 screens × 1 profile\) .*\n.*Manager`)
	tm.keys("Tab") // its matrix: Dashboard
	tm.keys("v")
	tm.waitFor(`1 pending`)
	tm.keys("C-s")
	tm.waitFor(`permissions: 1 cell of Manager \(change set #2`)
}

// The first console is drawn by its holder on its own terminal: the holder
// has that terminal open; an edit made in it reaches a second console
// (attached over the socket); its window's size reaches the holder;
// quitting it ends it alone (exit 0), the holder lets go of its terminal
// and goes on serving the second.
func TestE2EFirstConsoleOnItsTerminalInTheHolder(t *testing.T) {
	t.Setenv("GATEHOUSE_HOLD_LINGER", "1s")
	dir := t.TempDir()
	db := filepath.Join(dir, "gatehouse.db")
	mustGH(t, db, "users", "add", "--first", "Max", "--last", "Manager", "--email", "max@example.com", "--profile", "Manager")

	a := startTerm(t, 120, 30, "--db", db)
	a.waitFor(`Max Manager`)
	holder := waitHolder(t, db)
	tty := a.paneTTY()
	if !holdsOpen(holder, tty) {
		t.Fatalf("the holder %d does not have the first console's terminal %s open: the console is relayed, not handed over", holder, tty)
	}
	editManagersDashboard(a)

	b := startTerm(t, 100, 30, "--db", db)
	b.waitFor(`Max Manager`)
	if pid := holderPid(t, db); pid != holder {
		t.Fatalf("the second console is served by %d, not the holder %d", pid, holder)
	}
	if holdsOpen(holder, b.paneTTY()) {
		t.Fatalf("the holder has the second console's terminal open too")
	}
	b.keys("4")
	b.waitFor(`permissions: 1 cell of Manager`)

	// the first console's window narrows: the holder reads the new size
	// (short tab names), and widens: the long ones again
	if strings.Contains(a.screen(), "3 Perms") {
		t.Fatal("short tab names at 120 columns")
	}
	a.tmux("resize-window", "-t", "main", "-x", "90")
	a.waitFor(`3 Perms`)
	a.tmux("resize-window", "-t", "main", "-x", "200", "-y", "50")
	a.waitFor(`3 Permissions`)

	a.keys("q")
	if st, ok := a.exitStatus(); !ok || st != "0" {
		t.Fatalf("the first console after q: %q %v\n%s", st, ok, a.screen())
	}
	waitLetGo(t, holder, tty)
	if a.alternateScreen() {
		t.Fatalf("the first console left its terminal in the alternate screen:\n%s", a.screen())
	}
	mustGH(t, db, "users", "add", "--first", "Sam", "--last", "Lee", "--email", "sam@staff.test", "--profile", "User")
	b.keys("1")
	b.waitFor(`Sam Lee`) // the second is still there, live, in the same holder
	if pid := holderPid(t, db); pid != holder {
		t.Fatalf("after the first console quit the socket is served by %d, not the holder %d", pid, holder)
	}
	b.keys("q")
	if st, ok := b.exitStatus(); !ok || st != "0" {
		t.Fatalf("the second console after q: %q %v\n%s", st, ok, b.screen())
	}
	for deadline := time.Now().Add(patience); running(holder); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the holder %d still runs a minute after its last client", holder)
		}
	}
}

// kill -9 of the first console's process, run from a shell: the holder
// ends that console at once and lets go of the terminal, restored, so the
// shell reads what is typed next; the holder goes on serving a second
// console.
func TestE2EFirstConsolesProcessKilled(t *testing.T) {
	needTools(t, "bash")
	dir := t.TempDir()
	db := filepath.Join(dir, "gatehouse.db")
	mustGH(t, db, "clients", "add", "Acme")

	sh := startProgram(t, 120, 30, "env", "-i", "HOME="+dir, "TERM=xterm", "PATH=/usr/bin:/bin", "PS1=$ ", "HISTFILE=", "bash", "--norc", "--noprofile")
	sh.typeText(binary + " --db " + db)
	sh.keys("Enter")
	sh.waitFor(`Employees \(0\)`)
	holder := waitHolder(t, db)
	tty := sh.paneTTY()
	if !holdsOpen(holder, tty) {
		t.Fatalf("the holder %d does not have the first console's terminal %s open", holder, tty)
	}
	b := startTerm(t, 100, 30, "--db", db)
	b.waitFor(`Employees \(0\)`)

	syscall.Kill(consoleOn(t, tty), syscall.SIGKILL)
	waitLetGo(t, holder, tty)
	for deadline := time.Now().Add(patience); sh.alternateScreen(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the terminal is still in the alternate screen:\n%s", sh.screen())
		}
	}
	sh.typeText("echo shell-$((6*7))")
	sh.keys("Enter")
	sh.waitFor(`(?m)^shell-42`)

	mustGH(t, db, "clients", "add", "Zeta")
	b.keys("5")
	b.waitFor(`2 clients`)
	if pid := holderPid(t, db); pid != holder {
		t.Fatalf("the second console is served by %d, not the holder %d", pid, holder)
	}
}

// The holder stopped (SIGTERM) while it draws its first console: the
// console ends, its process says why in one line, the terminal restored,
// and exits 1.
func TestE2EHolderStopsUnderItsFirstConsole(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "gatehouse.db")
	mustGH(t, db, "clients", "add", "Acme")
	tm := startTerm(t, 120, 30, "--db", db)
	tm.waitFor(`Employees \(0\)`)
	holder := waitHolder(t, db)
	if !holdsOpen(holder, tm.paneTTY()) {
		t.Fatalf("the holder %d does not have the first console's terminal open", holder)
	}
	syscall.Kill(holder, syscall.SIGTERM)
	if st, ok := tm.exitStatus(); !ok || st != "1" {
		t.Fatalf("the first console when its holder stops: %q %v\n%s", st, ok, tm.screen())
	}
	tm.waitJoined("gatehouse: the gatehouse process holding the database is stopping")
	if s := tm.screen(); tm.alternateScreen() || strings.Contains(s, "Employees (") {
		t.Fatalf("the terminal is not restored:\n%s", s)
	}
	for deadline := time.Now().Add(patience); running(holder); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the holder did not stop")
		}
	}
}

// An access review written from the first console lands in that console's
// working directory (the holder runs in /), with the caller's name for it.
func TestE2EFirstConsoleWritesInItsFolder(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "gatehouse.db")
	mustGH(t, db, "users", "add", "--first", "Ada", "--last", "Admin", "--email", "ada@example.com", "--profile", "Administrator")
	work := t.TempDir()
	name := "access-review-" + time.Now().Format("2006-01-02") + ".md"
	_, err := os.Stat(filepath.Join("/", name))
	inRootBefore := err == nil
	tm := startProgram(t, 120, 40, "sh", "-c", "cd '"+work+"' && exec "+binary+" --db '"+db+"'")
	tm.waitFor(`Ada Admin`)
	holder := waitHolder(t, db)
	if !holdsOpen(holder, tm.paneTTY()) {
		t.Fatalf("the holder %d does not have the first console's terminal open", holder)
	}
	tm.keys(":")
	tm.typeText("review")
	tm.keys("Enter")
	tm.waitFor(`Write an access review`)
	tm.keys("Enter", "Enter", "Enter", "Enter")
	tm.waitJoined("wrote the access review (change set #")
	doc, err := os.ReadFile(filepath.Join(work, name))
	if err != nil || !strings.HasPrefix(string(doc), "# Access review") {
		t.Fatalf("the review is not in the console's folder %s: %v\n%s", work, err, tm.screen())
	}
	if fi, _ := os.Stat(filepath.Join(work, name)); fi.Mode().Perm() != 0o600 {
		t.Errorf("the review is readable by others: %v", fi.Mode().Perm())
	}
	if _, err := os.Stat(filepath.Join("/", name)); err == nil && !inRootBefore {
		t.Errorf("a review was written in the holder's folder /")
	}
}
