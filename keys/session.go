package keys

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/ssh"
	"charm.land/wish/v2/bubbletea"
	gossh "golang.org/x/crypto/ssh"

	"github.com/gatehouse/gatehouse/internal/safetext"
	"github.com/gatehouse/gatehouse/store"
)

// MaxCommandLine is the longest command line an exec session may send: the
// SSH packet allows 256 KiB, and each one is parsed, logged and kept for the
// session's life.
const MaxCommandLine = 16 << 10

// session is one signed-in SSH session.
type session struct {
	sess   ssh.Session
	userID uint64
	actor  store.Actor
	method string // "key SHA256:…" or "password"
	keyFP  string // the key it signed in with, if any
	pwTag  string // the password hash it signed in against, if any (hashTag)
	start  time.Time
	done   chan struct{} // closed when the session's handler returns

	term terminal // read once (see sessionRequest)

	local       bool        // a local session (the local socket): the local operator
	interrupted atomic.Bool // (local) the caller forwarded a signal

	mu      sync.Mutex
	console bool
	program *tea.Program
	model   tea.Model
	input   *consoleInput // the console's, closed as its program ends
	reason  string        // why the server ended it
	code    int           // and the exit status it gives
	outcome string
}

// terminal is a session's pty, as it was when the session started.
type terminal struct {
	pty   ssh.Pty
	winch <-chan ssh.Window
	ok    bool
}

// sessionRequest admits shell and exec requests, and reads the session's
// terminal: charm.land/ssh writes each window change into what Pty()
// reads, without a lock, from the session's request loop. This callback runs
// in that loop, before the handler starts, so reading it here races with
// nothing; the handler takes it from s.ptys and never calls Pty() itself.
func (s *Server) sessionRequest(sess ssh.Session, kind string) bool {
	if kind != "shell" && kind != "exec" {
		return false
	}
	pty, winch, ok := sess.Pty()
	s.ptys.Store(sess, terminal{pty, winch, ok})
	return true
}

// terminalSession is a session whose Pty is the terminal read by
// sessionRequest: charm.land/ssh's own Pty reads the size each window
// change writes, without a lock, and wish's MakeOptions calls it.
type terminalSession struct {
	ssh.Session
	term terminal
	env  []string // added to the session's environment (a local caller's)
}

func (t terminalSession) Environ() []string {
	return append(t.Session.Environ(), t.env...)
}

func (t terminalSession) Pty() (ssh.Pty, <-chan ssh.Window, bool) {
	return t.term.pty, t.term.winch, t.term.ok
}

// terminalOf is the terminal read by sessionRequest, forgotten as the
// session's handler ends.
func (s *Server) terminalOf(sess ssh.Session) terminal {
	if t, ok := s.ptys.Load(sess); ok {
		return t.(terminal)
	}
	return terminal{}
}

func (ss *session) isConsole() bool {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	return ss.console
}

func (ss *session) endReason() string {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	return ss.reason
}

func (ss *session) setOutcome(o string) {
	ss.mu.Lock()
	ss.outcome = o
	ss.mu.Unlock()
}

func addrString(a net.Addr) string {
	if a == nil {
		return ""
	}
	return a.String()
}

// recoverSession is the outermost middleware: a panic ends that session, not
// the server.
func (s *Server) recoverSession(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		defer s.recovered("session", sess.RemoteAddr(), func() {
			fmt.Fprint(sess.Stderr(), "\r\ngatehouse: internal error; the session ended (the server logged it)\r\n")
			_ = sess.Exit(1)
		})
		next(sess)
	}
}

// drainWindowChanges reads a session's window changes that nobody else will
// (a command's, or any after its console ended) until the session's request
// loop ends. charm.land/ssh hands them to a channel of one that already
// holds the first size; one more, unread, blocked that loop for good, and
// kept its goroutine and session with it.
func drainWindowChanges(winch <-chan ssh.Window) {
	if winch != nil {
		go func() {
			for range winch {
			}
		}()
	}
}

var (
	errNoIdentity      = errors.New("no user holds this key or id")
	errPasswordChanged = errors.New("the password changed since this connection signed in")
)

