//go:build linux

package keys_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"charm.land/log/v2"
	gossh "golang.org/x/crypto/ssh"

	"github.com/gatehouse/gatehouse/internal/proof"
	"github.com/gatehouse/gatehouse/keys"
	"github.com/gatehouse/gatehouse/keys/attach"
	"github.com/gatehouse/gatehouse/store"
)

// The local socket (issue 12): the process holding a database serves the
// other gatehouse processes of the machine over a unix socket beside it,
// speaking SSH; the kernel says who connects. Real sockets, a real store,
// and for what needs another process (another uid, a caller killed), this
// test binary run again as the caller (attachClient).

const (
	clientEnv = "GATEHOUSE_TEST_ATTACH_CLIENT"
	listenEnv = "GATEHOUSE_TEST_LISTEN"
)

// TestMain runs this binary as an attaching caller when clientEnv holds
// its request (JSON: socket and args): it attaches with its own standard
// streams, says what refused it on stderr, and exits with the code.
func TestMain(m *testing.M) {
	if path := os.Getenv(listenEnv); path != "" {
		// a listener of whatever uid runs it: it takes one connection and
		// says how many bytes came on it before the test ends it
		ln, err := net.Listen("unix", path)
		if err != nil {
			fmt.Println(err)
			os.Exit(3)
		}
		fmt.Println("up")
		c, err := ln.Accept()
		if err == nil {
			b := make([]byte, 100)
			c.SetReadDeadline(time.Now().Add(2 * time.Second))
			n, _ := c.Read(b)
			fmt.Println("got", n)
		}
		time.Sleep(time.Minute)
		os.Exit(0)
	}
	if req := os.Getenv(clientEnv); req != "" {
		var r struct {
			Socket string
			Args   []string
		}
		if err := json.Unmarshal([]byte(req), &r); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(3)
		}
		code, err := attach.Run(attach.Options{Socket: r.Socket, Args: r.Args, DB: "the database", User: "tester", HandshakeTimeout: patience})
		if err != nil {
			fmt.Fprintf(os.Stderr, "attach: %v\n", err)
			if errors.Is(err, attach.ErrNoHolder) {
				os.Exit(4)
			}
			os.Exit(5)
		}
		os.Exit(code)
	}
	code := m.Run()
	stopTestEtcd()
	os.Exit(code)
}

// holder is a keys.Server on the local socket only, as `gatehouse __hold`
// runs one, with a Local function of the test's.
type holder struct {
	t     *testing.T
	st    *store.Store
	srv   *keys.Server
	sock  string
	logs  *proof.Log
	stop  context.CancelFunc
	ended chan error
}

func newHolder(t *testing.T, linger time.Duration, local func(*keys.LocalSession) int) *holder {
	t.Helper()
	return newHolderOfBuild(t, linger, local, "")
}

