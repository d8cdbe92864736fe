package keys

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/user"
	"strconv"
	"strings"
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/ssh"
	gossh "golang.org/x/crypto/ssh"

	"github.com/gatehouse/gatehouse/keys/attach"
)

// The holder's half of attaching: the other gatehouse processes of this
// machine connect to the local socket (ListenLocal), the kernel says who
// they are (only this user and root get in), and each session runs one
// command line — the argv whole — as the local operator through
// Config.Local, the console when it names no command.

// MaxLocalSessions is how many local sessions a holder runs at once.
const MaxLocalSessions = 256

// localPeer is who is at the other end of a local connection, from the kernel.
type localPeer struct{ uid, pid int }

type localPeerKey struct{}

// ErrCallerGone is what an operation on the caller's side returns once the
// caller has gone (killed, interrupted, its connection closed).
var ErrCallerGone = errors.New("the command's caller went away")

// newLocalServer is the SSH server of the local socket: the same sessions
// as the TCP one's (sessionChannel and its request filter, the registry of
// sessions, the console's program), authenticated by the socket's peer
// credentials instead of keys and passwords, with a host key of its own
// made for this process (the client trusts the kernel, not a key).
func (s *Server) newLocalServer() (*ssh.Server, error) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	signer, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		return nil, err
	}
	srv := &ssh.Server{
		HostSigners: []ssh.Signer{signer},
		Handler:     s.recoverSession(s.localHandler),
		// a connection whose peer was checked (onLocalConn) needs no more:
		// "none" is the only method, and only here
		ServerConfigCallback: func(ssh.Context) *gossh.ServerConfig {
			return hardened(&gossh.ServerConfig{NoClientAuth: true})
		},
		ConnCallback:           s.onLocalConn,
		SessionRequestCallback: s.sessionRequest,
		ChannelHandlers:        map[string]ssh.ChannelHandler{"session": s.sessionChannel},
		HandshakeTimeout:       10 * time.Second,
	}
	return srv, nil
}

// ListenLocal opens the local socket at path (LocalSocket of the database)
// for the other gatehouse processes of this machine. A stale socket is
// taken over; anything else at the path is refused with a line that says
// what to do. Serve serves it; the socket is removed as Serve ends.
func (s *Server) ListenLocal(path string) error {
	if s.lsrv == nil {
		return errors.New("keys: ListenLocal without Config.Local")
	}
	ln, err := attach.Listen(path)
	if err != nil {
		return err
	}
	fi, _ := os.Lstat(path)
	s.mu.Lock()
	s.lln, s.lpath, s.lfi = ln, path, fi
	s.mu.Unlock()
	return nil
}

// LocalPath is the local socket's path ("" before ListenLocal).
func (s *Server) LocalPath() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lpath
}

// closeLocal stops taking local connections and removes the socket (if it
// is still this server's), so the next process finds nobody and may take
// the file once it is released.
func (s *Server) closeLocal() {
	s.mu.Lock()
	ln, path, fi := s.lln, s.lpath, s.lfi
	s.mu.Unlock()
	if ln == nil {
		return
	}
	attach.RemoveSocket(path, fi)
	ln.Close()
}