// identity is who a session is and how they signed in.
type identity struct {
	user   *store.User
	method string // "key SHA256:…" or "password"
	keyFP  string // the key, for a key sign-in
	pwTag  string // the password hash, for a password sign-in (hashTag)
}

// identify resolves who the session is, after authentication: from the key
// the client proved (s.PublicKey()), or from the password sign-in recorded in
// the connection's permissions. Never from the SSH user name of a key
// sign-in, never from a key merely offered. A connection that signed in with
// a password since changed opens no more sessions.
func (s *Server) identify(sess ssh.Session) (identity, error) {
	if pk := sess.PublicKey(); pk != nil {
		fp := gossh.FingerprintSHA256(pk)
		u, err := s.st.UserByKey(fp)
		if err != nil {
			return identity{keyFP: fp}, errNoIdentity
		}
		return identity{user: u, method: "key " + fp, keyFP: fp}, nil
	}
	perms := sess.Permissions()
	if perms.Permissions != nil {
		if v, ok := perms.Extensions[extUserID]; ok {
			id, err := strconv.ParseUint(v, 10, 64)
			if err != nil {
				return identity{}, errNoIdentity
			}
			u, err := s.st.UserByID(id)
			if err != nil {
				return identity{}, errNoIdentity
			}
			tag := perms.Extensions[extPasswordHash]
			if tag == "" || tag != hashTag(u.PasswordHash) {
				return identity{}, errPasswordChanged
			}
			return identity{user: u, method: "password", pwTag: tag}, nil
		}
	}
	return identity{}, errNoIdentity
}

func extension(sess ssh.Session, key string) (string, bool) {
	perms := sess.Permissions()
	if perms.Permissions == nil {
		return "", false
	}
	v, ok := perms.Extensions[key]
	return v, ok
}

// gate admits a signed-in user's session: it resolves the actor, refuses the
// disabled, records the sign-in, registers the session so it can be ended
// (disabled user, shutdown), and logs who, from where, with which key, what,
// how long and how it ended.
func (s *Server) gate(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		term := s.terminalOf(sess)
		defer s.ptys.Delete(sess)
		defer drainWindowChanges(term.winch) // whatever comes after the session's work
		s.hook("session")
		remote := addrString(sess.RemoteAddr())
		if email, ok := extension(sess, extInviteEmail); ok {
			s.invited(sess, email)
			return
		}
		refuse := func(msg string, kv ...any) {
			s.log.Warn("session refused", append([]any{"remote", remote, "user", logText(sess.User()), "command", logText(sess.RawCommand())}, kv...)...)
			fmt.Fprintf(sess.Stderr(), "%s\r\n", msg)
			_ = sess.Exit(1)
		}
		if s.isClosing() {
			refuse("gatehouse: the server is shutting down", "why", "shutting down")
			return
		}
		id, err := s.identify(sess)
		switch {
		case errors.Is(err, errPasswordChanged):
			refuse("gatehouse: your password was changed since this connection signed in; sign in again with the new password", "why", err.Error())
			return
		case err != nil:
			refuse(RefusedMessage, "key", id.keyFP, "why", err.Error())
			return
		}
		u, method, fp := id.user, id.method, id.keyFP
		if n := len(sess.RawCommand()); n > MaxCommandLine {
			refuse(fmt.Sprintf("gatehouse: the command line has %d bytes, more than the %d this server takes; pick many users with --where, or run several commands", n, MaxCommandLine),
				"user-id", u.ID, "why", "command line too long")
			return
		}
		ss := &session{sess: sess, userID: u.ID, actor: store.Actor{UserID: u.ID, Name: u.Email},
			method: method, keyFP: fp, pwTag: id.pwTag, start: time.Now(), done: make(chan struct{}), term: term}
		if !s.register(ss) {
			refuse(fmt.Sprintf("gatehouse: %s has %d sessions open, the most one user may; close one, then connect again", u.Email, MaxSessionsPerUser),
				"why", "too many sessions of one user")
			return
		}
		defer s.unregister(ss)
		defer close(ss.done)
		// checked after registering, so a disable or a password reset
		// committed meanwhile is seen either here or by the watcher
		cur, err := s.st.UserByID(u.ID)
		switch {
		case err != nil || cur.Disabled:
			refuse(RefusedMessage, "key", fp, "why", "user disabled")
			return
		case ss.pwTag != "" && ss.pwTag != hashTag(cur.PasswordHash):
			refuse("gatehouse: your password was changed since this connection signed in; sign in again with the new password", "why", errPasswordChanged.Error())
			return
		}
		kind := "console"
		if len(sess.Command()) > 0 || sess.RawCommand() != "" {
			kind = "command"
		}
		if kind == "console" {
			// recorded in the background: consoles opening together do not
			// queue behind each other's commits; should it fail, the
			// session ends (and the user's own changes wait for it)
			s.recordSignInLater(ss, u, method)
		} else if err := s.recordSignIn(sess, u, method); err != nil {
			refuse(RefusedMessage, "key", fp, "why", err.Error())
			return
		}
		log := s.log.With("remote", remote, "user", u.Email, "method", method)
		size := ""
		if term.ok {
			size = fmt.Sprintf("%dx%d", term.pty.Window.Width, term.pty.Window.Height)
		}
		log.Info("session start", "kind", kind, "command", logText(sess.RawCommand()), "pty", term.ok, "term", term.pty.Term, "size", size)
		next(sess)
		ss.mu.Lock()
		outcome, reason := ss.outcome, ss.reason
		ss.mu.Unlock()
		if reason != "" {
			outcome = "ended by the server: " + reason
		}
		if outcome == "" {
			outcome = "closed"
		}
		log.Info("session end", "kind", kind, "command", logText(sess.RawCommand()), "duration", time.Since(ss.start).Round(time.Millisecond), "outcome", outcome)
	}
}

