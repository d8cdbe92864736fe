// Command gatehouse-core is gatehouse: every command, the console and
// serve. People run gatehouse (cmd/gatehouse), which sends a command line
// to the gatehouse process holding its database when one does, and becomes
// this program for everything else. It only wires the process to the
// command tree in package cmd and the console in package tui/console.
package main

import (
	"os"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/gatehouse/gatehouse/cmd"
	"github.com/gatehouse/gatehouse/keys/attach"
	"github.com/gatehouse/gatehouse/store"
	"github.com/gatehouse/gatehouse/tui"
	"github.com/gatehouse/gatehouse/tui/console"
)

func main() {
	trace := openStartTrace()
	holder := holds(os.Args[1:])
	if holder {
		trace.mark("hold-main") // the holder's own start, beside its console's
	} else {
		trace.mark("main")
	}
	env := cmd.Env{In: os.Stdin, Out: os.Stdout, Err: os.Stderr, Trace: trace.hook()}
	restoreGC := func() {}
	pauseGC := func() {
		gc := debug.SetGCPercent(-1)
		restoreGC = sync.OnceFunc(func() { debug.SetGCPercent(gc) })
	}
	if opensConsole(os.Args[1:]) {
		// Opening the console reads every user into memory: collecting
		// garbage while that heap is being built only slows the first frame,
		// so the collector waits until that frame is out.
		pauseGC()
		if !attach.Supported() {
			// it draws the console itself; elsewhere it hands its
			// terminal to a holder, whose start needs the core
			go tui.Warm()
		}
	} else if holder {
		go tui.Warm() // the holder draws the consoles
		// the holder is started by a console: it reads every user, and
		// then draws that console's first frame; a collection in between
		// (the heap is all new) would come before the frame, so the
		// collector waits for it as at the machine, 5 s at most
		pauseGC()
		time.AfterFunc(5*time.Second, restoreGC)
	}
	// the frame of the console that started this holder: its memory is
	// made ready while the store opens, when a core is free
	env.Handed = func(t *os.File) { go tui.WarmFrame(t) }
	env.Console = func(s *store.Store, actor store.Actor) error {
		trace.mark("opened")
		return console.Run(s, actor, tui.Options{DBPath: s.Path(), WriteFiles: true, Trace: trace.hook(), Ready: restoreGC})
	}
	// the console of the gatehouse process that started this holder, on
	// the terminal it handed over: its start's phases are this process's
	var first sync.Once
	env.HandedConsole = func(s *store.Store, actor store.Actor, t cmd.HandedTerminal) error {
		first.Do(func() { trace.mark("opened") })
		return console.Run(s, actor, tui.Options{DBPath: s.Path(), WriteFiles: true, Files: t.Files, Trace: trace.hook(), Ready: restoreGC,
			Terminal: &tui.Terminal{In: t.In, Out: t.Out, Env: os.Environ(), Resized: t.Resized, End: t.End}})
	}
	// a console for a gatehouse process of this machine attached to this
	// one (which holds the database): its files are that process's
	env.HeldConsole = func(s *store.Store, actor store.Actor, files cmd.Files, terminal bool) (tea.Model, error) {
		if !terminal {
			return nil, tui.ErrNoTerminal
		}
		traced := false
		first.Do(func() {
			// the start of the console that started this holder: its
			// store is open here, and its page is built here (its frame
			// is marked by the process that shows it)
			trace.mark("opened")
			traced = true
		})
		m := console.New(s, actor, tui.Options{DBPath: s.Path(), WriteFiles: true, Files: files, Ready: restoreGC})
		if traced {
			trace.mark("page")
		}
		return m, nil
	}
	// every command line and the console work on a database another
	// gatehouse process holds: they run there
	if exe, err := os.Executable(); err == nil {
		env.Attach = &cmd.Attach{Executable: exe, Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr,
			// the console runs in the holder: this process only relays
			// the terminal, with the collector on
			Attaching: func() { restoreGC() },
			// an attached console's first frame is here when its first
			// bytes are
			FirstOutput: trace.hook(), Trace: trace.hook()}
	}
	env.RemoteConsole = func(s *store.Store, actor store.Actor) tea.Model {
		// no file path: where the server keeps its database is not a
		// remote admin's business
		return console.New(s, actor, tui.Options{})
	}
	code := cmd.Run(env, os.Args[1:])
	restoreGC()
	os.Exit(code)
}

// holds says whether the arguments run the holder (gatehouse __hold).
func holds(args []string) bool {
	for _, a := range args {
		if a == "__hold" {
			return true
		}
	}
	return false
}

// opensConsole says whether the arguments name no command (only global flags).
func opensConsole(args []string) bool {
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--db" || a == "--as" || strings.HasPrefix(a, "--etcd") && !strings.Contains(a, "="):
			i++ // the flag's value
		case strings.HasPrefix(a, "-"):
		default:
			return false
		}
	}
	return true
}
