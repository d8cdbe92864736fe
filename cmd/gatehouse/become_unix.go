//go:build unix

package main

import (
	"os"
	"syscall"
)

// become replaces this process with gatehouse-core, run with the same
// arguments, environment, standard streams and process id (a shell's job
// control and a caller's signals reach it as they reached this one).
func become(core string, args []string) error {
	return syscall.Exec(core, append([]string{os.Args[0]}, args...), os.Environ())
}
