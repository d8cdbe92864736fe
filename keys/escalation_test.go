package keys_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"charm.land/log/v2"
	gossh "golang.org/x/crypto/ssh"

	"github.com/gatehouse/gatehouse/cmd"
	"github.com/gatehouse/gatehouse/internal/proof"
	"github.com/gatehouse/gatehouse/keys"
	"github.com/gatehouse/gatehouse/store"
)

// The escalation matrix over SSH exec: each actor signs in with their key to
// a real server on 127.0.0.1:0 and runs every case as a command line, judged
// by the same oracle as the store and CLI layers. A case that changed
// anything restarts the server on a fresh copy of the world.
type escSSHLayer struct {
	srv     *keys.Server
	addr    string
	cancel  context.CancelFunc
	served  chan error
	clients map[string]*gossh.Client
}

func (l *escSSHLayer) Start(s *store.Store, dir string) error {
	srv, err := keys.New(keys.Config{
		Store: s, HostKeyPath: filepath.Join(dir, "hostkey"), Command: cmd.RemoteCommand(s),
		Logger: log.New(io.Discard), ShutdownGrace: time.Second,
	})
	if err != nil {
		return err
	}
	addr, err := srv.Listen("127.0.0.1:0")
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	l.srv, l.addr, l.cancel, l.served, l.clients = srv, addr.String(), cancel, make(chan error, 1), map[string]*gossh.Client{}
	go func() { l.served <- srv.Serve(ctx) }()
	return nil
}

func (l *escSSHLayer) Stop() {
	for _, c := range l.clients {
		c.Close()
	}
	l.cancel()
	select {
	case <-l.served:
	case <-time.After(10 * time.Second):
	}
}

// client signs the actor in once per server (the sign-in itself is recorded
// before any case is judged).
func (l *escSSHLayer) client(email string) (*gossh.Client, error) {
	if c := l.clients[email]; c != nil {
		return c, nil
	}
	c, err := gossh.Dial("tcp", l.addr, &gossh.ClientConfig{User: email, Auth: []gossh.AuthMethod{gossh.PublicKeys(proof.Signer(email))},
		HostKeyCallback: gossh.FixedHostKey(l.srv.HostKey()), Timeout: 5 * time.Second})
	if err != nil {
		return nil, err
	}
	l.clients[email] = c
	if _, _, err := escExec(c, "effective "+email, ""); err != nil {
		return nil, err
	}
	return c, nil
}

func (l *escSSHLayer) Prepare(email string) error { _, err := l.client(email); return err }

func escExec(c *gossh.Client, line, stdin string) (int, string, error) {
	s, err := c.NewSession()
	if err != nil {
		return 0, "", err
	}
	defer s.Close()
	var out, errb bytes.Buffer
	s.Stdout, s.Stderr, s.Stdin = &out, &errb, strings.NewReader(stdin)
	err = s.Run(line)
	var ee *gossh.ExitError
	switch {
	case err == nil:
		return 0, errb.String(), nil
	case errors.As(err, &ee):
		return ee.ExitStatus(), errb.String(), nil
	}
	return 0, "", err
}

func (l *escSSHLayer) Run(email string, c proof.Case) (bool, string, bool) {
	if c.Args == nil {
		return false, "", true // a job of the store only (no command does it)
	}
	cl, err := l.client(email)
	if err != nil {
		return false, "sign-in: " + err.Error(), false
	}
	code, stderr, err := escExec(cl, proof.ShellLine(c.Args), c.Stdin)
	if err != nil {
		return false, "ssh: " + err.Error(), false
	}
	return code == 0, strings.TrimSpace(stderr), false
}

func TestEscalationMatrixSSH(t *testing.T) {
	w, err := proof.BuildWorld(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	res, err := proof.RunMatrix(w, "SSH exec", &escSSHLayer{}, proof.ActorEmails())
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("per actor (%s):\n%s", time.Since(start).Round(time.Millisecond), res.PerActor())
	for _, o := range res.Escalations() {
		t.Errorf("ESCALATION: %s by %s (%s): %v", o.Case, o.Actor, o.Profile, o.Violations)
	}
	for _, o := range res.Outcomes {
		if strings.HasPrefix(o.Detail, "ssh: ") || strings.HasPrefix(o.Detail, "sign-in: ") {
			t.Errorf("%s by %s: %s", o.Case, o.Actor, o.Detail)
		}
	}
	for _, want := range []struct{ actor, command, target string }{
		{"manager@example.com", "users edit --first", proof.TIn},
		{"manager@example.com", "users disable", proof.TIn},
		{"admin@example.com", "users disable", proof.TOut},
		{"hr@example.com", "users disable", proof.TOut},
	} {
		if msg := res.MustAllow(want.actor, want.command, want.target); msg != "" {
			t.Error(msg)
		}
	}
	proof.Figure(t, "escalation", "%s", res.Summary())
}
