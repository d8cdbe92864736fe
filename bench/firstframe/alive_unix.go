//go:build unix

package firstframe

import "syscall"

// alive says whether the process pid is still there.
func alive(pid int) bool { return syscall.Kill(pid, 0) == nil }
