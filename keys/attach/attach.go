package attach

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	gossh "golang.org/x/crypto/ssh"
	"golang.org/x/term"
)

// The caller's half of attaching: a gatehouse process that needs a database
// another one holds sends it its command line over the local socket and
// runs it there as if here — the same output, exit code and standard
// input, its own files and terminal.

// Options is one command line to run in the holder of a database.
type Options struct {
	Socket string   // Socket of the database
	Args   []string // the command line, whole (never split again)
	// Console attaches this terminal: raw mode, its size and its changes,
	// restored on every way out
	Console bool
	// the caller's standard streams (default: this process's)
	Stdin, Stdout, Stderr *os.File
	User                  string // the caller's OS user name, as it sees it
	// BuildID is the caller's Go build ID (BuildID()): a holder of another
	// build refuses it ("": not compared)
	BuildID string
	// DB names the database in what the caller is told
	DB string
	// HandshakeTimeout bounds the wait for the holder to answer (default 10s)
	HandshakeTimeout time.Duration
	// FirstOutput, when set, is called once the first output has come
	FirstOutput func()
}

// Run runs o.Args in the process holding the database for others and
// returns the exit code it ended with. ErrNoHolder: nobody holds it for
// others (no socket, or a stale one); a *Refusal: something at the
// socket that must not be used, or a holder that refused — one line that
// says what to do. Once the command line has started, what goes wrong is
// said on o.Stderr and is in the exit code (1: the holder ended under it).
func Run(o Options) (int, error) {
	if o.Stdin == nil {
		o.Stdin = os.Stdin
	}
	if o.Stdout == nil {
		o.Stdout = os.Stdout
	}
	if o.Stderr == nil {
		o.Stderr = os.Stderr
	}
	if o.HandshakeTimeout <= 0 {
		o.HandshakeTimeout = 10 * time.Second
	}
	c, err := dialLocal(o.Socket, 2*time.Second)
	if err != nil {
		return 0, err
	}
	defer c.Close()
	_, pid, _ := PeerCred(c)
	client, err := handshakeLocal(c, o, pid)
	if err != nil {
		return 0, err
	}
	defer client.Close()
	a := &attached{o: o, pid: pid}
	go a.serveCaller(client.HandleChannelOpen(CallerChannel))
	return a.run(client)
}

// handshakeLocal speaks SSH over the connection: no key and no password
// (the holder knows who we are from the kernel, and we know it from the
// kernel too: dialLocal checked its uid, so its host key, made for that
// process, needs no checking).
func handshakeLocal(c *net.UnixConn, o Options, pid int) (*gossh.Client, error) {
	_ = c.SetDeadline(time.Now().Add(o.HandshakeTimeout))
	conn, err := withPreamble(c)
	if err != nil {
		return nil, handshakeError(err, o, pid)
	}
	cfg := &gossh.ClientConfig{
		User:            o.User,
		HostKeyCallback: func(string, net.Addr, gossh.PublicKey) error { return nil },
		Config: gossh.Config{
			KeyExchanges: []string{gossh.KeyExchangeCurve25519},
			Ciphers:      []string{gossh.CipherChaCha20Poly1305},
		},
	}
	sc, chans, reqs, err := gossh.NewClientConn(conn, "gatehouse", cfg)
	if err != nil {
		return nil, handshakeError(err, o, pid)
	}
	_ = c.SetDeadline(time.Time{})
	return gossh.NewClient(sc, chans, reqs), nil
}

func handshakeError(err error, o Options, pid int) error {
	var lr *Refusal
	var ne net.Error
	switch {
	case errors.As(err, &lr):
		return err
	case errors.As(err, &ne) && ne.Timeout():
		return localRefusal("the gatehouse process holding %s (pid %d) does not answer on %s (stopped? kill -CONT %d); nothing was sent to it", o.DB, pid, o.Socket, pid)
	}
	// it closed as we came: it is ending; the caller tries again
	return ErrNoHolder
}

// withPreamble reads what the holder says before its SSH version: a line
// "gatehouse: …" is its refusal.
func withPreamble(c net.Conn) (net.Conn, error) {
	r := bufio.NewReader(c)
	for i := 0; i < 8; i++ {
		line, err := r.ReadString('\n')
		if strings.HasPrefix(line, "SSH-") {
			return &preambleConn{Conn: c, r: io.MultiReader(strings.NewReader(line), r)}, nil
		}
		if msg, ok := strings.CutPrefix(strings.TrimRight(line, "\r\n"), "gatehouse: "); ok {
			return nil, &Refusal{Msg: msg}
		}
		if err != nil {
			return nil, err
		}
	}
	return nil, errors.New("not an SSH server")
}

type preambleConn struct {
	net.Conn
	r io.Reader
}

func (p *preambleConn) Read(b []byte) (int, error) { return p.r.Read(b) }

