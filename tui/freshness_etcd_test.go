//go:build etcd

package tui

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/etcdtest"
	"github.com/gatehouse/gatehouse/store"
)

// A console on a store whose etcd stops answering stays up, read-only, at
// every width: its status line says since when (briefly where the whole
// note does not fit, with "!" a key away), keys answer at once instead of
// waiting for etcd at every cursor move, panes say what they could not
// read rather than "none" or "empty", and editing keys say why not, the
// pending changes kept. Once etcd is back the screens read again and the
// edit goes through. A console on a bbolt file never asks.
func TestConsoleSaysReadOnlyWhenTheStoreHasNoQuorum(t *testing.T) {
	m, err := etcdtest.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer m.Stop()
	s, err := store.OpenEtcd(store.EtcdConfig{Endpoints: []string{m.Endpoint}, Prefix: "tui/",
		MaxTxnOps: etcdtest.MaxTxnOps, MaxRequestBytes: etcdtest.MaxRequestBytes}, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Demo(store.LocalActor("test"), store.DemoOptions{Users: 40}); err != nil {
		t.Fatal(err)
	}
	apps := map[int]*App{}
	for _, sz := range sizes {
		app := newTestApp(t, s, nil, sz.w, sz.h)
		if app.watchFreshness() == nil {
			t.Fatal("a console on a shared store does not ask for its freshness")
		}
		app.Update(freshnessMsg{})
		if v := viewOf(app); strings.Contains(v, "read-only") {
			t.Fatalf("a console on a healthy store says read-only:\n%s", v)
		}
		apps[sz.w] = app
	}

	m.Pause()
	waitUntil(t, "the store to say it is read-only", func() bool { return !s.Freshness().Writable })
	for _, sz := range sizes {
		app := apps[sz.w]
		app.Update(freshnessMsg{})
		v := viewOf(app)
		checkFits(t, v, sz.w, sz.h)
		lines := strings.Split(v, "\n")
		status := lines[len(lines)-1]
		if !strings.Contains(status, "read-only") || !strings.Contains(status, "no quorum") {
			t.Fatalf("at %d columns the status line does not say the store is read-only: %q", sz.w, status)
		}
		if !strings.Contains(status, "since ") && !strings.Contains(status, "! shows all") {
			t.Fatalf("at %d columns the status line says neither since when nor where to read it: %q", sz.w, status)
		}
		// a key is answered at once: it waited 2 s for etcd at every cursor move
		for _, k := range []string{"down", "down", "up"} {
			start := time.Now()
			app.Update(keyMsg(k))
			viewOf(app)
			if took := time.Since(start); took > time.Second {
				t.Fatalf("at %d columns %q took %s without a quorum", sz.w, k, took)
			}
		}
		if v := viewOf(app); !regexp.MustCompile(`SSH keys +not read`).MatchString(v) {
			t.Fatalf("at %d columns the details pane does not say the user's keys are not known:\n%s", sz.w, v)
		}
	}
	app := apps[80]
	if v := viewOf(app); !strings.Contains(v, "! shows all") {
		t.Fatalf("at 80 columns the status line does not say ! shows the rest:\n%s", v)
	}
	press(app, "!")
	if v := viewOf(app); !strings.Contains(flat(v), "checks answer from this node's memory") {
		t.Fatalf("! does not show the whole note:\n%s", v)
	}
	press(app, "esc")

	// an editing key says why not, and changes nothing
	u := usersOf(app).Current()
	press(app, "d")
	if app.modal != nil || !strings.Contains(app.msg, "read-only since ") || !strings.Contains(viewOf(app), "edits work again once etcd is back") {
		t.Fatalf("d without a quorum: modal %T, message %q", app.modal, app.msg)
	}
	press(app, "?")
	if v := flat(viewOf(app)); !strings.Contains(v, "not now: read-only since ") {
		t.Fatalf("help does not say why editing keys are not usable now:\n%s", viewOf(app))
	}
	press(app, "esc")
	press(app, "6")
	if v := viewOf(app); !strings.Contains(v, "not read") || strings.Contains(v, "the outbox is empty") {
		t.Fatalf("the outbox says it is empty, or not that it could not be read:\n%s", v)
	}
	press(app, "1")

	if err := m.Resume(); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the store to take change sets again", func() bool { return s.Freshness().Writable })
	app.Update(freshnessMsg{})
	if v := viewOf(app); strings.Contains(v, "read-only") || !strings.Contains(v, "the store has its quorum again") {
		t.Fatalf("the console does not say the store is back:\n%s", v)
	}
	press(app, "6")
	if v := viewOf(app); strings.Contains(v, "not read") {
		t.Fatalf("the outbox was not read again once the store was back:\n%s", v)
	}
	press(app, "1")
	press(app, "d")
	if app.modal == nil {
		t.Fatalf("d once the store is back opens nothing: %q", app.msg)
	}
	if now, err := s.UserByID(u.ID); err != nil || now.Status() != u.Status() {
		t.Fatalf("the user changed while the store was read-only: %v", err)
	}

	bolt := newTestApp(t, newTestStore(t, 1), nil, 200, 40)
	if bolt.watchFreshness() != nil {
		t.Fatal("a console on a bbolt file asks for its freshness")
	}
}

// waitUntil polls a condition for a minute.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond) // polling a condition
	}
}
