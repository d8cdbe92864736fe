//go:build unix

package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// End-to-end tests: the real binary, in a real terminal (tmux), driven from
// the keyboard as a person would, then checked with the command line.

var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "gatehouse-e2e-")
	if err != nil {
		panic(err)
	}
	// gatehouse (this front) and gatehouse-core, side by side, as installed
	binary = filepath.Join(dir, "gatehouse")
	build := exec.Command("go", "build", "-o", dir+string(filepath.Separator), ".", "../gatehouse-core")
	build.Env = append(os.Environ(), "CGO_ENABLED=0") // as README installs it: static
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building gatehouse: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// gh runs the binary on db and returns stdout and the exit code.
func gh(t *testing.T, db string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(binary, append([]string{"--db", db}, args...)...)
	out, err := cmd.Output()
	if ee, ok := err.(*exec.ExitError); ok {
		return string(out), ee.ExitCode()
	}
	if err != nil {
		t.Fatalf("gatehouse %v: %v", args, err)
	}
	return string(out), 0
}

func mustGH(t *testing.T, db string, args ...string) string {
	t.Helper()
	out, code := gh(t, db, args...)
	if code != 0 {
		t.Fatalf("gatehouse %s: exit %d\n%s", strings.Join(args, " "), code, out)
	}
	return out
}

// term is a tmux session of its own (its own server socket).
type term struct {
	t      *testing.T
	sock   string
	status string // the file the program's exit status is written to
	doing  string // the step of a help article being done, for failure messages
}

func startTerm(t *testing.T, w, h int, args ...string) *term {
	t.Helper()
	return startProgram(t, w, h, binary, args...)
}

// startProgram is startTerm for another program (OpenSSH's ssh, say).
func startProgram(t *testing.T, w, h int, program string, args ...string) *term {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux is not installed (.ci/run installs it)")
	}
	tm := &term{t: t, sock: fmt.Sprintf("gh-e2e-%d-%d", os.Getpid(), time.Now().UnixNano()),
		status: filepath.Join(t.TempDir(), "exit-status")}
	cmdline := program
	for _, a := range args {
		cmdline += " '" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	// the shell tmux runs the program in reaps it and records its status:
	// tmux's own pane_dead_status is not to be relied on (tmux 3.3a under
	// load marked the pane dead but left the exited program a zombie,
	// unreaped and without a status, for 20 s and more)
	cmdline += "; echo $? > '" + tm.status + "'"
	// remain-on-exit before the pane exists: a program that fails at once
	// (a damaged file) must leave its screen to be read, not end the server
	tm.tmux("start-server", ";", "set-option", "-g", "remain-on-exit", "on", ";",
		"new-session", "-d", "-s", "main", "-x", fmt.Sprint(w), "-y", fmt.Sprint(h), "-e", "TERM=xterm-256color", cmdline)
	t.Cleanup(tm.stop)
	return tm
}

// stop ends the terminal and waits until what ran in it has gone, so
// nothing it writes as it ends (a shell's history, the exit status) lands
// in a temporary directory the test is removing.
func (tm *term) stop() {
	out, _ := exec.Command("tmux", "-L", tm.sock, "list-panes", "-a", "-F", "#{pane_pid}").Output()
	exec.Command("tmux", "-L", tm.sock, "kill-server").Run()
	for _, f := range strings.Fields(string(out)) {
		pid, err := strconv.Atoi(f)
		if err != nil {
			continue
		}
		// the pane's shell ends on the hangup; patience is only a bound
		for end := time.Now().Add(patience); time.Now().Before(end) && running(pid); {
			time.Sleep(10 * time.Millisecond)
		}
	}
}

// running: the process exists and has not ended (a zombie has).
func running(pid int) bool {
	if syscall.Kill(pid, 0) != nil {
		return false
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return true // no /proc: trust the signal
	}
	i := strings.LastIndexByte(string(stat), ')')
	return i < 0 || i+2 >= len(stat) || stat[i+2] != 'Z'
}

func (tm *term) tmux(args ...string) string {
	tm.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-L", tm.sock}, args...)...).CombinedOutput()
	if err != nil {
		tm.t.Fatalf("tmux %v: %v\n%s", args, err, out)
	}
	return string(out)
}

// keys sends tmux key names (Enter, Escape, Tab, Down, C-s, or plain text).
// The console takes keys in order however fast they come; where a key
// must wait for what an earlier one started (a form moving its focus,
// options loading), the test waits for the screen to show it (waitFor,
// seeFocus, downTo), never for some time.
func (tm *term) keys(ks ...string) {
	tm.t.Helper()
	for _, k := range ks {
		tm.tmux("send-keys", "-t", "main", k)
	}
}

// typeText types literal text.
func (tm *term) typeText(s string) {
	tm.t.Helper()
	tm.tmux("send-keys", "-t", "main", "-l", s)
}

func (tm *term) screen() string { return tm.tmux("capture-pane", "-p", "-t", "main") }

