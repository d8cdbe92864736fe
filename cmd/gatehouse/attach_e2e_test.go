//go:build linux

package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// One database, many local clients (issue 12): the console, a second
// console and the command line work while another gatehouse process holds
// the file — a holder the first console started, or serve — by running in
// that process over the socket beside the database.

// ghAt runs the binary in dir (its working directory) with stdin, and
// returns stdout, stderr and the exit code.
func ghAt(t *testing.T, dir, db, stdin string, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(binary, append([]string{"--db", db}, args...)...)
	cmd.Dir = dir
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return out.String(), errb.String(), 0
	case errors.As(err, &ee):
		return out.String(), errb.String(), ee.ExitCode()
	}
	t.Fatalf("gatehouse %v: %v", args, err)
	return "", "", 0
}

// holderPid is the pid of the process listening on the database's socket
// (from the kernel), 0 if none.
func holderPid(t *testing.T, db string) int {
	t.Helper()
	c, err := net.DialTimeout("unix", db+".sock", time.Second)
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

// waitHolder waits until a process serves the database's socket.
func waitHolder(t *testing.T, db string) int {
	t.Helper()
	for deadline := time.Now().Add(patience); ; time.Sleep(20 * time.Millisecond) {
		if pid := holderPid(t, db); pid != 0 {
			return pid
		}
		if time.Now().After(deadline) {
			t.Fatalf("nobody serves %s.sock", db)
		}
	}
}

// waitJoined waits until the screen, its lines joined (a long line wraps
// wherever the pane's width puts it), holds text.
func (tm *term) waitJoined(text string) {
	tm.t.Helper()
	for deadline := time.Now().Add(patience); ; time.Sleep(50 * time.Millisecond) {
		s := tm.screen()
		if strings.Contains(strings.ReplaceAll(s, "\n", ""), text) {
			return
		}
		if time.Now().After(deadline) {
			tm.t.Fatalf("%q did not appear; the screen shows:\n%s", text, s)
		}
	}
}

// alternateScreen says whether the terminal shows the alternate screen (a
// console that has not restored the terminal).
func (tm *term) alternateScreen() bool {
	return strings.TrimSpace(tm.tmux("display-message", "-p", "-t", "main", "#{alternate_on}")) == "1"
}

func localOperator(t *testing.T) string {
	t.Helper()
	u, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	return "local:" + u.Username
}

// The console is open; an edit from the command line in another terminal
// appears in it, made as the same local operator; a second console sees
// it too, and quitting one console leaves the other running. Once both are
// gone, the holder ends by itself.
func TestE2EAttachConsoleAndCommandLine(t *testing.T) {
	t.Setenv("GATEHOUSE_HOLD_LINGER", "1s")
	dir := t.TempDir()
	db := filepath.Join(dir, "gatehouse.db")
	mustGH(t, db, "clients", "add", "Acme")

	tm := startTerm(t, 120, 30, "--db", db)
	tm.waitFor(`Employees \(0\)`)
	holder := waitHolder(t, db)

	out, errOut, code := ghAt(t, dir, db, "", "users", "add", "--first", "Jane", "--last", "Doe", "--email", "jane@staff.test", "--profile", "Manager")
	if code != 0 || out != "added Jane Doe <jane@staff.test> (employee user, profile Manager) (change set #2, 2 audit entries)\ninvitation queued for jane@staff.test: outbox #1 (see: gatehouse outbox list)\n" || errOut != "" {
		t.Fatalf("users add while the console is open: exit %d\n%s%s", code, out, errOut)
	}
	tm.waitFor(`Employees \(1\)`)
	tm.waitFor(`Jane Doe`)
	// the caller's terminal changes size: the console, drawn in the
	// holder, follows (the short tab names of a narrower terminal)
	if strings.Contains(tm.screen(), "3 Perms") {
		t.Fatal("short tab names at 120 columns")
	}
	tm.tmux("resize-window", "-t", "main", "-x", "90")
	tm.waitFor(`3 Perms`)
	// the same output, exit code and --json errors as at the machine
	if _, errOut, code := ghAt(t, dir, db, "", "--json", "users", "show", "nobody@x.y"); code != 2 || !strings.HasPrefix(errOut, `{"error":"no user with email \"nobody@x.y\"`) || !strings.Contains(errOut, `"kind":"not-found"`) {
		t.Fatalf("an error with --json, attached: exit %d %q", code, errOut)
	}
	hist, _, _ := ghAt(t, dir, db, "", "users", "history", "jane@staff.test")
	if !regexpMatch(`#2\s+`+regexp.QuoteMeta(localOperator(t))+`\s`, hist) {
		t.Fatalf("the attached change set's actor:\n%s", hist)
	}

	// a second console: the first holder serves it (no second holder)
	tm2 := startTerm(t, 100, 30, "--db", db)
	tm2.waitFor(`Jane Doe`)
	if pid := holderPid(t, db); pid != holder {
		t.Fatalf("the second console is served by %d, not the holder %d", pid, holder)
	}
	tm.keys("q")
	if st, ok := tm.exitStatus(); !ok || st != "0" {
		t.Fatalf("the first console after q: %q %v\n%s", st, ok, tm.screen())
	}
	mustGH(t, db, "users", "add", "--first", "Sam", "--last", "Lee", "--email", "sam@staff.test", "--profile", "User")
	tm2.waitFor(`Sam Lee`) // the second is still there, live
	tm2.keys("q")
	if st, ok := tm2.exitStatus(); !ok || st != "0" {
		t.Fatalf("the second console after q: %q %v\n%s", st, ok, tm2.screen())
	}
	// no client left: the holder ends within its linger (1 s here)
	for deadline := time.Now().Add(patience); running(holder); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the holder %d still runs a minute after its last client", holder)
		}
	}
	if _, err := os.Lstat(db + ".sock"); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the holder left its socket: %v", err)
	}
	mustGH(t, db, "audit", "verify")
}

