// Command gatehouse administers who may see which sites and which screens.
// It only wires the process to the command tree in package cmd.
package main

import (
	"os"

	"github.com/gatehouse/gatehouse/cmd"
)

func main() {
	os.Exit(cmd.Run(cmd.Env{In: os.Stdin, Out: os.Stdout, Err: os.Stderr}, os.Args[1:]))
}