// signInKey marks a connection whose sign-in is recorded.
type signInKey struct{}

// recordSignIn audits the sign-in once per connection, and at most once a
// minute per user (another system asking `check` over SSH in a loop should
// not fill the audit log; every session is in the server log).
func (s *Server) recordSignIn(sess ssh.Session, u *store.User, method string) error {
	if !s.signInDue(sess, u) {
		return nil
	}
	if s.readOnly(u) {
		return nil
	}
	err := s.st.RecordSignIn(u.ID, method, addrString(sess.RemoteAddr()))
	if store.KindOf(err) == store.KindUnavailable {
		s.log.Warn("sign-in not recorded: the store is read-only", "user", u.Email, "error", err)
		return nil
	}
	return err
}

// readOnly says whether the store takes no change set now (an etcd cluster
// without a quorum): a sign-in is then served unrecorded, read-only, as
// checks are, instead of waiting for a write that is refused; the server
// log has the session.
func (s *Server) readOnly(u *store.User) bool {
	f := s.st.Freshness()
	if !f.Writable {
		s.log.Warn("sign-in not recorded: the store is read-only", "user", u.Email, "why", f.Reason)
	}
	return !f.Writable
}

// recordSignInLater records a console's sign-in in the background, and ends
// the session if it cannot be recorded.
func (s *Server) recordSignInLater(ss *session, u *store.User, method string) {
	if !s.signInDue(ss.sess, u) || s.readOnly(u) {
		return
	}
	done := s.st.RecordSignInLater(u.ID, method, addrString(ss.sess.RemoteAddr()))
	go func() {
		err := <-done
		if store.KindOf(err) == store.KindUnavailable { // read-only since: the console stays, read-only
			s.log.Warn("sign-in not recorded: the store is read-only", "user", u.Email, "error", err)
			return
		}
		if err != nil {
			s.log.Warn("sign-in not recorded; ending the session", "user", u.Email, "remote", addrString(ss.sess.RemoteAddr()), "error", err)
			s.terminate([]*session{ss}, "your sign-in could not be recorded; this session has ended", 1)
		}
	}()
}

// signInDue says whether this sign-in is to be audited: once per connection,
// and at most once a minute per user.
func (s *Server) signInDue(sess ssh.Session, u *store.User) bool {
	ctx := sess.Context()
	ctx.Lock()
	recorded := ctx.Value(signInKey{}) != nil
	ctx.SetValue(signInKey{}, true)
	ctx.Unlock()
	return !recorded && !(u.Activated && time.Since(u.LastSignIn) < time.Minute)
}