// newHolderOfBuild is newHolder whose server names its build (Config.BuildID).
func newHolderOfBuild(t *testing.T, linger time.Duration, local func(*keys.LocalSession) int, build string) *holder {
	t.Helper()
	if !attach.Supported() {
		t.Skip("this system's gatehouse does not attach (no peer credentials)")
	}
	dir := t.TempDir()
	db := filepath.Join(dir, "gatehouse.db")
	st, err := store.Open(db, store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	h := &holder{t: t, st: st, sock: attach.Socket(db), logs: &proof.Log{}, ended: make(chan error, 1)}
	h.srv, err = keys.New(keys.Config{Store: st, Local: local, Linger: linger, BuildID: build,
		Logger: keys.NewLogger(h.logs, log.Options{Level: log.DebugLevel}), ShutdownGrace: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if err := h.srv.ListenLocal(h.sock); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	h.stop = cancel
	go func() { h.ended <- h.srv.Serve(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-h.ended:
		case <-time.After(patience):
			t.Error("the holder did not end")
		}
		st.Close()
		if t.Failed() {
			t.Logf("holder log:\n%s", h.logs.String())
		}
	})
	return h
}

// run attaches from this process with files as standard streams.
func run(t *testing.T, sock string, stdin string, args ...string) (code int, out, errOut string, err error) {
	t.Helper()
	dir := t.TempDir()
	in, err := os.Create(filepath.Join(dir, "in"))
	if err != nil {
		t.Fatal(err)
	}
	in.WriteString(stdin)
	in.Seek(0, io.SeekStart)
	defer in.Close()
	o, _ := os.Create(filepath.Join(dir, "out"))
	e, _ := os.Create(filepath.Join(dir, "err"))
	defer o.Close()
	defer e.Close()
	code, err = attach.Run(attach.Options{Socket: sock, Args: args, Stdin: in, Stdout: o, Stderr: e, User: "tester", DB: "the database", HandshakeTimeout: patience})
	b, _ := os.ReadFile(o.Name())
	c, _ := os.ReadFile(e.Name())
	return code, string(b), string(c), err
}

// asNobody runs c (this test binary) as uid 65534, from a copy it may read.
func asNobody(t *testing.T, c *exec.Cmd) *exec.Cmd {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "client")
	if b, err := os.ReadFile(os.Args[0]); err != nil || os.WriteFile(bin, b, 0o755) != nil {
		t.Skip("cannot copy the test binary")
	}
	for p := filepath.Dir(bin); p != "/"; p = filepath.Dir(p) {
		if fi, err := os.Stat(p); err == nil && fi.Mode().Perm()&0o001 == 0 {
			os.Chmod(p, fi.Mode().Perm()|0o011)
		}
	}
	c.Path, c.Args[0] = bin, bin
	c.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	return c
}

// attachClient is this test binary as a caller in a process of its own.
func attachClient(t *testing.T, sock string, args ...string) *exec.Cmd {
	t.Helper()
	req, _ := json.Marshal(map[string]any{"Socket": sock, "Args": args})
	c := exec.Command(os.Args[0], "-test.run=^$")
	c.Env = append(os.Environ(), clientEnv+"="+string(req))
	return c
}

// echoLocal answers with the argv as it arrived, one argument a line, and
// who sent it.
func echoLocal(l *keys.LocalSession) int {
	fmt.Fprintf(l.Out, "user=%s uid=%d args=%d\n", l.User, l.UID, len(l.Args))
	for _, a := range l.Args {
		fmt.Fprintf(l.Out, "[%s]\n", a)
	}
	fmt.Fprintf(l.Err, "to stderr\n")
	return 7
}

// A command line arrives whole — never split again by a shell — with
// who sent it from the kernel, its exit code and both streams.
func TestLocalArgvWhole(t *testing.T) {
	t.Parallel()
	h := newHolder(t, 0, echoLocal)
	args := []string{"users", "add", "--first", "Jane Q", "--last", "O'Doe \"x\"", "", "a;b|c $(rm -rf /)", "ünï\tcode"}
	code, out, errOut, err := run(t, h.sock, "", args...)
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("user=%s uid=%d args=%d\n", localName(t), os.Geteuid(), len(args))
	for _, a := range args {
		want += "[" + a + "]\n"
	}
	if code != 7 || out != want || errOut != "to stderr\n" {
		t.Fatalf("exit %d\nstdout %q\nwant   %q\nstderr %q", code, out, want, errOut)
	}
	// too long for one request: fetched whole all the same
	long := make([]string, 20000)
	for i := range long {
		long[i] = fmt.Sprintf("user%05d@example.com", i)
	}
	code, out, _, err = run(t, h.sock, "", long...)
	if err != nil || code != 7 || !strings.Contains(out, fmt.Sprintf("args=%d\n", len(long))) || !strings.HasSuffix(out, "[user19999@example.com]\n") {
		t.Fatalf("a 460 KB command line: exit %d, %v, %.200q", code, err, out)
	}
}

func localName(t *testing.T) string {
	t.Helper()
	// what the holder finds for this uid, as the caller would
	c := exec.Command("id", "-un")
	b, err := c.Output()
	if err != nil {
		t.Skip("no id(1)")
	}
	return strings.TrimSpace(string(b))
}

// The caller's standard input is read on the caller's side only as the
// command reads it: a command that reads one line byte by byte leaves the
// rest for whatever runs next (a shell loop's input is not swallowed).
func TestLocalStdinPulledExactly(t *testing.T) {
	t.Parallel()
	h := newHolder(t, 0, func(l *keys.LocalSession) int {
		var line []byte
		b := make([]byte, 1)
		for {
			n, err := l.In.Read(b)
			if n == 1 && b[0] == '\n' || err != nil {
				break
			}
			line = append(line, b[:n]...)
		}
		fmt.Fprintf(l.Out, "read %q", line)
		return 0
	})
	dir := t.TempDir()
	in, _ := os.Create(filepath.Join(dir, "in"))
	in.WriteString("first line\nsecond line\n")
	in.Seek(0, io.SeekStart)
	o, _ := os.Create(filepath.Join(dir, "out"))
	code, err := attach.Run(attach.Options{Socket: h.sock, Args: []string{"x"}, Stdin: in, Stdout: o, Stderr: o, DB: "db"})
	if err != nil || code != 0 {
		t.Fatal(code, err)
	}
	rest, _ := io.ReadAll(in)
	got, _ := os.ReadFile(o.Name())
	if string(got) != `read "first line"` || string(rest) != "second line\n" {
		t.Fatalf("the command read %q; left %q for what runs next", got, rest)
	}
}

// Files are the caller's: read, written (new only, whole), looked at — on
// the caller's side, relative to its working directory.
func TestLocalCallerFiles(t *testing.T) {
	t.Parallel()
	h := newHolder(t, 0, func(l *keys.LocalSession) int {
		b, err := l.ReadFile(l.Args[0], 5)
		fmt.Fprintf(l.Out, "read %q %v\n", b, err)
		_, err = l.ReadFile(l.Args[0]+".missing", 0)
		fmt.Fprintf(l.Out, "missing: %v %v\n", err, errors.Is(err, os.ErrNotExist))
		path, n, err := l.WriteFile(l.Args[1], strings.NewReader("new contents"))
		fmt.Fprintf(l.Out, "wrote %s %d %v\n", path, n, err)
		_, _, err = l.WriteFile(l.Args[1], strings.NewReader("again"))
		fmt.Fprintf(l.Out, "again: %v\n", errors.Is(err, os.ErrExist))
		ok, err := l.Exists(l.Args[1])
		fmt.Fprintf(l.Out, "exists %v %v\n", ok, err)
		return 0
	})
	dir := t.TempDir()
	src, dst := filepath.Join(dir, "src.txt"), filepath.Join(dir, "dst.txt")
	os.WriteFile(src, []byte("0123456789"), 0o644)
	_, out, _, err := run(t, h.sock, "", src, dst)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`read "01234" <nil>`, "missing: open " + src + ".missing: no such file or directory true", "wrote " + dst + " 12 <nil>", "again: true", "exists true <nil>"} {
		if !strings.Contains(out, want) {
			t.Fatalf("want %q in:\n%s", want, out)
		}
	}
	b, _ := os.ReadFile(dst)
	fi, _ := os.Stat(dst)
	if string(b) != "new contents" || fi.Mode().Perm() != 0o600 {
		t.Fatalf("the written file: %q %v", b, fi.Mode())
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Fatalf("left behind beside the file: %v", entries)
	}
}

