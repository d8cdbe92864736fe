//go:build etcd

package store

import (
	"bytes"
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
	stopBenchBulk()
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
		testEtcd.e, testEtcd.err = startEtcdMember(dir, func(cfg *embed.Config) {
			cfg.UnsafeNoFsync = true
			// the suite's bulk change sets (hundreds of users in one) need
			// more than etcd's defaults; TestEtcdRefusesTooBigAChangeSet
			// holds the store to the defaults
			cfg.MaxTxnOps, cfg.MaxRequestBytes = testEtcdMaxTxnOps, testEtcdMaxRequestBytes
		})
		if testEtcd.err == nil {
			testEtcd.endpoint = "http://" + testEtcd.e.Clients[0].Addr().String()
		}
	})
	if testEtcd.err != nil {
		t.Fatalf("test etcd: %v", testEtcd.err)
	}
	return testEtcd.endpoint
}

// startEtcdMember starts one embedded member in dir on 127.0.0.1 (random
// ports), with tune's settings, and waits until it serves.
func startEtcdMember(dir string, tune func(*embed.Config)) (*embed.Etcd, error) {
	cfg := embed.NewConfig()
	cfg.Dir = dir
	cfg.ZapLoggerBuilder = embed.NewZapLoggerBuilder(zap.NewNop())
	u, _ := url.Parse("http://127.0.0.1:0")
	cfg.ListenClientUrls, cfg.AdvertiseClientUrls = []url.URL{*u}, []url.URL{*u}
	cfg.ListenPeerUrls, cfg.AdvertisePeerUrls = []url.URL{*u}, []url.URL{*u}
	cfg.InitialCluster = cfg.InitialClusterFromName(cfg.Name)
	tune(cfg)
	e, err := embed.StartEtcd(cfg)
	if err != nil {
		return nil, err
	}
	select {
	case <-e.Server.ReadyNotify():
		return e, nil
	case err := <-e.Err():
		e.Close()
		return nil, err
	case <-time.After(60 * time.Second):
		e.Close()
		return nil, fmt.Errorf("the etcd member in %s was not ready in 60s", dir)
	}
}

// ownEtcdMember starts a member of the test's own, stopped with it, and
// gives its client URL.
func ownEtcdMember(t testing.TB, tune func(*embed.Config)) (string, *embed.Etcd) {
	t.Helper()
	dir := t.TempDir()
	e, err := startEtcdMember(dir, tune)
	if err != nil {
		t.Fatalf("an etcd member of the test's own: %v", err)
	}
	t.Cleanup(e.Close)
	return "http://" + e.Clients[0].Addr().String(), e
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

// testStoreMaxRequestBytes is what the suite's stores may send in one
// Txn: more than the default, less than the member takes (the check of
// the limits at open sends this much once per process).
const testStoreMaxRequestBytes = 16 << 20

// etcdConfig is a fresh prefix on the test member, with its limits.
func etcdConfig(t testing.TB) EtcdConfig {
	t.Helper()
	return EtcdConfig{Endpoints: []string{etcdEndpoint(t)}, Prefix: fmt.Sprintf("test/%d/", testEtcd.prefixes.Add(1)),
		MaxTxnOps: testEtcdMaxTxnOps, MaxRequestBytes: testStoreMaxRequestBytes}
}

// etcdStoredBytes is every key and value under a prefix, as stored, with
// each pack's entries inflated (what it holds, not how it is compressed).
func etcdStoredBytes(t testing.TB, prefix string) []byte {
	t.Helper()
	cli := testEtcdClient(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	resp, err := cli.Get(ctx, prefix, clientv3.WithPrefix())
	if err != nil {
		t.Fatal(err)
	}
	e := newEtcdEngine(cli, false, EtcdConfig{Prefix: prefix})
	var out []byte
	for _, kv := range resp.Kvs {
		out = append(append(append(out, kv.Key...), '\n'), kv.Value...)
		if strings.HasPrefix(string(kv.Key), prefix+"p/") {
			writes, err := e.logical(string(kv.Key), kv.Value, false)
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range writes {
				out = append(append(append(out, w.key...), '\n'), w.value...)
			}
		}
	}
	return out
}

// etcdTamperedCopy copies the store under prefix to a fresh one, lets edit
// change its audit log's keys directly, and opens the copy.
func etcdTamperedCopy(t *testing.T, prefix string, edit func(*testing.T, auditKeys)) (*Store, error) {
	t.Helper()
	cfg := etcdConfig(t)
	copyEtcdPrefix(t, prefix, cfg.Prefix)
	cli := testEtcdClient(t)
	edit(t, etcdAuditKeys{t: t, cli: cli, e: newEtcdEngine(cli, false, cfg)})
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

// etcdAuditKeys is the audit log's entries under a prefix, written
// directly: as someone with access to the etcd cluster could, rewriting
// the pack an entry is in.
type etcdAuditKeys struct {
	t   testing.TB
	cli *clientv3.Client
	e   *etcdEngine
}

// packOf is the pack holding key (nil: none).
func (k etcdAuditKeys) packOf(key []byte) *pack {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	resp, err := k.cli.Get(ctx, k.e.packKey(bucketAudit, key), clientv3.WithRange(k.e.packEnd(bucketAudit)), clientv3.WithLimit(1))
	if err != nil {
		k.t.Fatal(err)
	}
	if len(resp.Kvs) == 0 {
		return nil
	}
	p, err := k.e.readPack(bucketAudit, resp.Kvs[0].Key, resp.Kvs[0].Value)
	if err != nil {
		k.t.Fatal(err)
	}
	return p
}

func (k etcdAuditKeys) Get(key []byte) []byte {
	if p := k.packOf(key); p != nil {
		return p.find(key)
	}
	return nil
}

func (k etcdAuditKeys) Put(key, value []byte) error { return k.rewrite(key, value, false) }

func (k etcdAuditKeys) Delete(key []byte) error { return k.rewrite(key, nil, true) }

// rewrite puts or deletes one entry of the pack it is in, as one Txn.
func (k etcdAuditKeys) rewrite(key, value []byte, del bool) error {
	p := k.packOf(key)
	if p == nil || p.find(key) == nil {
		k.t.Fatalf("no audit entry %x to rewrite", key)
	}
	var entries []packEntry
	for _, e := range p.entries {
		switch {
		case !bytes.Equal(e.key, key):
			entries = append(entries, e)
		case !del:
			entries = append(entries, packEntry{key, value})
		}
	}
	var ops []clientv3.Op
	puts := k.e.packsOf(bucketAudit, entries)
	if len(puts) == 0 || puts[len(puts)-1].key != p.etcdKey {
		ops = append(ops, clientv3.OpDelete(p.etcdKey))
	}
	for _, w := range puts {
		ops = append(ops, clientv3.OpPut(w.key, string(w.value)))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := k.cli.Txn(ctx).Then(ops...).Commit()
	return err
}
