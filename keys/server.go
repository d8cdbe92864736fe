package keys

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"runtime/debug"
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/log/v2"
	"charm.land/ssh"
	"charm.land/wish/v2"
	gossh "golang.org/x/crypto/ssh"

	"github.com/gatehouse/gatehouse/store"
)

// InviteUser is the SSH user name a new user connects as to accept their
// invitation: ssh -p 23234 invite@HOST.
const InviteUser = "invite"

// RefusedMessage is what every refused sign-in is told, whatever the reason
// (unknown user or key, wrong password, disabled, no way to sign in, locked).
const RefusedMessage = "gatehouse: sign-in refused: wrong email or password, or this account cannot sign in (repeated failures lock sign-in for a while)"

// Config is what a Server needs.
type Config struct {
	Store *store.Store
	// HostKeyPath is the server's private host key, generated on first use.
	// Required: wish would otherwise write one into the working directory.
	HostKeyPath string

	// Console builds the console for a signed-in user's interactive session
	// (bubbletea downsamples its colours to what the client's terminal
	// shows). If the model has a Close method it is called when the session
	// ends.
	Console func(s ssh.Session, actor store.Actor) tea.Model
	// Command runs one command line for a signed-in user and returns the
	// exit code; the session's stdin, stdout and stderr are the command's,
	// and hasPty says a terminal is attached (ssh -t): read it from here,
	// not from s.Pty(), which races with the client resizing.
	Command func(s ssh.Session, actor store.Actor, args []string, hasPty bool) int

	// Local, when set, runs the command lines (the console, when one names
	// no command) that the other gatehouse processes of this machine send
	// over the local socket (ListenLocal), as the local operator: the
	// holder's half of attaching. HostKeyPath may then be empty: a server
	// for the local socket only (no Listen).
	Local func(l *LocalSession) int
	// Linger, when > 0, ends Serve that long after the last local
	// connection has closed (after the start, if none comes: then at least
	// 10 s): a holder started for the others ends by itself; serve, which
	// has none, runs until stopped.
	Linger time.Duration

	// BuildID is this executable's Go build ID (BuildID()): a local caller
	// naming another is refused, so that no command line runs in the code
	// of an older (or newer) gatehouse ("": not compared)
	BuildID string

	// SMTP, when set, delivers the outbox while the server runs (see SMTP);
	// without it the outbox stays queued for the operator.
	SMTP *SMTP

	// Logger gets the structured logs (default: stderr). Build it with
	// NewLogger, which escapes what clients typed.
	Logger *log.Logger
	// ShutdownGrace is how long running commands get to finish at shutdown (default 5s).
	ShutdownGrace time.Duration
	// LoginGrace closes connections that have not signed in by then (default 60s).
	LoginGrace time.Duration
	// Now is the lockout clock (tests).
	Now func() time.Time
}

// Server is gatehouse's SSH server.
type Server struct {
	cfg         Config
	st          *store.Store
	log         *log.Logger
	srv         *ssh.Server
	signer      gossh.Signer
	fingerprint string
	created     bool
	limiter     *Limiter

	// test hooks
	checkPassword func(email, pw string) (*store.User, error)
	panicHook     func(where string)

	mu      sync.Mutex
	ln      net.Listener
	closing bool

	// the local socket (local.go)
	lsrv       *ssh.Server
	lln        net.Listener
	lpath      string
	lfi        os.FileInfo
	localOpen  int
	localConns int           // admitted local connections not yet closed
	served     bool          // a local session has come
	idle       chan struct{} // closed once no local session has been open for Linger
	idleOnce   sync.Once
	idleTimer  *time.Timer
	idleGen    int
	held       map[*heldConsole]struct{} // consoles this process runs for a client of its own (Hold)
	sessions   map[ssh.Session]*session
	perUser    map[uint64]int // open sessions by user id
	ptys       sync.Map       // ssh.Session → terminal (see sessionRequest)
}