// A stale socket (its process killed) is no holder: the caller is told so
// at once, and the next holder takes the socket over. Anything else at the
// path is refused, left as it is, with a line that says what to do.
func TestLocalSocketPath(t *testing.T) {
	t.Parallel()
	if !attach.Supported() {
		t.Skip("no attach here")
	}
	dir := t.TempDir()
	sock := filepath.Join(dir, "g.db.sock")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	ln.(*net.UnixListener).SetUnlinkOnClose(false)
	ln.Close() // as after a kill -9: the file stays, nobody listens
	start := time.Now()
	if _, _, _, err := run(t, sock, "", "users", "list"); !errors.Is(err, attach.ErrNoHolder) {
		t.Fatalf("a stale socket: %v", err)
	}
	if d := time.Since(start); d > 20*time.Second { // a hang, not a slow machine
		t.Fatalf("a stale socket took %s to tell", d)
	}
	st, err := store.Open(filepath.Join(dir, "g.db"), store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	srv, err := keys.New(keys.Config{Store: st, Local: echoLocal, Logger: keys.NewLogger(io.Discard, log.Options{})})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.ListenLocal(sock); err != nil {
		t.Fatalf("taking a stale socket over: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx) }()
	if code, _, _, err := run(t, sock, "", "x"); err != nil || code != 7 {
		t.Fatalf("through the socket taken over: %d %v", code, err)
	}
	// a second holder of the same path finds it answering and refuses
	srv2, _ := keys.New(keys.Config{Store: st, Local: echoLocal, Logger: keys.NewLogger(io.Discard, log.Options{})})
	if err := srv2.ListenLocal(sock); err == nil || !strings.Contains(err.Error(), "answers: another gatehouse already serves this database") {
		t.Fatalf("a second holder: %v", err)
	}
	cancel()
	<-served
	if _, err := os.Lstat(sock); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the socket is left after its holder ended: %v", err)
	}

	for _, c := range []struct {
		name string
		make func(p string) error
		want string
	}{
		{"file", func(p string) error { return os.WriteFile(p, []byte("x"), 0o600) }, "is a regular file, not the socket of a gatehouse"},
		{"dir", func(p string) error { return os.Mkdir(p, 0o700) }, "is a folder, not the socket of a gatehouse"},
		{"symlink", func(p string) error { return os.Symlink(sock+".elsewhere", p) }, "is a symbolic link, not the socket of a gatehouse"},
		{"fifo", func(p string) error { return syscall.Mkfifo(p, 0o600) }, "is a named pipe, not the socket of a gatehouse"},
	} {
		p := filepath.Join(dir, c.name+".sock")
		if err := c.make(p); err != nil {
			t.Fatal(err)
		}
		_, _, _, err := run(t, p, "", "x")
		var lr *attach.Refusal
		if !errors.As(err, &lr) || !strings.Contains(lr.Msg, c.want) || !strings.Contains(lr.Msg, "remove it (rm "+p+")") || strings.Contains(lr.Msg, "\n") {
			t.Fatalf("%s: %v", c.name, err)
		}
		if err := srv2.ListenLocal(p); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Fatalf("%s: a holder took it over: %v", c.name, err)
		}
		if _, err := os.Lstat(p); err != nil {
			t.Fatalf("%s was removed: %v", c.name, err)
		}
	}
}

// A listener that accepts and never answers (a holder stopped with
// SIGSTOP) costs the caller a bounded wait and a line, never a hang.
func TestLocalHolderThatNeverAnswers(t *testing.T) {
	t.Parallel()
	if !attach.Supported() {
		t.Skip("no attach here")
	}
	sock := filepath.Join(t.TempDir(), "g.db.sock")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close() // held, never answered
		}
	}()
	start := time.Now()
	_, err = attach.Run(attach.Options{Socket: sock, Args: []string{"x"}, DB: "g.db", HandshakeTimeout: time.Second})
	var lr *attach.Refusal
	if !errors.As(err, &lr) || !strings.Contains(lr.Msg, "does not answer") {
		t.Fatalf("a silent holder: %v", err)
	}
	if d := time.Since(start); d > 20*time.Second { // its 1 s bound, on a busy machine
		t.Fatalf("a silent holder kept the caller %s", d)
	}
}

