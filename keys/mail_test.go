package keys_test

import (
	"context"
	"fmt"
	"io"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"charm.land/log/v2"
	"github.com/emersion/go-sasl"
	smtpd "github.com/emersion/go-smtp"

	"github.com/gatehouse/gatehouse/internal/proof"
	"github.com/gatehouse/gatehouse/keys"
	"github.com/gatehouse/gatehouse/store"
)

// mailServer is a real SMTP server (go-smtp) on 127.0.0.1 that records what
// it accepts. refuse, when set, answers each RCPT and DATA: it is handed the
// number of the DATA command (1, 2, …) and returns the error to give.
type mailServer struct {
	t        *testing.T
	addr     string
	user, pw string // AUTH PLAIN required when set

	mu       sync.Mutex
	got      []*mail.Message
	bodies   []string
	from, to []string
	authed   int
	datas    int
	refuse   func(data int) error
	arrived  chan struct{}
	sessions int
}

func newMailServer(t *testing.T, user, pw string) *mailServer {
	t.Helper()
	ms := &mailServer{t: t, user: user, pw: pw, arrived: make(chan struct{}, 100)}
	srv := smtpd.NewServer(smtpd.BackendFunc(func(c *smtpd.Conn) (smtpd.Session, error) {
		ms.mu.Lock()
		ms.sessions++
		ms.mu.Unlock()
		return &mailSession{ms: ms}, nil
	}))
	srv.Domain = "mail.test"
	srv.AllowInsecureAuth = true
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ms.addr = ln.Addr().String()
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ms
}

type mailSession struct {
	ms   *mailServer
	auth bool
	from string
	to   []string
}

func (s *mailSession) AuthMechanisms() []string { return []string{sasl.Plain} }
func (s *mailSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pw string) error {
		if user != s.ms.user || pw != s.ms.pw {
			return smtpd.ErrAuthFailed
		}
		s.auth = true
		s.ms.mu.Lock()
		s.ms.authed++
		s.ms.mu.Unlock()
		return nil
	}), nil
}

func (s *mailSession) Mail(from string, _ *smtpd.MailOptions) error {
	if s.ms.user != "" && !s.auth {
		return smtpd.ErrAuthRequired
	}
	s.from = from
	return nil
}

func (s *mailSession) Rcpt(to string, _ *smtpd.RcptOptions) error {
	s.to = append(s.to, to)
	return nil
}

func (s *mailSession) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	ms := s.ms
	ms.mu.Lock()
	defer ms.mu.Unlock()
	ms.datas++
	if ms.refuse != nil {
		if err := ms.refuse(ms.datas); err != nil {
			return err
		}
	}
	m, err := mail.ReadMessage(strings.NewReader(string(data)))
	if err != nil {
		return err
	}
	body, err := io.ReadAll(quotedprintable.NewReader(m.Body))
	if err != nil {
		return err
	}
	ms.got = append(ms.got, m)
	ms.bodies = append(ms.bodies, string(body))
	ms.from = append(ms.from, s.from)
	ms.to = append(ms.to, strings.Join(s.to, ","))
	ms.arrived <- struct{}{}
	return nil
}

func (s *mailSession) Reset()        { s.from, s.to = "", nil }
func (s *mailSession) Logout() error { return nil }

func (ms *mailServer) setRefuse(f func(int) error) {
	ms.mu.Lock()
	ms.refuse = f
	ms.mu.Unlock()
}

func (ms *mailServer) count() int {
	ms.mu.Lock()
	defer ms.mu.Unlock()
	return len(ms.got)
}

// waitMail waits for the n-th accepted message and returns it with its decoded body.
func (ms *mailServer) waitMail(n int) (*mail.Message, string, string) {
	ms.t.Helper()
	eventually(ms.t, fmt.Sprintf("message %d at the mail server", n), func() bool { return ms.count() >= n })
	ms.mu.Lock()
	defer ms.mu.Unlock()
	return ms.got[n-1], ms.bodies[n-1], ms.to[n-1]
}

