package cmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"syscall"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/log/v2"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/gatehouse/gatehouse/cmd/cmdline"
	"github.com/gatehouse/gatehouse/keys"
	"github.com/gatehouse/gatehouse/keys/attach"
	"github.com/gatehouse/gatehouse/store"
)

// One database, many local processes. bbolt lets one process at a time
// hold the file; whichever holds it — a holder (gatehouse __hold) started
// by the first console, or serve — also listens on a unix socket beside it
// (attach.Socket), and every other gatehouse process of this machine
// that needs the database sends it its command line over that socket and
// runs it there: the same tree, as the same local operator, with the
// caller's standard streams, files, terminal and environment (Caller).
// The console always runs in a holder, so that quitting one console never
// ends another; a command with nobody holding the file opens it itself, as
// before. A holder ends by itself HolderLinger after its last client.

// Attach is how the binary reaches a database another process holds (set
// by cmd/gatehouse; tests that run the tree in-process leave it nil and
// open the file themselves).
type Attach struct {
	// Executable is this binary, started as the holder (__hold) when a
	// console finds none
	Executable string
	// the process's standard streams
	Stdin, Stdout, Stderr *os.File
	// Wait bounds how long a command waits for a database held by a
	// process that does not serve it (one running a command of its own, or
	// a holder still opening it); default 30s
	Wait time.Duration
	// Attaching, when set, is called once before a console attaches: this
	// process will only relay a terminal, not read the database (the
	// binary undoes what it set up to read it fast)
	Attaching func()
	// FirstOutput, when set, is told "frame" once an attached console's
	// first output has come (the start trace)
	FirstOutput func(phase string)
	// Trace, when set, is told "spawn" as a holder is started (the start
	// trace)
	Trace func(phase string)
}

// Caller is the caller's side of a command line that the process holding
// the database runs for another gatehouse process of this machine: its
// files (relative to its working directory, read and written with its
// rights), its terminal, its environment, and how long it waits.
// *keys.LocalSession is one.
type Caller interface {
	Files
	// IsTerminal says whether the caller's standard input (0), output (1)
	// or error (2) is a terminal
	IsTerminal(fd int) bool
	// ReadSecret writes prompt to the caller's standard error and reads a
	// line from its terminal without echo
	ReadSecret(prompt string) (string, error)
	Getenv(key string) string
	// Context ends when the caller goes away or is interrupted
	Context() context.Context
}

// Files are the files of whoever runs a command line.
type Files interface {
	// ReadFile reads at most max bytes of a file (max > 0)
	ReadFile(name string, max int64) ([]byte, error)
	// WriteFile writes a new file (mode 0600) whole or not at all, never
	// over an existing one (errors.Is(err, fs.ErrExist)); it returns its
	// absolute path and size
	WriteFile(name string, r io.Reader) (string, int64, error)
	// Exists says whether os.Stat finds the name
	Exists(name string) (bool, error)
}

// HolderLinger is how long a holder goes on after its last client has
// gone: a command run soon after needs no new holder (GATEHOUSE_HOLD_LINGER
// changes it, for tests).
const HolderLinger = 10 * time.Second

// maxInputFile bounds a file a command reads whole (import, import-users):
// an export of 100,000 users is about 40 MB.
const maxInputFile = 512 << 20

// ---- the caller's side: run here, or attach

// classify says what a command line needs: the console, a command that
// opens the database, or nothing of it.
func classify(args []string) cmdline.Kind {
	if cmdline.IsCompletionRequest(args) {
		return cmdline.Completion
	}
	if cmdline.AsksHelp(args) {
		return cmdline.NeedsNoStore
	}
	if kind, ok := cmdline.Known(args); ok {
		return kind
	}
	return classifyByTree(args)
}