// A socket another user owns is never used: nothing is sent to it (it may
// be someone waiting for our commands in a folder others can write).
func TestLocalRefusesAnotherUsersSocket(t *testing.T) {
	t.Parallel()
	if os.Geteuid() != 0 || !attach.Supported() {
		t.Skip("needs root (to make a socket of another user)")
	}
	dir := t.TempDir()
	os.Chmod(dir, 0o777)
	sock := filepath.Join(dir, "g.db.sock")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	if err := os.Chown(sock, 65534, 65534); err != nil {
		t.Fatal(err)
	}
	accepted := make(chan struct{}, 1)
	go func() {
		if c, err := ln.Accept(); err == nil {
			accepted <- struct{}{}
			c.Close()
		}
	}()
	_, _, _, err = run(t, sock, "", "users", "set-password", "ada@example.com")
	var lr *attach.Refusal
	if !errors.As(err, &lr) || !strings.Contains(lr.Msg, "belongs to another user (uid 65534)") || !strings.Contains(lr.Msg, "nothing is sent to it") {
		t.Fatalf("another user's socket: %v", err)
	}
	select {
	case <-accepted:
		t.Fatal("the caller connected to another user's socket")
	case <-time.After(100 * time.Millisecond):
	}
}

// A process of another uid that reaches the socket (its mode opened up,
// say) is refused by the holder from the kernel's word, and logged.
func TestLocalRefusesAnotherUsersProcess(t *testing.T) {
	t.Parallel()
	if os.Geteuid() != 0 {
		t.Skip("needs root (to run a process as another user)")
	}
	ran := make(chan struct{}, 1)
	h := newHolder(t, 0, func(l *keys.LocalSession) int { ran <- struct{}{}; return 0 })
	// let uid 65534 reach it: the folder, the test binary, the socket
	for p := filepath.Dir(h.sock); p != "/"; p = filepath.Dir(p) {
		if fi, err := os.Stat(p); err == nil && fi.Mode().Perm()&0o001 == 0 {
			os.Chmod(p, fi.Mode().Perm()|0o011)
		}
	}
	os.Chmod(h.sock, 0o777)
	c := asNobody(t, attachClient(t, h.sock, "users", "list"))
	out, err := c.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 5 || !strings.Contains(string(out), "refused: the gatehouse holding this database") || !strings.Contains(string(out), "not uid 65534") {
		t.Fatalf("a process of uid 65534: %v\n%s", err, out)
	}
	select {
	case <-ran:
		t.Fatal("a command of another user ran")
	default:
	}
	for deadline := time.Now().Add(patience); !strings.Contains(h.logs.String(), "local connection refused"); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the refusal is not logged:\n%s", h.logs.String())
		}
	}
	if l := h.logs.String(); !strings.Contains(l, "uid=65534") {
		t.Fatalf("the log does not say who: %s", l)
	}
}

