// Package cmd is gatehouse's command tree (cobra). A fresh tree is built for
// every command line, for one actor: the local operator at the machine, or a
// signed-in user over SSH. Every rule lives in store; this package parses,
// asks the store, and prints.
package cmd

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/user"
	"runtime/debug"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/gatehouse/gatehouse/cmd/cmdline"
	"github.com/gatehouse/gatehouse/internal/safetext"
	"github.com/gatehouse/gatehouse/store"
	"github.com/spf13/cobra"
)

// Env is what a command line runs with.
type Env struct {
	In       io.Reader
	Out, Err io.Writer

	// Store, when set, is used as is and --db is refused (SSH sessions; with
	// Caller, the database held for the caller, which --db named); when nil
	// the tree opens store.Open(path, store.Options{}) itself from --db,
	// GATEHOUSE_DB or store.DefaultPath() (or store.OpenEtcd from --etcd
	// or GATEHOUSE_ETCD), and closes it after the command.
	Store *store.Store

	// Attach, when set (the binary sets it), makes every command line and
	// the console work on a database another gatehouse process of this
	// machine holds, by running there (attach.go).
	Attach *Attach

	// Caller, when set, is the caller's side of a command line run for
	// another gatehouse process of this machine by the one holding the
	// database (LocalCommand): the caller's files, terminal, environment.
	// The actor is the local operator LocalUser (or --as), exactly as at
	// the machine.
	Caller    Caller
	LocalUser string

	// HeldConsole, when set, builds the console of a caller attached to
	// this process (LocalCommand): files are the caller's, terminal says
	// it attached one (else the console is refused as at the machine).
	HeldConsole func(s *store.Store, actor store.Actor, files Files, terminal bool) (tea.Model, error)

	// HandedConsole, when set, runs the console of the gatehouse process
	// that started this holder on the terminal it handed over (handover):
	// until it quits, or t.End closes
	HandedConsole func(s *store.Store, actor store.Actor, t HandedTerminal) error

	// Handed, when set, is told of the terminal a console handed this
	// holder as soon as it has it, before the store opens: what that
	// console's first frame needs can be made ready meanwhile
	Handed func(terminal *os.File)

	// Actor, when set (SSH), is fixed and --as is refused; otherwise the actor
	// is the local operator (store.LocalActor of the OS user name), or the user
	// named by --as EMAIL.
	Actor *store.Actor

	// Console, when set, runs when no command is given: the interactive
	// console, handed the opened store and the resolved actor. While it is nil,
	// `gatehouse` with no command prints the help.
	Console func(s *store.Store, actor store.Actor) error

	// RemoteConsole, when set, builds the console for a user signed in over
	// SSH (serve); the session's program downsamples its colours to the
	// client's terminal. While it is nil, serve offers commands only.
	RemoteConsole func(s *store.Store, actor store.Actor) tea.Model

	// Allow, when set, is asked about the command cobra is about to run,
	// whatever added it to the tree (cobra's own help, completion and
	// __complete included); its error refuses it (SSH: the allowlist).
	Allow func(c *cobra.Command) error

	// Trace, when set, is told when a holder's start reaches a phase
	// (hold-opened, hold-listening, hold-session: the start trace)
	Trace func(phase string)
}

// HandedTerminal is the terminal of the gatehouse process that started
// this holder, handed over for its console.
type HandedTerminal struct {
	In, Out *os.File
	// Files are that process's: relative names in its working directory
	Files Files
	// Resized: its size changed (that process got the SIGWINCH)
	Resized <-chan struct{}
	// End closes when the console is to end: that process has gone or was
	// signalled, or this one is stopping
	End <-chan struct{}
}

// Exit codes.
const (
	ExitOK      = 0 // done, or allowed
	ExitRefused = 1 // denied, refused by a rule, conflict, locked, damaged file, store without a quorum, check denied, audit broken
	ExitUsage   = 2 // bad usage or bad input: fix the command line
)

// usageError is bad usage or bad input (exit 2).
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, a ...any) error { return &usageError{fmt.Sprintf(format, a...)} }

// ruleError is a refusal decided here rather than in store (exit 1).
type ruleError struct{ msg string }

func (e *ruleError) Error() string { return e.msg }

func refusedf(format string, a ...any) error { return &ruleError{fmt.Sprintf(format, a...)} }

// silentExit ends a command with a code and nothing more to say (what needed
// saying is already printed: a denied check, a broken audit chain).
type silentExit struct{ code int }

