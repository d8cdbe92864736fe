package users

import (
	"fmt"
	"os"
	"sync"
	"testing"

	"github.com/gatehouse/gatehouse/store"
)

// The 1M-user benchmarks run on a database made beforehand with `gatehouse
// demo --users 1000000` (minutes to make, over 1 GB), named by
// $GATEHOUSE_DEMO_1M; without it they skip, so go test ./... never makes
// one. `task bench-1m` makes the file and runs them.

var (
	bench1MOnce sync.Once
	bench1M     *store.Store
	bench1MErr  error
)

func benchStore1M(b *testing.B) *store.Store {
	b.Helper()
	path := os.Getenv("GATEHOUSE_DEMO_1M")
	if path == "" {
		b.Skip("GATEHOUSE_DEMO_1M names no 1M-user demo database (task bench-1m makes one)")
	}
	bench1MOnce.Do(func() {
		bench1M, bench1MErr = store.Open(path, store.Options{})
		if bench1MErr == nil && bench1M.UserCount() != 1_000_000 {
			bench1MErr = fmt.Errorf("%s holds %d users, not 1,000,000", path, bench1M.UserCount())
		}
	})
	if bench1MErr != nil {
		b.Fatal(bench1MErr)
	}
	return bench1M
}

// BenchmarkUsersKeystroke1M is BenchmarkUsersKeystroke on 1M users.
func BenchmarkUsersKeystroke1M(b *testing.B) { benchKeystroke(b, benchStore1M(b)) }

// BenchmarkUsersScroll1M is BenchmarkUsersScroll on 1M users.
func BenchmarkUsersScroll1M(b *testing.B) { benchScroll(b, benchStore1M(b)) }

// BenchmarkFirstFrame1M is BenchmarkFirstFrame on 1M users.
func BenchmarkFirstFrame1M(b *testing.B) { benchFirstFrame(b, benchStore1M(b)) }
