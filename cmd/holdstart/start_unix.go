//go:build unix

package holdstart

import "syscall"

// Start starts the holder of the database at db (an absolute path; the
// holder resolves its links) with the binary exe, in a session of its own
// (no controlling terminal, no hangup when the console's terminal closes),
// in / (it resolves nobody's relative paths), its standard streams
// /dev/null but for standard error, which is the holder's log beside the
// database; handed (a console's pair and streams, or none) are its
// descriptors 4 on. Its first line is read from report (close-on-exec,
// the caller's to close).
func Start(exe, db string, handed []int) (pid, report int, err error) {
	var p [2]int
	if err := syscall.Pipe2(p[:], syscall.O_CLOEXEC); err != nil {
		return 0, -1, err
	}
	defer syscall.Close(p[1])
	null, err := syscall.Open("/dev/null", syscall.O_RDWR|syscall.O_CLOEXEC, 0)
	if err != nil {
		syscall.Close(p[0])
		return 0, -1, err
	}
	defer syscall.Close(null)
	logf := openLog(db)
	if logf < 0 {
		logf = null
	} else {
		defer syscall.Close(logf)
	}
	argv := []string{exe, "--db", db, Name}
	if v, _ := syscall.Getenv(LingerEnv); v != "" {
		argv = append(argv, "--linger", v)
	}
	env := append(syscall.Environ(), ReportEnv+"=3")
	if len(handed) > 0 {
		env = append(env, ConsoleEnv+"=4")
	}
	files := []uintptr{uintptr(null), uintptr(null), uintptr(logf), uintptr(p[1])}
	for _, fd := range handed {
		files = append(files, uintptr(fd))
	}
	pid, err = syscall.ForkExec(exe, argv, &syscall.ProcAttr{
		Dir: "/", Env: env, Files: files,
		Sys: &syscall.SysProcAttr{Setsid: true},
	})
	if err != nil {
		syscall.Close(p[0])
		return 0, -1, err
	}
	// nobody waits for it: it outlives this process, and init reaps it
	return pid, p[0], nil
}

// openLog opens the holder's standard error, <db>.holder.log: what it
// refuses (another user's process), and anything that goes wrong; started
// afresh past 1 MiB. -1 when it cannot be opened.
func openLog(db string) int {
	name := db + ".holder.log"
	var st syscall.Stat_t
	if syscall.Stat(name, &st) == nil && st.Size > 1<<20 {
		syscall.Unlink(name)
	}
	fd, err := syscall.Open(name, syscall.O_WRONLY|syscall.O_CREAT|syscall.O_APPEND|syscall.O_CLOEXEC, 0o600)
	if err != nil {
		return -1
	}
	return fd
}
