// Command gatehouse administers who may see which sites and which screens.
// It only wires the process to the command tree in package cmd and the
// console in package tui.
package main

import (
	"os"

	"github.com/gatehouse/gatehouse/cmd"
	"github.com/gatehouse/gatehouse/store"
	"github.com/gatehouse/gatehouse/tui"
)

func main() {
	env := cmd.Env{In: os.Stdin, Out: os.Stdout, Err: os.Stderr}
	env.Console = func(s *store.Store, actor store.Actor) error {
		return tui.Run(s, actor, tui.Options{DBPath: s.Path()})
	}
	os.Exit(cmd.Run(env, os.Args[1:]))
}
