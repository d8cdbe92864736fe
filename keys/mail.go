package keys

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/smtp"
	"net/textproto"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"charm.land/log/v2"

	"github.com/gatehouse/gatehouse/store"
)

// SMTP delivers the outbox (invitations, password notices) through an SMTP
// server: serve --smtp smtp://user:pass@host:port --from ADDR.
//
// smtp:// speaks STARTTLS when the server offers it (port 587 unless given)
// and refuses to send a password over a connection that is not encrypted,
// unless the server is this machine; smtps:// is TLS from the start (port
// 465). Credentials, when given, sign in with AUTH PLAIN.
//
// A failed attempt is tried again after Backoff, doubling each time up to
// MaxBackoff; after MaxAttempts attempts the message fails for good with the
// last error. Every attempt, the state and the last error are kept in the
// store, so `gatehouse outbox list` and the console show them.
type SMTP struct {
	Addr      string // host:port
	Implicit  bool   // smtps: TLS from the first byte
	Username  string
	Password  string
	From      string // as given: "gatehouse@example.com" or "Gatehouse <gatehouse@example.com>"
	Hostname  string // the name this side gives in EHLO (default: the machine's)
	TLSConfig *tls.Config

	MaxAttempts int           // default 10
	Backoff     time.Duration // wait after the first failure (default 1s), doubling
	MaxBackoff  time.Duration // at most (default 5m)
	Timeout     time.Duration // one conversation with the server (default 1m)
	// Now is the clock of retries (tests).
	Now func() time.Time

	from string // the envelope address of From
}

// DefaultMaxAttempts is how often a message is tried before it fails for good.
const DefaultMaxAttempts = 10

// ParseSMTP reads the --smtp URL and the --from address.
func ParseSMTP(rawURL, from string) (*SMTP, error) {
	u, err := url.Parse(strings.TrimSpace(rawURL))
	if err != nil || u.Host == "" || u.Opaque != "" {
		return nil, fmt.Errorf("--smtp %q is not an SMTP URL; give smtp://[USER[:PASSWORD]@]HOST[:PORT] (or smtps:// for TLS from the start)", rawURL)
	}
	m := &SMTP{}
	port := "587"
	switch strings.ToLower(u.Scheme) {
	case "smtp":
	case "smtps":
		m.Implicit, port = true, "465"
	default:
		return nil, fmt.Errorf("--smtp %q: the scheme must be smtp:// or smtps://", u.Redacted())
	}
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("--smtp %q: give only smtp://[USER[:PASSWORD]@]HOST[:PORT]", u.Redacted())
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return nil, fmt.Errorf("--smtp %q: bad port %q", u.Redacted(), p)
		}
		port = p
	}
	m.Addr = net.JoinHostPort(u.Hostname(), port)
	if u.User != nil {
		m.Username = u.User.Username()
		m.Password, _ = u.User.Password()
	}
	if strings.TrimSpace(from) == "" {
		return nil, errors.New("--smtp needs --from ADDRESS: the sender of invitations and notices")
	}
	a, err := mail.ParseAddress(from)
	if err != nil {
		return nil, fmt.Errorf("--from %q is not an email address: %v", from, err)
	}
	m.From, m.from = a.String(), a.Address
	return m, nil
}

// String names the server without the password.
func (m *SMTP) String() string {
	scheme := "smtp"
	if m.Implicit {
		scheme = "smtps"
	}
	u := url.URL{Scheme: scheme, Host: m.Addr}
	if m.Username != "" {
		u.User = url.User(m.Username)
	}
	return u.String()
}

func (m *SMTP) defaults() {
	if m.MaxAttempts < 1 {
		m.MaxAttempts = DefaultMaxAttempts
	}
	if m.Backoff <= 0 {
		m.Backoff = time.Second
	}
	if m.MaxBackoff <= 0 {
		m.MaxBackoff = 5 * time.Minute
	}
	if m.Timeout <= 0 {
		m.Timeout = time.Minute
	}
	if m.Now == nil {
		m.Now = time.Now
	}
	if m.Hostname == "" {
		if h, err := os.Hostname(); err == nil && h != "" {
			m.Hostname = h
		} else {
			m.Hostname = "localhost"
		}
	}
	if m.from == "" {
		if a, err := mail.ParseAddress(m.From); err == nil {
			m.from = a.Address
		} else {
			m.from = m.From
		}
	}
}

// RetryDelay is the wait after the n-th failed attempt (n ≥ 1): Backoff,
// doubling, at most MaxBackoff.
func (m *SMTP) RetryDelay(n int) time.Duration {
	d := m.Backoff
	for i := 1; i < n && d < m.MaxBackoff; i++ {
		d *= 2
	}
	return min(d, m.MaxBackoff)
}

