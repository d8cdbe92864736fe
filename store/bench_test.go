package store

import (
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
)

// The benchmarks run on the 100,000-user demo database of the issue. It is
// built once per process (about 3 s) and copied for each benchmark.

var (
	benchOnce sync.Once
	benchPath string
	benchErr  error
)

const benchUsers = 100_000

func benchDB(b *testing.B) string {
	b.Helper()
	benchOnce.Do(func() {
		dir, err := os.MkdirTemp("", "gatehouse-bench-")
		if err != nil {
			benchErr = err
			return
		}
		benchPath = filepath.Join(dir, "demo100k.db")
		s, err := Open(benchPath, Options{NoSync: true})
		if err != nil {
			benchErr = err
			return
		}
		_, benchErr = s.Demo(LocalActor("bench"), DemoOptions{Users: benchUsers})
		if err := s.Close(); benchErr == nil {
			benchErr = err
		}
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchPath
}

// benchCopy gives a benchmark its own copy of the demo database.
func benchCopy(b *testing.B) string {
	src := benchDB(b)
	dst := filepath.Join(b.TempDir(), "copy.db")
	in, err := os.Open(src)
	if err != nil {
		b.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		b.Fatal(err)
	}
	if err := out.Close(); err != nil {
		b.Fatal(err)
	}
	return dst
}

// BenchmarkOpen opens the 100k database and loads what the first screen needs:
// every user (the users list), the catalog and the settings.
func BenchmarkOpen(b *testing.B) {
	path := benchDB(b)
	b.ReportAllocs()
	for b.Loop() {
		s, err := Open(path, Options{})
		if err != nil {
			b.Fatal(err)
		}
		if s.UserCount() != benchUsers {
			b.Fatalf("loaded %d users", s.UserCount())
		}
		s.emails() // open builds it in the background: counted, to be honest
		s.Close()
	}
}

// BenchmarkCheck answers random user/screen/level/site checks.
func BenchmarkCheck(b *testing.B) {
	s, err := Open(benchDB(b), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	us, _ := s.Users(UserFilter{})
	sites := s.Sites()
	screens := s.Screens()
	rng := rand.New(rand.NewPCG(7, 7))
	type q struct {
		email, screen, site string
		level               Level
	}
	qs := make([]q, 4096)
	for i := range qs {
		qs[i] = q{us[rng.IntN(len(us))].Email, screens[rng.IntN(len(screens))].Key, "", Level(1 + rng.IntN(2))}
		if rng.IntN(4) != 0 {
			qs[i].site = sites[rng.IntN(len(sites))].Name
		}
	}
	allowed := 0
	s.emails()
	runtime.GC()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		x := &qs[i&4095]
		if s.Check(x.email, x.screen, x.level, x.site).Allowed {
			allowed++
		}
	}
	if allowed == 0 {
		b.Fatal("no check was allowed: the data or the check is wrong")
	}
}

func bulkTargets(b *testing.B, s *Store, n int) []uint64 {
	us, err := s.Users(UserFilter{Profile: "User"})
	if err != nil {
		b.Fatal(err)
	}
	if len(us) < n {
		b.Fatalf("only %d User employees", len(us))
	}
	ids := make([]uint64, n)
	for i := range ids {
		ids[i] = us[i].ID
	}
	return ids
}

// benchSite adds a site no one holds yet.
func benchSite(b *testing.B, s *Store) []string {
	if _, err := s.Apply(LocalActor("bench"), "bench site", func(t *Tx) error {
		_, err := t.AddSite("Bench Site", "")
		return err
	}); err != nil {
		b.Fatal(err)
	}
	return []string{"Bench Site"}
}

// BenchmarkBulkAssignSite10k assigns one site to 10,000 users with audit, in
// one change set (one commit, fsync on). Iterations alternate assign and
// unassign so every one changes all 10,000 users.
func BenchmarkBulkAssignSite10k(b *testing.B) {
	s, err := Open(benchCopy(b), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ids := bulkTargets(b, s, 10_000)
	site := benchSite(b, s)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		add := i%2 == 0
		cs, err := s.Apply(LocalActor("bench"), "bulk", func(t *Tx) error {
			for _, id := range ids {
				if err := t.AssignSites(id, 0, site, nil, add); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		if len(cs.Entries) < 10_000 {
			b.Fatalf("only %d entries", len(cs.Entries))
		}
	}
}

// BenchmarkBulkAssignSite10kPerUserTx is the same work with one change set
// (one transaction, one fsync) per user, for comparison.
func BenchmarkBulkAssignSite10kPerUserTx(b *testing.B) {
	s, err := Open(benchCopy(b), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ids := bulkTargets(b, s, 10_000)
	site := benchSite(b, s)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		add := i%2 == 0
		for _, id := range ids {
			_, err := s.Apply(LocalActor("bench"), "one", func(t *Tx) error {
				return t.AssignSites(id, 0, site, nil, add)
			})
			if err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkDemo100k builds the 100k demo database (fsync on), reporting the file size.
func BenchmarkDemo100k(b *testing.B) {
	for b.Loop() {
		path := filepath.Join(b.TempDir(), fmt.Sprintf("demo-%d.db", rand.Int()))
		s, err := Open(path, Options{})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := s.Demo(LocalActor("bench"), DemoOptions{Users: benchUsers}); err != nil {
			b.Fatal(err)
		}
		s.Close()
		st, err := os.Stat(path)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(st.Size())/(1<<20), "MB")
	}
}