// onLocalConn admits a local connection whose peer is this user or root,
// before any byte of SSH. Anyone else is refused and logged (the socket's
// mode keeps them out already; this holds should it not). The refusal is
// one line before the SSH version, which SSH clients skip and gatehouse's
// shows.
func (s *Server) onLocalConn(ctx ssh.Context, c net.Conn) (out net.Conn) {
	defer s.recovered("local connection", nil, func() { out = nil })
	s.hook("local connection")
	uc, ok := c.(*net.UnixConn)
	if !ok {
		return nil
	}
	uid, pid, err := attach.PeerCred(uc)
	if err != nil {
		s.log.Warn("local connection refused", "why", "no peer credentials: "+err.Error())
		return nil
	}
	me := os.Geteuid()
	if uid != me && uid != 0 {
		serves := fmt.Sprintf("its own user (uid %d) and root", me)
		if me == 0 {
			serves = "root only"
		}
		s.log.Warn("local connection refused", "uid", uid, "pid", pid, "why", "another user: this holder serves "+serves)
		_ = c.SetWriteDeadline(time.Now().Add(time.Second))
		fmt.Fprintf(c, "gatehouse: refused: the gatehouse holding this database (pid %d) serves %s, not uid %d; run gatehouse as that user\r\n", os.Getpid(), serves, uid)
		return nil
	}
	if s.isClosing() {
		// it is ending: the caller finds nobody, and waits for the file
		return nil
	}
	ctx.SetValue(localPeerKey{}, localPeer{uid: uid, pid: pid})
	// a connection keeps the holder from ending, from now until it closes
	// (a session of it registers only once SSH has been spoken)
	s.mu.Lock()
	s.localConns++
	if s.idleTimer != nil {
		s.idleTimer.Stop()
		s.idleTimer = nil
	}
	s.mu.Unlock()
	return &localConn{UnixConn: uc, srv: s}
}

// localConn is an admitted local connection: its close lets the holder's
// countdown start again.
type localConn struct {
	*net.UnixConn
	srv  *Server
	once sync.Once
}

func (c *localConn) Close() error {
	c.once.Do(func() {
		c.srv.mu.Lock()
		c.srv.localConns--
		c.srv.armIdleLocked()
		c.srv.mu.Unlock()
	})
	return c.UnixConn.Close()
}

