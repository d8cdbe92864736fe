package keys

import (
	"fmt"

	"charm.land/ssh"
	gossh "golang.org/x/crypto/ssh"
)

// What one signed-in client may make the server hold. A terminal is
// clamped, not refused: a client asking for more than this gets this much.
const (
	// MaxColumns, MaxRows and MaxCells bound a session's terminal, from
	// its pty-req and from every window change: a console keeps and draws
	// every cell of its screen, and 10000×10000 took the server past
	// 800 MB for one console. bubbletea v2 keeps two buffers of the whole
	// screen per console, about 300 bytes of the server's memory a cell:
	// a 512×256 console took 28 MB, 50 of them 2 GB. 32,768 cells hold a
	// 2560×1440 screen full of 8×16-pixel cells (320×90, and a 4K one
	// scaled to 150%); a terminal with more keeps its width (up to 512
	// columns) and gets the console drawn on fewer rows. 50 consoles at
	// the most peak near 600 MB (TestHugeTerminals).
	MaxColumns = 512
	MaxRows    = 256
	MaxCells   = 1 << 15

	// MaxSessionsPerConnection is how many sessions (channels) one
	// connection may hold open at once, like sshd's MaxSessions.
	MaxSessionsPerConnection = 10

	// maxTermName bounds the TERM a pty-req names (real ones are short:
	// xterm-256color, tmux-256color, screen.xterm-new).
	maxTermName = 64
)

// sessionsOpenKey counts a connection's open sessions (in its context).
type sessionsOpenKey struct{}

// sessionChannel is charm.land/ssh's session handler, behind two bounds
// of our own: the number of sessions on one connection, and a filter of the
// session's requests (see filterRequests).
func (s *Server) sessionChannel(srv *ssh.Server, conn *gossh.ServerConn, newChan gossh.NewChannel, ctx ssh.Context) {
	if !admitSession(ctx) {
		s.log.Warn("session refused", "remote", addrString(conn.RemoteAddr()), "user", logText(conn.User()), "why", fmt.Sprintf("more than %d sessions on one connection", MaxSessionsPerConnection))
		_ = newChan.Reject(gossh.ResourceShortage, fmt.Sprintf("gatehouse: at most %d sessions at once on one connection; close one, or connect again", MaxSessionsPerConnection))
		return
	}
	defer releaseSession(ctx)
	ssh.DefaultSessionHandler(srv, conn, filteredChannel{NewChannel: newChan, s: s, ctx: ctx}, ctx)
}

func admitSession(ctx ssh.Context) bool {
	ctx.Lock()
	defer ctx.Unlock()
	n, _ := ctx.Value(sessionsOpenKey{}).(int)
	if n >= MaxSessionsPerConnection {
		return false
	}
	ctx.SetValue(sessionsOpenKey{}, n+1)
	return true
}

func releaseSession(ctx ssh.Context) {
	ctx.Lock()
	defer ctx.Unlock()
	n, _ := ctx.Value(sessionsOpenKey{}).(int)
	ctx.SetValue(sessionsOpenKey{}, n-1)
}

// filteredChannel hands charm.land/ssh the session's requests through
// filterRequests.
type filteredChannel struct {
	gossh.NewChannel
	s   *Server
	ctx ssh.Context
}

func (c filteredChannel) Accept() (gossh.Channel, <-chan *gossh.Request, error) {
	ch, reqs, err := c.NewChannel.Accept()
	if err != nil {
		return ch, reqs, err
	}
	out := make(chan *gossh.Request)
	go c.s.filterRequests(c.ctx, reqs, out)
	return ch, out, nil
}

