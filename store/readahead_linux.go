package store

import (
	"os"

	"golang.org/x/sys/unix"
)

// adviseWillNeed starts reading length bytes of f at off into the page
// cache (a hint: nothing waits for it, and a failure changes nothing).
func adviseWillNeed(f *os.File, off, length int64) {
	_ = unix.Fadvise(int(f.Fd()), off, length, unix.FADV_WILLNEED)
}
