package tui

import (
	"errors"
	"os"
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"
	"golang.org/x/term"

	"github.com/gatehouse/gatehouse/store"
)

// ErrNoTerminal: the console was asked for where there is no terminal (a
// pipe, a cron job, a CI step).
var ErrNoTerminal = errors.New("the console needs a terminal: run gatehouse in one, or give it a command (gatehouse --help lists them)")

// Run opens a console with these screens in this terminal (or
// opts.Terminal) until the operator quits. The program picks the
// terminal's colours from its environment (NO_COLOR too).
func Run(s *store.Store, actor store.Actor, screens Screens, opts Options) error {
	t := opts.Terminal
	if t == nil {
		if !hasTerminal() {
			return ErrNoTerminal
		}
		t = &Terminal{Out: os.Stdout, Env: os.Environ()}
	} else if t.In == nil || t.Out == nil || !term.IsTerminal(int(t.In.Fd())) || !term.IsTerminal(int(t.Out.Fd())) {
		return ErrNoTerminal
	}
	env := t.Env
	first, more := terminalColors(t.Out, env)
	var p *tea.Program
	ready := opts.Ready
	var once sync.Once
	opts.Ready = func() { // the App calls it once the first frame is out
		once.Do(func() {
			if ready != nil {
				ready()
			}
			go func() {
				if all, ok := more(); ok {
					p.Send(tea.ColorProfileMsg{Profile: all})
				}
			}()
		})
	}
	framed := &firstFrameWriter{File: t.Out}
	framed.written = func() {
		if opts.Trace != nil {
			opts.Trace("frame")
		}
		// the terminal gets the cores to show the frame before the index
		// build takes them (a key sooner starts it at once: settle); and
		// the event loop may be waiting on the renderer, so not in here
		time.AfterFunc(frameShownAfter, func() { p.Send(firstFrameMsg{}) })
	}
	opts.framed = framed
	a := New(s, actor, screens, opts)
	defer a.Close()
	if opts.Trace != nil {
		opts.Trace("page")
	}
	// 120 frames a second: a key's effect, and the first frame, reach the
	// screen within 8 ms rather than bubbletea's default 17
	po := []tea.ProgramOption{tea.WithFPS(120), tea.WithColorProfile(first), tea.WithEnvironment(env), tea.WithOutput(framed)}
	if t.In != nil {
		// a handed terminal: its keys, and none of this process's signals
		// (they are its own, not that terminal's)
		po = append(po, tea.WithInput(t.In), tea.WithoutSignalHandler())
	}
	p = tea.NewProgram(a, po...)
	stop := t.follow(p)
	defer stop()
	// should no size ever arrive, a second is as long as it may wait
	timer := time.AfterFunc(time.Second, opts.Ready)
	defer timer.Stop()
	_, err := p.Run()
	if errors.Is(err, tea.ErrProgramKilled) && t.ended() {
		err = nil // ended from outside (Terminal.End), the terminal restored
	}
	return err
}

// frameShownAfter is how long after the first frame is written the work put
// off for it starts: long enough for a terminal on a 2-core machine to draw
// the frame, short against the time to the first key.
const frameShownAfter = 50 * time.Millisecond

// hasTerminal: the console can draw (standard output is a terminal) and
// read keys (standard input is one, or the controlling terminal opens).
func hasTerminal() bool {
	if !term.IsTerminal(int(os.Stdout.Fd())) {
		return false
	}
	if term.IsTerminal(int(os.Stdin.Fd())) {
		return true
	}
	tty, err := os.Open("/dev/tty")
	if err != nil {
		return false
	}
	tty.Close()
	return true
}
