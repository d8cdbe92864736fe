//go:build etcd

package tui

import (
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/etcdtest"
	"github.com/gatehouse/gatehouse/store"
)

// A console on a store whose etcd stops answering stays up and says, on
// its status line, that it is read-only since when; one on a bbolt file
// never asks.
func TestConsoleSaysReadOnlyWhenTheStoreHasNoQuorum(t *testing.T) {
	m, err := etcdtest.Start()
	if err != nil {
		t.Fatal(err)
	}
	stopped := false
	defer func() {
		if !stopped {
			m.Stop()
		}
	}()
	s, err := store.OpenEtcd(store.EtcdConfig{Endpoints: []string{m.Endpoint}, Prefix: "tui/",
		MaxTxnOps: etcdtest.MaxTxnOps, MaxRequestBytes: etcdtest.MaxRequestBytes}, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	app := newTestApp(t, s, nil, 200, 40)
	if app.watchFreshness() == nil {
		t.Fatal("a console on a shared store does not ask for its freshness")
	}
	app.Update(freshnessMsg{})
	if v := viewOf(app); strings.Contains(v, "read-only") {
		t.Fatalf("a console on a healthy store says read-only:\n%s", v)
	}

	m.Kill()
	stopped = true
	deadline := time.Now().Add(time.Minute)
	for s.Freshness().Writable {
		if time.Now().After(deadline) {
			t.Fatal("the store still says writable a minute after its etcd stopped")
		}
		time.Sleep(10 * time.Millisecond) // polling a condition
	}
	app.Update(freshnessMsg{})
	v := viewOf(app)
	if !strings.Contains(v, "read-only: the store has no quorum since ") {
		t.Fatalf("the console does not say it is read-only:\n%s", v)
	}
	if !strings.Contains(v, "Users") {
		t.Fatalf("the console does not show its screens while read-only:\n%s", v)
	}

	bolt := newTestApp(t, newTestStore(t, 1), nil, 200, 40)
	if bolt.watchFreshness() != nil {
		t.Fatal("a console on a bbolt file asks for its freshness")
	}
}