// A caller killed mid-command: its session ends, and a change set not yet
// written is not written at all (its actor's context has ended).
func TestLocalCallerKilledMidCommand(t *testing.T) {
	t.Parallel()
	started, ended := make(chan struct{}), make(chan error, 1)
	var held atomic.Pointer[store.Store] // set before any caller comes
	h := newHolder(t, 0, func(l *keys.LocalSession) int {
		close(started)
		<-l.Context().Done() // it goes away meanwhile
		actor := store.LocalActor(l.User).WithContext(l.Context())
		_, err := held.Load().Apply(actor, "clients add Late", func(tx *store.Tx) error {
			_, err := tx.AddClient("Late")
			return err
		})
		ended <- err
		return 0
	})
	held.Store(h.st)
	c := attachClient(t, h.sock, "clients", "add", "Late")
	c.Stdin = strings.NewReader("")
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	<-started
	c.Process.Kill()
	c.Wait()
	select {
	case err := <-ended:
		if store.KindOf(err) != store.KindRefused || !strings.Contains(err.Error(), "nothing was written") {
			t.Fatalf("the change set of a caller gone: %v", err)
		}
	case <-time.After(patience):
		t.Fatal("the session did not end when its caller was killed")
	}
	if got := h.st.Clients(); len(got) != 0 {
		t.Fatalf("written after its caller was killed: %v", got)
	}
	for deadline := time.Now().Add(patience); h.srv.LocalSessions() != 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the session is still open")
		}
	}
}

// Ctrl-C (SIGINT to the caller) reaches the holder's session, which ends
// what it does; the caller exits as interrupted (130).
func TestLocalInterrupt(t *testing.T) {
	t.Parallel()
	started := make(chan struct{})
	h := newHolder(t, 0, func(l *keys.LocalSession) int {
		close(started)
		select {
		case <-l.Context().Done():
			fmt.Fprintln(l.Out, "interrupted") // writes fail once interrupted
			if l.Interrupted() {
				return 1
			}
			return 9
		case <-time.After(patience):
			return 0
		}
	})
	c := attachClient(t, h.sock, "import", "-")
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	<-started
	c.Process.Signal(syscall.SIGINT)
	err := c.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 130 {
		t.Fatalf("an interrupted caller: %v", err)
	}
}

