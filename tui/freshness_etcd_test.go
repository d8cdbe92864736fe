//go:build etcd

package tui

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"go.etcd.io/etcd/server/v3/embed"
	"go.uber.org/zap"

	"github.com/gatehouse/gatehouse/store"
)

// A console on a store whose etcd stops answering stays up and says, on
// its status line, that it is read-only since when; one on a bbolt file
// never asks.
func TestConsoleSaysReadOnlyWhenTheStoreHasNoQuorum(t *testing.T) {
	cfg := embed.NewConfig()
	cfg.Dir = t.TempDir()
	cfg.UnsafeNoFsync = true
	cfg.ZapLoggerBuilder = embed.NewZapLoggerBuilder(zap.NewNop())
	u, _ := url.Parse("http://127.0.0.1:0")
	cfg.ListenClientUrls, cfg.AdvertiseClientUrls = []url.URL{*u}, []url.URL{*u}
	cfg.ListenPeerUrls, cfg.AdvertisePeerUrls = []url.URL{*u}, []url.URL{*u}
	cfg.InitialCluster = cfg.InitialClusterFromName(cfg.Name)
	e, err := embed.StartEtcd(cfg)
	if err != nil {
		t.Fatal(err)
	}
	stopped := false
	defer func() {
		if !stopped {
			e.Close()
		}
	}()
	select {
	case <-e.Server.ReadyNotify():
	case <-time.After(time.Minute): // a bound only
		t.Fatal("etcd not ready in a minute")
	}
	// the member is at etcd's own limits
	s, err := store.OpenEtcd(store.EtcdConfig{Endpoints: []string{"http://" + e.Clients[0].Addr().String()}, Prefix: "tui/",
		MaxTxnOps: 128, MaxRequestBytes: 1536 << 10}, store.Options{})
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

	e.Server.HardStop()
	e.Close()
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
