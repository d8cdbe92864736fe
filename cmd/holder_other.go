//go:build !unix

package cmd

import (
	"os"
	"os/exec"
)

func newHolderCommand(exe string, args []string, files []*os.File) *exec.Cmd {
	cmd := exec.Command(exe, args...)
	cmd.Env = append(os.Environ(), "GATEHOUSE_HOLD_REPORT=3")
	cmd.ExtraFiles = files
	return cmd
}
