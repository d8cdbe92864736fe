//go:build unix

package store

import (
	"os"
	"syscall"
	"testing"
	"time"
)

// An empty file another process holds is one being created (bbolt locks
// the file before it writes its first pages): in use, not a failed copy.
func TestEmptyFileBeingCreatedIsInUse(t *testing.T) {
	path := writeDB(t, nil)
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		t.Fatal(err)
	}
	_, err = Open(path, Options{NoSync: true, Timeout: 100 * time.Millisecond})
	wantOneLine(t, err, ErrLocked, "in use by another gatehouse process")
	f.Close() // the lock goes with it
	_, err = Open(path, Options{NoSync: true})
	wantOneLine(t, err, ErrDamaged, "is empty (0 bytes)")
}
