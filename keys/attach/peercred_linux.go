//go:build linux

package attach

import (
	"io/fs"
	"net"
	"os"
	"os/signal"
	"syscall"
)

// localSupported: the kernel says who is at the other end of a unix socket.
const localSupported = true

// PeerCred is the uid and pid of the process at the other end of c (as it
// was when the connection was made), from the kernel: SO_PEERCRED.
func PeerCred(c *net.UnixConn) (uid, pid int, err error) {
	raw, err := c.SyscallConn()
	if err != nil {
		return -1, -1, err
	}
	var cred *syscall.Ucred
	var cerr error
	if err := raw.Control(func(fd uintptr) {
		cred, cerr = syscall.GetsockoptUcred(int(fd), syscall.SOL_SOCKET, syscall.SO_PEERCRED)
	}); err != nil {
		return -1, -1, err
	}
	if cerr != nil {
		return -1, -1, cerr
	}
	return int(cred.Uid), int(cred.Pid), nil
}

// ownerOf is the uid owning a file.
func ownerOf(fi fs.FileInfo) int {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return int(st.Uid)
	}
	return -1
}

// notifyResize sends c this terminal's size changes (SIGWINCH).
func notifyResize(c chan<- os.Signal) { signal.Notify(c, syscall.SIGWINCH) }
