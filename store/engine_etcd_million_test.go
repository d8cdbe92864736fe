//go:build etcd

package store

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/server/v3/embed"
)

// TestEtcdSizeAtAMillionAuditEntries measures what a store of 1,000,000
// audit entries takes on etcd, before and after compaction and
// defragmentation, and the same store on bbolt: 25,000 demo users, then
// 100 bulk edits of 10,000 users each (one site given, then taken: every
// edit rewrites 10,000 user keys, a new revision of each), under the
// default limits, on a member with the auto-compaction and quota the
// README recommends. It takes minutes: run it once, by hand:
//
//	GATEHOUSE_ETCD_MILLION=1 go test -tags etcd ./store -run TestEtcdSizeAtAMillionAuditEntries -v -timeout 60m
func TestEtcdSizeAtAMillionAuditEntries(t *testing.T) {
	if os.Getenv("GATEHOUSE_ETCD_MILLION") == "" {
		t.Skip("minutes long: GATEHOUSE_ETCD_MILLION=1 runs it")
	}
	const bulks, n = 100, 10_000
	url, member := ownEtcdMember(t, func(cfg *embed.Config) {
		cfg.UnsafeNoFsync = true // the sizes are the same; the run is shorter
		cfg.MaxTxnOps, cfg.MaxRequestBytes = 1<<16, 32<<20
		cfg.AutoCompactionMode, cfg.AutoCompactionRetention = "periodic", "1h"
		cfg.QuotaBackendBytes = 8 << 30
	})
	cli, err := clientv3.New(clientv3.Config{Endpoints: []string{url}, DialTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	status := func(what string) (size, inUse int64) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		st, err := cli.Status(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		keys, err := cli.Get(ctx, "m/", clientv3.WithPrefix(), clientv3.WithCountOnly())
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: db size %.1f MiB, in use %.1f MiB, revision %d, %d keys", what, mib(st.DbSize), mib(st.DbSizeInUse), st.Header.Revision, keys.Count)
		return st.DbSize, st.DbSizeInUse
	}
	boltPath := filepath.Join(t.TempDir(), "million.db")
	for _, engine := range []string{"bbolt", "etcd"} {
		start := time.Now()
		build := EtcdConfig{Endpoints: []string{url}, Prefix: "m/", MaxTxnOps: 1 << 16, MaxRequestBytes: 32 << 20}
		open := func(cfg EtcdConfig) *Store {
			var s *Store
			var err error
			if engine == "bbolt" {
				s, err = Open(boltPath, Options{NoSync: true})
			} else {
				s, err = OpenEtcd(cfg, Options{})
			}
			if err != nil {
				t.Fatal(err)
			}
			return s
		}
		s := open(build)
		if _, err := s.Demo(LocalActor("test"), DemoOptions{Users: 25_000}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Apply(LocalActor("test"), "site", func(tx *Tx) error { _, err := tx.AddSite("Bulk Site", ""); return err }); err != nil {
			t.Fatal(err)
		}
		s.Close()
		s = open(EtcdConfig{Endpoints: build.Endpoints, Prefix: build.Prefix}) // the default limits
		us, err := s.Users(UserFilter{Profile: "User"})
		if err != nil || len(us) < n {
			t.Fatalf("%d User employees, %v", len(us), err)
		}
		ids := make([]uint64, n)
		for i := range ids {
			ids[i] = us[i].ID
		}
		for i := range bulks {
			if _, err := s.Apply(LocalActor("test"), "bulk", assignBulk(ids, i%2 == 0)); err != nil {
				t.Fatalf("bulk %d: %v", i, err)
			}
		}
		built := time.Since(start)
		verifyStart := time.Now()
		r, err := s.VerifyAudit()
		if err != nil || !r.OK || r.Entries < bulks*n {
			t.Fatalf("the chain: %d entries, %v %v", r.Entries, r.Problems, err)
		}
		t.Logf("%s: %d audit entries built in %s, verified in %s", engine, r.Entries, built.Round(time.Second), time.Since(verifyStart).Round(time.Millisecond))
		s.Close()
		if engine == "bbolt" {
			st, err := os.Stat(boltPath)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("bbolt: file %.1f MiB", mib(st.Size()))
			continue
		}
		before, _ := status("etcd before compaction")
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		st, err := cli.Status(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		compactStart := time.Now()
		if _, err := cli.Compact(ctx, st.Header.Revision, clientv3.WithCompactPhysical()); err != nil {
			t.Fatal(err)
		}
		compacted := time.Since(compactStart)
		status("etcd after compaction")
		defragStart := time.Now()
		if _, err := cli.Defragment(ctx, url); err != nil {
			t.Fatal(err)
		}
		t.Logf("compaction took %s, defragmentation %s", compacted.Round(time.Millisecond), time.Since(defragStart).Round(time.Millisecond))
		after, _ := status("etcd after compaction and defragmentation")
		if after >= before {
			t.Fatalf("compaction and defragmentation left %d bytes of %d", after, before)
		}
		s = open(EtcdConfig{Endpoints: build.Endpoints, Prefix: build.Prefix})
		if r, err := s.VerifyAudit(); err != nil || !r.OK || r.Entries < bulks*n {
			t.Fatalf("after compaction, the chain: %d entries, %v %v", r.Entries, r.Problems, err)
		}
		s.Close()
	}
	t.Logf("the member's quota: %.0f GiB", float64(member.Config().QuotaBackendBytes)/(1<<30))
}

func mib(n int64) float64 { return float64(n) / (1 << 20) }
