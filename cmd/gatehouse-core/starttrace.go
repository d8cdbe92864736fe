package main

import (
	"os"
	"strconv"
	"time"

	"github.com/gatehouse/gatehouse/internal/cputime"
)

// startTraceEnv names the file the console's start phases are appended to
// (the cold-start benchmark in bench/ reads it).
const startTraceEnv = "GATEHOUSE_TRACE_START"

// startTrace appends "phase unix-nanoseconds cpu-nanoseconds" lines to a
// file (when the phase was reached, and the CPU time the process had used
// by then), one write each, so a reader never sees half a line. A nil trace
// does nothing: unset, it costs one Getenv.
type startTrace struct{ f *os.File }

// openStartTrace opens the file GATEHOUSE_TRACE_START names, or returns nil.
func openStartTrace() *startTrace {
	path := os.Getenv(startTraceEnv)
	if path == "" {
		return nil
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		os.Stderr.WriteString("gatehouse: " + startTraceEnv + ": " + err.Error() + "; unset it or name a file that can be written\n")
		return nil
	}
	return &startTrace{f: f}
}

// mark records that a phase is reached now.
func (t *startTrace) mark(phase string) {
	if t == nil {
		return
	}
	now := time.Now().UnixNano()
	t.f.WriteString(phase + " " + strconv.FormatInt(now, 10) + " " + strconv.FormatInt(int64(cputime.Process()), 10) + "\n")
}

// hook is mark as a function value, or nil when there is no trace (so the
// console skips even the call).
func (t *startTrace) hook() func(string) {
	if t == nil {
		return nil
	}
	return t.mark
}