func mailStore(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), "mail.db"), store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func addUser(t *testing.T, st *store.Store, first, email string) string {
	t.Helper()
	cs, err := st.Apply(store.LocalActor("test"), "add "+email, func(tx *store.Tx) error {
		_, err := tx.AddUser(store.NewUser{First: first, Last: "Person", Email: email, Type: store.Employee, Profile: "Basic"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return cs.Tokens[0]
}

func messageTo(t *testing.T, st *store.Store, email, kind string) store.Message {
	t.Helper()
	msgs, err := st.Outbox()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range msgs {
		if m.To == email && string(m.Kind) == kind {
			return m
		}
	}
	t.Fatalf("no %s message to %s", kind, email)
	return store.Message{}
}

// waitState waits until the message reaches a state.
func waitState(t *testing.T, st *store.Store, email, kind, state string) store.Message {
	t.Helper()
	var m store.Message
	eventually(t, fmt.Sprintf("the %s message to %s %s", kind, email, state), func() bool {
		m = messageTo(t, st, email, kind)
		return m.State == state
	})
	return m
}

// deliver runs the delivery loop until the test ends.
func deliver(t *testing.T, st *store.Store, m *keys.SMTP, logs io.Writer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		m.Deliver(ctx, st, log.NewWithOptions(logs, log.Options{Level: log.DebugLevel}))
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(patience):
			t.Errorf("the delivery loop did not stop within %s", patience)
		}
	})
}

func TestMailDelivery(t *testing.T) {
	ms := newMailServer(t, "mailer", "s3cret")
	st := mailStore(t)
	token := addUser(t, st, "Early", "early@example.com") // queued before delivery starts

	m, err := keys.ParseSMTP("smtp://mailer:s3cret@"+ms.addr, "Gatehouse <gatehouse@example.com>")
	if err != nil {
		t.Fatal(err)
	}
	logs := &proof.Log{}
	deliver(t, st, m, logs)

	msg, body, to := ms.waitMail(1)
	if to != "early@example.com" || msg.Header.Get("To") != "early@example.com" {
		t.Fatalf("sent to %q / %q", to, msg.Header.Get("To"))
	}
	if !strings.Contains(body, token) || !strings.Contains(body, "Hello Early") {
		t.Fatalf("the invitation's body lacks the token %s:\n%s", token, body)
	}
	if from := msg.Header.Get("From"); from != `"Gatehouse" <gatehouse@example.com>` {
		t.Fatalf("From: %q", from)
	}
	if msg.Header.Get("Subject") != "Your gatehouse invitation" || msg.Header.Get("Message-Id") == "" {
		t.Fatalf("headers: %v", msg.Header)
	}
	sent := waitState(t, st, "early@example.com", "invitation", store.MessageSent)
	if sent.Attempts != 1 || sent.LastError != "" {
		t.Fatalf("sent: %+v", sent)
	}

	// a message queued while the loop sleeps (its timer is an hour away)
	// goes out at once: the change set's event wakes it
	start := time.Now()
	token2 := addUser(t, st, "Late", "late@example.com")
	_, body, _ = ms.waitMail(2)
	if !strings.Contains(body, token2) {
		t.Fatalf("second invitation:\n%s", body)
	}
	t.Logf("a new invitation reached the SMTP server %s after its change set", time.Since(start).Round(time.Millisecond))
	// and so does a password notice
	u, _ := st.User("late@example.com")
	if _, err := st.Apply(store.LocalActor("test"), "password", func(tx *store.Tx) error {
		return tx.SetPassword(u.ID, 0, "a long enough password")
	}); err != nil {
		t.Fatal(err)
	}
	msg, body, _ = ms.waitMail(3)
	if msg.Header.Get("Subject") != "Your gatehouse password was changed" || !strings.Contains(body, "late@example.com was changed") {
		t.Fatalf("password notice: %v\n%s", msg.Header, body)
	}
	waitState(t, st, "late@example.com", "password-changed", store.MessageSent)
	ms.mu.Lock()
	authed, from := ms.authed, ms.from[0]
	ms.mu.Unlock()
	if authed == 0 || from != "gatehouse@example.com" {
		t.Fatalf("signed in %d times, envelope from %q", authed, from)
	}
	waitLog(t, logs, "mail sent")
	if strings.Contains(logs.String(), "s3cret") {
		t.Fatalf("the log shows the password:\n%s", logs.String())
	}
}

// A server that refuses (451 or 554) gets the message again with backoff,
// and after MaxAttempts it fails for good with the server's words.
func TestMailRefusedThenFailed(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  *smtpd.SMTPError
		want string
	}{
		{"451", &smtpd.SMTPError{Code: 451, EnhancedCode: smtpd.EnhancedCode{4, 3, 0}, Message: "mailbox busy, try later"}, "451 4.3.0 mailbox busy, try later"},
		{"554", &smtpd.SMTPError{Code: 554, EnhancedCode: smtpd.EnhancedCode{5, 7, 1}, Message: "relay access denied"}, "554 5.7.1 relay access denied"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ms := newMailServer(t, "", "")
			ms.setRefuse(func(int) error { return tc.err })
			st := mailStore(t)
			addUser(t, st, "Nina", "nina@example.com")
			m, err := keys.ParseSMTP("smtp://"+ms.addr, "gatehouse@example.com")
			if err != nil {
				t.Fatal(err)
			}
			m.MaxAttempts, m.Backoff = 4, 50*time.Millisecond
			logs := &proof.Log{}
			start := time.Now()
			deliver(t, st, m, logs)

			// while it retries, the state says so
			deadline := time.Now().Add(patience)
			for {
				q := messageTo(t, st, "nina@example.com", "invitation")
				if q.Attempts >= 1 && q.State == store.MessageQueued {
					if !strings.Contains(q.LastError, tc.want) || q.NextAttempt.IsZero() {
						t.Fatalf("queued after a refusal: %+v", q)
					}
					break
				}
				if q.State == store.MessageFailed {
					t.Log("this slow machine missed the retries in between")
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("no failed attempt recorded: %+v", q)
				}
				time.Sleep(2 * time.Millisecond)
			}
			failed := waitState(t, st, "nina@example.com", "invitation", store.MessageFailed)
			took := time.Since(start)
			if failed.Attempts != 4 || !strings.Contains(failed.LastError, tc.want) || !strings.HasPrefix(failed.LastError, "DATA: ") {
				t.Fatalf("failed: %+v", failed)
			}
			// backoff: 50 + 100 + 200 ms between the four attempts
			if took < 350*time.Millisecond {
				t.Fatalf("four attempts in %s: no backoff", took)
			}
			ms.mu.Lock()
			datas := ms.datas
			ms.mu.Unlock()
			if datas != 4 || ms.count() != 0 {
				t.Fatalf("the server saw %d DATA commands and accepted %d messages", datas, ms.count())
			}
			waitLog(t, logs, "will retry", "mail failed") // logged right after the state is saved
			// nothing more is tried: the rounds of a message queued after
			// the failure (refused alike, four attempts) try that one alone
			addUser(t, st, "Olga", "olga@example.com")
			waitState(t, st, "olga@example.com", "invitation", store.MessageFailed)
			ms.mu.Lock()
			datas = ms.datas
			ms.mu.Unlock()
			if datas != 8 {
				t.Fatalf("the server saw %d DATA commands for two messages of four attempts each: a failed message was tried again", datas)
			}
		})
	}
}