func (e *silentExit) Error() string { return "" }

// runError marks an error that came out of a command's own work rather than
// out of cobra's parsing (which is always bad usage).
type runError struct{ err error }

func (e *runError) Error() string { return e.err.Error() }
func (e *runError) Unwrap() error { return e.err }

// ExitCode maps an error to the process exit code.
func ExitCode(err error) int {
	if err == nil {
		return ExitOK
	}
	var se *silentExit
	if errors.As(err, &se) {
		return se.code
	}
	switch store.KindOf(err) {
	case store.KindInput, store.KindNotFound:
		return ExitUsage
	case store.KindRefused, store.KindDenied, store.KindConflict, store.KindLocked, store.KindDamaged, store.KindUnavailable:
		return ExitRefused
	}
	var ue *usageError
	if errors.As(err, &ue) {
		return ExitUsage
	}
	var re *ruleError
	if errors.As(err, &re) {
		return ExitRefused
	}
	var rn *runError
	if errors.As(err, &rn) {
		return ExitRefused // something failed while doing the work (I/O…)
	}
	return ExitUsage // cobra's own parsing errors
}

// app is one command line's state: flags, the store and the actor.
type app struct {
	env    Env
	root   *cobra.Command
	dbPath string
	etcd   etcdFlags // or the store on etcd (etcd.go)
	as     string
	json   bool
	// fileOnly: the store is the database file whatever the environment
	// says of etcd (migrate --to-etcd copies the file)
	fileOnly bool

	st     *store.Store
	opened bool // st was opened here and is closed after the command
	actor  *store.Actor
	// console: the store is opened for the console, whose first frame
	// needs no email index (it starts it once the frame is out)
	console bool

	// rawErr is Err as given, unescaped: only for progress made of numbers
	// that redraws its line with \r at a terminal (demo)
	rawErr io.Writer

	// helpErr is set when help was asked of a command that does not exist
	// (`users shwo --help`): cobra's help has no error to return
	helpErr error
	// flagsFailed: parsing the flags stopped at a bad one, so those after
	// it (--json) were not read
	flagsFailed bool
}

// NewRoot builds a fresh command tree.
func NewRoot(env Env) *cobra.Command { return newApp(env, nil).root }

