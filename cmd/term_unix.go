//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package cmd

import (
	"io"
	"os"

	"golang.org/x/sys/unix"
)

// terminalFile returns r as a file when r is a terminal.
func terminalFile(r io.Reader) (*os.File, bool) {
	f, ok := r.(*os.File)
	if !ok {
		return nil, false
	}
	_, err := unix.IoctlGetTermios(int(f.Fd()), ioctlGetTermios)
	return f, err == nil
}

// readNoEcho reads one line from the terminal with echo off.
func readNoEcho(f *os.File) (string, error) {
	fd := int(f.Fd())
	old, err := unix.IoctlGetTermios(fd, ioctlGetTermios)
	if err != nil {
		return "", err
	}
	t := *old
	t.Lflag &^= unix.ECHO
	t.Lflag |= unix.ICANON | unix.ISIG
	t.Iflag |= unix.ICRNL
	if err := unix.IoctlSetTermios(fd, ioctlSetTermios, &t); err != nil {
		return "", err
	}
	defer unix.IoctlSetTermios(fd, ioctlSetTermios, old)
	line, err := readLine(f)
	if err == io.EOF {
		err = nil
	}
	return line, err
}
