// Package proof supports the reliability campaigns (RELIABILITY.md): their
// mode (short in `go test ./...`, long under GATEHOUSE_CAMPAIGN=long), the
// figures they print, and the escalation matrix shared by the store, CLI and
// SSH tests. Only _test files import it; nothing of it is in the binary.
package proof

import (
	"fmt"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"
)

// CampaignEnv selects the long campaigns: GATEHOUSE_CAMPAIGN=long.
const CampaignEnv = "GATEHOUSE_CAMPAIGN"

// FiguresEnv names a file every campaign appends its figure line to, so a
// script (.ci/run, task proof) can print them all after `go test`.
const FiguresEnv = "GATEHOUSE_FIGURES"

// Long reports whether the long campaigns were asked for.
func Long() bool { return os.Getenv(CampaignEnv) == "long" }

// Mode is "long" or "short".
func Mode() string {
	if Long() {
		return "long"
	}
	return "short"
}

// Pick returns long in the long campaign, else short.
func Pick[T any](short, long T) T {
	if Long() {
		return long
	}
	return short
}

// Int reads a positive integer override from the environment (e.g.
// GATEHOUSE_CRASH_RUNS=50), or def.
func Int(env string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(env)); err == nil && v > 0 {
		return v
	}
	return def
}

var figMu sync.Mutex

// Figure logs one campaign's figure and appends it to $GATEHOUSE_FIGURES:
// "FIGURE <campaign> [<mode>] <text>".
func Figure(t testing.TB, campaign, format string, a ...any) {
	t.Helper()
	line := fmt.Sprintf("FIGURE %-12s [%s] %s", campaign, Mode(), fmt.Sprintf(format, a...))
	t.Log(line)
	path := os.Getenv(FiguresEnv)
	if path == "" {
		return
	}
	figMu.Lock()
	defer figMu.Unlock()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		t.Logf("cannot write figures to %s: %v", path, err)
		return
	}
	defer f.Close()
	fmt.Fprintf(f, "%s  (%s)\n", line, time.Now().Format("2006-01-02 15:04"))
}