// newApp builds a fresh command tree and the state its commands share:
// the whole tree, or for a command line of the usual shape that runs a
// command of the database (cmdline.Known) at the machine, only the root and
// the command it names (with its subcommands): the process holding the
// database builds a tree for every command line another process sends
// it, and the whole of it is ten times what one command needs (about 1,200
// allocations). What that line does — its output, errors and exit code —
// is the same in either (TestPartialTreeIsTheWholeTreesCommand).
func newApp(env Env, args []string) *app {
	if env.In == nil {
		env.In = strings.NewReader("")
	}
	if env.Out == nil {
		env.Out = io.Discard
	}
	if env.Err == nil {
		env.Err = io.Discard
	}
	a := &app{env: env, rawErr: env.Err}
	// every byte a command, cobra's help or an error prints reaches a
	// terminal (locally, or an SSH client's): what the database holds may
	// have been written before the input rules, so controls are escaped on
	// the way out
	a.env.Out, a.env.Err = terminalSafe(env.Out), terminalSafe(env.Err)
	root := &cobra.Command{
		Use:   "gatehouse",
		Short: "Decide who may see which sites and which screens",
		Long: `gatehouse administers access: users (employees and client users), clients,
sites and teams, profiles (roles) with a level per screen, org settings,
invitations and a hash-chained audit log. Every change is one change set,
audited as one batch.

Exit codes: 0 done or allowed; 1 denied or refused by a rule; 2 bad usage or input.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          groupArgs,
		RunE: func(c *cobra.Command, args []string) error {
			if a.env.Console == nil {
				return c.Help()
			}
			a.console = true
			s, actor, err := a.open()
			if err != nil {
				return err
			}
			return a.env.Console(s, actor)
		},
	}
	a.root = root
	pf := root.PersistentFlags()
	pf.StringVar(&a.dbPath, "db", "", "database file (default $GATEHOUSE_DB, else "+store.DefaultPath()+")")
	a.addEtcdFlags(pf)
	pf.StringVar(&a.as, "as", "", "act as the user with this `EMAIL`, with exactly their rights")
	pf.BoolVar(&a.json, "json", false, "print JSON (read commands; see cmd/JSON.md)")
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		a.flagsFailed = true
		return usagef("%s%s; run '%s --help'", err.Error(), flagSuggestion(c, err), c.CommandPath())
	})
	root.SetHelpCommand(a.helpCmd())
	root.SetHelpFunc(a.helpFunc(root.HelpFunc()))
	only := ""
	if env.Actor == nil {
		only = onlyCommand(args)
	}
	if env.Actor == nil && only == "" {
		// over SSH --version would answer before the allowlist is asked
		// (cobra prints it ahead of every hook); `version` is asked there.
		// (A line that names a command of the database asks for no
		// --version, which is the root's own flag, not its commands'.)
		root.Version = readBuildVersion(debug.ReadBuildInfo).String()
		root.SetVersionTemplate("{{.Version}}")
	}
	// the root's is the only persistent hook in the tree, so it runs for
	// every command (cobra runs only the nearest one)
	root.PersistentPreRunE = func(c *cobra.Command, _ []string) error {
		if env.Allow != nil {
			return env.Allow(c)
		}
		return nil
	}

	for _, top := range a.topCommands() {
		if only == "" || top.name == only {
			root.AddCommand(top.build())
		}
	}
	if only != "" {
		// the line names a command of the database: it asks for no
		// completion script (cobra adds that command as it runs)
		root.CompletionOptions.DisableDefaultCmd = true
	}
	a.addKeyCommands(root)
	a.addCompletions(root)
	wrap(root, a)
	if env.Actor != nil {
		a.remoteTree(root)
	}
	root.SetIn(a.env.In)
	root.SetOut(a.env.Out)
	root.SetErr(a.env.Err)
	return a
}

// topCommand is one of the root's commands: its name, and what builds it.
type topCommand struct {
	name  string
	build func() *cobra.Command
}

// topCommands are the root's commands, in the order help lists them.
func (a *app) topCommands() []topCommand {
	return []topCommand{
		{"users", a.usersCmd},
		{"sites", a.sitesCmd},
		{"profiles", a.profilesCmd},
		{"screens", a.screensCmd},
		{"clients", a.clientsCmd},
		{"teams", a.teamsCmd},
		{"settings", a.settingsCmd},
		{"check", a.checkCmd},
		{"effective", a.effectiveCmd},
		{"expiring", a.expiringCmd},
		{"who-can", a.whoCanCmd},
		{"review", a.reviewCmd},
		{"audit", a.auditCmd},
		{"outbox", a.outboxCmd},
		{"backup", a.backupCmd},
		{"export", a.exportCmd},
		{"import", a.importCmd},
		{"import-users", a.importUsersCmd},
		{"migrate", a.migrateCmd},
		{"demo", a.demoCmd},
		{"undo", a.undoCmd},
		{"serve", a.serveCmd},
		{"version", a.versionCmd},
		{holdName, a.holdCmd},
	}
}

// partialTrees lets newApp build only the command a line runs (a test
// turns it off, to run the same lines with the whole tree).
var partialTrees = true

// onlyCommand is the root's command a command line runs, when it is of the
// usual shape and runs a command of the database (classify's cmdline.Command,
// told without the tree); "" for any other line, which gets the whole tree.
func onlyCommand(args []string) string {
	if !partialTrees || cmdline.IsCompletionRequest(args) || cmdline.AsksHelp(args) {
		return ""
	}
	kind, word, ok := cmdline.KnownWord(args)
	if ok && word == holdName {
		return word // the holder: it starts the first console, which waits
	}
	if !ok || kind != cmdline.Command {
		return ""
	}
	return word
}

// terminalSafe wraps w so that control and invisible characters are written
// out visibly (newlines and tabs stay); a writer already wrapped is kept.
func terminalSafe(w io.Writer) io.Writer {
	if _, ok := w.(*safetext.Writer); ok || w == io.Discard {
		return w
	}
	return safetext.NewWriter(w)
}

// flushOutput writes out what the tree's writers hold back (a character
// cut off at the end of the last write).
func flushOutput(root *cobra.Command) {
	for _, w := range []io.Writer{root.OutOrStdout(), root.ErrOrStderr()} {
		if sw, ok := w.(*safetext.Writer); ok {
			sw.Flush()
		}
	}
}

// wrap makes every command mark its own errors and close a store it opened.
func wrap(c *cobra.Command, a *app) {
	if c.RunE != nil {
		run := c.RunE
		c.RunE = func(cmd *cobra.Command, args []string) (err error) {
			defer a.close()
			err = run(cmd, args)
			a.noteFreshness(err)
			if err != nil {
				if store.KindOf(err) != 0 {
					if a.st != nil && a.actor != nil {
						err = a.st.NearFor(*a.actor, err) // no suggestion of what the actor may not list
					}
					return err
				}
				var ue *usageError
				var re *ruleError
				var se *silentExit
				if errors.As(err, &ue) || errors.As(err, &re) || errors.As(err, &se) {
					return err
				}
				return &runError{err}
			}
			return nil
		}
	}
	for _, sub := range c.Commands() {
		wrap(sub, a)
	}
}

// Run builds the tree, runs args (never falling back to os.Args) and returns
// the exit code. Errors are printed as one line on Err.
func Run(env Env, args []string) int {
	var pre *store.Store
	if env.Attach != nil && env.Store == nil {
		code, done, s := attachOrOpen(env, args)
		if done {
			return code
		}
		pre = s
	}
	a := newApp(env, args)
	if pre != nil {
		a.st, a.opened = pre, true // opened for this line: closed after it
	}
	root := a.root
	defer flushOutput(root)
	// a command's RunE closes what it opened; cobra's __complete runs no
	// RunE of ours, so what its completions opened is closed here
	defer a.close()
	if args == nil {
		args = []string{} // a nil slice would make cobra read os.Args
	}
	if cmdline.IsCompletionRequest(args) {
		if err := a.allowCompletion(); err != nil {
			printError(root.ErrOrStderr(), err, errorLine(err), false)
			return ExitCode(err)
		}
		if a.completeFlagValue(args) {
			return ExitOK
		}
	}
	root.SetArgs(args)
	c, err := root.ExecuteC()
	if err == nil {
		err = a.helpErr // help asked of a command that is not there
	}
	if err == nil {
		return ExitOK
	}
	var se *silentExit
	if !errors.As(err, &se) {
		msg := errorLine(err)
		if ExitCode(err) == ExitUsage && !strings.Contains(msg, "--help") && isCobraError(err) && c != nil {
			msg += fmt.Sprintf("; run '%s --help'", c.CommandPath())
		}
		printError(root.ErrOrStderr(), err, msg, a.jsonErrors(c, args))
	}
	return ExitCode(err)
}

// errorLine is an error as the one line said after "gatehouse: ": the
// store's line with its fix said as the command that does it (a
// did-you-mean says more than the list would). printError escapes it.
func errorLine(err error) string {
	line := oneLine(err.Error())
	if e, ok := store.StoreError(err); ok && !(len(e.Near) > 0 && e.Fix.Do == store.FixList) {
		if fix := fixText(e.Fix); fix != "" {
			line += "; " + fix
		}
	}
	return line
}

func isCobraError(err error) bool {
	var ue *usageError
	var rn *runError
	return store.KindOf(err) == 0 && !errors.As(err, &ue) && !errors.As(err, &rn)
}

// oneLine folds cobra's multi-line messages ("Did you mean this?") into one line.
func oneLine(s string) string {
	s = strings.TrimSpace(s)
	if head, rest, ok := strings.Cut(s, "\n\nDid you mean this?\n"); ok {
		var sug []string
		for _, l := range strings.Split(rest, "\n") {
			if l = strings.TrimSpace(l); l != "" {
				sug = append(sug, l)
			}
		}
		s = head
		if len(sug) > 0 {
			s += " (did you mean " + strings.Join(sug, " or ") + "?)"
		}
	}
	lines := strings.Split(s, "\n")
	out := lines[:0]
	for _, l := range lines {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return strings.Join(out, "; ")
}

// groupArgs refuses an unknown subcommand of a command that only groups others.
func groupArgs(c *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	msg := fmt.Sprintf("unknown command %q for %q", args[0], c.CommandPath())
	if c.SuggestionsMinimumDistance <= 0 {
		c.SuggestionsMinimumDistance = 2
	}
	if sug := c.SuggestionsFor(args[0]); len(sug) > 0 {
		msg += " (did you mean " + strings.Join(sug, " or ") + "?)"
	}
	return usagef("%s; run '%s --help'", msg, c.CommandPath())
}

// group is a command that only holds subcommands.
func group(use, short string, subs ...*cobra.Command) *cobra.Command {
	c := &cobra.Command{
		Use:   use,
		Short: short,
		Args:  groupArgs,
		RunE:  func(c *cobra.Command, args []string) error { return c.Help() },
	}
	c.AddCommand(subs...)
	return c
}

// nargs checks the number of positional arguments.
func nargs(min, max int, what string) cobra.PositionalArgs {
	return func(c *cobra.Command, args []string) error {
		if len(args) < min || (max >= 0 && len(args) > max) {
			name := cmdName(c)
			switch {
			case max == 0:
				return usagef("%s takes no arguments (got %q); run '%s --help'", name, args[0], c.CommandPath())
			case len(args) < min:
				return usagef("%s needs %s; run '%s --help'", name, what, c.CommandPath())
			default:
				return usagef("%s takes %s, got %s (quote names with spaces); run '%s --help'", name, what, plural(len(args), "argument", "arguments"), c.CommandPath())
			}
		}
		return nil
	}
}

// cmdName is the command's path without the program name: "users disable".
func cmdName(c *cobra.Command) string {
	if !c.HasParent() {
		return c.Name()
	}
	return strings.TrimPrefix(c.CommandPath(), c.Root().Name()+" ")
}

// open returns the store and the actor, opening the store on first use.
func (a *app) open() (*store.Store, store.Actor, error) {
	s, err := a.store()
	if err != nil {
		return nil, store.Actor{}, err
	}
	actor, err := a.who(s)
	if err != nil {
		return nil, store.Actor{}, err
	}
	return s, actor, nil
}

func (a *app) store() (*store.Store, error) {
	if a.st != nil {
		return a.st, nil
	}
	if a.env.Store != nil {
		if a.root.PersistentFlags().Changed("db") && a.env.Caller == nil {
			return nil, usagef("--db is not available here: this session uses the server's database")
		}
		if f := a.etcdFlagGiven(); f != "" {
			return nil, usagef("--%s is not available here: this session uses the server's store", f)
		}
		a.st = a.env.Store
		return a.st, nil
	}
	if !a.fileOnly {
		cfg, on, err := a.etcdStore()
		if err != nil {
			return nil, err
		}
		if on {
			s, err := store.OpenEtcd(cfg, store.Options{EmailIndexLater: a.console})
			if err != nil {
				return nil, err
			}
			a.st, a.opened = s, true
			return s, nil
		}
	}
	path := a.dbPath
	if path == "" {
		path = store.DefaultPath()
	}
	s, err := store.Open(path, store.Options{EmailIndexLater: a.console})
	if err != nil {
		return nil, err
	}
	a.st, a.opened = s, true
	return s, nil
}

func (a *app) who(s *store.Store) (store.Actor, error) {
	if a.actor != nil {
		return *a.actor, nil
	}
	var actor store.Actor
	switch {
	case a.env.Actor != nil:
		if a.root.PersistentFlags().Changed("as") {
			return store.Actor{}, usagef("--as is not available here: you act as %s", a.env.Actor.Name)
		}
		actor = *a.env.Actor
	case a.as != "":
		var err error
		if actor, err = s.ActorFor(a.as); err != nil {
			return store.Actor{}, err
		}
	case a.env.Caller != nil:
		actor = store.LocalActor(a.env.LocalUser)
	default:
		actor = store.LocalActor(osUser())
	}
	if a.env.Caller != nil {
		// a change set not written by the time the caller has gone (killed,
		// interrupted) is not written at all
		actor = actor.WithContext(a.env.Caller.Context())
	}
	a.actor = &actor
	return actor, nil
}

func osUser() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	return os.Getenv("USER")
}

func (a *app) close() {
	if a.opened && a.st != nil {
		a.st.Close()
	}
	a.st, a.opened = nil, false
}

// with turns a function of the store and the actor into a RunE. A command's
// change set is applied with ApplyGrouped (written in one transaction with
// those other command lines apply at the same moment): its function may
// run more than once, so it sets its results afresh and does nothing else.
func (a *app) with(fn func(s *store.Store, actor store.Actor, args []string) error) func(*cobra.Command, []string) error {
	return func(c *cobra.Command, args []string) error {
		s, actor, err := a.open()
		if err != nil {
			return err
		}
		return fn(s, actor, args)
	}
}

// noteFreshness says, after a command that answered (a check's "denied"
// included), that what it read came from memory that may be old: the
// store's note, on Err. Never on one process's file (always current); a
// refusal for want of a quorum already says it.
func (a *app) noteFreshness(err error) {
	var se *silentExit
	if a.st == nil || (err != nil && !errors.As(err, &se)) {
		return
	}
	if note := a.st.Freshness().Note(time.Now()); note != "" {
		fmt.Fprintf(a.env.Err, "%s\n", note)
	}
}