// The holder ending (stopped) while a command runs: the caller is told in
// one line and exits 1; one killed, the same from the connection's end.
func TestLocalHolderEndsUnderACommand(t *testing.T) {
	t.Parallel()
	started := make(chan struct{})
	h := newHolder(t, 0, func(l *keys.LocalSession) int {
		close(started)
		<-l.Context().Done()
		return 0
	})
	done := make(chan struct{})
	var code int
	var errOut string
	go func() {
		defer close(done)
		code, _, errOut, _ = run(t, h.sock, "", "import", "-")
	}()
	<-started
	h.stop()
	<-done
	lines := strings.Split(strings.TrimSpace(errOut), "\n")
	if code != 1 || len(lines) != 1 || !strings.Contains(lines[0], "the gatehouse process holding the database is stopping") {
		t.Fatalf("the holder stopping: exit %d, %q", code, errOut)
	}
}

// A holder started for others ends by itself once no client has come for
// Linger, and removes its socket; serve (no Linger) does not.
func TestLocalHolderLingers(t *testing.T) {
	t.Parallel()
	h := newHolder(t, 300*time.Millisecond, echoLocal)
	var wg sync.WaitGroup
	for i := 0; i < 3; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if code, _, _, err := run(t, h.sock, "", "x"); err != nil || code != 7 {
				t.Errorf("attached: %d %v", code, err)
			}
		}()
	}
	wg.Wait()
	select {
	case err := <-h.ended:
		h.ended <- err
	case <-time.After(patience):
		t.Fatal("the holder did not end after its last client")
	}
	if _, err := os.Lstat(h.sock); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("its socket is left: %v", err)
	}
	if _, _, _, err := run(t, h.sock, "", "x"); !errors.Is(err, attach.ErrNoHolder) {
		t.Fatalf("after the holder ended: %v", err)
	}
}

// A socket file of root's, or this user's, whose listener the kernel says
// is another uid is refused after connecting, before any byte is sent.
func TestLocalRefusesAnotherUsersListener(t *testing.T) {
	t.Parallel()
	if os.Geteuid() != 0 || !attach.Supported() {
		t.Skip("needs root (to listen as another user)")
	}
	dir := t.TempDir()
	os.Chmod(dir, 0o777)
	sock := filepath.Join(dir, "g.db.sock")
	l := exec.Command(os.Args[0], "-test.run=^$")
	l.Env = append(os.Environ(), listenEnv+"="+sock)
	l = asNobody(t, l)
	out, _ := l.StdoutPipe()
	if err := l.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { l.Process.Kill(); l.Wait() }()
	r := bufio.NewReader(out)
	if line, _ := r.ReadString('\n'); line != "up\n" {
		t.Fatalf("the listener: %q", line)
	}
	if err := os.Chown(sock, 0, 0); err != nil { // the file is root's, the listener is not
		t.Fatal(err)
	}
	_, _, _, err := run(t, sock, "", "users", "list")
	var lr *attach.Refusal
	if !errors.As(err, &lr) || !strings.Contains(lr.Msg, "is served by a process of another user (uid 65534") || !strings.Contains(lr.Msg, "nothing was sent to it") {
		t.Fatalf("another user's listener: %v", err)
	}
	if line, _ := r.ReadString('\n'); line != "got 0\n" {
		t.Fatalf("the listener of another uid was sent: %q", line)
	}
}

