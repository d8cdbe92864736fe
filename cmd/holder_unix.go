//go:build unix

package cmd

import (
	"os"
	"os/exec"
	"syscall"
)

// newHolderCommand is the holder's process: in a session of its own (no
// controlling terminal, no hangup when this one's terminal closes), in /
// (it resolves no relative path of anyone's), its standard streams
// closed, its first line written to files[0] (descriptor 3), and the rest
// of files its descriptors 4 on.
func newHolderCommand(exe string, args []string, files []*os.File) *exec.Cmd {
	cmd := exec.Command(exe, args...)
	cmd.Dir = "/"
	cmd.Env = append(os.Environ(), "GATEHOUSE_HOLD_REPORT=3")
	cmd.ExtraFiles = files
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	return cmd
}
