//go:build !unix

package main

import (
	"errors"
	"os"
	"os/exec"
)

// become runs gatehouse-core with the same arguments, environment and
// standard streams, and ends with its exit code (no exec here).
func become(core string, args []string) error {
	c := exec.Command(core, args...)
	c.Stdin, c.Stdout, c.Stderr = os.Stdin, os.Stdout, os.Stderr
	err := c.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		os.Exit(ee.ExitCode())
	}
	if err != nil {
		return err
	}
	os.Exit(0)
	return nil
}