// A refusal the first time, then the server takes it: sent, two attempts;
// another message in the same round goes out on the same connection.
func TestMailRetrySucceeds(t *testing.T) {
	ms := newMailServer(t, "", "")
	ms.setRefuse(func(n int) error {
		if n == 1 {
			return &smtpd.SMTPError{Code: 451, EnhancedCode: smtpd.EnhancedCode{4, 3, 0}, Message: "greylisted"}
		}
		return nil
	})
	st := mailStore(t)
	addUser(t, st, "Ann", "ann@example.com")
	addUser(t, st, "Ben", "ben@example.com")
	m, _ := keys.ParseSMTP("smtp://"+ms.addr, "gatehouse@example.com")
	m.Backoff = 30 * time.Millisecond
	deliver(t, st, m, io.Discard)
	ann := waitState(t, st, "ann@example.com", "invitation", store.MessageSent)
	ben := waitState(t, st, "ben@example.com", "invitation", store.MessageSent)
	if ann.Attempts != 2 || ann.LastError != "" || ben.Attempts != 1 {
		t.Fatalf("ann %+v\nben %+v", ann, ben)
	}
	ms.mu.Lock()
	sessions := ms.sessions
	ms.mu.Unlock()
	if sessions != 2 {
		t.Fatalf("%d SMTP sessions for two rounds", sessions)
	}
}

// No server at the address: each attempt says so, then the message fails.
func TestMailUnreachable(t *testing.T) {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	st := mailStore(t)
	addUser(t, st, "Ann", "ann@example.com")
	addUser(t, st, "Ben", "ben@example.com")
	m, _ := keys.ParseSMTP("smtp://"+addr, "gatehouse@example.com")
	m.MaxAttempts, m.Backoff = 2, 10*time.Millisecond
	deliver(t, st, m, io.Discard)
	for _, e := range []string{"ann@example.com", "ben@example.com"} {
		f := waitState(t, st, e, "invitation", store.MessageFailed)
		if f.Attempts != 2 || !strings.Contains(f.LastError, "cannot reach the SMTP server "+addr) {
			t.Fatalf("%s: %+v", e, f)
		}
	}
}