// New loads (or creates) the host key and builds the server; Listen and
// Serve start it.
func New(cfg Config) (*Server, error) {
	if cfg.Store == nil {
		return nil, errors.New("keys: no store")
	}
	if cfg.Logger == nil {
		cfg.Logger = NewLogger(os.Stderr, log.Options{ReportTimestamp: true, Prefix: "gatehouse"})
	}
	if cfg.HostKeyPath == "" && cfg.Local == nil {
		return nil, errors.New("keys: no host key path given")
	}
	if cfg.ShutdownGrace <= 0 {
		cfg.ShutdownGrace = 5 * time.Second
	}
	if cfg.LoginGrace <= 0 {
		cfg.LoginGrace = time.Minute
	}
	s := &Server{
		cfg: cfg, st: cfg.Store, log: cfg.Logger,
		sessions: map[ssh.Session]*session{},
		perUser:  map[uint64]int{},
		idle:     make(chan struct{}),
	}
	if cfg.Local != nil {
		lsrv, err := s.newLocalServer()
		if err != nil {
			return nil, err
		}
		s.lsrv = lsrv
	}
	if cfg.HostKeyPath == "" {
		return s, nil // the local socket only
	}
	signer, created, err := LoadOrCreateHostKey(cfg.HostKeyPath)
	if err != nil {
		return nil, err
	}
	s.signer, s.created = signer, created
	s.fingerprint = gossh.FingerprintSHA256(signer.PublicKey())
	s.checkPassword = s.st.CheckPassword
	s.limiter = NewLimiter(func() (int, time.Duration) {
		st := s.st.Settings()
		return st.LockoutAttempts, st.LockoutWindow
	}, cfg.Now)
	// several nodes serving one store count failures together
	s.limiter.Share(s.st.SignInFailures())

	// Middleware listed last runs first: recover wraps everything, then the
	// gate (identity, sign-in record, logs); commands are routed before
	// needsTerminal (which refuses a shell without a pty); then the console,
	// and innermost what runs after the console's program has ended.
	srv, err := wish.NewServer(
		wish.WithHostKeyPath(cfg.HostKeyPath),
		// public keys through wish (which hands the proven key to the
		// session as s.PublicKey()); keyboard-interactive and the check after
		// a key is proven through serverConfig, which sees the user name of
		// each attempt (wish's context keeps only the first one)
		wish.WithPublicKeyAuth(s.publicKeyHandler),
		func(srv *ssh.Server) error {
			srv.ServerConfigCallback = s.serverConfig
			srv.ConnCallback = s.onConn
			srv.SessionRequestCallback = s.sessionRequest
			// sessions only, each bounded (see sessionChannel); every
			// other channel type is refused as unknown
			srv.ChannelHandlers = map[string]ssh.ChannelHandler{"session": s.sessionChannel}
			return nil
		},
		wish.WithMiddleware(
			s.afterConsole,
			s.console,
			s.needsTerminal,
			s.commands,
			s.gate,
			s.recoverSession,
		),
	)
	if err != nil {
		return nil, err
	}
	// the handlers above are the only way in: refuse a server that would
	// let clients in without authentication (wish does when it has no
	// handler; serverConfig refuses "none" as well)
	if srv.PublicKeyHandler == nil || srv.ServerConfigCallback == nil || len(srv.HostSigners) == 0 {
		return nil, errors.New("keys: the SSH server lacks its auth handlers or host key")
	}
	s.srv = srv
	return s, nil
}

// HostKeyFingerprint is the SHA256 fingerprint of the host key.
func (s *Server) HostKeyFingerprint() string { return s.fingerprint }

// HostKeyCreated says whether New generated the host key.
func (s *Server) HostKeyCreated() bool { return s.created }

// HostKey is the server's public host key (for known_hosts).
func (s *Server) HostKey() gossh.PublicKey { return s.signer.PublicKey() }

// Listen opens the listening socket (":0" picks a free port).
func (s *Server) Listen(addr string) (net.Addr, error) {
	if s.srv == nil {
		return nil, errors.New("keys: a server for the local socket only does not listen on TCP")
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.ln = ln
	s.mu.Unlock()
	return ln.Addr(), nil
}

// Addr is the listening address (nil before Listen).
func (s *Server) Addr() net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ln == nil {
		return nil
	}
	return s.ln.Addr()
}