// Deliver runs the delivery loop until ctx ends: whatever is due is sent,
// then it sleeps until the next retry is due or a change set is committed
// (which may have queued a message). One goroutine; one SMTP connection per
// round, reused for every message of the round. Of several nodes serving
// one store, one delivers at a time (store.Lead): the others wait their
// turn, and take over when it lets go or stops answering.
func (m *SMTP) Deliver(ctx context.Context, st *store.Store, logger *log.Logger) {
	m.defaults()
	if logger == nil {
		logger = log.NewWithOptions(os.Stderr, log.Options{ReportTimestamp: true, Prefix: "gatehouse"})
	}
	for ctx.Err() == nil {
		lost, release, err := st.Lead(ctx, "outbox")
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			logger.Error("outbox: cannot take the turn to deliver; trying again", "error", err)
			select {
			case <-ctx.Done():
			case <-time.After(leadRetry):
			}
			continue
		}
		turn, end := context.WithCancel(ctx)
		go func() {
			select {
			case <-lost:
				logger.Warn("outbox: this node's turn to deliver ran out; another may take it")
			case <-turn.Done():
			}
			end()
		}()
		m.deliver(turn, st, logger)
		end()
		release()
	}
}

// leadRetry is how long a node that could not campaign for the delivery
// turn waits before it tries again.
const leadRetry = 5 * time.Second

// deliver is the delivery loop of the node whose turn it is, until ctx ends.
func (m *SMTP) deliver(ctx context.Context, st *store.Store, logger *log.Logger) {
	events, stop := st.Subscribe()
	defer stop()
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		if ctx.Err() != nil {
			return
		}
		m.round(ctx, st, logger)
		wait := time.Hour // nothing queued: change events wake the loop
		if at, ok, err := st.NextMessageDue(); err != nil {
			if ctx.Err() != nil {
				return
			}
			logger.Error("outbox: cannot read what is due", "error", err)
			wait = 10 * time.Second
		} else if ok {
			wait = max(at.Sub(m.Now()), 20*time.Millisecond)
		}
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
		timer.Reset(wait)
		select {
		case <-ctx.Done():
			return
		case _, ok := <-events:
			if !ok {
				events = nil // the store closed; the context ends next
			}
		case <-timer.C:
		}
	}
}

// round sends every message due now.
func (m *SMTP) round(ctx context.Context, st *store.Store, logger *log.Logger) {
	due, err := st.PendingMessages(m.Now())
	if err != nil {
		if ctx.Err() == nil {
			logger.Error("outbox: cannot read the queued messages", "error", err)
		}
		return
	}
	var c *smtpConn
	var dialErr error // the server could not be reached: every message of the round counts the attempt
	defer func() {
		if c != nil {
			c.quit()
		}
	}()
	for _, msg := range due {
		if ctx.Err() != nil {
			return // not an attempt: it stays queued for the next start
		}
		if dialErr != nil {
			m.failed(st, logger, msg, dialErr)
			continue
		}
		if c == nil {
			if c, dialErr = m.dial(ctx); dialErr != nil {
				if ctx.Err() != nil {
					return
				}
				m.failed(st, logger, msg, dialErr)
				continue
			}
		}
		err := c.send(m, msg)
		if err != nil && ctx.Err() != nil {
			return
		}
		if err != nil {
			m.failed(st, logger, msg, err)
			var reply *textproto.Error
			if errors.As(err, &reply) && c.reset() == nil {
				continue // the server refused this message: the connection serves the next
			}
			c.close()
			c = nil
			continue
		}
		if err := st.MarkSent(msg.ID); err != nil {
			logger.Error("outbox: sent, but the state was not saved", "id", msg.ID, "to", msg.To, "error", err)
			continue
		}
		logger.Info("mail sent", "id", msg.ID, "kind", msg.Kind, "to", msg.To, "attempt", msg.Attempts+1)
	}
}

func (m *SMTP) failed(st *store.Store, logger *log.Logger, msg store.Message, err error) {
	n := msg.Attempts + 1
	var next time.Time
	if n < m.MaxAttempts {
		next = m.Now().Add(m.RetryDelay(n))
	}
	text := err.Error()
	if serr := st.MarkFailed(msg.ID, text, next); serr != nil {
		logger.Error("outbox: the failed attempt was not saved", "id", msg.ID, "to", msg.To, "error", serr)
		return
	}
	if next.IsZero() {
		logger.Error("mail failed", "id", msg.ID, "kind", msg.Kind, "to", msg.To, "attempts", n, "error", text)
		return
	}
	logger.Warn("mail not sent; will retry", "id", msg.ID, "kind", msg.Kind, "to", msg.To, "attempt", n, "retry-in", next.Sub(m.Now()).Round(time.Millisecond), "error", text)
}

// smtpConn is one conversation with the SMTP server.
type smtpConn struct {
	conn    net.Conn
	c       *smtp.Client
	timeout time.Duration
	stop    func() bool
}

