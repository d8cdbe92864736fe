package cmd

import (
	"io"
	"os"

	"golang.org/x/term"
)

// terminalFile returns r as a file when r is a terminal.
func terminalFile(r io.Reader) (*os.File, bool) {
	f, ok := r.(*os.File)
	return f, ok && term.IsTerminal(int(f.Fd()))
}

// readNoEcho reads one line from the terminal with echo off.
func readNoEcho(f *os.File) (string, error) {
	b, err := term.ReadPassword(int(f.Fd()))
	return string(b), err
}