// While serve runs, the operator's commands work as at the machine:
// outbox show (the invitation's token), backup FILE (the caller's file,
// in its working directory; it opens and verifies), users list --json.
// Over SSH the same server still runs only the allowlist.
func TestE2EServeAndTheOperatorsCommands(t *testing.T) {
	if raceEnabled {
		t.Skip("not under -race: it tests processes the race detector does not instrument")
	}
	needTools(t, "ssh", "ssh-keygen")
	dir := t.TempDir()
	db := filepath.Join(dir, "gatehouse.db")
	mustGH(t, db, "users", "add", "--first", "Ada", "--last", "Admin", "--email", "ada@example.com", "--profile", "Administrator")
	srv := serveDB(t, db)

	// the token serve says to read with outbox show
	out, errOut, code := ghAt(t, dir, db, "", "outbox", "show", "1")
	if code != 0 || !strings.Contains(out, "To: ada@example.com") || !strings.Contains(out, "Your invitation token is:") {
		t.Fatalf("outbox show while serving: exit %d\n%s%s", code, out, errOut)
	}
	// a backup into the caller's working directory, by a relative name
	work := t.TempDir()
	out, errOut, code = ghAt(t, work, db, "", "backup", "nightly.db")
	if code != 0 || !strings.HasPrefix(out, "backup written to nightly.db (") {
		t.Fatalf("backup while serving: exit %d\n%s%s", code, out, errOut)
	}
	if fi, err := os.Stat(filepath.Join(work, "nightly.db")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("the backup in the caller's folder: %v %v", fi, err)
	}
	if out := mustGH(t, filepath.Join(work, "nightly.db"), "audit", "verify"); !strings.Contains(out, "chain intact") {
		t.Fatalf("the backup's audit: %s", out)
	}
	if _, errOut, code := ghAt(t, work, db, "", "backup", "nightly.db"); code != 1 || !strings.Contains(errOut, "nightly.db already exists; backup never overwrites") {
		t.Fatalf("a backup over an existing file: exit %d %q", code, errOut)
	}
	out, _, code = ghAt(t, dir, db, "", "users", "list", "--json")
	var users []struct {
		Email string `json:"email"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &users) != nil || len(users) != 1 || users[0].Email != "ada@example.com" {
		t.Fatalf("users list --json while serving: exit %d\n%s", code, out)
	}
	// a key enrolled from the machine while serving, then used over SSH:
	// there, the allowlist, not the operator's tree
	key := keygen(t, dir, "ada")
	if out, errOut, code := ghAt(t, dir, db, "", "users", "add-key", "ada@example.com", "ada.pub"); code != 0 || !strings.Contains(out, "1 key enrolled") {
		t.Fatalf("add-key by a relative name while serving: exit %d %s%s", code, out, errOut)
	}
	if _, stderr, code := srv.ssh(t, key, "backup", "x.db"); code != 1 || !strings.Contains(stderr, "backup is a job for the operator on the server's machine; it is not available over SSH") {
		t.Fatalf("backup over SSH: exit %d %q", code, stderr)
	}
	if _, stderr, code := srv.ssh(t, key, "__hold"); code != 1 || !strings.Contains(stderr, "not available over SSH") {
		t.Fatalf("__hold over SSH: exit %d %q", code, stderr)
	}
	if stdout, _, code := srv.ssh(t, key, "users", "list"); code != 0 || !strings.Contains(stdout, "ada@example.com") {
		t.Fatalf("users list over SSH: exit %d %q", code, stdout)
	}
	if _, err := os.Stat(filepath.Join(dir, "x.db")); err == nil {
		t.Fatal("a backup over SSH was written")
	}
}

// Two consoles edit the same profile: the first save wins, the second is
// told of the conflict, naming who changed it.
func TestE2ETwoConsolesConflict(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "gatehouse.db")
	mustGH(t, db, "users", "add", "--first", "Max", "--last", "Manager", "--email", "max@example.com", "--profile", "Manager")
	a := startTerm(t, 120, 30, "--db", db)
	b := startTerm(t, 120, 30, "--db", db)
	for _, tm := range []*term{a, b} {
		tm.waitFor(`Max Manager`)
		tm.keys("3")
		tm.waitFor(`Matrix \(`)
		tm.keys("BTab") // the profiles
		tm.keys("Down") // Manager
		tm.waitFor(`Matrix \(16 screens × 1 profile\) .*\n.*Manager`)
		tm.keys("Tab") // its matrix: Dashboard
	}
	a.keys("v")
	b.keys("m")
	a.waitFor(`1 pending`)
	b.waitFor(`1 pending`)
	a.keys("C-s")
	a.waitFor(`permissions: 1 cell of Manager \(change set #2`)
	b.keys("C-s")
	s := b.waitFor(`profile Manager was changed by ` + localOperator(t) + ` at .* after you read it`)
	if strings.Contains(s, "change set #3") {
		t.Fatalf("the second save went through:\n%s", s)
	}
	show := mustGH(t, db, "profiles", "show", "Manager")
	if !strings.Contains(show, "Dashboard") || !regexpMatch(`Dashboard\s+dashboard\s+view`, show) {
		t.Fatalf("the first save is not what holds:\n%s", show)
	}
}

func regexpMatch(re, s string) bool {
	return regexp.MustCompile(re).MatchString(s)
}

// kill -9 of the holder during an attached bulk edit: the caller is told
// in one line (exit 1); the next start recovers; the change set is all or
// nothing; the audit chain verifies.
func TestE2EKillHolderDuringBulkEdit(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "gatehouse.db")
	mustGH(t, db, "sites", "add", "North Depot")
	mustGH(t, db, "users", "add", "--first", "First", "--last", "One", "--email", "first@crew.test", "--profile", "Basic")
	tm := startTerm(t, 120, 30, "--db", db)
	tm.waitFor(`First One`)
	holder := waitHolder(t, db)

	const rows = 20000
	var csv strings.Builder
	csv.WriteString("first_name,last_name,email,type,profile,client,sites\n")
	for i := 0; i < rows; i++ {
		fmt.Fprintf(&csv, "Bulk,Person%05d,bulk%05d@crew.test,employee,Basic,,North Depot\n", i, i)
	}
	imp := exec.Command(binary, "--db", db, "import-users", "-")
	in, err := imp.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	var errb bytes.Buffer
	imp.Stderr = &errb
	if err := imp.Start(); err != nil {
		t.Fatal(err)
	}
	// once the holder has read all but a pipe's worth of the file, the
	// command is under way in it: the holder is killed
	if _, err := io.WriteString(in, csv.String()); err != nil {
		t.Fatal(err)
	}
	in.Close()
	syscall.Kill(holder, syscall.SIGKILL)
	err = imp.Wait()
	var ee *exec.ExitError
	killedFirst := errors.As(err, &ee) && ee.ExitCode() == 1
	lines := strings.Split(strings.TrimSpace(errb.String()), "\n")
	if killedFirst && (len(lines) != 1 || !strings.Contains(lines[0], fmt.Sprintf("the gatehouse process holding %s (pid %d) ended while this command ran", db, holder))) {
		t.Fatalf("the caller of a killed holder is told: %q", errb.String())
	}
	if !killedFirst && err != nil {
		t.Fatalf("import-users: %v %q", err, errb.String())
	}
	// the console it served: one line, the terminal restored, exit 1
	if st, ok := tm.exitStatus(); !ok || st != "1" {
		t.Fatalf("the console of a killed holder: %q %v\n%s", st, ok, tm.screen())
	}
	tm.waitJoined("ended while this console was open; nothing is half-written")
	if tm.alternateScreen() {
		t.Fatalf("the console left the terminal in the alternate screen:\n%s", tm.screen())
	}
	// the next start recovers: a stale socket is taken over, the chain holds
	if out := mustGH(t, db, "audit", "verify"); !strings.Contains(out, "chain intact") {
		t.Fatal(out)
	}
	var users []json.RawMessage
	if err := json.Unmarshal([]byte(mustGH(t, db, "users", "list", "--json", "--status", "all")), &users); err != nil {
		t.Fatal(err)
	}
	if n := len(users) - 1; n != 0 && n != rows {
		t.Fatalf("%d of the %d imported users are there: half a change set", n, rows)
	}
	t.Logf("the holder was killed %s the change set (%d users there)", map[bool]string{true: "before the end of", false: "after"}[killedFirst], len(users)-1)
	tm2 := startTerm(t, 120, 30, "--db", db)
	tm2.waitFor(`First One`)
}

// What is at the socket's path and is not a gatehouse's own: another
// user's socket, a file that is no socket — refused in one line that says
// what to do, console and command alike; a stale socket (its holder
// killed) is taken over.
func TestE2ESocketsNotOurs(t *testing.T) {
	dir := t.TempDir()
	os.Chmod(dir, 0o777)
	db := filepath.Join(dir, "gatehouse.db")
	mustGH(t, db, "clients", "add", "Acme")

	// a file that is not a socket
	os.WriteFile(db+".sock", []byte("not a socket"), 0o600)
	_, errOut, code := ghAt(t, dir, db, "", "users", "list")
	if code != 1 || errOut != "gatehouse: "+db+".sock is a regular file, not the socket of a gatehouse: gatehouse made no such file there; look at it, remove it (rm "+db+".sock) and run again\n" {
		t.Fatalf("a file at the socket's path: exit %d %q", code, errOut)
	}
	tm := startTerm(t, 120, 30, "--db", db)
	if st, ok := tm.exitStatus(); !ok || st != "1" {
		t.Fatalf("the console with a file at the socket's path: %q %v\n%s", st, ok, tm.screen())
	}
	// (what printed at once may be cut at the top of a pane just made)
	tm.waitJoined("remove it (rm " + db + ".sock) and run again")
	os.Remove(db + ".sock")

	// another user's socket, listening (someone waiting for our commands)
	if os.Geteuid() == 0 {
		ln, err := net.Listen("unix", db+".sock")
		if err != nil {
			t.Fatal(err)
		}
		os.Chown(db+".sock", 65534, 65534)
		_, errOut, code = ghAt(t, dir, db, "", "users", "set-password", "nobody@x.y")
		if code != 1 || !strings.Contains(errOut, "belongs to another user (uid 65534): it is not your gatehouse's, and nothing is sent to it") {
			t.Fatalf("another user's socket: exit %d %q", code, errOut)
		}
		ln.Close()
		os.Remove(db + ".sock")
	}

	// a stale socket: nobody listens; the console takes it over
	ln, err := net.Listen("unix", db+".sock")
	if err != nil {
		t.Fatal(err)
	}
	ln.(*net.UnixListener).SetUnlinkOnClose(false)
	ln.Close()
	tm2 := startTerm(t, 120, 30, "--db", db)
	tm2.waitFor(`Employees \(0\)`)
	waitHolder(t, db)
	if out := mustGH(t, db, "clients", "list"); !strings.Contains(out, "Acme") {
		t.Fatal(out)
	}
}

// A database held by a process that is no gatehouse is refused at once,
// as before: nobody waits for what will never serve it.
func TestE2EHeldByAnotherProgram(t *testing.T) {
	needTools(t, "flock")
	dir := t.TempDir()
	db := filepath.Join(dir, "gatehouse.db")
	mustGH(t, db, "clients", "add", "Acme")
	hold := exec.Command("flock", "-x", db, "sleep", "60")
	if err := hold.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { hold.Process.Kill(); hold.Wait() }()
	for deadline := time.Now().Add(patience); ; time.Sleep(20 * time.Millisecond) {
		if b, _ := os.ReadFile("/proc/locks"); strings.Contains(string(b), " "+strconv.Itoa(hold.Process.Pid)+" ") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("flock did not take the lock")
		}
	}
	start := time.Now()
	_, errOut, code := ghAt(t, dir, db, "", "users", "list")
	if code != 1 || !strings.Contains(errOut, "is in use by another gatehouse process") {
		t.Fatalf("held by flock: exit %d %q", code, errOut)
	}
	if d := time.Since(start); d > 20*time.Second { // it would wait 30 s for a gatehouse
		t.Fatalf("it waited %s for a process that is no gatehouse", d)
	}
}

// The caller's files and standard input, while a console holds the
// database: relative names in the caller's working directory, a password
// piped in (and nothing more of the input taken), one typed at the
// terminal without echo, and Ctrl-C of a command waiting for input.
func TestE2EAttachedFilesAndInput(t *testing.T) {
	needTools(t, "bash", "ssh-keygen")
	dir := t.TempDir()
	db := filepath.Join(dir, "gatehouse.db")
	mustGH(t, db, "users", "add", "--first", "Ada", "--last", "Admin", "--email", "ada@example.com", "--profile", "Administrator")
	tm := startTerm(t, 120, 30, "--db", db)
	tm.waitFor(`Ada Admin`)
	waitHolder(t, db)

	work := t.TempDir()
	out, errOut, code := ghAt(t, work, db, "", "export", "all.json")
	if code != 0 || out != "exported 1 user, 0 clients, 0 sites, 6 profiles to all.json\n" {
		t.Fatalf("export by a relative name: exit %d %q %q", code, out, errOut)
	}
	if _, err := os.Stat(filepath.Join(work, "all.json")); err != nil {
		t.Fatalf("the export is not in the caller's folder: %v", err)
	}
	if out, errOut, code := ghAt(t, work, db, "", "import", "all.json", "--dry-run"); code != 0 || out != "nothing to change\n" {
		t.Fatalf("import --dry-run by a relative name: exit %d %q %q", code, out, errOut)
	}
	if _, errOut, code := ghAt(t, work, db, "", "import", "missing.json"); code != 2 || errOut != "gatehouse: cannot read missing.json: no such file or directory\n" {
		t.Fatalf("import of a missing file: exit %d %q", code, errOut)
	}
	keygen(t, work, "ada")
	if out, _, code := ghAt(t, work, db, "", "users", "add-key", "ada@example.com", "ada.pub"); code != 0 || !strings.Contains(out, "1 key enrolled") {
		t.Fatalf("add-key by a relative name: exit %d %q", code, out)
	}
	if _, errOut, code := ghAt(t, work, db, "", "users", "add-key", "ada@example.com", "ada"); code != 2 || !strings.Contains(errOut, "ada is a private key; never hand it out, give the public key instead: ada.pub") {
		t.Fatalf("add-key of a private key: exit %d %q", code, errOut)
	}
	// a password piped in: the first line only; the rest stays for what
	// runs next in the same shell
	script := fmt.Sprintf("{ printf 'a long passphrase here\\nthe rest\\n'; } | { %s --db %s users set-password ada@example.com; cat; }", binary, db)
	cmd := exec.Command("bash", "-c", script)
	b, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(b), "password of ada@example.com changed") || !strings.HasSuffix(string(b), "the rest\n") {
		t.Fatalf("set-password from a pipe: %v\n%s", err, b)
	}

	// at a terminal: asked twice, without echo; Ctrl-C of a command
	// waiting for its input ends it (130) and writes nothing
	sh := startProgram(t, 120, 20, "env", "-i", "HOME="+dir, "TERM=xterm", "PATH=/usr/bin:/bin", "PS1=$ ", "HISTFILE=", "bash", "--norc", "--noprofile")
	sh.typeText(binary + " --db " + db + " users set-password ada@example.com; echo status=$?")
	sh.keys("Enter")
	sh.waitFor(`New password for ada@example\.com:`)
	sh.typeText("another long passphrase")
	sh.keys("Enter")
	sh.waitFor(`(?m)^Again:`)
	sh.typeText("another long passphrase")
	sh.keys("Enter")
	s := sh.waitFor(`status=0`)
	if strings.Contains(s, "another long passphrase") || !strings.Contains(s, "password of ada@example.com changed") {
		t.Fatalf("set-password at a terminal:\n%s", s)
	}
	before := mustGH(t, db, "audit", "log")
	sh.typeText(binary + " --db " + db + " import -; echo status=$?")
	sh.keys("Enter")
	for deadline := time.Now().Add(patience); !importWaiting(db); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("import - is not waiting for its input")
		}
	}
	sh.keys("C-c")
	sh.waitFor(`status=130`)
	tm.waitFor(`Ada Admin`) // the console is still there
	if out := mustGH(t, db, "audit", "log"); out != before {
		t.Fatalf("written after Ctrl-C:\n%s", out)
	}
}