// patience bounds every wait of these tests for the screen or a process.
// It only ends a test whose condition never comes: each comes in a small
// part of it on a machine whose cores are busy.
const patience = time.Minute

// waitFor polls the screen until re matches, failing with the screen shown.
func (tm *term) waitFor(re string) string {
	tm.t.Helper()
	rx := regexp.MustCompile(re)
	deadline := time.Now().Add(patience)
	for {
		s := tm.screen()
		if rx.MatchString(s) {
			return s
		}
		if time.Now().After(deadline) {
			tm.t.Fatalf("%s%q did not appear; the screen shows:\n%s", tm.during(), re, s)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

type userJSON struct {
	Email   string   `json:"email"`
	Profile string   `json:"profile"`
	Sites   []string `json:"sites"`
}

// A bulk edit of 50 users from the keyboard: filter, select all filtered,
// change their profile, then assign them a site — each one change set.
func TestE2EBulkEditFiftyUsers(t *testing.T) {
	db := filepath.Join(t.TempDir(), "bulk.db")
	mustGH(t, db, "sites", "add", "North Depot")
	mustGH(t, db, "sites", "add", "South Yard")
	csv := "first_name,last_name,email,type,profile,client,sites\n"
	for i := 1; i <= 50; i++ {
		csv += fmt.Sprintf("Bulk,Person%02d,bulk%02d@crew.test,employee,Basic,,North Depot\n", i, i)
	}
	for i := 1; i <= 10; i++ {
		csv += fmt.Sprintf("Other,Person%02d,other%02d@crew.test,employee,Basic,,North Depot\n", i, i)
	}
	f := filepath.Join(t.TempDir(), "crew.csv")
	if err := os.WriteFile(f, []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}
	mustGH(t, db, "import-users", f)

	tm := startTerm(t, 120, 40, "--db", db)
	tm.waitFor(`Employees \(60\)`)
	tm.keys("/")
	tm.typeText("bulk")
	tm.waitFor(`Employees \(50\)`)
	tm.keys("Enter", "C-a")
	tm.waitFor(`50 selected`)
	tm.keys("p")
	tm.waitFor(`Profile of 50 user`)
	tm.downTo("Down", `> Supervisor`)
	tm.keys("Enter")
	tm.waitFor(`profile Supervisor for 50 users \(change set #\d+, 50 changes\)`)
	tm.keys("Enter") // the selection to Sites & teams
	tm.waitFor(`Who`)
	tm.waitFor(`South Yard`)
	tm.downTo("Down", `›\s+South Yard`)
	tm.keys("Right")
	tm.waitFor(`\+ South Yard`)
	tm.keys("C-s")
	tm.waitFor(`change set #\d+`)
	tm.keys("q")

	out := mustGH(t, db, "--json", "users", "list", "--search", "bulk")
	var us []userJSON
	if err := json.Unmarshal([]byte(out), &us); err != nil {
		t.Fatalf("users list --json: %v\n%s", err, out)
	}
	if len(us) != 50 {
		t.Fatalf("%d bulk users, want 50", len(us))
	}
	for _, u := range us {
		if u.Profile != "Supervisor" || !contains(u.Sites, "South Yard") || !contains(u.Sites, "North Depot") {
			t.Errorf("%s: profile %s, sites %v", u.Email, u.Profile, u.Sites)
		}
	}
	out = mustGH(t, db, "--json", "users", "list", "--search", "other")
	if err := json.Unmarshal([]byte(out), &us); err != nil {
		t.Fatal(err)
	}
	for _, u := range us {
		if u.Profile != "Basic" || contains(u.Sites, "South Yard") {
			t.Errorf("a user outside the selection changed: %s %s %v", u.Email, u.Profile, u.Sites)
		}
	}
	if out, code := gh(t, db, "audit", "verify"); code != 0 {
		t.Errorf("audit verify: %s", out)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// downTo presses key until a line of the screen matches re.
// After each key it waits for the screen to change, as a person watches the
// cursor move before pressing again (a loaded machine redraws late, and
// pressing on would overshoot). A key that changes nothing is a cursor at
// the end that never met re.
func (tm *term) downTo(key, re string) {
	tm.t.Helper()
	rx := regexp.MustCompile(re)
	for presses := 0; presses <= 40; presses++ {
		before := tm.screen()
		if rx.MatchString(before) {
			return
		}
		tm.keys(key)
		for redrawn := time.Now().Add(patience); tm.screen() == before; time.Sleep(20 * time.Millisecond) {
			if time.Now().After(redrawn) {
				tm.t.Fatalf("%s%q never highlighted: %s changed nothing; the screen shows:\n%s", tm.during(), re, key, before)
			}
		}
	}
	tm.t.Fatalf("%s%q never highlighted; the screen shows:\n%s", tm.during(), re, tm.screen())
}

// during names the step being done, if any, to start a failure message.
func (tm *term) during() string {
	if tm.doing == "" {
		return ""
	}
	return tm.doing + ": "
}
