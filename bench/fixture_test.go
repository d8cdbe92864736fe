package bench

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/gatehouse/gatehouse/store"
)

// Every benchmark here runs on gatehouse demo databases (store.Demo: the same
// deterministic data as `gatehouse demo --users N`), built once per test
// process with NoSync in a temporary directory that TestMain removes.

var fixtureDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "gatehouse-bench-compare-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fixtureDir = dir
	code := m.Run()
	closeReadStores()
	stopTestEtcd()
	os.RemoveAll(dir)
	os.Exit(code)
}

// sizes are the user counts of the growth tables.
var sizes = []int{1_000, 10_000, 100_000}

func sizeName(n int) string {
	switch {
	case n >= 1_000_000 && n%1_000_000 == 0:
		return fmt.Sprintf("%dM", n/1_000_000)
	case n >= 1_000 && n%1_000 == 0:
		return fmt.Sprintf("%dk", n/1_000)
	}
	return fmt.Sprint(n)
}

var (
	demoMu    sync.Mutex
	demoPaths = map[int]string{}
)

// demoDB is the path of the n-user demo database (built on first use). Do
// not hold it open: benchmarks open it (BenchmarkLoad) or copy it.
func demoDB(tb testing.TB, n int) string {
	tb.Helper()
	demoMu.Lock()
	defer demoMu.Unlock()
	if p, ok := demoPaths[n]; ok {
		return p
	}
	p := filepath.Join(fixtureDir, fmt.Sprintf("demo-%d.db", n))
	s, err := store.Open(p, store.Options{NoSync: true})
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := s.Demo(store.LocalActor("bench"), store.DemoOptions{Users: n}); err != nil {
		s.Close()
		tb.Fatal(err)
	}
	if err := s.Close(); err != nil {
		tb.Fatal(err)
	}
	demoPaths[n] = p
	return p
}

// copyFile copies src to a new file in dir.
func copyFile(tb testing.TB, src, dir string) string {
	tb.Helper()
	dst := filepath.Join(dir, filepath.Base(src))
	in, err := os.Open(src)
	if err != nil {
		tb.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		tb.Fatal(err)
	}
	if err := out.Close(); err != nil {
		tb.Fatal(err)
	}
	return dst
}

// demoCopy is a private copy of the n-user demo database, for benchmarks
// that write.
func demoCopy(tb testing.TB, n int) string {
	return copyFile(tb, demoDB(tb, n), tb.TempDir())
}

var (
	readMu     sync.Mutex
	readStores = map[int]*store.Store{}
)

// readStore is an open store on a copy of the n-user demo database, shared
// by the read-only benchmarks of the process (checks, lists).
func readStore(tb testing.TB, n int) *store.Store {
	tb.Helper()
	readMu.Lock()
	defer readMu.Unlock()
	if s, ok := readStores[n]; ok {
		return s
	}
	dir := filepath.Join(fixtureDir, fmt.Sprintf("read-%d", n))
	if err := os.MkdirAll(dir, 0o700); err != nil {
		tb.Fatal(err)
	}
	s, err := store.Open(copyFile(tb, demoDB(tb, n), dir), store.Options{NoSync: true})
	if err != nil {
		tb.Fatal(err)
	}
	readStores[n] = s
	return s
}

func closeReadStores() {
	readMu.Lock()
	defer readMu.Unlock()
	for _, s := range readStores {
		s.Close()
	}
}

func mkdir(tb testing.TB, dir string) string {
	tb.Helper()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		tb.Fatal(err)
	}
	return dir
}