// A request that is not gatehouse's own, or of another protocol version,
// is refused in one line; nothing runs.
func TestLocalRequestsNotOurs(t *testing.T) {
	t.Parallel()
	ran := make(chan struct{}, 4)
	h := newHolder(t, 0, func(l *keys.LocalSession) int { ran <- struct{}{}; return 0 })
	client := rawLocalClient(t, h.sock)
	defer client.Close()
	for _, tc := range []struct {
		cmd  string
		code int
		want string
	}{
		{"users list", 2, "this socket runs gatehouse command lines sent by gatehouse itself"},
		{`{"protocol":99,"args":["users","list"]}`, 1, "is another version, which cannot run this one's commands"},
	} {
		sess, err := client.NewSession()
		if err != nil {
			t.Fatal(err)
		}
		var errb strings.Builder
		sess.Stderr = &errb
		err = sess.Run(tc.cmd)
		var ee *gossh.ExitError
		if !errors.As(err, &ee) || ee.ExitStatus() != tc.code || !strings.Contains(errb.String(), tc.want) || strings.Count(errb.String(), "\n") != 1 {
			t.Fatalf("%s: %v %q", tc.cmd, err, errb.String())
		}
	}
	select {
	case <-ran:
		t.Fatal("a request not ours ran")
	default:
	}
}

// A holder refuses a caller of another build in one line that says how to
// end it (its consoles, or serve: Linger 0), and runs nothing of it; the
// same build, and a caller that names none (another program using keys),
// run. After an upgrade a new command line never runs in the old code.
func TestLocalCallerOfAnotherBuildIsRefused(t *testing.T) {
	t.Parallel()
	for _, linger := range []time.Duration{0, time.Minute} {
		ran := make(chan struct{}, 8)
		h := newHolderOfBuild(t, linger, func(l *keys.LocalSession) int { ran <- struct{}{}; return 0 }, "build-a")
		client := rawLocalClient(t, h.sock)
		stop := "quit its consoles"
		if linger == 0 {
			stop = "restart gatehouse serve"
		}
		for _, tc := range []struct {
			build string
			runs  bool
		}{{"build-b", false}, {"build-a", true}, {"", true}} {
			sess, err := client.NewSession()
			if err != nil {
				t.Fatal(err)
			}
			var errb strings.Builder
			sess.Stderr = &errb
			req := fmt.Sprintf(`{"protocol":%d,"args":["users","list"],"tty":[false,false,false]`, attach.Protocol)
			if tc.build != "" {
				req += fmt.Sprintf(`,"build_id":%q`, tc.build)
			}
			err = sess.Run(req + "}")
			var ee *gossh.ExitError
			switch {
			case tc.runs && err != nil:
				t.Fatalf("linger %s, build %q: %v %q", linger, tc.build, err, errb.String())
			case tc.runs:
				<-ran
			case !errors.As(err, &ee) || ee.ExitStatus() != 1 || !strings.Contains(errb.String(), "is another build of gatehouse than this one; "+stop) || strings.Count(errb.String(), "\n") != 1:
				t.Fatalf("linger %s, build %q: %v %q", linger, tc.build, err, errb.String())
			}
		}
		client.Close()
		select {
		case <-ran:
			t.Fatal("a caller of another build ran")
		default:
		}
	}
}

// The build ID read from an executable is the one `go tool buildid` prints,
// and the running one's is this test binary's.
func TestBuildIDIsTheLinkersOwn(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("go", "tool", "buildid", exe).Output()
	if err != nil {
		t.Skipf("go tool buildid: %v", err)
	}
	want := strings.TrimSpace(string(out))
	if got := attach.ReadBuildID(exe); got != want || attach.BuildID() != want {
		t.Fatalf("ReadBuildID %q, BuildID %q, go tool buildid %q", got, attach.BuildID(), want)
	}
	if got := attach.ReadBuildID("/bin/sh"); got != "" { // an executable not written by Go's linker
		t.Fatalf("/bin/sh has Go build ID %q", got)
	}
	if got := attach.ReadBuildID(filepath.Join(t.TempDir(), "none")); got != "" {
		t.Fatalf("a missing file has build ID %q", got)
	}
}

// rawLocalClient is an SSH client on a holder's socket that sends requests
// as written, not as attach.Run would.
func rawLocalClient(t *testing.T, sock string) *gossh.Client {
	t.Helper()
	c, err := net.Dial("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	sc, chans, reqs, err := gossh.NewClientConn(c, "gatehouse", &gossh.ClientConfig{User: "x", HostKeyCallback: gossh.InsecureIgnoreHostKey()})
	if err != nil {
		t.Fatal(err)
	}
	return gossh.NewClient(sc, chans, reqs)
}
