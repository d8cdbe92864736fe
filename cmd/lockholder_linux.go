//go:build linux

package cmd

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// lockHolder is the process holding the flock bbolt takes on the database
// file (from /proc/locks), and whether it is a gatehouse: ok is false when
// that cannot be told.
func lockHolder(db string) (pid int, gatehouse, ok bool) {
	fi, err := os.Stat(db)
	if err != nil {
		return 0, false, false
	}
	st, isStat := fi.Sys().(*syscall.Stat_t)
	if !isStat {
		return 0, false, false
	}
	dev := uint64(st.Dev)
	major := (dev>>8)&0xfff | (dev>>32)&^uint64(0xfff)
	minor := dev&0xff | (dev>>12)&^uint64(0xff)
	want := fmt.Sprintf("%02x:%02x:%d", major, minor, st.Ino)
	f, err := os.Open("/proc/locks")
	if err != nil {
		return 0, false, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// 1: FLOCK  ADVISORY  WRITE 1234 08:01:5678 0 EOF
		fields := strings.Fields(sc.Text())
		if len(fields) < 6 || fields[1] != "FLOCK" || fields[3] != "WRITE" || fields[5] != want {
			continue
		}
		pid, err := strconv.Atoi(fields[4])
		if err != nil {
			return 0, false, false
		}
		exe, err := os.Readlink(fmt.Sprintf("/proc/%d/exe", pid))
		if err != nil {
			return pid, false, false // another user's process: not ours to look at
		}
		return pid, isGatehouse(exe), true
	}
	return 0, false, false
}

// isGatehouse says whether an executable is a gatehouse: this very binary,
// or one named like it.
func isGatehouse(exe string) bool {
	exe = strings.TrimSuffix(exe, " (deleted)")
	if self, err := os.Executable(); err == nil && (self == exe || filepath.Base(self) == filepath.Base(exe)) {
		return true
	}
	return strings.Contains(filepath.Base(exe), "gatehouse")
}
