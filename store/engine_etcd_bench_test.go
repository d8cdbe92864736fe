//go:build etcd

package store

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"go.etcd.io/etcd/server/v3/embed"
)

// Bulk edits and single edits on both engines side by side, in one run:
// a store of 25,000 demo users (11,000-odd User employees) on a bbolt file
// and on an etcd member of the benchmarks' own, both with fsync on; the
// etcd store opened with gatehouse's default limits (EtcdConfig), so each
// change set is held to what the README asks of a cluster.

const benchBulkUsers = 25_000

var benchBulk struct {
	once   sync.Once
	dir    string
	member *embed.Etcd
	stores map[string]*Store
	err    error
}

// benchBulkStore is the shared store of the engine ("bbolt" or "etcd").
func benchBulkStore(b *testing.B, engine string) *Store {
	b.Helper()
	benchBulk.once.Do(func() {
		benchBulk.stores = map[string]*Store{}
		benchBulk.dir, benchBulk.err = os.MkdirTemp("", "gatehouse-bench-etcd-")
		if benchBulk.err != nil {
			return
		}
		// building the demo takes change sets of 10,000 users: more than
		// the defaults; the benchmarks' own stay within them
		benchBulk.member, benchBulk.err = startEtcdMember(filepath.Join(benchBulk.dir, "etcd"), func(cfg *embed.Config) {
			cfg.MaxTxnOps, cfg.MaxRequestBytes = 1<<16, 32<<20
		})
		if benchBulk.err != nil {
			return
		}
		url := "http://" + benchBulk.member.Clients[0].Addr().String()
		build := EtcdConfig{Endpoints: []string{url}, Prefix: "bench/", MaxTxnOps: 1 << 16, MaxRequestBytes: 32 << 20}
		for _, name := range []string{"bbolt", "etcd"} {
			open := func() (*Store, error) {
				if name == "bbolt" {
					return Open(filepath.Join(benchBulk.dir, "bench.db"), Options{})
				}
				return OpenEtcd(build, Options{})
			}
			s, err := open()
			if err == nil {
				_, err = s.Demo(LocalActor("bench"), DemoOptions{Users: benchBulkUsers})
			}
			if err == nil {
				_, err = s.Apply(LocalActor("bench"), "site", func(tx *Tx) error { _, err := tx.AddSite("Bulk Site", ""); return err })
			}
			if err == nil && name == "etcd" {
				s.Close()
				s, err = OpenEtcd(EtcdConfig{Endpoints: build.Endpoints, Prefix: build.Prefix}, Options{})
			}
			if err != nil {
				benchBulk.err = err
				return
			}
			benchBulk.stores[name] = s
		}
	})
	if benchBulk.err != nil {
		b.Fatal(benchBulk.err)
	}
	return benchBulk.stores[engine]
}

func stopBenchBulk() {
	for _, s := range benchBulk.stores {
		s.Close()
	}
	if benchBulk.member != nil {
		benchBulk.member.Close()
	}
	if benchBulk.dir != "" {
		os.RemoveAll(benchBulk.dir)
	}
}

// BenchmarkEtcdBulkAssign gives one site to (or, on the next iteration,
// takes it from) 1,000 and 10,000 users in one change set, on bbolt and
// on etcd; on etcd it reports the Txn's operations and bytes.
func BenchmarkEtcdBulkAssign(b *testing.B) {
	for _, n := range []int{1000, 10_000} {
		for _, engine := range []string{"bbolt", "etcd"} {
			b.Run(fmt.Sprintf("%s/%dk", engine, n/1000), func(b *testing.B) {
				s := benchBulkStore(b, engine)
				us, err := s.Users(UserFilter{Profile: "User"})
				if err != nil || len(us) < n {
					b.Fatalf("%d User employees, %v", len(us), err)
				}
				ids := make([]uint64, n)
				for i := range ids {
					ids[i] = us[i].ID
				}
				// none of them holds the site: each iteration changes all n
				if _, err := s.Apply(LocalActor("bench"), "bulk: none", assignBulk(ids, false)); err != nil {
					b.Fatal(err)
				}
				e, onEtcd := s.db.(*etcdEngine)
				rec := &recordingEngine{engine: e}
				if onEtcd {
					s.db = rec
					defer func() { s.db = e }()
				}
				b.ReportAllocs()
				for i := 0; b.Loop(); i++ {
					cs, err := s.Apply(LocalActor("bench"), "bulk", assignBulk(ids, i%2 == 0))
					if err != nil {
						b.Fatal(err)
					}
					if len(cs.Entries) != n {
						b.Fatalf("%d entries for %d users", len(cs.Entries), n)
					}
				}
				b.ReportMetric(1, "commits/op")
				if onEtcd {
					ops, size := rec.unpacked()
					b.ReportMetric(float64(e.sentOps.Load()), "txn-ops")
					b.ReportMetric(float64(e.sentBytes.Load())/(1<<20), "txn-MB")
					b.ReportMetric(float64(ops), "unpacked-ops")
					b.ReportMetric(float64(size)/(1<<20), "unpacked-MB")
				}
			})
		}
	}
}

// BenchmarkEtcdSingleEdit renames one user per change set, on bbolt and on
// etcd: the latency of one edit, p50 and p99.
func BenchmarkEtcdSingleEdit(b *testing.B) {
	for _, engine := range []string{"bbolt", "etcd"} {
		b.Run(engine, func(b *testing.B) {
			s := benchBulkStore(b, engine)
			us, err := s.Users(UserFilter{Profile: "Basic"})
			if err != nil || len(us) == 0 {
				b.Fatalf("%d Basic users, %v", len(us), err)
			}
			var took []time.Duration
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				u := us[i%len(us)]
				start := time.Now()
				if _, err := s.Apply(LocalActor("bench"), "one", func(tx *Tx) error {
					_, err := tx.EditUser(u.ID, 0, UserPatch{First: ptr(string(rune('A'+i%26)) + "dit" + string(rune('a'+i/26%26)))})
					return err
				}); err != nil {
					b.Fatal(err)
				}
				took = append(took, time.Since(start))
			}
			slices.Sort(took)
			b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(took[len(took)*99/100].Microseconds())/1000, "p99-ms")
		})
	}
}

// BenchmarkEtcdOpenProbe is what the check of the cluster's limits costs
// at open: one Txn of the default limits' operations and size, on the
// benchmarks' member (loopback).
func BenchmarkEtcdOpenProbe(b *testing.B) {
	s := benchBulkStore(b, "etcd")
	e := s.db.(*etcdEngine)
	b.ReportAllocs()
	for b.Loop() {
		if err := e.probe(e.limits.MaxTxnOps, e.limits.MaxRequestBytes+etcdGRPCOverhead); err != nil {
			b.Fatal(err)
		}
	}
}
