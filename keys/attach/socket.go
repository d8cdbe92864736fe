package attach

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/gatehouse/gatehouse/internal/safetext"
)

// The local socket: the process that holds a database (a holder started for
// the others, or serve) listens beside it, at Socket(db), for the other
// gatehouse processes of this machine. They speak SSH over it, as to serve;
// who they are comes from the kernel (the socket's peer credentials), not
// from a key or a password.

// Socket is where the holder of the database at dbPath listens: beside
// the file, named after it (<db>.sock). The path is made absolute, and a
// database reached through a symbolic link finds the holder of the file it
// names.
func Socket(dbPath string) string {
	return canonicalDB(dbPath) + ".sock"
}

// CanonicalDB is the database path every process of this machine agrees on:
// absolute, symbolic links resolved (when the file is there).
func CanonicalDB(dbPath string) string { return canonicalDB(dbPath) }

func canonicalDB(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		p = a
	}
	if r, err := filepath.EvalSymlinks(p); err == nil {
		p = r
	} else if d, err := filepath.EvalSymlinks(filepath.Dir(p)); err == nil {
		p = filepath.Join(d, filepath.Base(p)) // a new database: its folder's real path
	}
	return p
}

// ErrNoHolder says nobody holds the database for others: there is no socket,
// or one nobody listens on (left by a process that was killed).
var ErrNoHolder = errors.New("no gatehouse process holds this database for others")

// Refusal is something at the socket's path that must not be used (or
// a holder that refused us): its message is one line that says what to do.
type Refusal struct{ Msg string }

func (e *Refusal) Error() string { return e.Msg }

// Print writes the refusal as gatehouse writes any error it stops on (its
// exit code is 1): "gatehouse: MSG", the message's control characters
// shown rather than sent, or with asJSON one line of JSON, kind "locked"
// (the front says it without starting gatehouse-core, which would say the
// same: TestE2EFrontSendsWithoutTheCore compares them).
func (e *Refusal) Print(w io.Writer, asJSON bool) {
	if !asJSON {
		fmt.Fprintf(w, "gatehouse: %s\n", safetext.Escape(e.Msg))
		return
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(struct {
		Error string `json:"error"`
		Kind  string `json:"kind"`
	}{e.Msg, "locked"})
	w.Write(safetext.JSON(buf.Bytes()))
}

// NoSocketError says the socket could not be made (a folder this user may
// not write, a file system without sockets): nothing is in the way, there
// is just no way for others to attach; the process holds the file alone,
// as before.
type NoSocketError struct{ Msg string }

func (e *NoSocketError) Error() string { return e.Msg }

func localRefusal(format string, a ...any) error {
	return &Refusal{Msg: fmt.Sprintf(format, a...)}
}

// maxSunPath is the longest path a unix socket address holds (Linux: 108
// bytes with its terminating NUL).
const maxSunPath = 107

// shortAddr calls fn with an address for path that fits a socket address:
// path itself, or for a longer one the same file reached through an open
// descriptor of its folder (/proc/self/fd/N/name).
func shortAddr(path string, fn func(addr string) error) error {
	if len(path) <= maxSunPath {
		return fn(path)
	}
	dir, err := os.Open(filepath.Dir(path))
	if err != nil {
		return err
	}
	defer dir.Close()
	addr := fmt.Sprintf("/proc/self/fd/%d/%s", dir.Fd(), filepath.Base(path))
	if len(addr) > maxSunPath {
		return fmt.Errorf("the socket's name %s is too long for a unix socket", filepath.Base(path))
	}
	return fn(addr)
}

// fileKind names what a file is, for a refusal.
func fileKind(m fs.FileMode) string {
	switch m.Type() {
	case 0:
		return "regular file"
	case fs.ModeDir:
		return "folder"
	case fs.ModeSymlink:
		return "symbolic link"
	case fs.ModeNamedPipe:
		return "named pipe"
	case fs.ModeDevice, fs.ModeDevice | fs.ModeCharDevice:
		return "device"
	}
	return "special file"
}

// checkSocketFile looks at what is at path before anyone connects to it or
// takes it over: only a socket of this user (or root's) is a gatehouse's.
// A missing file is ErrNoHolder.
func checkSocketFile(path string) (fs.FileInfo, error) {
	fi, err := os.Lstat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, ErrNoHolder
	case err != nil:
		return nil, localRefusal("cannot look at %s: %v; check the folder's permissions", path, unwrapPathErr(err))
	}
	if fi.Mode().Type() != fs.ModeSocket {
		return nil, localRefusal("%s is a %s, not the socket of a gatehouse: gatehouse made no such file there; look at it, remove it (rm %s) and run again", path, fileKind(fi.Mode()), shellQuote(path))
	}
	me, owner := os.Geteuid(), ownerOf(fi)
	// a process of another user is never sent a command line, nor served
	// a file of ours: the socket of a gatehouse of theirs, or of someone
	// waiting for our commands (in a folder others may write), is not used
	if owner != me && owner != 0 {
		return nil, localRefusal("%s belongs to another user (uid %d): it is not your gatehouse's, and nothing is sent to it; if that user's gatehouse holds this database, run gatehouse as that user; if not, remove it (rm %s) and run again", path, owner, shellQuote(path))
	}
	return fi, nil
}