// classifyByTree is classify asking the command tree itself: it is built
// whole for that (about a millisecond, and as many allocations as the
// tree has flags), which a command line of the usual shape (cmdline.Known)
// does without.
func classifyByTree(args []string) cmdline.Kind {
	root := NewRoot(Env{})
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd(args...)
	c, rest, err := root.Find(args)
	if err != nil || c == nil {
		return cmdline.NeedsNoStore
	}
	if c == root {
		if err := root.ParseFlags(rest); err != nil || len(root.Flags().Args()) > 0 {
			return cmdline.NeedsNoStore // a bad flag, or an unknown command: said without the database
		}
		return cmdline.Console
	}
	for p := c; p != nil; p = p.Parent() {
		switch p.Name() {
		case "help", "version", "completion", holdName, "migrate": // the holder and migrate open the file themselves
			return cmdline.NeedsNoStore
		}
	}
	if c.HasSubCommands() {
		return cmdline.NeedsNoStore // a group: its help, or an unknown subcommand
	}
	return cmdline.Command
}

// attachOrOpen runs a command line in the process that holds its database
// for others, if one does (done: code is its exit code), or opens the file
// for this process (pre, to be used by the tree) once nobody holds it. It
// hands the line back to the tree (done false, pre nil) when the line needs
// no database, or when what stops it is for the tree to say the usual way.
func attachOrOpen(env Env, args []string) (code int, done bool, pre *store.Store) {
	if cmdline.OnEtcd(args, os.Getenv) {
		return 0, false, nil // no file to hold: this process opens etcd itself
	}
	kind := classify(args)
	if kind == cmdline.NeedsNoStore || !attach.Supported() {
		return 0, false, nil
	}
	at := env.Attach
	if at.Stdin == nil {
		at.Stdin, at.Stdout, at.Stderr = os.Stdin, os.Stdout, os.Stderr
	}
	db := cmdline.DB(args)
	if db == "" {
		db = store.DefaultPath()
	}
	o := attach.Options{
		Socket: attach.Socket(db), Args: args, DB: db, User: saidUser(), BuildID: attach.BuildID(),
		Stdin: at.Stdin, Stdout: at.Stdout, Stderr: at.Stderr,
	}
	refused := func(err error) (int, bool, *store.Store) {
		var lr *attach.Refusal
		errors.As(err, &lr)
		e := &store.Error{Kind: store.KindLocked, Msg: lr.Msg}
		printError(terminalSafe(at.Stderr), e, e.Msg, cmdline.AskedJSON(args))
		return ExitCode(e), true, nil
	}
	switch kind {
	case cmdline.Completion:
		// a Tab waits for nobody: the holder answers, or the file is read
		// as before (briefly, never created)
		if code, err := attach.Run(o); err == nil {
			return code, true, nil
		}
		return 0, false, nil
	case cmdline.Console:
		if term.IsTerminal(int(at.Stdout.Fd())) {
			if at.Attaching != nil {
				at.Attaching()
			}
			o.Console = true
			if f := at.FirstOutput; f != nil {
				o.FirstOutput = func() { f("frame") }
			}
			return attachConsole(at, o, db, refused)
		}
		// no terminal: the tree says so, wherever it runs
	}
	// attached, a command line's process only relays the line and its
	// streams: one P is all it needs (fewer threads woken, fewer context
	// switches and less CPU on a busy machine); a line it runs itself gets
	// them back. (A console's relay keeps them: it draws frames.)
	procs := runtime.GOMAXPROCS(1)
	defer func() {
		if !done {
			runtime.GOMAXPROCS(procs)
		}
	}()
	wait := at.Wait
	if wait <= 0 {
		wait = 30 * time.Second
	}
	start := time.Now()
	noted := false
	for {
		code, err := attach.Run(o)
		if err == nil {
			return code, true, nil
		}
		if !errors.Is(err, attach.ErrNoHolder) {
			return refused(err)
		}
		// nobody serves it: open it here (with every P: reading the file
		// and its indexes uses them), unless it is not there (the tree
		// creates it, or refuses the line first)
		runtime.GOMAXPROCS(procs)
		if _, err := os.Stat(db); err != nil {
			return 0, false, nil
		}
		s, err := store.Open(db, store.Options{Timeout: 50 * time.Millisecond})
		switch {
		case err == nil:
			return 0, false, s
		case store.KindOf(err) != store.KindLocked, time.Since(start) > wait, !heldByGatehouse(db):
			return 0, false, nil // the tree opens it again and says why not
		}
		// held by a gatehouse that does not serve it (yet): a command of
		// its own, or a holder still reading it
		if !noted && time.Since(start) > 2*time.Second && !cmdline.AskedJSON(args) && term.IsTerminal(int(at.Stderr.Fd())) {
			fmt.Fprintf(terminalSafe(at.Stderr), "gatehouse: waiting for another gatehouse process to release %s…\n", db)
			noted = true
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// saidUser is the user name an attached line tells its holder, which uses
// it only when it cannot look the peer's uid up itself (localUserName) —
// and then this process could not either, and osUser would have said
// $USER: so it is said without looking it up (the user database, NSS with
// cgo: a third of a millisecond of every attached line).
func saidUser() string { return os.Getenv("USER") }

// heldByGatehouse says whether the process holding the file is a
// gatehouse (worth waiting for: it ends its command soon, or serves the
// file once it has read it), or might be (it cannot be told); a process
// that is not one is not waited for.
func heldByGatehouse(db string) bool {
	_, gatehouse, ok := lockHolder(db)
	return gatehouse || !ok
}

// attachConsole runs the console in the holder of the database, starting
// one if nobody holds it: a holder it starts is handed this terminal and
// draws the console on it itself (handover), when standard input and
// output are terminals; else it attaches to the holder as to any.
func attachConsole(at *Attach, o attach.Options, db string, refused func(error) (int, bool, *store.Store)) (int, bool, *store.Store) {
	for try := 0; try < 20; try++ {
		code, err := attach.Run(o)
		if err == nil {
			return code, true, nil
		}
		if !errors.Is(err, attach.ErrNoHolder) {
			return refused(err)
		}
		hand := newHandover(at, o.Args)
		state, msg, pid := startHolder(at, db, hand)
		if state == "ready" && hand != nil {
			return hand.wait(db, pid), true, nil
		}
		if hand != nil {
			hand.close() // not taken: this terminal is still this process's
		}
		switch state {
		case "ready", "held":
			continue // attach to it
		case "refused":
			return refused(&attach.Refusal{Msg: msg})
		default:
			// it could not open the file (damaged, another version, held
			// all along by a process that does not serve it): the tree
			// opens it here and says why, as it always has
			return 0, false, nil
		}
	}
	return 0, false, nil
}

// startHolder starts `gatehouse --db DB __hold` in a session of its own
// (no terminal of its own: it outlives this process, and no hangup reaches
// it), handing it this console's terminal if hand is set, and waits for
// its first line: ready (it listens, and runs the handed console), held
// (another holder answers), locked (held all along by one that does not),
// refused MSG (the socket's place is unusable), or failed (the file did
// not open).
func startHolder(at *Attach, db string, hand *handover) (state, msg string, pid int) {
	exe := at.Executable
	if exe == "" {
		return "failed", "", 0
	}
	r, w, err := os.Pipe()
	if err != nil {
		return "failed", "", 0
	}
	defer r.Close()
	args := []string{"--db", attach.CanonicalDB(db), holdName}
	if v := os.Getenv("GATEHOUSE_HOLD_LINGER"); v != "" {
		args = append(args, "--linger", v)
	}
	files := []*os.File{w}
	if hand != nil {
		files = append(files, hand.files()...)
	}
	cmd := newHolderCommand(exe, args, files)
	if hand != nil {
		cmd.Env = append(cmd.Env, handoverEnv+"=4")
	}
	if logf := holderLog(db); logf != nil {
		cmd.Stderr = logf
		defer logf.Close()
	}
	if at.Trace != nil {
		at.Trace("spawn")
	}
	err = cmd.Start()
	w.Close()
	if hand != nil {
		hand.started()
	}
	if err != nil {
		return "failed", "", 0
	}
	pid = cmd.Process.Pid
	_ = cmd.Process.Release() // it is nobody's child to wait for: init reaps it
	line := make(chan string, 1)
	go func() {
		b, _ := io.ReadAll(io.LimitReader(r, 4096))
		line <- strings.TrimSpace(string(b))
	}()
	noted := time.NewTimer(2 * time.Second)
	defer noted.Stop()
	for {
		select {
		case l := <-line:
			state, msg, _ = strings.Cut(l, " ")
			if state == "" {
				state = "failed"
			}
			return state, msg, pid
		case <-noted.C:
			if term.IsTerminal(int(at.Stderr.Fd())) {
				fmt.Fprintf(terminalSafe(at.Stderr), "gatehouse: waiting for another gatehouse process to release %s…\n", db)
			}
		}
	}
}

// ---- the holder's side

const holdName = cmdline.HoldName

// holdCmd is the holder: it holds the database for the other gatehouse
// processes of this machine and serves them over the local socket until
// none has been attached for --linger. Started by a console that found
// nobody holding the file; its first line on descriptor 3 (startHolder)
// says how it went. Hidden: nobody needs to type it.
func (a *app) holdCmd() *cobra.Command {
	var linger time.Duration
	c := &cobra.Command{
		Use:    holdName,
		Short:  "Hold the database for the other gatehouse processes of this machine (started by gatehouse itself)",
		Hidden: true,
		Args:   nargs(0, 0, ""),
	}
	c.Flags().DurationVar(&linger, "linger", HolderLinger, "end this long after the last client")
	c.RunE = func(c *cobra.Command, args []string) error {
		if a.env.Store != nil {
			return refusedf("%s runs on the database's machine, started by gatehouse itself", holdName)
		}
		if a.onEtcd() {
			return refusedf("%s holds a database file; a store on etcd is opened by every gatehouse process itself", holdName)
		}
		report := func(string) {}
		if os.Getenv("GATEHOUSE_HOLD_REPORT") == "3" {
			f := os.NewFile(3, "report")
			reported := false
			report = func(l string) {
				if !reported {
					reported = true
					fmt.Fprintln(f, l)
					f.Close()
				}
			}
		}
		defer report("failed")
		a.trace("hold-run")
		// the console that started it may have handed it its terminal
		hand := adoptHandover()
		if hand != nil && a.env.Handed != nil {
			a.env.Handed(hand.terminal())
		}
		defer func() {
			if hand != nil {
				hand.close() // not run: its process attaches, or is told why not
			}
		}()
		path := a.dbPath
		if path == "" {
			path = store.DefaultPath()
		}
		path = attach.CanonicalDB(path)
		sock := attach.Socket(path)
		// reading every user builds the heap a console needs: the
		// collector waits until that is done (as the console at the
		// machine does)
		gc := debug.SetGCPercent(-1)
		s, err := openForHolder(path, sock)
		debug.SetGCPercent(gc)
		switch {
		case errors.Is(err, errHeldElsewhere):
			report("held")
			return nil
		case store.KindOf(err) == store.KindLocked:
			report("locked")
			return err
		case err != nil:
			return err
		}
		a.st, a.opened = s, true
		a.trace("hold-opened")
		// its standard error is <db>.holder.log (startHolder): what it
		// refuses (another user's process), and anything that goes wrong
		logger := keys.NewLogger(a.rawErr, log.Options{ReportTimestamp: true, Prefix: "gatehouse holder", Level: log.WarnLevel})
		srv, err := keys.New(keys.Config{Store: s, Local: LocalCommand(s, a.env), Linger: linger, Logger: logger, BuildID: attach.BuildID()})
		if err != nil {
			return err
		}
		if hand != nil {
			// the handed console is this holder's first client: it counts
			// from now, so the holder never ends before it has run
			hand.hold(srv)
		}
		if err := srv.ListenLocal(sock); err != nil {
			// something in the socket's place is refused; no place for a
			// socket at all, and the console runs in its own process, as
			// before (report's "failed")
			var lr *attach.Refusal
			if errors.As(err, &lr) {
				report("refused " + lr.Msg)
			}
			return err
		}
		a.trace("hold-listening")
		signal.Ignore(syscall.SIGHUP, syscall.SIGPIPE)
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		var consoleDone chan struct{}
		if hand != nil {
			consoleDone = make(chan struct{})
			go func(h *handedConsole) {
				defer close(consoleDone)
				h.run(s, a.env)
			}(hand)
			hand = nil // run lets go of it
		}
		report("ready")
		err = srv.Serve(ctx)
		if consoleDone != nil {
			// the handed console has been told (Hold's end) and ends: its
			// terminal restored before this process exits
			select {
			case <-consoleDone:
			case <-time.After(2 * time.Second):
			}
		}
		return err
	}
	return c
}

var errHeldElsewhere = errors.New("another gatehouse holds it and answers")

// openForHolder opens the database, waiting (30 s at most) while another
// process holds it, and stopping as soon as that one turns out to serve it.
func openForHolder(path, sock string) (*store.Store, error) {
	deadline := time.Now().Add(30 * time.Second)
	for {
		// started by a console: its email index waits until that console's
		// first frame is out (or a command asks for it), as at the machine
		s, err := store.Open(path, store.Options{Timeout: 100 * time.Millisecond, EmailIndexLater: true})
		if store.KindOf(err) != store.KindLocked || time.Now().After(deadline) || !heldByGatehouse(path) {
			return s, err
		}
		if attach.Answers(sock) {
			return nil, errHeldElsewhere
		}
	}
}

// holderLog is a holder's standard error, where it logs what it refuses
// (another user's process) and what goes wrong: beside the database,
// <db>.holder.log, started afresh once it passes 1 MiB.
func holderLog(db string) *os.File {
	name := attach.CanonicalDB(db) + ".holder.log"
	if fi, err := os.Stat(name); err == nil && fi.Size() > 1<<20 {
		os.Remove(name)
	}
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return nil
	}
	return f
}

// LocalCommand is how the process holding a database (a holder, or serve)
// runs a command line that another gatehouse process of this machine sent
// over the local socket: the whole local tree — not the SSH allowlist — as
// the local operator (local:<the caller's OS user>, --as as at the
// machine), with the caller's standard streams, files, terminal and
// environment. base is the holder's own Env: its consoles.
func LocalCommand(st *store.Store, base Env) func(l *keys.LocalSession) int {
	var first sync.Once
	return func(l *keys.LocalSession) int {
		if base.Trace != nil {
			first.Do(func() { base.Trace("hold-session") })
		}
		env := Env{
			In: l.In, Out: l.Out, Err: l.Err,
			Store: st, Caller: l, LocalUser: l.User,
			RemoteConsole: base.RemoteConsole, HeldConsole: base.HeldConsole,
		}
		if base.HeldConsole != nil {
			build := base.HeldConsole
			env.Console = func(s *store.Store, actor store.Actor) error {
				m, err := build(s, actor, l, l.Terminal())
				if err != nil {
					return err
				}
				// 120 frames a second, as the console at the machine
				return l.RunConsole(m, tea.WithFPS(120))
			}
		}
		return Run(env, l.Args)
	}
}

// trace marks a phase of the holder's start (Env.Trace).
func (a *app) trace(phase string) {
	if a.env.Trace != nil {
		a.env.Trace(phase)
	}
}

// ---- the files of whoever runs the command line

// caller is the caller's side: the process that sent the line, or this one.
func (a *app) caller() Caller {
	if a.env.Caller != nil {
		return a.env.Caller
	}
	return osCaller{a}
}

func (a *app) getenv(key string) string { return a.caller().Getenv(key) }

// osCaller is this process as the caller.
type osCaller struct{ a *app }

func (c osCaller) ReadFile(name string, max int64) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, max))
}

func (c osCaller) WriteFile(name string, r io.Reader) (string, int64, error) {
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return "", 0, err
	}
	n, err := io.Copy(f, r)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(name)
		return "", 0, err
	}
	abs, aerr := filepath.Abs(name)
	if aerr != nil {
		abs = name
	}
	return abs, n, nil
}

func (c osCaller) Exists(name string) (bool, error) {
	_, err := os.Stat(name)
	return err == nil, nil
}

func (c osCaller) IsTerminal(fd int) bool {
	var f *os.File
	switch fd {
	case 0:
		f, _ = c.a.env.In.(*os.File)
	case 2:
		f, _ = c.a.rawErr.(*os.File)
	}
	return f != nil && term.IsTerminal(int(f.Fd()))
}

func (c osCaller) ReadSecret(prompt string) (string, error) {
	tty, ok := terminalFile(c.a.env.In)
	if !ok {
		return "", errors.New("standard input is not a terminal")
	}
	fmt.Fprint(c.a.env.Err, prompt)
	line, err := readNoEcho(tty)
	fmt.Fprintln(c.a.env.Err)
	return line, err
}

func (c osCaller) Getenv(key string) string { return os.Getenv(key) }

func (c osCaller) Context() context.Context { return context.Background() }
