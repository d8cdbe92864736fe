//go:build unix

package store

import (
	"errors"
	"os"
	"syscall"
)

// heldByAnother reports whether another process holds f's file for writing
// (bbolt locks it with flock). Otherwise f keeps a shared lock until it is
// closed, so nobody writes the file while it is read again.
func heldByAnother(f *os.File) bool {
	err := syscall.Flock(int(f.Fd()), syscall.LOCK_SH|syscall.LOCK_NB)
	return errors.Is(err, syscall.EWOULDBLOCK)
}