// filterRequests passes a session's requests on to charm.land/ssh, which
// would otherwise answer some of them itself:
//
//   - pty-req and window-change: the size is clamped to MaxColumns×MaxRows
//     and MaxCells (charm.land/ssh keeps whatever the client says, and the console
//     draws it; bubbletea v2 ignores a window change past 4096 columns or
//     rows or 2^20 cells, but draws the first size whatever it is); a
//     pty-req naming an odd TERM is refused.
//   - a window change before the shell or exec request is answered here,
//     and the newest one handed on once the session has started:
//     charm.land/ssh puts each change into a channel of one that already
//     holds the first size and that nothing reads before the session
//     starts, so one such change blocked the session's request loop for
//     good (the exec that would have started it was never read).
//   - env and auth-agent-req@openssh.com: refused. charm.land/ssh
//     answers success to both, keeping every variable sent (without
//     bound) and marking agent forwarding asked for, though gatehouse
//     uses neither.
//
// It ends when the channel's requests end (the session or the connection
// closed); a panic refuses the one request, not the session.
func (s *Server) filterRequests(ctx ssh.Context, in <-chan *gossh.Request, out chan<- *gossh.Request) {
	defer close(out)
	var st requestState
	for req := range in {
		if pass := s.filterRequest(ctx, req, &st); pass {
			out <- req
		}
		if st.started && st.early != nil {
			// answered already: nothing waits for this reply
			out <- &gossh.Request{Type: "window-change", WantReply: false, Payload: gossh.Marshal(st.early)}
			st.early = nil
		}
	}
}

// requestState is what filterRequests knows of one session.
type requestState struct {
	pty     bool          // a terminal was granted (pty-req handed on)
	started bool          // the shell or exec request was handed on
	early   *windowChange // the newest window change before that
}

// filterRequest answers or rewrites one request; it reports whether the
// request goes on to charm.land/ssh.
func (s *Server) filterRequest(ctx ssh.Context, req *gossh.Request, st *requestState) (pass bool) {
	defer s.recovered("session request "+logText(req.Type), ctx.RemoteAddr(), func() {
		_ = req.Reply(false, nil)
		pass = false
	})
	s.hook("request")
	switch req.Type {
	case "env", "auth-agent-req@openssh.com":
		_ = req.Reply(false, nil)
		return false
	case "pty-req":
		payload, why := clampPtyRequest(req.Payload)
		if why != "" {
			s.log.Warn("terminal refused", "remote", addrString(ctx.RemoteAddr()), "user", logText(ctx.User()), "why", why)
			_ = req.Reply(false, nil)
			return false
		}
		req.Payload = payload
		st.pty = !st.started
	case "window-change":
		var w windowChange
		if err := gossh.Unmarshal(req.Payload, &w); err != nil {
			_ = req.Reply(false, nil)
			return false
		}
		w.clamp()
		if st.pty && !st.started {
			st.early = &w
			_ = req.Reply(true, nil)
			return false
		}
		req.Payload = gossh.Marshal(&w)
	case "shell", "exec":
		st.started = true
	}
	return true
}

// ptyRequest is the payload of a pty-req (RFC 4254, 6.2).
type ptyRequest struct {
	Term    string
	Columns uint32
	Rows    uint32
	Width   uint32 // pixels
	Height  uint32
	Modes   string
}

// windowChange is the payload of a window-change (RFC 4254, 6.7).
type windowChange struct {
	Columns uint32
	Rows    uint32
	Width   uint32 // pixels
	Height  uint32
}

// maxPixels bounds the pixel sizes, which nothing here reads.
const maxPixels = 1 << 16

func (w *windowChange) clamp() {
	w.Columns, w.Rows = min(w.Columns, MaxColumns), min(w.Rows, MaxRows)
	if w.Columns > 0 && w.Columns*w.Rows > MaxCells {
		w.Rows = MaxCells / w.Columns
	}
	w.Width, w.Height = min(w.Width, maxPixels), min(w.Height, maxPixels)
}

// clampPtyRequest returns the pty-req with its size clamped, or why it is
// refused (a malformed request, or a TERM that is not a terminal's name).
func clampPtyRequest(payload []byte) ([]byte, string) {
	var p ptyRequest
	if err := gossh.Unmarshal(payload, &p); err != nil {
		return nil, "malformed pty-req"
	}
	if !termName(p.Term) {
		return nil, fmt.Sprintf("TERM is not a terminal's name (%d bytes: %s)", len(p.Term), logText(p.Term))
	}
	w := windowChange{p.Columns, p.Rows, p.Width, p.Height}
	w.clamp()
	p.Columns, p.Rows, p.Width, p.Height = w.Columns, w.Rows, w.Width, w.Height
	return gossh.Marshal(&p), ""
}

// termName reports whether s looks like a terminfo name: short, letters,
// digits and . _ + - only (it reaches bubbletea's terminal detection, and
// the log).
func termName(s string) bool {
	if len(s) > maxTermName {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '+' || c == '-') {
			return false
		}
	}
	return true
}