// commands runs exec sessions (ssh HOST users list) through the command
// tree; it sits before needsTerminal, which refuses shells without a pty.
func (s *Server) commands(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		args := sess.Command()
		if len(args) == 0 && strings.TrimSpace(sess.RawCommand()) != "" {
			fmt.Fprintf(sess.Stderr(), "gatehouse: cannot read the command line \"%s\" (unbalanced quotes?)\r\n", safetext.Escape(sess.RawCommand()))
			s.setOutcome(sess, "exit 2 (unreadable command line)")
			_ = sess.Exit(2)
			return
		}
		if len(args) == 0 {
			next(sess)
			return
		}
		ss := s.lookup(sess)
		if ss == nil || s.cfg.Command == nil {
			fmt.Fprint(sess.Stderr(), "gatehouse: commands are not available on this server\r\n")
			_ = sess.Exit(1)
			return
		}
		s.hook("command")
		drainWindowChanges(ss.term.winch) // a command never reads them
		code := s.cfg.Command(sess, ss.actor, args, ss.term.ok)
		ss.setOutcome(fmt.Sprintf("exit %d", code))
		if ss.endReason() == "" { // else terminate has answered already
			_ = sess.Exit(code)
		}
	}
}

// needsTerminal refuses a shell without a terminal (ssh -T HOST): the
// console needs one. It is wish's activeterm, reading the terminal recorded
// by sessionRequest instead of calling Pty() again.
func (s *Server) needsTerminal(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		if ss := s.lookup(sess); ss != nil && ss.term.ok {
			next(sess)
			return
		}
		fmt.Fprint(sess, "gatehouse: the console needs a terminal; connect with ssh -t, or run a command: ssh HOST users list\r\n")
		s.setOutcome(sess, "exit 1 (no terminal for the console)")
		_ = sess.Exit(1)
	}
}

// program builds the console of an interactive session. Its input, output,
// terminal type, size and colour profile are the session's (wish's
// MakeOptions, on the terminal read by sessionRequest); the console sets its
// alternate screen and mouse mode in its own View.
func (s *Server) program(sess ssh.Session) *tea.Program {
	ss := s.lookup(sess)
	if ss == nil || s.cfg.Console == nil {
		fmt.Fprint(sess.Stderr(), "gatehouse: no console on this server; run a command instead, e.g. ssh HOST users list\r\n")
		return nil
	}
	s.hook("console")
	m := s.cfg.Console(sess, ss.actor)
	if m == nil {
		return nil
	}
	return s.newProgram(sess, ss, m, nil)
}

// newProgram is the program of a console session: m on the session's
// terminal. env is added to the session's environment (a local caller's
// variables).
func (s *Server) newProgram(sess ssh.Session, ss *session, m tea.Model, env []string, extra ...tea.ProgramOption) *tea.Program {
	// wish asks the session for its terminal (Pty), which races with the
	// client resizing it: it gets the one read before the session started.
	// The input goes through consoleInput (bubbletea would hold a paste that
	// never ends, and more, whole); the server's own signals are not the
	// console's (bubbletea would quit every console on the server's SIGINT,
	// before the server could tell them why).
	in := newConsoleInput(sess)
	opts := append(bubbletea.MakeOptions(terminalSession{Session: sess, term: ss.term, env: env}),
		tea.WithInput(in), tea.WithoutSignalHandler())
	p := tea.NewProgram(m, append(opts, extra...)...)
	ss.mu.Lock()
	ss.console, ss.program, ss.model, ss.input = true, p, m, in
	reason := ss.reason
	ss.mu.Unlock()
	if reason != "" { // ended while it was being built
		go p.Quit() // Quit waits for the program to run
	}
	return p
}

// console runs an interactive session's program. It does what wish's
// bubbletea middleware does, with two differences (wish v2.0.5 still has
// both): it ends the console when the client closes the session while
// keeping the connection (ssh -O, ControlMaster), where wish's window-size
// goroutine keeps receiving from the closed channel, spinning a CPU and
// sending the program 0×0 sizes, while the console runs on; and it never
// hands the program a size from the goroutine reading window changes (see
// runProgram).
func (s *Server) console(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		p := s.program(sess)
		if p == nil {
			next(sess)
			return
		}
		s.runProgram(sess, s.lookup(sess), p)
		next(sess)
	}
}

