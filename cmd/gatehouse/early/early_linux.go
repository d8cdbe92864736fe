package early

import (
	"syscall"
	"unsafe"

	"github.com/gatehouse/gatehouse/cmd/holdstart"
	"github.com/gatehouse/gatehouse/keys/socketpath"
	"github.com/gatehouse/gatehouse/store/dbpath"
)

func start() *Started {
	// the cheapest test first: most processes that are no console (a
	// script's commands, the holder itself) have no terminal to hand
	var saved, out syscall.Termios
	if termios(0, syscall.TCGETS, &saved) != nil || termios(1, syscall.TCGETS, &out) != nil {
		return nil // no terminal to hand: cmd says so, or attaches
	}
	args, ok := commandLine()
	if !ok || len(args) == 0 {
		return nil
	}
	args = args[1:]
	if n, _, ok := holdstart.RootFlags(args); !ok || n != len(args) {
		return nil // a command, or not a line cmd would read as the console
	}
	db, ok := databaseFile(args)
	if !ok {
		return nil
	}
	var st syscall.Stat_t
	if syscall.Lstat(db, &st) == nil && st.Mode&syscall.S_IFMT == syscall.S_IFLNK {
		return nil // its holder listens beside the file it names: cmd resolves it
	}
	if syscall.Lstat(db+socketpath.Suffix, &st) == nil {
		return nil // somebody may hold it for others: cmd attaches
	}
	exe, ok := readLink("/proc/self/exe")
	if !ok {
		return nil
	}
	pair, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil
	}
	var tv syscall.Timeval
	_ = syscall.Gettimeofday(&tv)
	pid, report, err := holdstart.Start(exe, db, []int{pair[1], 0, 1, 2})
	syscall.Close(pair[1]) // the holder's alone now: EOF here means it has gone
	if err != nil {
		syscall.Close(pair[0])
		return nil
	}
	return &Started{DB: db, Pid: pid, Report: report, Handover: pair[0], At: tv.Nano(),
		Restore: func() { _ = termios(0, syscall.TCSETS, &saved) }}
}

// databaseFile is the console's database, absolute: --db's value (the last
// one, as the flag parser takes it), else the default; not when the store
// is on etcd.
func databaseFile(args []string) (string, bool) {
	_, db, _ := holdstart.RootFlags(args)
	if db == "" {
		if v, _ := syscall.Getenv("GATEHOUSE_ETCD"); v != "" {
			return "", false // no file to hold
		}
		db = dbpath.Default()
	}
	if db[0] != '/' {
		wd, err := syscall.Getwd()
		if err != nil {
			return "", false
		}
		db = wd + "/" + db
	}
	return db, true
}

// commandLine is this process's argv, from /proc (os.Args is os's, which
// this package must not wait for).
func commandLine() ([]string, bool) {
	fd, err := syscall.Open("/proc/self/cmdline", syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return nil, false
	}
	defer syscall.Close(fd)
	var b []byte
	buf := make([]byte, 4096)
	for {
		n, err := syscall.Read(fd, buf)
		if err != nil {
			return nil, false
		}
		if n == 0 {
			break
		}
		b = append(b, buf[:n]...)
		if len(b) > 1<<16 {
			return nil, false // not a console's line
		}
	}
	var args []string
	for start, i := 0, 0; i < len(b); i++ {
		if b[i] == 0 {
			args = append(args, string(b[start:i]))
			start = i + 1
		}
	}
	return args, true
}

func readLink(path string) (string, bool) {
	buf := make([]byte, 4096)
	n, err := syscall.Readlink(path, buf)
	if err != nil || n >= len(buf) {
		return "", false
	}
	return string(buf[:n]), true
}

func termios(fd int, req uintptr, t *syscall.Termios) error {
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, uintptr(fd), req, uintptr(unsafe.Pointer(t))); e != 0 {
		return e
	}
	return nil
}