// localHandler runs one local session: a command line of the local
// operator, or the console.
func (s *Server) localHandler(sess ssh.Session) {
	term := s.terminalOf(sess)
	defer s.ptys.Delete(sess)
	defer drainWindowChanges(term.winch)
	peer, ok := sess.Context().Value(localPeerKey{}).(localPeer)
	refuse := func(code int, msg string, why string) {
		s.log.Warn("local session refused", "uid", peer.uid, "pid", peer.pid, "why", why)
		fmt.Fprintf(sess.Stderr(), "%s\r\n", msg)
		_ = sess.Exit(code)
	}
	if !ok { // never: onLocalConn admits every local connection
		refuse(1, "gatehouse: refused", "no peer")
		return
	}
	if s.isClosing() {
		refuse(1, "gatehouse: the gatehouse holding this database is stopping; run the command again", "shutting down")
		return
	}
	raw := sess.RawCommand()
	if len(raw) > attach.MaxCommandLine {
		refuse(2, fmt.Sprintf("gatehouse: the command line has %d bytes, more than the %d a gatehouse hands to the one holding the database; pick many users with --where, or run several commands", len(raw), attach.MaxCommandLine), "command line too long")
		return
	}
	var req attach.Request
	if err := json.Unmarshal([]byte(raw), &req); err != nil || req.Protocol == 0 {
		refuse(2, "gatehouse: this socket runs gatehouse command lines sent by gatehouse itself; run gatehouse", "not a gatehouse request")
		return
	}
	if req.Protocol != attach.Protocol {
		refuse(1, fmt.Sprintf("gatehouse: the gatehouse holding this database (pid %d) is another version, which cannot run this one's commands; stop it (or wait: it ends by itself after its last client), then run again", os.Getpid()), "another protocol version")
		return
	}
	if mine := s.cfg.BuildID; mine != "" && req.BuildID != "" && req.BuildID != mine {
		stop := "quit its consoles (it ends by itself after its last client)"
		if s.cfg.Linger == 0 {
			stop = "restart gatehouse serve"
		}
		refuse(1, fmt.Sprintf("gatehouse: the gatehouse holding this database (pid %d) is another build of gatehouse than this one; %s, then run again", os.Getpid(), stop), "another build")
		return
	}
	ss := &session{sess: sess, local: true, start: time.Now(), done: make(chan struct{}), term: term}
	if !s.registerLocal(ss) {
		refuse(1, fmt.Sprintf("gatehouse: the gatehouse holding this database runs %d commands and consoles at once, the most it takes; wait for some to end, then run again", MaxLocalSessions), "too many local sessions")
		return
	}
	defer s.unregisterLocal(ss)
	defer close(ss.done)

	ctx, cancel := context.WithCancel(sess.Context())
	defer cancel()
	// a signal the caller forwards (Ctrl-C, SIGTERM) ends what the
	// command does with ctx; charm.land/ssh sends each one under the
	// session's lock, so it is read until the handler ends
	sigs := make(chan ssh.Signal, 4)
	sess.Signals(sigs)
	sigDone := make(chan struct{})
	go func() {
		for {
			select {
			case <-sigs:
				ss.interrupted.Store(true)
				cancel()
			case <-sigDone:
				return
			}
		}
	}()
	defer func() { sess.Signals(nil); close(sigDone) }()

	ls := &LocalSession{
		Args: req.Args, UID: peer.uid, PID: peer.pid,
		srv: s, ss: ss, sess: sess, ctx: ctx, req: req,
	}
	ls.User = localUserName(peer.uid, req.User)
	ls.Out = &ctxWriter{ctx: ctx, w: sess}
	ls.Err = &ctxWriter{ctx: ctx, w: sess.Stderr()}
	if term.ok {
		ls.In = sess
	} else {
		ls.in = &pulledStdin{l: ls}
		ls.In = ls.in
	}
	ls.conn, _ = sess.Context().Value(ssh.ContextKeyConn).(gossh.Conn)
	if req.ArgsFollow {
		args, err := ls.fetchArgs()
		if err != nil {
			fmt.Fprintf(sess.Stderr(), "gatehouse: %v\r\n", err)
			_ = sess.Exit(2)
			return
		}
		ls.Args = args
	}
	kind := "command"
	if len(req.Args) == 0 || term.ok {
		kind = "console"
	}
	s.log.Debug("local session start", "uid", peer.uid, "pid", peer.pid, "kind", kind, "command", logText(strings.Join(req.Args, " ")))
	code := s.cfg.Local(ls)
	ls.close()
	ss.mu.Lock()
	reason, rcode, console := ss.reason, ss.code, ss.console
	ss.mu.Unlock()
	switch {
	case reason != "" && console:
		// the holder ended the console (terminate quit its program):
		// the terminal is restored; now the caller is told why
		fmt.Fprintf(sess.Stderr(), "\r\ngatehouse: %s\r\n", reason)
		_ = sess.Exit(rcode)
	case reason != "":
		// a command: terminate has told the caller already
	default:
		_ = sess.Exit(code)
	}
	s.log.Debug("local session end", "uid", peer.uid, "pid", peer.pid, "kind", kind, "exit", code, "duration", time.Since(ss.start).Round(time.Millisecond))
}

// localUserName is the OS user name of a uid, as the caller would find it
// itself: from the user database, else (the same uid as this process) the
// name the caller gave, else the number.
func localUserName(uid int, said string) string {
	if u, err := user.LookupId(strconv.Itoa(uid)); err == nil && u.Username != "" {
		return u.Username
	}
	if uid == os.Geteuid() && said != "" {
		return said
	}
	return "uid" + strconv.Itoa(uid)
}

// ---- the registry of local sessions, and the holder's idle end

func (s *Server) registerLocal(ss *session) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.localOpen >= MaxLocalSessions {
		return false
	}
	s.localOpen++
	s.served = true
	s.sessions[ss.sess] = ss
	if s.idleTimer != nil {
		s.idleTimer.Stop()
		s.idleTimer = nil
	}
	return true
}

func (s *Server) unregisterLocal(ss *session) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.sessions[ss.sess]; !ok {
		return
	}
	delete(s.sessions, ss.sess)
	s.localOpen--
	s.armIdleLocked()
}

