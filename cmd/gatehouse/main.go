// Command gatehouse administers who may see which sites and which screens.
// It only wires the process to the command tree in package cmd and the
// console in package tui/console.
package main

import (
	"os"
	"runtime/debug"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/gatehouse/gatehouse/cmd"
	"github.com/gatehouse/gatehouse/store"
	"github.com/gatehouse/gatehouse/tui"
	"github.com/gatehouse/gatehouse/tui/console"
)

func main() {
	trace := openStartTrace()
	trace.mark("main")
	env := cmd.Env{In: os.Stdin, Out: os.Stdout, Err: os.Stderr}
	gc := -2
	if opensConsole(os.Args[1:]) {
		// Opening the console reads every user into memory: collecting
		// garbage while that heap is being built only slows the first frame,
		// so the collector waits until that frame is out.
		gc = debug.SetGCPercent(-1)
		go tui.Warm()
	}
	env.Console = func(s *store.Store, actor store.Actor) error {
		trace.mark("opened")
		return console.Run(s, actor, tui.Options{DBPath: s.Path(), WriteFiles: true, Trace: trace.hook(), Ready: func() {
			if gc != -2 {
				debug.SetGCPercent(gc)
			}
		}})
	}
	env.RemoteConsole = func(s *store.Store, actor store.Actor) tea.Model {
		// no file path: where the server keeps its database is not a
		// remote admin's business
		return console.New(s, actor, tui.Options{})
	}
	code := cmd.Run(env, os.Args[1:])
	if gc != -2 {
		debug.SetGCPercent(gc)
	}
	os.Exit(code)
}

// opensConsole says whether the arguments name no command (only global flags).
func opensConsole(args []string) bool {
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--db" || a == "--as":
			i++ // the flag's value
		case strings.HasPrefix(a, "-"):
		default:
			return false
		}
	}
	return true
}
