//go:build unix

package cmd

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/term"

	"github.com/gatehouse/gatehouse/keys"
	"github.com/gatehouse/gatehouse/keys/attach"
	"github.com/gatehouse/gatehouse/store"
)

// The first console's terminal, handed to the holder it starts. A console
// that finds nobody holding its database starts a holder (startHolder);
// rather than attach to it over the socket and relay its terminal through
// SSH, it hands the holder its standard streams as the holder starts, and
// the holder draws that console straight on them, in its own process,
// while it serves everyone else over the socket. This process then only
// waits: it tells the holder when the terminal's size changes (the holder
// is in a session of its own: no SIGWINCH reaches it) and when it is
// signalled, and exits with the code the holder reports. The two talk over
// a socket pair: should this process die, the holder reads EOF and ends
// that console at once (its terminal restored, so it never takes the
// shell's input); should the holder die, this process reads EOF, restores
// the terminal itself and says so.
//
// On the pair, this process writes its request (a JSON line), then
// "winch" and "signal N" lines; the holder writes "exit CODE [REASON]"
// once the console has ended and the terminal is restored.

// handoverEnv names the holder's descriptor of the pair; the standard
// streams follow it (in, out, err).
const handoverEnv = "GATEHOUSE_HOLD_CONSOLE"

// handoverRequest is what the holder needs of the console's process
// besides its streams: the command line (--as) and its working directory
// (an access review is written there).
type handoverRequest struct {
	Args []string `json:"args"`
	Dir  string   `json:"dir"`
}

// handover is the console's side.
type handover struct {
	in, out, errOut *os.File
	ctl             *os.File // this side of the pair
	peer            *os.File // the holder's side, closed here once it has started
	saved           *term.State
}

// newHandover prepares this process's terminal for the holder, or returns
// nil when its standard input or output is no terminal (the console is
// then attached as before) or the pair cannot be made.
func newHandover(at *Attach, args []string) *handover {
	in, out := int(at.Stdin.Fd()), int(at.Stdout.Fd())
	if !term.IsTerminal(in) || !term.IsTerminal(out) {
		return nil
	}
	saved, err := term.GetState(in)
	if err != nil {
		return nil
	}
	dir, err := os.Getwd()
	if err != nil {
		return nil
	}
	// close-on-exec set under the fork lock, as os does where
	// SOCK_CLOEXEC is missing (macOS): no other child inherits the pair
	syscall.ForkLock.RLock()
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM, 0)
	if err == nil {
		syscall.CloseOnExec(fds[0])
		syscall.CloseOnExec(fds[1])
	}
	syscall.ForkLock.RUnlock()
	if err != nil {
		return nil
	}
	h := &handover{in: at.Stdin, out: at.Stdout, errOut: at.Stderr, saved: saved,
		ctl: os.NewFile(uintptr(fds[0]), "console handover"), peer: os.NewFile(uintptr(fds[1]), "console handover")}
	req, _ := json.Marshal(handoverRequest{Args: append([]string{}, args...), Dir: dir})
	// the pair's buffer holds it until the holder reads it
	if _, err := h.ctl.Write(append(req, '\n')); err != nil {
		h.close()
		return nil
	}
	return h
}

// files are the holder's descriptors 4 to 7: the pair, then the streams.
func (h *handover) files() []*os.File { return []*os.File{h.peer, h.in, h.out, h.errOut} }

// started closes this process's copy of the holder's side: its end is then
// the holder's alone, and EOF here means the holder has gone.
func (h *handover) started() {
	h.peer.Close()
}

func (h *handover) close() {
	h.ctl.Close()
	h.peer.Close()
}

