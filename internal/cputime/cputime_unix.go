//go:build unix

// Package cputime is the CPU time a process has used, for the start trace
// and for the benchmarks that report CPU beside wall time.
package cputime

import (
	"syscall"
	"time"
)

// Process is the CPU time (user and system, every thread) the process has
// used so far.
func Process() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