// armIdleLocked starts the countdown to the holder's end once no local
// session is open (Config.Linger; never for serve). Callers hold s.mu.
func (s *Server) armIdleLocked() {
	if s.cfg.Linger <= 0 || s.localOpen > 0 || s.localConns > 0 || len(s.held) > 0 || s.idle == nil {
		return
	}
	if s.idleTimer != nil {
		s.idleTimer.Stop()
	}
	wait := s.cfg.Linger
	if !s.served {
		// nobody has come yet: the one that started it is on its way
		wait = max(wait, firstClientWait)
	}
	s.idleGen++
	gen := s.idleGen
	s.idleTimer = time.AfterFunc(wait, func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		if gen == s.idleGen && s.localOpen == 0 && s.localConns == 0 && len(s.held) == 0 {
			s.idleOnce.Do(func() { close(s.idle) })
		}
	})
}

// firstClientWait is how long a holder waits for its first client at
// least, whatever its Linger: the process that started it connects once
// it says it is ready, which a busy machine can make take a while.
const firstClientWait = 10 * time.Second

// LocalSessions is how many local sessions are open.
func (s *Server) LocalSessions() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.localOpen
}

// ---- one local session

// LocalSession is one command line (or the console) sent by a gatehouse
// process of this machine: the argv whole, who sent it (from the kernel),
// its standard streams, and the caller's side — its files, its standard
// input byte for byte as it asks for it, its terminal and its environment —
// reached over the connection, so a command reads and writes the caller's
// files in the caller's working directory with the caller's rights.
type LocalSession struct {
	Args []string
	// User is the caller's OS user name (the local operator local:<User>),
	// UID and PID its uid and process, as the kernel told them
	User     string
	UID, PID int
	// In is the caller's standard input: pulled from the caller as it is
	// read (a command reads exactly what it would have read itself), or
	// the terminal of a console. Out and Err are its output and error;
	// once the caller has gone or interrupted, writes fail.
	In       io.Reader
	Out, Err io.Writer

	srv  *Server
	ss   *session
	sess ssh.Session
	conn gossh.Conn
	ctx  context.Context
	req  attach.Request
	in   *pulledStdin
}

// Context ends when the caller goes away or forwards a signal (Ctrl-C,
// SIGTERM).
func (l *LocalSession) Context() context.Context { return l.ctx }

// Interrupted says the caller forwarded a signal.
func (l *LocalSession) Interrupted() bool { return l.ss.interrupted.Load() }

// Terminal says the caller attached its terminal (a console's pty).
func (l *LocalSession) Terminal() bool { return l.ss.term.ok }

// IsTerminal says whether the caller's standard input (0), output (1) or
// error (2) is a terminal.
func (l *LocalSession) IsTerminal(fd int) bool {
	if fd < 0 || fd > 2 {
		return false
	}
	return l.req.TTY[fd]
}

// Getenv is one of the caller's environment variables (those of localEnv).
func (l *LocalSession) Getenv(key string) string {
	for _, kv := range l.req.Env {
		if k, v, ok := strings.Cut(kv, "="); ok && k == key {
			return v
		}
	}
	return ""
}

// Environ is the caller's environment variables of localEnv.
func (l *LocalSession) Environ() []string { return append([]string(nil), l.req.Env...) }

// RunConsole runs m on the caller's terminal until it quits (or the holder
// ends it, or the caller goes), as a console over SSH runs; the caller's
// environment picks its colours. A model with a Close method is closed.
func (l *LocalSession) RunConsole(m tea.Model, opts ...tea.ProgramOption) error {
	if !l.ss.term.ok {
		return errors.New("no terminal")
	}
	s := l.srv
	p := s.newProgram(l.sess, l.ss, m, l.Environ(), opts...)
	// the caller's signal (SIGTERM, SIGHUP) ends it too
	stop := context.AfterFunc(l.ctx, p.Quit)
	defer stop()
	s.runProgram(l.sess, l.ss, p)
	if c, ok := m.(interface{ Close() }); ok {
		c.Close()
	}
	return nil
}