// wait waits for the console the holder (pid) runs on this terminal, and
// returns its exit code.
func (h *handover) wait(db string, pid int) int {
	defer h.ctl.Close()
	restore := func() { _ = term.Restore(int(h.in.Fd()), h.saved) }
	lines := make(chan string, 1)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(h.ctl)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	var mu sync.Mutex // one line at a time on the pair
	tell := func(line string) {
		mu.Lock()
		defer mu.Unlock()
		_, _ = h.ctl.Write([]byte(line + "\n"))
	}
	winch := make(chan os.Signal, 1)
	signal.Notify(winch, syscall.SIGWINCH)
	defer signal.Stop(winch)
	// a signal to this process ends the console (the holder restores the
	// terminal and reports); a second one, or no end within 10 s, and we
	// leave, as an attached console does
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT)
	defer signal.Stop(sigs)
	var got os.Signal
	var giveUp <-chan time.Time
	for {
		select {
		case l, ok := <-lines:
			restore()
			if !ok {
				// the holder ended without a word (killed, crashed): what
				// the console had set up in the terminal is undone here
				fmt.Fprint(h.out, attach.TerminalReset)
				fmt.Fprintf(terminalSafe(h.errOut), "gatehouse: the gatehouse process holding %s (pid %d) ended while this console was open; nothing is half-written (a change set is whole or not at all): start gatehouse again\n", db, pid)
				return 1
			}
			code, reason := parseHandoverExit(l)
			if reason != "" {
				// on a line of its own, below the console's last, as an
				// attached console is told
				fmt.Fprintf(terminalSafe(h.errOut), "\ngatehouse: %s\n", reason)
			}
			if got != nil && code != 0 {
				code = 128 + signalNumber(got)
			}
			return code
		case <-winch:
			tell("winch")
		case sig := <-sigs:
			if got != nil {
				restore()
				return 128 + signalNumber(sig)
			}
			got = sig
			tell("signal " + strconv.Itoa(signalNumber(sig)))
			giveUp = time.After(10 * time.Second)
		case <-giveUp:
			restore()
			return 128 + signalNumber(got)
		}
	}
}

// parseHandoverExit reads the holder's "exit CODE [REASON]"; anything else
// is an end the holder could not say (1).
func parseHandoverExit(l string) (code int, reason string) {
	rest, ok := strings.CutPrefix(l, "exit ")
	if !ok {
		return 1, ""
	}
	n, reason, _ := strings.Cut(rest, " ")
	code, err := strconv.Atoi(n)
	if err != nil {
		return 1, reason
	}
	return code, reason
}

func signalNumber(s os.Signal) int {
	if n, ok := s.(syscall.Signal); ok {
		return int(n)
	}
	return 1
}

// ---- the holder's side

// handedConsole is the holder's side: the console's streams and the pair.
type handedConsole struct {
	ctl             *os.File
	in, out, errOut *os.File

	ctx     context.Context // ends with the console
	cancel  context.CancelFunc
	end     chan struct{} // closed to end the console
	once    sync.Once
	mu      sync.Mutex
	reason  string // why the holder ended it ("": it was not)
	release func() // of Server.Hold
}

// adoptHandover takes the descriptors the console that started this
// holder handed it, or returns nil if it handed none.
func adoptHandover() *handedConsole {
	v := os.Getenv(handoverEnv)
	if v == "" {
		return nil
	}
	os.Unsetenv(handoverEnv)
	first, err := strconv.Atoi(v)
	if err != nil || first < 3 {
		return nil
	}
	fds := make([]*os.File, 4)
	for i := range fds {
		fd := first + i
		// whatever this process starts (tmux info, for the colours) gets
		// none of them
		syscall.CloseOnExec(fd)
		fds[i] = os.NewFile(uintptr(fd), "handed console")
	}
	h := &handedConsole{ctl: fds[0], in: fds[1], out: fds[2], errOut: fds[3], end: make(chan struct{}), release: func() {}}
	h.ctx, h.cancel = context.WithCancel(context.Background())
	return h
}

// quit ends the console; reason, if any, is the holder's (it is stopping).
func (h *handedConsole) quit(reason string) {
	h.once.Do(func() {
		h.mu.Lock()
		h.reason = reason
		h.mu.Unlock()
		h.cancel()
		close(h.end)
	})
}

// hold makes the console one of srv's clients: the holder does not end
// before it has, and ends it (saying why) when it stops.
func (h *handedConsole) hold(srv *keys.Server) {
	h.release = srv.Hold(h.quit)
}

