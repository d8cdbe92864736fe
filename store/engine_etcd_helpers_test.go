//go:build etcd

package store

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/server/v3/embed"
	"go.uber.org/zap"
)

// Tests run on the bbolt engine, and on etcd: every test under TestOnEtcd
// (engine_etcd_test.go), or all of them with GATEHOUSE_TEST_ENGINE=etcd.
// The etcd is one embedded member started by the first test that needs
// it (127.0.0.1, random ports, no fsync, a temporary folder), and each
// store gets a key prefix of its own.

const etcdBuilt = true

func TestMain(m *testing.M) {
	code := m.Run()
	stopSharedCluster()
	stopTestEtcd()
	os.Exit(code)
}

var testEtcd struct {
	once     sync.Once
	e        *embed.Etcd
	dir      string
	endpoint string
	err      error
	prefixes atomic.Int64
}

// etcdEndpoint starts the test member on first use and gives its client URL.
func etcdEndpoint(t testing.TB) string {
	t.Helper()
	testEtcd.once.Do(func() {
		dir, err := os.MkdirTemp("", "gatehouse-etcd-")
		if err != nil {
			testEtcd.err = err
			return
		}
		testEtcd.dir = dir
		cfg := embed.NewConfig()
		cfg.Dir = dir
		cfg.UnsafeNoFsync = true
		// the suite's bulk change sets (hundreds of users in one) need
		// more than etcd's defaults; TestEtcdRefusesTooBigAChangeSet
		// holds the store to the defaults
		cfg.MaxTxnOps, cfg.MaxRequestBytes = testEtcdMaxTxnOps, testEtcdMaxRequestBytes
		cfg.ZapLoggerBuilder = embed.NewZapLoggerBuilder(zap.NewNop())
		u, _ := url.Parse("http://127.0.0.1:0")
		cfg.ListenClientUrls, cfg.AdvertiseClientUrls = []url.URL{*u}, []url.URL{*u}
		cfg.ListenPeerUrls, cfg.AdvertisePeerUrls = []url.URL{*u}, []url.URL{*u}
		cfg.InitialCluster = cfg.InitialClusterFromName(cfg.Name)
		e, err := embed.StartEtcd(cfg)
		if err != nil {
			testEtcd.err = err
			return
		}
		select {
		case <-e.Server.ReadyNotify():
		case err := <-e.Err():
			e.Close()
			testEtcd.err = err
			return
		case <-time.After(60 * time.Second):
			e.Close()
			testEtcd.err = fmt.Errorf("the test etcd member was not ready in 60s")
			return
		}
		testEtcd.e = e
		testEtcd.endpoint = "http://" + e.Clients[0].Addr().String()
	})
	if testEtcd.err != nil {
		t.Fatalf("test etcd: %v", testEtcd.err)
	}
	return testEtcd.endpoint
}

func stopTestEtcd() {
	if testEtcd.e != nil {
		testEtcd.e.Close()
	}
	if testEtcd.dir != "" {
		os.RemoveAll(testEtcd.dir)
	}
}

const (
	testEtcdMaxTxnOps       = 1 << 16
	testEtcdMaxRequestBytes = 64 << 20
)

// etcdConfig is a fresh prefix on the test member, with its limits.
func etcdConfig(t testing.TB) EtcdConfig {
	t.Helper()
	return EtcdConfig{Endpoints: []string{etcdEndpoint(t)}, Prefix: fmt.Sprintf("test/%d/", testEtcd.prefixes.Add(1)),
		MaxTxnOps: testEtcdMaxTxnOps, MaxRequestBytes: testEtcdMaxRequestBytes}
}

// etcdStoredBytes is every key and value under a prefix, as stored.
func etcdStoredBytes(t testing.TB, prefix string) []byte {
	t.Helper()
	cli := testEtcdClient(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	resp, err := cli.Get(ctx, prefix, clientv3.WithPrefix())
	if err != nil {
		t.Fatal(err)
	}
	var out []byte
	for _, kv := range resp.Kvs {
		out = append(append(append(out, kv.Key...), '\n'), kv.Value...)
	}
	return out
}

// etcdTamperedCopy copies the store under prefix to a fresh one, lets edit
// change its audit log's keys directly, and opens the copy.
func etcdTamperedCopy(t *testing.T, prefix string, edit func(*testing.T, auditKeys)) (*Store, error) {
	t.Helper()
	cfg := etcdConfig(t)
	copyEtcdPrefix(t, prefix, cfg.Prefix)
	edit(t, etcdAuditKeys{t: t, cli: testEtcdClient(t), prefix: cfg.Prefix + "d/audit\x00"})
	return OpenEtcd(cfg, Options{})
}

// testEtcdClient is a client of the test member, closed with the test.
func testEtcdClient(t testing.TB) *clientv3.Client {
	t.Helper()
	cli, err := clientv3.New(clientv3.Config{Endpoints: []string{etcdEndpoint(t)}, DialTimeout: 5 * time.Second, Logger: zap.NewNop()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cli.Close() })
	return cli
}

// copyEtcdPrefix copies every key under one prefix to another.
func copyEtcdPrefix(t testing.TB, from, to string) {
	t.Helper()
	cli := testEtcdClient(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	resp, err := cli.Get(ctx, from, clientv3.WithPrefix())
	if err != nil {
		t.Fatal(err)
	}
	var ops []clientv3.Op
	flush := func() {
		if _, err := cli.Txn(ctx).Then(ops...).Commit(); err != nil {
			t.Fatal(err)
		}
		ops = ops[:0]
	}
	for _, kv := range resp.Kvs {
		ops = append(ops, clientv3.OpPut(to+strings.TrimPrefix(string(kv.Key), from), string(kv.Value)))
		if len(ops) == 1000 {
			flush()
		}
	}
	flush()
}

// etcdAuditKeys is the audit log's keys under a prefix, written directly:
// as someone with access to the etcd cluster could.
type etcdAuditKeys struct {
	t      testing.TB
	cli    *clientv3.Client
	prefix string
}

func (k etcdAuditKeys) Get(key []byte) []byte {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	resp, err := k.cli.Get(ctx, k.prefix+string(key))
	if err != nil {
		k.t.Fatal(err)
	}
	if len(resp.Kvs) == 0 {
		return nil
	}
	return resp.Kvs[0].Value
}

func (k etcdAuditKeys) Put(key, value []byte) error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := k.cli.Put(ctx, k.prefix+string(key), string(value))
	return err
}

func (k etcdAuditKeys) Delete(key []byte) error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := k.cli.Delete(ctx, k.prefix+string(key))
	return err
}
