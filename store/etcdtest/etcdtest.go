//go:build etcd

// Package etcdtest starts one embedded etcd member for the tests of the
// packages above store (keys, cmd): 127.0.0.1, random ports, no fsync, a
// temporary folder, and a fresh key prefix per store. The store's own tests
// have theirs (store/engine_etcd_helpers_test.go).
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

// The member's limits: the suites' bulk change sets need more than etcd's
// defaults.
const (
	MaxTxnOps       = 1 << 16
	MaxRequestBytes = 64 << 20
)

var member struct {
	once     sync.Once
	e        *embed.Etcd
	dir      string
	endpoint string
	err      error
	prefixes atomic.Int64
}

// Endpoint starts the member on first use and gives its client URL.
func Endpoint(t testing.TB) string {
	t.Helper()
	member.once.Do(start)
	if member.err != nil {
		t.Fatalf("test etcd: %v", member.err)
	}
	return member.endpoint
}

// Prefix is a key prefix no other store of this test process uses.
func Prefix() string { return fmt.Sprintf("test-%d/%d/", os.Getpid(), member.prefixes.Add(1)) }

// Stop ends the member (TestMain, after the tests).
func Stop() {
	if member.e != nil {
		member.e.Close()
	}
	if member.dir != "" {
		os.RemoveAll(member.dir)
	}
}

func start() {
	dir, err := os.MkdirTemp("", "gatehouse-etcdtest-")
	if err != nil {
		member.err = err
		return
	}
	member.dir = dir
	cfg := embed.NewConfig()
	cfg.Dir = dir
	cfg.UnsafeNoFsync = true
	cfg.MaxTxnOps, cfg.MaxRequestBytes = MaxTxnOps, MaxRequestBytes
	cfg.ZapLoggerBuilder = embed.NewZapLoggerBuilder(zap.NewNop())
	u, _ := url.Parse("http://127.0.0.1:0")
	cfg.ListenClientUrls, cfg.AdvertiseClientUrls = []url.URL{*u}, []url.URL{*u}
	cfg.ListenPeerUrls, cfg.AdvertisePeerUrls = []url.URL{*u}, []url.URL{*u}
	cfg.InitialCluster = cfg.InitialClusterFromName(cfg.Name)
	e, err := embed.StartEtcd(cfg)
	if err != nil {
		member.err = err
		return
	}
	select {
	case <-e.Server.ReadyNotify():
	case err := <-e.Err():
		e.Close()
		member.err = err
		return
	case <-time.After(60 * time.Second):
		e.Close()
		member.err = fmt.Errorf("the test etcd member was not ready in 60s")
		return
	}
	member.e = e
	member.endpoint = "http://" + e.Clients[0].Addr().String()
}