// attached is one command line running in the holder.
type attached struct {
	o   Options
	pid int

	mu sync.Mutex // the caller's terminal: one secret read at a time
}

func (a *attached) request() []byte {
	req := Request{Protocol: Protocol, Args: a.o.Args, User: a.o.User, BuildID: a.o.BuildID}
	if req.Args == nil {
		req.Args = []string{}
	}
	for _, k := range CallerEnv {
		if v, ok := os.LookupEnv(k); ok {
			req.Env = append(req.Env, k+"="+v)
		}
	}
	for i, f := range []*os.File{a.o.Stdin, a.o.Stdout, a.o.Stderr} {
		req.TTY[i] = term.IsTerminal(int(f.Fd()))
	}
	b := req.marshal()
	if len(b) > MaxCommandLine/2 {
		// too long for one request: the holder asks for it (OpArgs)
		req.Args, req.ArgsFollow = nil, true
		b = req.marshal()
	}
	return b
}

func (a *attached) run(client *gossh.Client) (int, error) {
	req := a.request()
	sess, err := client.NewSession()
	if err != nil {
		return 0, ErrNoHolder // it is ending
	}
	defer sess.Close()
	sess.Stdout, sess.Stderr = a.o.Stdout, a.o.Stderr
	if a.o.FirstOutput != nil {
		sess.Stdout = &firstWrite{w: a.o.Stdout, first: a.o.FirstOutput}
	}

	restore := func() {}
	// a console's standard error is held until its output is all out:
	// the two are copied apart, and a last line written before the frame
	// that leaves the alternate screen would be wiped with that screen
	held := &heldOutput{}
	flushHeld := func() {}
	drew := &drawnOutput{w: sess.Stdout}
	if a.o.Console {
		sess.Stdout, sess.Stderr = drew, held
		flushHeld = func() { held.writeTo(a.o.Stderr) }
	}
	if a.o.Console {
		in, closeIn, err := consoleInputFile(a.o.Stdin)
		if err != nil {
			return 0, localRefusal("the console needs a terminal: %v", err)
		}
		defer closeIn()
		fd, out := int(in.Fd()), int(a.o.Stdout.Fd())
		w, h, err := term.GetSize(out)
		if err != nil {
			w, h = 80, 24
		}
		name := os.Getenv("TERM")
		if name == "" {
			name = "xterm-256color"
		}
		if err := sess.RequestPty(name, h, w, gossh.TerminalModes{}); err != nil {
			return 0, localRefusal("the gatehouse holding %s refused this terminal (TERM=%s): %v", a.o.DB, name, err)
		}
		state, err := term.MakeRaw(fd)
		if err != nil {
			return 0, localRefusal("cannot put the terminal in raw mode: %v", err)
		}
		var once sync.Once
		restore = func() { once.Do(func() { _ = term.Restore(fd, state) }) }
		defer restore()
		winch := make(chan os.Signal, 1)
		notifyResize(winch)
		defer signal.Stop(winch)
		go func() {
			for range winch {
				if w, h, err := term.GetSize(out); err == nil {
					_ = sess.WindowChange(h, w)
				}
			}
		}()
		sess.Stdin = in
	}

	// a signal to this process goes to the holder's session, which ends
	// what it does; a second one, or no end within 10 s, and we leave
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT)
	defer signal.Stop(sigs)
	if err := sess.Start(string(req)); err != nil {
		return 0, ErrNoHolder
	}
	waited := make(chan error, 1)
	go func() { waited <- sess.Wait() }()
	var got os.Signal
	var giveUp <-chan time.Time
	for {
		select {
		case err := <-waited:
			restore()
			if a.o.Console && err != nil && drew.any.Load() {
				// ended by the holder (its program stopped, or killed
				// when it would not): whatever it left set up is undone
				// before its last line is shown
				fmt.Fprint(a.o.Stdout, TerminalReset)
			}
			flushHeld()
			code := a.exitCode(err, restore)
			if got != nil && code != 0 {
				code = 128 + signum(got)
			}
			return code, nil
		case sig := <-sigs:
			if got != nil {
				restore()
				flushHeld()
				return 128 + signum(sig), nil
			}
			got = sig
			_ = sess.Signal(sshSignal(sig))
			giveUp = time.After(10 * time.Second)
		case <-giveUp:
			restore()
			flushHeld()
			return 128 + signum(got), nil
		}
	}
}

// heldOutput keeps what is written to it (the first 64 KiB: a console's
// standard error is a few lines) until writeTo.
type heldOutput struct {
	mu  sync.Mutex
	buf []byte
}

const maxHeldOutput = 64 << 10

func (h *heldOutput) Write(b []byte) (int, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if room := maxHeldOutput - len(h.buf); room > 0 {
		h.buf = append(h.buf, b[:min(len(b), room)]...)
	}
	return len(b), nil
}

