//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package cmd

import (
	"errors"
	"io"
	"os"
)

// terminalFile: no terminal handling on this platform; the password is read
// from standard input as a line.
func terminalFile(io.Reader) (*os.File, bool) { return nil, false }

func readNoEcho(*os.File) (string, error) { return "", errors.New("no terminal support") }
