//go:build unix

package main

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// initBudget is how many bytes the package inits of the whole binary may
// allocate: every process pays for them before main, the console's cold
// start and every attached command line too. zxcvbn's dictionaries, built
// at init, were 11 MB (tens of ms); with the tables of zxcvbn, confusables,
// clipboard and humanize built on first use it is about 160 KB.
const initBudget = 512 << 10

// Package init stays light: tables are built on first use, not at start.
func TestPackageInitIsLight(t *testing.T) {
	cmd := exec.Command(binary, "version")
	cmd.Env = append(os.Environ(), "GODEBUG=inittrace=1")
	var trace bytes.Buffer
	cmd.Stderr = &trace
	if err := cmd.Run(); err != nil {
		t.Fatalf("gatehouse version: %v\n%s", err, trace.String())
	}
	// init PKG @T ms, C ms clock, B bytes, A allocs
	total, heaviest, heaviestPkg, lines := 0, 0, "", 0
	sc := bufio.NewScanner(&trace)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 9 || f[0] != "init" || f[8] != "bytes," {
			continue
		}
		n, err := strconv.Atoi(f[7])
		if err != nil {
			t.Fatalf("an inittrace line %q: %v", sc.Text(), err)
		}
		lines++
		total += n
		if n > heaviest {
			heaviest, heaviestPkg = n, f[1]
		}
	}
	if lines == 0 {
		t.Fatalf("no inittrace lines in:\n%s", trace.String())
	}
	if total > initBudget {
		t.Errorf("package init allocates %d bytes (budget %d); the heaviest is %s with %d: build its tables on first use", total, initBudget, heaviestPkg, heaviest)
	}
}