func (m *SMTP) tlsConfig(host string) *tls.Config {
	if m.TLSConfig != nil {
		c := m.TLSConfig.Clone()
		if c.ServerName == "" {
			c.ServerName = host
		}
		return c
	}
	return &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// dial connects, says EHLO, starts TLS and signs in.
func (m *SMTP) dial(ctx context.Context) (_ *smtpConn, err error) {
	host, _, _ := net.SplitHostPort(m.Addr)
	d := net.Dialer{Timeout: m.Timeout}
	conn, err := d.DialContext(ctx, "tcp", m.Addr)
	if err != nil {
		return nil, fmt.Errorf("cannot reach the SMTP server %s: %w", m.Addr, err)
	}
	if m.Implicit {
		conn = tls.Client(conn, m.tlsConfig(host))
	}
	sc := &smtpConn{conn: conn, timeout: m.Timeout}
	// shutdown cuts a conversation short; the message stays queued
	sc.stop = context.AfterFunc(ctx, func() { conn.Close() })
	defer func() {
		if err != nil {
			sc.close()
		}
	}()
	_ = conn.SetDeadline(time.Now().Add(m.Timeout))
	if sc.c, err = smtp.NewClient(conn, host); err != nil {
		return nil, stage("SMTP server "+m.Addr, err)
	}
	if err = sc.c.Hello(m.Hostname); err != nil {
		return nil, stage("SMTP server "+m.Addr+": EHLO", err)
	}
	encrypted := m.Implicit
	if !m.Implicit {
		if ok, _ := sc.c.Extension("STARTTLS"); ok {
			if err = sc.c.StartTLS(m.tlsConfig(host)); err != nil {
				return nil, stage("SMTP server "+m.Addr+": STARTTLS", err)
			}
			encrypted = true
		}
	}
	if m.Username != "" {
		if !encrypted && !isLoopback(host) {
			return nil, fmt.Errorf("SMTP server %s offers no STARTTLS: the password is not sent in clear (use smtps:// or a server with STARTTLS)", m.Addr)
		}
		if ok, _ := sc.c.Extension("AUTH"); !ok {
			return nil, fmt.Errorf("SMTP server %s does not offer AUTH, but --smtp has a user name", m.Addr)
		}
		if err = sc.c.Auth(smtp.PlainAuth("", m.Username, m.Password, host)); err != nil {
			return nil, stage("SMTP server "+m.Addr+": sign-in as "+m.Username, err)
		}
	}
	return sc, nil
}

// send hands one message to the server.
func (sc *smtpConn) send(m *SMTP, msg store.Message) error {
	_ = sc.conn.SetDeadline(time.Now().Add(sc.timeout))
	if err := sc.c.Mail(m.from); err != nil {
		return stage("MAIL FROM", err)
	}
	if err := sc.c.Rcpt(msg.To); err != nil {
		return stage("RCPT TO", err)
	}
	w, err := sc.c.Data()
	if err != nil {
		return stage("DATA", err)
	}
	if _, err := w.Write(m.compose(msg)); err != nil {
		w.Close()
		return stage("DATA", err)
	}
	if err := w.Close(); err != nil {
		return stage("DATA", err)
	}
	return nil
}

func (sc *smtpConn) reset() error {
	_ = sc.conn.SetDeadline(time.Now().Add(sc.timeout))
	return sc.c.Reset()
}

func (sc *smtpConn) quit() {
	_ = sc.conn.SetDeadline(time.Now().Add(5 * time.Second))
	if sc.c != nil {
		_ = sc.c.Quit()
	}
	sc.close()
}

func (sc *smtpConn) close() {
	if sc.stop != nil {
		sc.stop()
	}
	sc.conn.Close()
}

// stageError says at which step of the conversation an attempt failed, with
// the server's reply as it sent it (451 4.3.0 try later).
type stageError struct {
	stage string
	err   error
}

func stage(name string, err error) error { return &stageError{stage: name, err: err} }

func (e *stageError) Unwrap() error { return e.err }

func (e *stageError) Error() string {
	var reply *textproto.Error
	if errors.As(e.err, &reply) {
		return fmt.Sprintf("%s: %03d %s", e.stage, reply.Code, reply.Msg)
	}
	return e.stage + ": " + e.err.Error()
}

// headerText keeps a header value on one line.
func headerText(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r == '\r' || r == '\n' }), " ")
}

// compose writes the message: plain text, UTF-8, quoted-printable. The
// Message-ID is the same for every attempt of one outbox message.
func (m *SMTP) compose(msg store.Message) []byte {
	var b bytes.Buffer
	domain := "gatehouse.invalid"
	if i := strings.LastIndexByte(m.from, '@'); i >= 0 {
		domain = m.from[i+1:]
	}
	h := func(k, v string) { fmt.Fprintf(&b, "%s: %s\r\n", k, headerText(v)) }
	h("From", m.From)
	h("To", msg.To)
	h("Subject", mime.QEncoding.Encode("utf-8", msg.Subject))
	h("Date", m.Now().Format(time.RFC1123Z))
	h("Message-ID", fmt.Sprintf("<outbox-%d.%d@%s>", msg.ID, msg.Created.Unix(), domain))
	h("Auto-Submitted", "auto-generated")
	h("X-Gatehouse-Kind", string(msg.Kind))
	h("MIME-Version", "1.0")
	h("Content-Type", "text/plain; charset=utf-8")
	h("Content-Transfer-Encoding", "quoted-printable")
	b.WriteString("\r\n")
	qp := quotedprintable.NewWriter(&b)
	_, _ = qp.Write([]byte(msg.Body))
	_ = qp.Close()
	return b.Bytes()
}