func (l *LocalSession) close() {
	if l.in != nil {
		l.in.close()
	}
}

// callerOp opens one operation on the caller's side.
func (l *LocalSession) call(op attach.CallerOp) (gossh.Channel, error) {
	if l.conn == nil || l.ctx.Err() != nil {
		return nil, ErrCallerGone
	}
	b, _ := json.Marshal(op)
	ch, reqs, err := l.conn.OpenChannel(attach.CallerChannel, b)
	if err != nil {
		return nil, ErrCallerGone
	}
	go gossh.DiscardRequests(reqs)
	// the operation ends with the session: a caller that stops answering
	// holds nothing of the holder's after it has gone
	stop := context.AfterFunc(l.ctx, func() { ch.Close() })
	return &opChannel{Channel: ch, stop: stop}, nil
}

type opChannel struct {
	gossh.Channel
	stop func() bool
}

func (c *opChannel) Close() error {
	c.stop()
	return c.Channel.Close()
}

// answer reads an operation's answer: frameEnd's payload, or its error.
func answer(ch io.Reader) ([]byte, error) {
	kind, p, err := attach.ReadFrame(ch)
	switch {
	case err != nil:
		return nil, ErrCallerGone
	case kind == attach.FrameEnd:
		return p, nil
	case kind == attach.FrameErr:
		return nil, attach.DecodeCallerError(p)
	}
	return nil, fmt.Errorf("the caller answered a frame %q", kind)
}

// fetchArgs asks the caller for a command line too long for its request.
func (l *LocalSession) fetchArgs() ([]string, error) {
	b, err := l.readOp(attach.CallerOp{Op: attach.OpArgs}, attach.MaxArgs+1)
	if err != nil {
		return nil, err
	}
	if len(b) > attach.MaxArgs {
		return nil, fmt.Errorf("the command line has more than %d MiB; pick many users with --where, or run several commands", attach.MaxArgs>>20)
	}
	var args []string
	if err := json.Unmarshal(b, &args); err != nil {
		return nil, fmt.Errorf("the command line did not arrive whole: %v", err)
	}
	return args, nil
}

// ReadFile reads the caller's file name (relative to the caller's working
// directory), at most max bytes of it (max > 0: what is past it is not
// read, as io.LimitReader).
func (l *LocalSession) ReadFile(name string, max int64) ([]byte, error) {
	return l.readOp(attach.CallerOp{Op: attach.OpRead, Name: name}, max)
}

// ReadFileOp reads what an operation sends as frames, at most max bytes.
func (l *LocalSession) readOp(op attach.CallerOp, max int64) ([]byte, error) {
	ch, err := l.call(op)
	if err != nil {
		return nil, err
	}
	defer ch.Close()
	var buf bytes.Buffer
	for {
		kind, p, err := attach.ReadFrame(ch)
		if err != nil {
			return nil, ErrCallerGone
		}
		switch kind {
		case attach.FrameData:
			if max > 0 && int64(buf.Len()+len(p)) >= max {
				buf.Write(p[:max-int64(buf.Len())])
				return buf.Bytes(), nil
			}
			buf.Write(p)
		case attach.FrameEnd:
			return buf.Bytes(), nil
		case attach.FrameErr:
			return nil, attach.DecodeCallerError(p)
		default:
			return nil, fmt.Errorf("the caller answered a frame %q", kind)
		}
	}
}

