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
// closed, and its first line written to w (descriptor 3).
func newHolderCommand(exe string, args []string, w *os.File) *exec.Cmd {
	cmd := exec.Command(exe, args...)
	cmd.Dir = "/"
	cmd.Env = append(os.Environ(), "GATEHOUSE_HOLD_REPORT=3")
	cmd.ExtraFiles = []*os.File{w}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	return cmd
}
