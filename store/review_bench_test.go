package store

import (
	"runtime"
	"testing"
	"time"
)

// BenchmarkReview prepares and reads a whole access review of the
// 100,000-user demo database (every grant of every user, with its last
// change from the audit log), one of what changed since the benchmark began
// (nothing: the index is still read whole).
func BenchmarkReview(b *testing.B) {
	s, err := Open(benchDB(b), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	for _, c := range []struct {
		name string
		f    ReviewFilter
		min  int
	}{
		{"all", ReviewFilter{}, 500_000},
		{"since", ReviewFilter{Since: time.Now()}, 0}, // after the database was built: nothing changed since
		{"site", ReviewFilter{Site: "North Depot"}, 10_000},
	} {
		b.Run(c.name, func(b *testing.B) {
			runtime.GC()
			b.ReportAllocs()
			users, grants := 0, 0
			for b.Loop() {
				r, err := s.Review(LocalActor("bench"), c.f)
				if err != nil {
					b.Fatal(err)
				}
				users, grants, err = r.Each(func(*ReviewUser) error { return nil })
				if err != nil {
					b.Fatal(err)
				}
			}
			if grants < c.min {
				b.Fatalf("%d grants, expected at least %d", grants, c.min)
			}
			b.ReportMetric(float64(users), "users")
			b.ReportMetric(float64(grants), "grants")
		})
	}
}
