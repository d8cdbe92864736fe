//go:build etcd

// Package etcdtest starts an embedded etcd member for tests of packages
// other than store (store has its own, beside its tests): one member on
// 127.0.0.1, random ports, no fsync, a temporary folder; it takes what a
// gatehouse cluster is started with (README: What an etcd cluster for
// gatehouse needs): 16,384 operations per transaction and 4 MiB per request.
package etcdtest

import (
	"fmt"
	"net/url"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.etcd.io/etcd/server/v3/embed"
	"go.uber.org/zap"
)

// MaxTxnOps and MaxRequestBytes are the member's --max-txn-ops and
// --max-request-bytes.
const (
	MaxTxnOps       = 16384
	MaxRequestBytes = 4 << 20
)

// Member is a running embedded member.
type Member struct {
	Endpoint string // its client URL
	e        *embed.Etcd
	dir      string
	peer     string // its peer URL
}

// Start starts a member and waits until it serves (a minute at most).
func Start() (*Member, error) {
	dir, err := os.MkdirTemp("", "gatehouse-etcd-")
	if err != nil {
		return nil, err
	}
	m := &Member{dir: dir}
	if err := m.start("http://127.0.0.1:0", "http://127.0.0.1:0"); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	return m, nil
}

// start runs the member on its folder at these URLs (port 0: any).
func (m *Member) start(client, peer string) error {
	cfg := embed.NewConfig()
	cfg.Dir = m.dir
	cfg.UnsafeNoFsync = true
	cfg.MaxTxnOps, cfg.MaxRequestBytes = MaxTxnOps, MaxRequestBytes
	cfg.ZapLoggerBuilder = embed.NewZapLoggerBuilder(zap.NewNop())
	cu, _ := url.Parse(client)
	pu, _ := url.Parse(peer)
	cfg.ListenClientUrls, cfg.AdvertiseClientUrls = []url.URL{*cu}, []url.URL{*cu}
	cfg.ListenPeerUrls, cfg.AdvertisePeerUrls = []url.URL{*pu}, []url.URL{*pu}
	cfg.InitialCluster = cfg.InitialClusterFromName(cfg.Name)
	e, err := embed.StartEtcd(cfg)
	if err != nil {
		return err
	}
	select {
	case <-e.Server.ReadyNotify():
	case err := <-e.Err():
		e.Close()
		return err
	case <-time.After(time.Minute):
		e.Close()
		return fmt.Errorf("the test etcd member was not ready in a minute")
	}
	m.e, m.Endpoint, m.peer = e, "http://"+e.Clients[0].Addr().String(), "http://"+e.Peers[0].Addr().String()
	return nil
}

// Pause ends the member at once, as a crash would, and keeps its folder
// and ports for Resume.
func (m *Member) Pause() {
	m.e.Server.HardStop()
	m.e.Close()
	m.e = nil
}

// Resume starts a paused member again, on its data and at its URLs.
func (m *Member) Resume() error { return m.start(m.Endpoint, m.peer) }

// Kill ends the member at once, as a crash would (no leadership handed
// on, no clients told), and removes its folder.
func (m *Member) Kill() {
	m.e.Server.HardStop()
	m.Stop()
}

// Stop ends the member and removes its folder.
func (m *Member) Stop() {
	if m.e != nil { // not paused
		m.e.Close()
	}
	os.RemoveAll(m.dir)
}

// The member a test binary shares: started by the first test that needs
// it, stopped by StopShared (TestMain, after the tests).
var shared struct {
	once     sync.Once
	m        *Member
	err      error
	prefixes atomic.Int64
}

// Shared gives the shared member's client URL, starting it on first use.
func Shared(t testing.TB) string {
	t.Helper()
	shared.once.Do(func() { shared.m, shared.err = Start() })
	if shared.err != nil {
		t.Fatalf("test etcd: %v", shared.err)
	}
	return shared.m.Endpoint
}

// Prefix is a key prefix no other store of this test binary uses.
func Prefix() string { return fmt.Sprintf("test-%d/%d/", os.Getpid(), shared.prefixes.Add(1)) }

// StopShared stops the shared member, if a test started it.
func StopShared() {
	if shared.m != nil {
		shared.m.Stop()
	}
}