// writeTo writes what is held to w, once.
func (h *heldOutput) writeTo(w io.Writer) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.buf) > 0 {
		_, _ = w.Write(h.buf)
		h.buf = nil
	}
}

// drawnOutput says whether anything was written through it: a console
// that drew has set the terminal up (the alternate screen, modes).
type drawnOutput struct {
	w   io.Writer
	any atomic.Bool
}

func (d *drawnOutput) Write(b []byte) (int, error) {
	d.any.Store(true)
	return d.w.Write(b)
}

// firstWrite tells once when the first bytes have been written.
type firstWrite struct {
	w     io.Writer
	first func()
	once  sync.Once
}

func (f *firstWrite) Write(b []byte) (int, error) {
	n, err := f.w.Write(b)
	f.once.Do(f.first)
	return n, err
}

// exitCode is the session's exit status; a session that ended without one
// is a holder that ended under it: the terminal is restored and the caller
// told so.
func (a *attached) exitCode(err error, restore func()) int {
	var ee *gossh.ExitError
	var missing *gossh.ExitMissingError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee):
		if ee.Signal() != "" && ee.ExitStatus() == 0 {
			return 1
		}
		return ee.ExitStatus()
	case !errors.As(err, &missing) && !errors.Is(err, io.EOF):
		// this side failed: its output could not be written
		restore()
		fmt.Fprintf(a.o.Stderr, "gatehouse: %v\n", err)
		return 1
	}
	restore()
	if a.o.Console {
		// what the console had set up in the terminal, undone: the
		// alternate screen, mouse and keyboard modes, a hidden cursor
		fmt.Fprint(a.o.Stdout, TerminalReset)
		fmt.Fprintf(a.o.Stderr, "gatehouse: the gatehouse process holding %s (pid %d) ended while this console was open; nothing is half-written (a change set is whole or not at all): start gatehouse again\n", a.o.DB, a.pid)
		return 1
	}
	fmt.Fprintf(a.o.Stderr, "gatehouse: the gatehouse process holding %s (pid %d) ended while this command ran; its change set is written whole or not at all: see whether it was (gatehouse audit log), then run it again if not\n", a.o.DB, a.pid)
	return 1
}

// TerminalReset undoes what a console sets up in a terminal, for a console
// whose holder ended without undoing it itself.
const TerminalReset = "\x1b[?1049l\x1b[?1000l\x1b[?1002l\x1b[?1003l\x1b[?1006l\x1b[?1004l\x1b[?2004l\x1b[<u\x1b[>4;0m\x1b[?25h\x1b[0m\r\n"

// consoleInputFile is where the console reads keys: standard input if it
// is a terminal, else the controlling terminal (as the console at the
// machine does).
func consoleInputFile(stdin *os.File) (*os.File, func(), error) {
	if term.IsTerminal(int(stdin.Fd())) {
		return stdin, func() {}, nil
	}
	tty, err := os.Open("/dev/tty")
	if err != nil {
		return nil, nil, err
	}
	return tty, func() { tty.Close() }, nil
}

func signum(s os.Signal) int {
	if n, ok := s.(syscall.Signal); ok {
		return int(n)
	}
	return 1
}

func sshSignal(s os.Signal) gossh.Signal {
	switch s {
	case syscall.SIGINT:
		return gossh.SIGINT
	case syscall.SIGHUP:
		return gossh.SIGHUP
	case syscall.SIGQUIT:
		return gossh.SIGQUIT
	}
	return gossh.SIGTERM
}

// ---- the caller's side of the holder's operations

func (a *attached) serveCaller(ops <-chan gossh.NewChannel) {
	for nc := range ops {
		var op CallerOp
		if err := json.Unmarshal(nc.ExtraData(), &op); err != nil {
			_ = nc.Reject(gossh.UnknownChannelType, "not an operation")
			continue
		}
		ch, reqs, err := nc.Accept()
		if err != nil {
			continue
		}
		go gossh.DiscardRequests(reqs)
		go func() {
			defer ch.Close()
			a.serveOp(ch, op)
		}()
	}
}

func (a *attached) serveOp(ch gossh.Channel, op CallerOp) {
	switch op.Op {
	case OpRead:
		a.opRead(ch, op.Name)
	case OpWrite:
		a.opWrite(ch, op.Name)
	case OpStat:
		_, err := os.Stat(op.Name)
		b, _ := json.Marshal(StatResult{Exists: err == nil})
		_ = WriteFrame(ch, FrameEnd, b)
	case OpSecret:
		line, err := a.readSecret(op.Prompt)
		if err != nil {
			_ = WriteFrame(ch, FrameErr, EncodeCallerError(err))
			return
		}
		_ = WriteFrame(ch, FrameEnd, []byte(line))
	case OpStdin:
		a.opStdin(ch)
	case OpArgs:
		b, _ := json.Marshal(a.o.Args)
		for len(b) > 0 {
			n := min(len(b), MaxFrame)
			if WriteFrame(ch, FrameData, b[:n]) != nil {
				return
			}
			b = b[n:]
		}
		_ = WriteFrame(ch, FrameEnd, nil)
	default:
		_ = WriteFrame(ch, FrameErr, EncodeCallerError(fmt.Errorf("unknown operation %q", op.Op)))
	}
}