// Serve serves until ctx ends (or, with Config.Linger, until no local
// session has been open that long), then shuts down gracefully: open
// consoles are told the server is shutting down and closed, running
// commands get ShutdownGrace to finish. Store change sets are atomic, so
// nothing is left half-written whatever happens.
func (s *Server) Serve(ctx context.Context) error {
	s.mu.Lock()
	ln, lln := s.ln, s.lln
	s.mu.Unlock()
	if ln == nil && lln == nil {
		return errors.New("keys: Serve before Listen")
	}
	defer s.closeLocal()
	events, stop := s.st.Subscribe()
	defer stop()
	go s.watch(events)

	if s.cfg.SMTP != nil {
		// the delivery loop ends with the server: a message being sent
		// when it stops stays queued for the next start
		mctx, stopMail := context.WithCancel(ctx)
		mailDone := make(chan struct{})
		go func() {
			defer close(mailDone)
			defer s.recovered("outbox delivery", nil, nil)
			s.cfg.SMTP.Deliver(mctx, s.st, s.log)
		}()
		defer func() { stopMail(); <-mailDone }()
		s.log.Info("delivering the outbox", "smtp", s.cfg.SMTP.String(), "from", s.cfg.SMTP.From)
	}

	servers := 0
	errc := make(chan error, 2)
	if ln != nil {
		servers++
		go func() { errc <- s.srv.Serve(ln) }()
		s.log.Info("serving", "addr", ln.Addr().String(), "host-key", s.fingerprint)
	}
	if lln != nil {
		servers++
		go func() { errc <- s.lsrv.Serve(lln) }()
		s.mu.Lock()
		s.armIdleLocked()
		s.mu.Unlock()
	}
	var failed error
	select {
	case err := <-errc:
		servers--
		if !errors.Is(err, ssh.ErrServerClosed) {
			failed = err
		}
	case <-ctx.Done():
	case <-s.idle:
		s.log.Debug("no local session for a while: ending", "linger", s.cfg.Linger)
	}
	s.shutdown()
	for ; servers > 0; servers-- {
		<-errc
	}
	s.log.Info("stopped")
	return failed
}

func (s *Server) shutdown() {
	s.log.Info("shutting down", "open-sessions", s.openSessions())
	s.mu.Lock()
	s.closing = true
	s.mu.Unlock()
	// nobody new finds this process: the next one finds no socket, and
	// takes the file once it is released
	s.closeLocal()

	sctx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownGrace)
	defer cancel()
	done := make(chan error, 2)
	n := 0
	for _, srv := range []*ssh.Server{s.srv, s.lsrv} {
		if srv != nil {
			n++
			go func() { done <- srv.Shutdown(sctx) }() // closes the listener, waits for connections
		}
	}

	var consoles, localConsoles []*session
	for _, ss := range s.allSessions() {
		switch {
		case ss.local && ss.isConsole():
			localConsoles = append(localConsoles, ss)
		case ss.isConsole():
			consoles = append(consoles, ss)
		}
	}
	s.terminate(consoles, "the server is shutting down", 0)
	s.terminate(localConsoles, localEndReason, 1)
	s.endHeld(localEndReason)
	// commands still running get the rest of the grace period
	deadline := time.NewTimer(s.cfg.ShutdownGrace)
	defer deadline.Stop()
wait:
	for _, ss := range s.allSessions() {
		select {
		case <-ss.done:
		case <-deadline.C:
			var remote, local []*session
			for _, ss := range s.allSessions() {
				if ss.local {
					local = append(local, ss)
				} else {
					remote = append(remote, ss)
				}
			}
			s.terminate(remote, "the server is shutting down", 1)
			s.terminate(local, localEndReason, 1)
			break wait
		}
	}
	// connections still open (signing in, or idle without a session)
	for ; n > 0; n-- {
		if err := <-done; err != nil {
			if s.srv != nil {
				s.srv.Close()
			}
			if s.lsrv != nil {
				s.lsrv.Close()
			}
		}
	}
}

// localEndReason is what a local client is told when the holder stops
// under it.
const localEndReason = "the gatehouse process holding the database is stopping; a change set is written whole or not at all; start gatehouse again"

// onConn sees every new connection before the SSH handshake.
func (s *Server) onConn(ctx ssh.Context, c net.Conn) (out net.Conn) {
	defer s.recovered("connection", c.RemoteAddr(), func() { out = nil })
	s.hook("connection")
	s.mu.Lock()
	closing := s.closing
	s.mu.Unlock()
	if closing {
		return nil
	}
	// like sshd's LoginGraceTime: a connection that has not signed in by
	// then is dropped, so half-open handshakes cannot pile up
	time.AfterFunc(s.cfg.LoginGrace, func() {
		if ctx.Value(ssh.ContextKeyConn) == nil {
			s.log.Warn("sign-in took too long; connection dropped", "remote", c.RemoteAddr().String())
			c.Close()
		}
	})
	return c
}

// hook runs the test hook (tests force panics with it).
func (s *Server) hook(where string) {
	if s.panicHook != nil {
		s.panicHook(where)
	}
}

// recovered logs a panic and lets the caller's fallback set a refusal; a
// panic in one connection never takes the server down.
func (s *Server) recovered(where string, remote net.Addr, fallback func()) {
	if r := recover(); r != nil {
		addr := ""
		if remote != nil {
			addr = remote.String()
		}
		s.log.Error("panic recovered", "in", where, "remote", addr, "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
		if fallback != nil {
			fallback()
		}
	}
}
