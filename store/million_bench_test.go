package store

import (
	"os"
	"testing"

	"github.com/gatehouse/gatehouse/internal/cputime"
)

// BenchmarkOpen1M is BenchmarkOpen on a database made beforehand with
// `gatehouse demo --users 1000000` (minutes to make, over 1 GB), named by
// $GATEHOUSE_DEMO_1M; without it it skips, so go test ./... never makes one.
// `task bench-1m` makes the file and runs it.
func BenchmarkOpen1M(b *testing.B) {
	path := os.Getenv("GATEHOUSE_DEMO_1M")
	if path == "" {
		b.Skip("GATEHOUSE_DEMO_1M names no 1M-user demo database (task bench-1m makes one)")
	}
	b.ReportAllocs()
	start := cputime.Process()
	for b.Loop() {
		s, err := Open(path, Options{})
		if err != nil {
			b.Fatal(err)
		}
		if n := s.UserCount(); n != 1_000_000 {
			s.Close()
			b.Fatalf("%s holds %d users, not 1,000,000", path, n)
		}
		s.emails() // open builds it in the background: counted, as in BenchmarkOpen
		s.Close()
	}
	// open decodes on every core: CPU time is not wall time even when quiet
	b.ReportMetric(float64(cputime.Process()-start)/float64(b.N), "cpu-ns/op")
}