// runProgram runs a console's program until it ends: it quits when the
// connection closes or the client closes the session, and gets the
// terminal's size as it changes.
func (s *Server) runProgram(sess ssh.Session, ss *session, p *tea.Program) {
	winch := ss.term.winch // only sessions with a terminal get a console
	done := make(chan struct{})
	// the newest size goes to the program from a goroutine of its own:
	// reading window changes must never wait on a busy console, or the
	// connection's read loop waits too (a client resizing 1,000 times a
	// second while its output backs up), and even the connection closing
	// goes unseen: the console never ended
	var size atomic.Pointer[ssh.Window]
	resized := make(chan struct{}, 1)
	go func() {
		for {
			select {
			case <-done:
				return
			case <-resized:
				if w := size.Load(); w != nil {
					p.Send(tea.WindowSizeMsg{Width: w.Width, Height: w.Height})
				}
			}
		}
	}()
	go func() {
		for {
			select {
			case <-done:
				return
			case <-sess.Context().Done(): // the connection closed
				p.Quit()
				return
			case w, ok := <-winch:
				if !ok { // the client closed the session
					p.Quit()
					select {
					case <-done:
					case <-time.After(time.Second):
						p.Kill()
					}
					return
				}
				size.Store(&w)
				select {
				case resized <- struct{}{}:
				default: // the forwarder will read the newest size
				}
			}
		}
	}()
	if _, err := p.Run(); err != nil && !errors.Is(err, tea.ErrProgramKilled) {
		s.log.Warn("console ended with an error", "remote", addrString(sess.RemoteAddr()), "user", logText(sess.User()), "error", err)
	}
	p.Kill() // restores the terminal if the program failed
	ss.input.Close()
	close(done)
}

// afterConsole runs once the console's program has ended: it releases the
// model and says why, if the server ended the session.
func (s *Server) afterConsole(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		ss := s.lookup(sess)
		if ss == nil {
			next(sess)
			return
		}
		ss.mu.Lock()
		m, reason, code := ss.model, ss.reason, ss.code
		ss.mu.Unlock()
		if c, ok := m.(interface{ Close() }); ok {
			c.Close()
		}
		if reason != "" {
			fmt.Fprintf(sess.Stderr(), "\r\ngatehouse: %s\r\n", reason)
			ss.setOutcome("ended by the server: " + reason)
			_ = sess.Exit(code)
		} else if m != nil {
			ss.setOutcome("console closed")
		}
		next(sess)
	}
}

// invited answers the session of someone who just accepted their invitation.
// The email and the key's note (which may quote the store's refusal) are
// data, escaped like everything else this package writes to a client.
func (s *Server) invited(sess ssh.Session, email string) {
	keyNote, hasKey := extension(sess, extInviteKey)
	host, port := "HOST", "23234"
	if h, p, err := net.SplitHostPort(addrString(sess.LocalAddr())); err == nil {
		host, port = h, p
	}
	email, keyNote = safetext.Escape(email), safetext.Escape(keyNote)
	var b strings.Builder
	fmt.Fprintf(&b, "Welcome to gatehouse, %s: your invitation is accepted and your password is set.\r\n", email)
	if hasKey && keyNote != "" {
		fmt.Fprintf(&b, "%s.\r\n", strings.ToUpper(keyNote[:1])+keyNote[1:])
	}
	fmt.Fprintf(&b, "Sign in with: ssh -p %s -l %s %s\r\n", port, email, host)
	_, _ = sess.Write([]byte(b.String()))
	s.log.Info("invitation session", "remote", addrString(sess.RemoteAddr()), "user", email)
	_ = sess.Exit(0)
}

// ---- the registry of open sessions

// MaxSessionsPerUser is how many sessions one user may hold open at once,
// over all their connections (each connection holds at most
// MaxSessionsPerConnection).
const MaxSessionsPerUser = 64

// register adds a session to the registry, unless its user holds
// MaxSessionsPerUser already.
func (s *Server) register(ss *session) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.perUser[ss.userID] >= MaxSessionsPerUser {
		return false
	}
	s.perUser[ss.userID]++
	s.sessions[ss.sess] = ss
	return true
}