// OpRead sends a file of the caller's, read with the caller's rights from
// its working directory.
func (a *attached) opRead(ch gossh.Channel, name string) {
	f, err := os.Open(name)
	if err != nil {
		_ = WriteFrame(ch, FrameErr, EncodeCallerError(err))
		return
	}
	defer f.Close()
	buf := make([]byte, MaxFrame)
	for {
		n, err := f.Read(buf)
		if n > 0 {
			if werr := WriteFrame(ch, FrameData, buf[:n]); werr != nil {
				return // the holder has what it wanted, or has gone
			}
		}
		if err == io.EOF {
			_ = WriteFrame(ch, FrameEnd, nil)
			return
		}
		if err != nil {
			_ = WriteFrame(ch, FrameErr, EncodeCallerError(&fs.PathError{Op: "read", Path: name, Err: unwrapPathErr(err)}))
			return
		}
	}
}

// OpWrite writes a new file of the caller's: beside its name first, then
// linked into place, which fails if the name exists — never overwritten,
// never half there.
func (a *attached) opWrite(ch gossh.Channel, name string) {
	fail := func(err error) { _ = WriteFrame(ch, FrameErr, EncodeCallerError(err)) }
	if _, err := os.Lstat(name); err == nil {
		fail(&fs.PathError{Op: "open", Path: name, Err: syscall.EEXIST})
		return
	}
	tmp, err := os.CreateTemp(filepath.Dir(name), ".gatehouse-new-*")
	if err != nil {
		fail(err)
		return
	}
	done := false
	defer func() {
		if !done {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	var size int64
	for {
		kind, p, err := ReadFrame(ch)
		if err != nil {
			return // the holder went away: nothing is left behind
		}
		if kind == FrameErr {
			return
		}
		if kind == FrameEnd {
			break
		}
		n, err := tmp.Write(p)
		size += int64(n)
		if err != nil {
			fail(err)
			return
		}
	}
	if err := tmp.Sync(); err != nil {
		fail(err)
		return
	}
	if err := tmp.Close(); err != nil {
		fail(err)
		return
	}
	if err := os.Link(tmp.Name(), name); err != nil {
		if errors.Is(err, fs.ErrExist) {
			fail(&fs.PathError{Op: "open", Path: name, Err: syscall.EEXIST})
			return
		}
		// a file system without hard links: renamed, after one more look
		if _, lerr := os.Lstat(name); lerr == nil {
			fail(&fs.PathError{Op: "open", Path: name, Err: syscall.EEXIST})
			return
		}
		if err := os.Rename(tmp.Name(), name); err != nil {
			fail(err)
			return
		}
	} else {
		os.Remove(tmp.Name())
	}
	done = true
	abs, err := filepath.Abs(name)
	if err != nil {
		abs = name
	}
	b, _ := json.Marshal(WriteResult{Path: abs, Size: size})
	_ = WriteFrame(ch, FrameEnd, b)
}

// readSecret asks the caller's terminal for a line without echo.
func (a *attached) readSecret(prompt string) (string, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	fd := int(a.o.Stdin.Fd())
	if !term.IsTerminal(fd) {
		return "", errors.New("standard input is not a terminal")
	}
	fmt.Fprint(a.o.Stderr, prompt)
	b, err := term.ReadPassword(fd)
	fmt.Fprintln(a.o.Stderr)
	return string(b), err
}

// OpStdin answers reads of standard input, one read of the caller's for
// each read of the holder's, no bigger than it asked: what the command does
// not read stays for whatever runs next.
func (a *attached) opStdin(ch gossh.Channel) {
	buf := make([]byte, MaxFrame)
	for {
		kind, p, err := ReadFrame(ch)
		if err != nil || kind != FrameRead || len(p) != 4 {
			return
		}
		want := min(int(binary.BigEndian.Uint32(p)), len(buf))
		if want <= 0 {
			want = 1
		}
		n, rerr := a.o.Stdin.Read(buf[:want])
		switch {
		case n > 0:
			if WriteFrame(ch, FrameData, buf[:n]) != nil {
				return
			}
		case rerr == io.EOF || rerr == nil:
			_ = WriteFrame(ch, FrameEnd, nil)
			return
		default:
			_ = WriteFrame(ch, FrameErr, EncodeCallerError(rerr))
			return
		}
	}
}