// terminal is the console's terminal (its output).
func (h *handedConsole) terminal() *os.File { return h.out }

// close lets go of the console's terminal and the pair.
func (h *handedConsole) close() {
	h.cancel()
	for _, f := range []*os.File{h.ctl, h.in, h.out, h.errOut} {
		f.Close()
	}
	h.release()
}

// run runs the handed console's command line (the console, --as as at the
// machine) on its terminal, against the database this holder holds, until
// it quits, its process goes, or the holder stops; then it tells that
// process how it ended and lets go of its terminal.
func (h *handedConsole) run(st *store.Store, base Env) {
	defer h.close()
	r := bufio.NewReader(h.ctl)
	line, err := r.ReadBytes('\n')
	var req handoverRequest
	if err != nil || json.Unmarshal(line, &req) != nil {
		return // its process went before it said what to run
	}
	resized := make(chan struct{}, 1)
	go func() {
		// its process's lines until it goes: EOF (killed, or the terminal
		// closed under it) ends the console at once
		for {
			l, err := r.ReadString('\n')
			switch l = strings.TrimSpace(l); {
			case l == "winch":
				select {
				case resized <- struct{}{}:
				default:
				}
			case strings.HasPrefix(l, "signal "):
				h.quit("")
			}
			if err != nil {
				h.quit("")
				return
			}
		}
	}()
	caller := &handedCaller{h: h, dir: req.Dir, ctx: h.ctx}
	env := Env{
		In: h.in, Out: h.out, Err: h.errOut,
		Store: st, Caller: caller, LocalUser: osUser(),
		RemoteConsole: base.RemoteConsole, HeldConsole: base.HeldConsole,
	}
	if base.HandedConsole != nil {
		env.Console = func(s *store.Store, actor store.Actor) error {
			return base.HandedConsole(s, actor, HandedTerminal{In: h.in, Out: h.out, Files: caller, Resized: resized, End: h.end})
		}
	}
	code := Run(env, req.Args)
	h.mu.Lock()
	reason := h.reason
	h.mu.Unlock()
	report := "exit " + strconv.Itoa(code)
	if reason != "" {
		report = "exit 1 " + reason
	}
	_, _ = h.ctl.Write([]byte(report + "\n"))
}

// handedCaller is the handed console's process as the caller: its files
// (relative names in its working directory), its terminal, and this
// process's environment, which is that process's (it started this one).
type handedCaller struct {
	h   *handedConsole
	dir string
	ctx context.Context
}

func (c *handedCaller) path(name string) string {
	if filepath.IsAbs(name) || c.dir == "" {
		return name
	}
	return filepath.Join(c.dir, name)
}

func (c *handedCaller) ReadFile(name string, max int64) ([]byte, error) {
	f, err := os.Open(c.path(name))
	if err != nil {
		return nil, relativeError(err, name)
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, max))
}

func (c *handedCaller) WriteFile(name string, r io.Reader) (string, int64, error) {
	abs, n, err := osCaller{}.WriteFile(c.path(name), r)
	return abs, n, relativeError(err, name)
}

func (c *handedCaller) Exists(name string) (bool, error) {
	_, err := os.Stat(c.path(name))
	return err == nil, nil
}

func (c *handedCaller) IsTerminal(fd int) bool {
	switch fd {
	case 0:
		return term.IsTerminal(int(c.h.in.Fd()))
	case 1:
		return term.IsTerminal(int(c.h.out.Fd()))
	case 2:
		return term.IsTerminal(int(c.h.errOut.Fd()))
	}
	return false
}

func (c *handedCaller) ReadSecret(prompt string) (string, error) {
	fmt.Fprint(c.h.errOut, prompt)
	line, err := readNoEcho(c.h.in)
	fmt.Fprintln(c.h.errOut)
	return line, err
}

func (c *handedCaller) Getenv(key string) string { return os.Getenv(key) }

func (c *handedCaller) Context() context.Context { return c.ctx }

// relativeError names the file as the caller did, not as it was joined.
func relativeError(err error, name string) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return &os.PathError{Op: pe.Op, Path: name, Err: pe.Err}
	}
	return err
}
