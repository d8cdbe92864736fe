package bench

import (
	"path/filepath"
	"sync"
	"testing"

	"github.com/gatehouse/gatehouse/store"
)

// The audit log at 100k and 1M entries: `audit verify` (s.VerifyAudit, the
// whole chain) and `audit log --limit 100` (s.AuditLog with Limit 100, the
// newest entries).
//
// 100k: the 100k-user demo database as it is (one "created" entry per
// user, and the demo's clients, sites and teams). 1M: the same database
// after enough bulk change sets (one site assigned to, then taken from,
// 10,000 users; NoSync while building) to pass 1,000,000 entries.

var (
	auditOnce sync.Once
	audit1M   string
)

func auditDB(tb testing.TB, entries int) string {
	tb.Helper()
	if entries <= 200_000 {
		return demoDB(tb, 100_000)
	}
	auditOnce.Do(func() {
		dir := filepath.Join(fixtureDir, "audit")
		path := copyFile(tb, demoDB(tb, 100_000), mkdir(tb, dir))
		s, err := store.Open(path, store.Options{NoSync: true})
		if err != nil {
			tb.Fatal(err)
		}
		defer s.Close()
		r, err := s.VerifyAudit()
		if err != nil {
			tb.Fatal(err)
		}
		site := benchSites(tb, s)
		us := profileUsers(tb, s, "User", 10_000)
		have := int(r.Entries) + 1 // the bench sites' change set
		for i := 0; have < 1_000_000; i++ {
			assignAll(tb, s, us, site, i%2 == 0)
			have += len(us)
		}
		audit1M = path
	})
	if audit1M == "" {
		tb.Fatal("the 1M-entry database was not built")
	}
	return audit1M
}

var auditSizes = []int{100_000, 1_000_000}

func openAudit(b *testing.B, entries int) *store.Store {
	s, err := store.Open(auditDB(b, entries), store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

func BenchmarkAuditVerify(b *testing.B) {
	for _, n := range auditSizes {
		b.Run("entries="+sizeName(n), func(b *testing.B) {
			s := openAudit(b, n)
			var r store.VerifyResult
			b.ReportAllocs()
			for b.Loop() {
				var err error
				if r, err = s.VerifyAudit(); err != nil || !r.OK {
					b.Fatalf("%v %v", err, r.Problems)
				}
			}
			b.ReportMetric(float64(r.Entries), "entries")
		})
	}
}

func BenchmarkAuditLog100(b *testing.B) {
	for _, n := range auditSizes {
		b.Run("entries="+sizeName(n), func(b *testing.B) {
			s := openAudit(b, n)
			b.ReportAllocs()
			for b.Loop() {
				es, err := s.AuditLog(store.AuditFilter{Limit: 100})
				if err != nil || len(es) != 100 {
					b.Fatalf("%v: %d entries", err, len(es))
				}
			}
		})
	}
}