// WriteFile writes a new file name on the caller's side (relative to its
// working directory, mode 0600) with what r holds: whole or not at all
// (written beside it, then linked into place), and never over an existing
// file (an error for which errors.Is(err, fs.ErrExist) holds). It returns
// the file's absolute path and size.
func (l *LocalSession) WriteFile(name string, r io.Reader) (string, int64, error) {
	ch, err := l.call(attach.CallerOp{Op: attach.OpWrite, Name: name})
	if err != nil {
		return "", 0, err
	}
	defer ch.Close()
	// the caller may refuse before it has read it all (the name exists):
	// its answer says why
	refused := func() error {
		if _, err := answer(ch); err != nil {
			return err
		}
		return ErrCallerGone
	}
	buf := make([]byte, attach.MaxFrame)
	for {
		n, rerr := r.Read(buf)
		if n > 0 {
			if err := attach.WriteFrame(ch, attach.FrameData, buf[:n]); err != nil {
				return "", 0, refused()
			}
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			_ = attach.WriteFrame(ch, attach.FrameErr, attach.EncodeCallerError(rerr))
			return "", 0, rerr
		}
	}
	if err := attach.WriteFrame(ch, attach.FrameEnd, nil); err != nil {
		return "", 0, refused()
	}
	p, err := answer(ch)
	if err != nil {
		return "", 0, err
	}
	var res attach.WriteResult
	if err := json.Unmarshal(p, &res); err != nil {
		return "", 0, fmt.Errorf("the caller's answer: %v", err)
	}
	return res.Path, res.Size, nil
}

// Exists says whether name is there on the caller's side (os.Stat succeeds).
func (l *LocalSession) Exists(name string) (bool, error) {
	ch, err := l.call(attach.CallerOp{Op: attach.OpStat, Name: name})
	if err != nil {
		return false, err
	}
	defer ch.Close()
	p, err := answer(ch)
	if err != nil {
		return false, err
	}
	var res attach.StatResult
	if err := json.Unmarshal(p, &res); err != nil {
		return false, fmt.Errorf("the caller's answer: %v", err)
	}
	return res.Exists, nil
}

// ReadSecret writes prompt on the caller's standard error and reads one
// line from its terminal without echo (standard input must be one).
func (l *LocalSession) ReadSecret(prompt string) (string, error) {
	ch, err := l.call(attach.CallerOp{Op: attach.OpSecret, Prompt: prompt})
	if err != nil {
		return "", err
	}
	defer ch.Close()
	p, err := answer(ch)
	return string(p), err
}

// pulledStdin is the caller's standard input, read on the caller's side
// only when and as much as the command reads: a command that reads one
// line byte by byte leaves the rest for whatever the caller runs next, and
// one that reads nothing takes nothing.
type pulledStdin struct {
	l   *LocalSession
	mu  sync.Mutex
	ch  gossh.Channel
	err error
}

func (p *pulledStdin) Read(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.err != nil {
		return 0, p.err
	}
	if len(b) == 0 {
		return 0, nil
	}
	if p.ch == nil {
		ch, err := p.l.call(attach.CallerOp{Op: attach.OpStdin})
		if err != nil {
			p.err = io.EOF // nobody to read from: as a closed input
			return 0, p.err
		}
		p.ch = ch
	}
	want := min(len(b), attach.MaxFrame)
	var cnt [4]byte
	binary.BigEndian.PutUint32(cnt[:], uint32(want))
	if err := attach.WriteFrame(p.ch, attach.FrameRead, cnt[:]); err != nil {
		p.err = io.EOF
		return 0, p.err
	}
	kind, data, err := attach.ReadFrame(p.ch)
	switch {
	case err != nil:
		p.err = io.EOF
		return 0, p.err
	case kind == attach.FrameData && len(data) <= want:
		return copy(b, data), nil
	case kind == attach.FrameEnd:
		p.err = io.EOF
		return 0, p.err
	case kind == attach.FrameErr:
		p.err = attach.DecodeCallerError(data)
		return 0, p.err
	}
	p.err = fmt.Errorf("the caller answered a frame %q", kind)
	return 0, p.err
}

func (p *pulledStdin) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ch != nil {
		p.ch.Close()
	}
	if p.err == nil {
		p.err = io.EOF
	}
}

// ctxWriter fails every write once ctx has ended: a command whose caller
// has gone or interrupted stops printing.
type ctxWriter struct {
	ctx context.Context
	w   io.Writer
}

func (c *ctxWriter) Write(b []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, ErrCallerGone
	}
	return c.w.Write(b)
}
