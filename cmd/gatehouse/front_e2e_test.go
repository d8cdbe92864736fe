//go:build linux

package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// traced runs the binary on db with the start trace on (gatehouse-core
// marks "main" there as it starts; the front writes nothing) and says
// whether gatehouse-core started. A completion request names db after its
// first word, as a shell's does.
func traced(t *testing.T, dir, db string, args ...string) (stdout, stderr string, code int, core bool) {
	t.Helper()
	trace := filepath.Join(t.TempDir(), "trace")
	t.Setenv("GATEHOUSE_TRACE_START", trace)
	line := append([]string{"--db", db}, args...)
	if len(args) > 0 && args[0] == "__complete" {
		line = append([]string{args[0], "--db", db}, args[1:]...)
	}
	c := exec.Command(binary, line...)
	c.Dir = dir
	var out, errb strings.Builder
	c.Stdout, c.Stderr = &out, &errb
	err := c.Run()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		t.Fatalf("gatehouse %v: %v", line, err)
	}
	stdout, stderr = out.String(), errb.String()
	b, err := os.ReadFile(trace)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return stdout, stderr, code, strings.Contains(string(b), "main ")
}

// With a holder serving the database, the front answers a command of it —
// its output, errors with --json, its change, a shell's completion —
// without starting gatehouse-core; anything else, and a database nobody
// holds, becomes gatehouse-core; without gatehouse-core beside it, the
// front says how to install it.
func TestE2EFrontSendsWithoutTheCore(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "gatehouse.db")
	out, _, code, core := traced(t, dir, db, "users", "add", "--first", "Jane", "--last", "Doe", "--email", "jane@staff.test", "--profile", "Manager")
	if code != 0 || !strings.HasPrefix(out, "added Jane Doe") || !core {
		t.Fatalf("users add with nobody holding the file: exit %d, core started %v\n%s", code, core, out)
	}

	holder := exec.Command(binary, "--db", db, "__hold", "--linger", "1m")
	if err := holder.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		holder.Process.Signal(os.Interrupt)
		holder.Wait()
	})
	if pid := waitHolder(t, db); pid != holder.Process.Pid {
		t.Fatalf("the socket is served by %d, not the holder %d", pid, holder.Process.Pid)
	}

	sent := []struct {
		args     []string
		code     int
		out, err string // prefixes
		outHas   string
	}{
		{args: []string{"check", "jane@staff.test", "roster", "view"}, out: "allowed: jane@staff.test (Manager) has "},
		{args: []string{"users", "edit", "jane@staff.test", "--first", "Janet"}, out: "updated jane@staff.test: first"},
		{args: []string{"--json", "users", "show", "nobody@x.y"}, code: 2, err: `{"error":"no user with email \"nobody@x.y\"`},
		{args: []string{"__complete", "users", "show", "jan"}, outHas: "jane@staff.test"},
	}
	for _, c := range sent {
		out, errOut, code, core := traced(t, dir, db, c.args...)
		if core || code != c.code || !strings.HasPrefix(out, c.out) || !strings.HasPrefix(errOut, c.err) || !strings.Contains(out, c.outHas) {
			t.Errorf("gatehouse %s, attached: exit %d, gatehouse-core started %v\n%s%s", strings.Join(c.args, " "), code, core, out, errOut)
		}
	}
	if out, _, _, _ := traced(t, dir, db, "users", "show", "jane@staff.test"); !strings.Contains(out, "Janet") {
		t.Fatalf("the attached edit is not in the database:\n%s", out)
	}
	// not a command of the database: gatehouse-core says it
	if out, _, code, core := traced(t, dir, db, "version"); code != 0 || !strings.HasPrefix(out, "gatehouse ") || !core {
		t.Fatalf("version: exit %d, gatehouse-core started %v\n%s", code, core, out)
	}

	// refused at the socket: said by the front, as gatehouse-core says it
	other := filepath.Join(t.TempDir(), "other.db")
	if err := os.WriteFile(other+".sock", []byte("not a socket"), 0o600); err != nil {
		t.Fatal(err)
	}
	coreBin := filepath.Join(filepath.Dir(binary), "gatehouse-core")
	for _, args := range [][]string{{"users", "list"}, {"--json", "users", "list"}} {
		_, errOut, code, started := traced(t, dir, other, args...)
		c := exec.Command(coreBin, append([]string{"--db", other}, args...)...)
		var want strings.Builder
		c.Stderr = &want
		err := c.Run()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 1 || !strings.Contains(want.String(), "is a regular file, not the socket of a gatehouse") {
			t.Fatalf("gatehouse-core %s with a file at the socket's path: %v %q", strings.Join(args, " "), err, want.String())
		}
		if started || code != 1 || errOut != want.String() {
			t.Errorf("gatehouse %s with a file at the socket's path: exit %d, gatehouse-core started %v\n%q\nwant %q", strings.Join(args, " "), code, started, errOut, want.String())
		}
	}

	// the front alone: one line that says what to do
	alone := filepath.Join(t.TempDir(), "gatehouse")
	b, err := os.ReadFile(binary)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(alone, b, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"version"}, {"--db", db, "check", "jane@staff.test", "roster", "view"}} {
		c := exec.Command(alone, args...)
		errOut, err := c.CombinedOutput()
		want := "gatehouse: " + filepath.Join(filepath.Dir(alone), "gatehouse-core") + " is not there: "
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 || !strings.HasPrefix(string(errOut), want) ||
			!strings.Contains(string(errOut), "go install ./cmd/...") || strings.Count(string(errOut), "\n") != 1 {
			t.Errorf("gatehouse %s without gatehouse-core: %v\n%s", strings.Join(args, " "), err, errOut)
		}
	}
}