func (s *Server) unregister(ss *session) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.sessions[ss.sess]; !ok {
		return
	}
	delete(s.sessions, ss.sess)
	if s.perUser[ss.userID]--; s.perUser[ss.userID] <= 0 {
		delete(s.perUser, ss.userID)
	}
}

func (s *Server) lookup(sess ssh.Session) *session {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sessions[sess]
}

func (s *Server) setOutcome(sess ssh.Session, o string) {
	if ss := s.lookup(sess); ss != nil {
		ss.setOutcome(o)
	}
}

func (s *Server) isClosing() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closing
}

func (s *Server) allSessions() []*session {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*session, 0, len(s.sessions))
	for _, ss := range s.sessions {
		out = append(out, ss)
	}
	return out
}

func (s *Server) openSessions() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.sessions)
}

func (s *Server) sessionsOf(userID uint64) []*session {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*session
	for _, ss := range s.sessions {
		if ss.userID == userID {
			out = append(out, ss)
		}
	}
	return out
}

// terminate ends sessions the server no longer allows: consoles are quit
// first (so the terminal is restored) and then told why; commands are told
// and cut off. Their connections close last, so no new session can open on
// them and no session is cut off before it was told.
func (s *Server) terminate(list []*session, reason string, code int) {
	var wg sync.WaitGroup
	var mine []*session
	for _, ss := range list {
		ss.mu.Lock()
		if ss.reason != "" {
			ss.mu.Unlock()
			continue // someone else is ending it
		}
		ss.reason, ss.code = reason, code
		p := ss.program
		ss.mu.Unlock()
		mine = append(mine, ss)
		wg.Add(1)
		go func() {
			defer wg.Done()
			if p != nil {
				go p.Quit() // it waits while the program is busy (its output backed up)
				select {
				case <-ss.done: // afterConsole has told them
					return
				case <-time.After(700 * time.Millisecond):
					p.Kill()
				}
			}
			fmt.Fprintf(ss.sess.Stderr(), "\r\ngatehouse: %s\r\n", reason)
			_ = ss.sess.Exit(code)
		}()
	}
	wg.Wait()
	for _, ss := range mine {
		s.closeConn(ss.sess)
	}
}

func (s *Server) closeConn(sess ssh.Session) {
	if c, ok := sess.Context().Value(ssh.ContextKeyConn).(gossh.Conn); ok {
		_ = c.Close()
	}
}

// watch ends the sessions of users who may no longer be signed in: disabled
// or deleted users, and sessions whose key was removed. Events arrive right
// after each commit.
func (s *Server) watch(events <-chan store.Event) {
	for ev := range events {
		s.checkEvent(ev)
	}
}

func (s *Server) checkEvent(ev store.Event) {
	defer s.recovered("session watcher", nil, nil)
	// what can end a session: a user's status or record (disabled, deleted),
	// a key removed, a password changed; a sign-in changes none of those
	if ev.SignIn || !ev.Changes.Has(store.ChangedUser|store.ChangedKey|store.ChangedPassword) {
		return
	}
	for _, r := range ev.Refs {
		if r.Kind != store.RecordUser {
			continue
		}
		open := s.sessionsOf(r.ID)
		if len(open) == 0 {
			continue
		}
		u, err := s.st.UserByID(r.ID)
		ending := map[string][]*session{}
		for _, ss := range open {
			reason := ""
			switch {
			case err != nil:
				reason = "your account was deleted; this session has ended"
			case u.Disabled:
				reason = "your account was disabled; this session has ended"
			case ss.keyFP != "":
				if ku, kerr := s.st.UserByKey(ss.keyFP); kerr != nil || ku.ID != ss.userID {
					reason = "the key you signed in with was removed; this session has ended"
				}
			case ss.pwTag != "" && ss.pwTag != hashTag(u.PasswordHash):
				reason = "your password was changed; this session has ended: sign in again with the new password"
			}
			if reason != "" {
				s.log.Info("ending session", "user", r.Label, "remote", addrString(ss.sess.RemoteAddr()), "why", reason, "change-set", ev.Batch, "by", ev.Actor)
				ending[reason] = append(ending[reason], ss)
			}
		}
		for reason, list := range ending {
			go s.terminate(list, reason, 1)
		}
	}
}