// dialLocal connects to the holder listening at path, or says why not: no
// holder (ErrNoHolder, also for a socket nobody listens on), or a refusal.
// It never waits longer than timeout, and accepts only a peer that is this
// user or root (the kernel says who listens, whoever made the file).
func dialLocal(path string, timeout time.Duration) (*net.UnixConn, error) {
	if !localSupported {
		return nil, ErrNoHolder
	}
	if _, err := checkSocketFile(path); err != nil {
		return nil, err
	}
	var c net.Conn
	err := shortAddr(path, func(addr string) error {
		var err error
		c, err = net.DialTimeout("unix", addr, timeout)
		return err
	})
	switch {
	case errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, fs.ErrNotExist):
		return nil, ErrNoHolder // left by a process that ended without removing it
	case errors.Is(err, syscall.EACCES), errors.Is(err, syscall.EPERM):
		return nil, localRefusal("%s may not be opened by you (uid %d): a gatehouse of another user holds this database; run as that user, or stop that gatehouse", path, os.Geteuid())
	case err != nil:
		return nil, localRefusal("cannot connect to %s: %v; if no gatehouse is running (pgrep -a gatehouse), remove it (rm %s) and run again", path, unwrapNetErr(err), shellQuote(path))
	}
	uc := c.(*net.UnixConn)
	uid, pid, err := PeerCred(uc)
	if err != nil {
		uc.Close()
		return nil, localRefusal("cannot tell who listens on %s: %v", path, err)
	}
	if uid != os.Geteuid() && uid != 0 {
		uc.Close()
		return nil, localRefusal("%s is served by a process of another user (uid %d, pid %d), not by your gatehouse: nothing was sent to it; find out who runs it, remove the socket (rm %s) and run again", path, uid, pid, shellQuote(path))
	}
	return uc, nil
}

// Listen opens the socket at path for a process that holds the
// database (it holds the database's lock, so nobody else may serve it). A
// socket nobody listens on is stale and taken over; anything else at the
// path is refused. The socket is bound in a folder of its own beside it
// (0700), made readable and writable by its owner only (0600) there, and
// then renamed into place, so nobody connects to it before; every
// connection's peer is checked all the same (onLocalConn).
func Listen(path string) (*net.UnixListener, error) {
	if !localSupported {
		return nil, errors.New("local attach needs peer credentials, which this system's gatehouse does not read")
	}
	switch _, err := checkSocketFile(path); {
	case err == nil:
		if c, err := dialLocal(path, time.Second); err == nil {
			c.Close()
			return nil, localRefusal("%s answers: another gatehouse already serves this database; use that one", path)
		} else if !errors.Is(err, ErrNoHolder) {
			return nil, err
		}
		// stale: nobody listens; taken over
		if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, localRefusal("cannot remove the stale socket %s: %v", path, unwrapPathErr(err))
		}
	case !errors.Is(err, ErrNoHolder):
		return nil, err
	}
	// bound in a folder of its own (0700: nobody else can reach it, nor
	// put anything in its place), made 0600 there, then renamed into place
	dir, err := os.MkdirTemp(filepath.Dir(path), ".gatehouse-sock-")
	if err != nil {
		return nil, &NoSocketError{Msg: fmt.Sprintf("cannot open the socket %s: %v", path, unwrapPathErr(err))}
	}
	defer os.RemoveAll(dir)
	tmp := filepath.Join(dir, "s")
	var ln *net.UnixListener
	err = shortAddr(tmp, func(addr string) error {
		l, err := net.Listen("unix", addr)
		if err != nil {
			return err
		}
		ln = l.(*net.UnixListener)
		return nil
	})
	if err != nil {
		return nil, &NoSocketError{Msg: fmt.Sprintf("cannot open the socket %s: %v", path, unwrapNetErr(err))}
	}
	ln.SetUnlinkOnClose(false) // removed by name, only if it is still ours (closeLocal)
	if err := os.Chmod(tmp, 0o600); err != nil {
		ln.Close()
		return nil, &NoSocketError{Msg: fmt.Sprintf("cannot set the mode of the socket %s: %v", path, unwrapPathErr(err))}
	}
	if err := os.Rename(tmp, path); err != nil {
		ln.Close()
		return nil, &NoSocketError{Msg: fmt.Sprintf("cannot put the socket at %s: %v", path, unwrapPathErr(err))}
	}
	return ln, nil
}

// RemoveSocket removes the socket at path if it is still the one fi names
// (a holder ending must not remove its successor's).
func RemoveSocket(path string, fi fs.FileInfo) {
	if cur, err := os.Lstat(path); err == nil && fi != nil && os.SameFile(cur, fi) {
		os.Remove(path)
	}
}

func unwrapPathErr(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func unwrapNetErr(err error) error {
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Err != nil {
		return unwrapPathErr(oe.Err)
	}
	return err
}

// shellQuote quotes a path for a command a person may paste.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("/._-+,:@", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// Supported says whether this system's gatehouse attaches to another
// (it needs the kernel to say who is at the other end of a socket).
func Supported() bool { return localSupported }

// Answers says whether a gatehouse of this user (or root's) listens at the
// socket path.
func Answers(path string) bool {
	c, err := dialLocal(path, time.Second)
	if err != nil {
		return false
	}
	c.Close()
	return true
}