// importWaiting says whether a gatehouse import is waiting for its input:
// its process reads its standard input (a thread in read(0, …)), which it
// does only once the holder asks for it.
func importWaiting(db string) bool {
	out, _ := exec.Command("pgrep", "-f", "--", db+" import -").Output()
	for _, f := range strings.Fields(string(out)) {
		tasks, _ := filepath.Glob("/proc/" + f + "/task/*/syscall")
		for _, task := range tasks {
			b, _ := os.ReadFile(task)
			if fields := strings.Fields(string(b)); len(fields) > 1 && fields[0] == "0" && fields[1] == "0x0" {
				return true
			}
		}
	}
	return false
}

// serve stopped while a console is attached to it: the console is told in
// one line, restores the terminal, and exits 1.
func TestE2EServeStopsUnderAConsole(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "gatehouse.db")
	mustGH(t, db, "users", "add", "--first", "Ada", "--last", "Admin", "--email", "ada@example.com", "--profile", "Administrator")
	cmd := exec.Command(binary, "--db", db, "serve", "--listen", "127.0.0.1:0")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer func() { cmd.Process.Kill(); <-exited }()
	if pid := waitHolder(t, db); pid != cmd.Process.Pid {
		t.Fatalf("the socket is served by %d, not serve (%d)", pid, cmd.Process.Pid)
	}
	tm := startTerm(t, 120, 30, "--db", db)
	tm.waitFor(`Ada Admin`)
	cmd.Process.Signal(syscall.SIGTERM)
	if st, ok := tm.exitStatus(); !ok || st != "1" {
		t.Fatalf("the console when serve stops: %q %v\n%s", st, ok, tm.screen())
	}
	tm.waitJoined("gatehouse: the gatehouse process holding the database is stopping")
	s := tm.screen()
	if tm.alternateScreen() || strings.Contains(s, "Ada Admin") {
		t.Fatalf("the terminal is not restored:\n%s", s)
	}
	select {
	case err := <-exited:
		exited <- err
		if err != nil {
			t.Fatalf("serve: %v", err)
		}
	case <-time.After(patience):
		t.Fatal("serve did not stop")
	}
}

