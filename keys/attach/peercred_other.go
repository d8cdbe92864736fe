//go:build !linux

package attach

import (
	"errors"
	"io/fs"
	"net"
	"os"
)

// localSupported: peer credentials are read on Linux only; elsewhere no
// process attaches to another (each opens the file itself, as before).
const localSupported = false

func PeerCred(c *net.UnixConn) (uid, pid int, err error) {
	return -1, -1, errors.New("peer credentials are not read on this system")
}

func ownerOf(fi fs.FileInfo) int { return -1 }

func notifyResize(c chan<- os.Signal) {}
