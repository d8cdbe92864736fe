// Package bench holds gatehouse's side-by-side and growth benchmarks (issue 5):
// checks against Casbin, the Users list against bubbles/list and
// bubbles/table, bulk edits against one transaction per record and bbolt's
// DB.Batch, the per-session cost over SSH, and how each figure grows from 1k
// to 100k users (and 1M audit entries). BenchmarkConsoleBytesOverSSH counts
// the bytes the console writes per keystroke through OpenSSH in tmux, for a
// baseline revision's binary and the working tree's side by side (`task
// bytes`).
//
// It is a module of its own so the comparison dependencies never reach the
// product's go.mod; the root `go test ./...` does not descend into it. Run it
// with `task bench-compare`; the figures are in ../BENCH.md.
package bench