// Two consoles started at once on a database nobody holds: each starts a
// holder, one takes the file, the other sees it serve and steps aside;
// both consoles are served by the one.
func TestE2ETwoConsolesStartingAtOnce(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "gatehouse.db")
	mustGH(t, db, "clients", "add", "Acme")
	a := startTerm(t, 120, 30, "--db", db)
	b := startTerm(t, 120, 30, "--db", db)
	a.waitFor(`Employees \(0\)`)
	b.waitFor(`Employees \(0\)`)
	holder := waitHolder(t, db)
	out, _ := exec.Command("pgrep", "-f", "--", "--db "+db+" __hold").Output()
	if pids := strings.Fields(string(out)); len(pids) != 1 || pids[0] != strconv.Itoa(holder) {
		t.Fatalf("holders of %s: %v, serving: %d", db, pids, holder)
	}
	mustGH(t, db, "clients", "add", "Zeta")
	a.keys("5")
	b.keys("5")
	a.waitFor(`Zeta`)
	b.waitFor(`Zeta`)
}

// A command that finds the file held by a gatehouse that does not serve it
// (another command that opened it itself) waits for it, then runs.
func TestE2EWaitsForAGatehouseCommand(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "gatehouse.db")
	mustGH(t, db, "clients", "add", "Acme")
	demo := exec.Command(binary, "--db", db, "demo", "--users", "20000")
	if err := demo.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- demo.Wait() }()
	for deadline := time.Now().Add(patience); ; time.Sleep(5 * time.Millisecond) {
		if b, _ := os.ReadFile("/proc/locks"); strings.Contains(string(b), " "+strconv.Itoa(demo.Process.Pid)+" ") {
			break
		}
		select {
		case err := <-done:
			t.Skipf("demo was done before it could be waited for (%v)", err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("demo did not take the file")
		}
	}
	out, errOut, code := ghAt(t, dir, db, "", "clients", "list")
	if code != 0 || errOut != "" || !strings.Contains(out, "Acme") {
		t.Fatalf("clients list while demo holds the file: exit %d %q %q", code, out, errOut)
	}
	if err := <-done; err != nil {
		t.Fatalf("demo: %v", err)
	}
}