// A wrong password is an attempt that fails with the server's answer.
func TestMailWrongPassword(t *testing.T) {
	ms := newMailServer(t, "mailer", "s3cret")
	st := mailStore(t)
	addUser(t, st, "Ann", "ann@example.com")
	m, _ := keys.ParseSMTP("smtp://mailer:wrong@"+ms.addr, "gatehouse@example.com")
	m.MaxAttempts = 1
	deliver(t, st, m, io.Discard)
	f := waitState(t, st, "ann@example.com", "invitation", store.MessageFailed)
	if !strings.Contains(f.LastError, "sign-in as mailer") || !strings.Contains(f.LastError, "535") {
		t.Fatalf("%+v", f)
	}
}

func TestParseSMTP(t *testing.T) {
	m, err := keys.ParseSMTP("smtp://bob:pa%40ss@mail.example.com", "gatehouse@example.com")
	if err != nil || m.Addr != "mail.example.com:587" || m.Username != "bob" || m.Password != "pa@ss" || m.Implicit {
		t.Fatalf("%+v %v", m, err)
	}
	if s := m.String(); s != "smtp://bob@mail.example.com:587" {
		t.Fatalf("String() = %q (never the password)", s)
	}
	m, err = keys.ParseSMTP("smtps://mail.example.com", "Gate <g@example.com>")
	if err != nil || m.Addr != "mail.example.com:465" || !m.Implicit || m.From != `"Gate" <g@example.com>` {
		t.Fatalf("%+v %v", m, err)
	}
	m, err = keys.ParseSMTP("smtp://[::1]:2525", "g@example.com")
	if err != nil || m.Addr != "[::1]:2525" {
		t.Fatalf("%+v %v", m, err)
	}
	for _, bad := range []struct{ url, from, want string }{
		{"mail.example.com", "g@example.com", "not an SMTP URL"},
		{"http://mail.example.com", "g@example.com", "smtp:// or smtps://"},
		{"smtp://mail.example.com:99999", "g@example.com", "bad port"},
		{"smtp://mail.example.com/x?y=1", "g@example.com", "give only"},
		{"smtp://mail.example.com", "", "needs --from"},
		{"smtp://mail.example.com", "not an address", "not an email address"},
	} {
		if _, err := keys.ParseSMTP(bad.url, bad.from); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("ParseSMTP(%q, %q) = %v, want %q", bad.url, bad.from, err, bad.want)
		}
	}
	if _, err := keys.ParseSMTP("smtp://bob:secret@mail.example.com/x", "g@example.com"); err == nil || strings.Contains(err.Error(), "secret") {
		t.Errorf("an error shows the password: %v", err)
	}
}

func TestRetryDelay(t *testing.T) {
	m := &keys.SMTP{Backoff: time.Second, MaxBackoff: 5 * time.Minute}
	var got []string
	for n := 1; n <= 11; n++ {
		got = append(got, m.RetryDelay(n).String())
	}
	want := "1s 2s 4s 8s 16s 32s 1m4s 2m8s 4m16s 5m0s 5m0s"
	if strings.Join(got, " ") != want {
		t.Fatalf("delays %v, want %s", got, want)
	}
}

// The loop ends with its context, even in the middle of a conversation with
// a server that does not answer; the message stays queued.
func TestMailStopsWithServer(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := ln.Accept()
		if err == nil {
			accepted <- c // never greets
		}
	}()
	st := mailStore(t)
	addUser(t, st, "Ann", "ann@example.com")
	m, _ := keys.ParseSMTP("smtp://"+ln.Addr().String(), "gatehouse@example.com")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); m.Deliver(ctx, st, log.New(io.Discard)) }()
	var c net.Conn
	select {
	case c = <-accepted:
		defer c.Close()
	case <-time.After(patience):
		t.Fatal("no connection")
	}
	cancel()
	select {
	case <-done:
	case <-time.After(patience):
		t.Fatal("the loop did not stop with its context")
	}
	if q := messageTo(t, st, "ann@example.com", "invitation"); q.State != store.MessageQueued || q.Attempts != 0 {
		t.Fatalf("an interrupted attempt was counted: %+v", q)
	}
}

// waitLog waits until the log holds every one of want.
func waitLog(t *testing.T, logs *proof.Log, want ...string) {
	t.Helper()
	for _, w := range want {
		eventually(t, fmt.Sprintf("%q in the log", w), func() bool { return strings.Contains(logs.String(), w) })
	}
}
