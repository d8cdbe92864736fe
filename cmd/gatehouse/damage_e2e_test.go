//go:build unix

package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The reproduction, with the real binary: a database cut short by
// `head -c 100000` (and an empty one) gets one line on stderr and exit 1,
// from every command and from the console, where it used to die in bbolt.
func TestE2EDamagedDatabaseIsOneLine(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "real.db")
	mustGH(t, real, "demo", "--users", "300")
	b, err := os.ReadFile(real)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) <= 100000 {
		t.Fatalf("the demo database is only %d bytes", len(b))
	}
	cut := filepath.Join(dir, "t.db")
	if err := os.WriteFile(cut, b[:100000], 0o600); err != nil { // head -c 100000 real.db > t.db
		t.Fatal(err)
	}
	empty := filepath.Join(dir, "empty.db")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	damaged := regexp.MustCompile(`^gatehouse: database .*t\.db is damaged: it declares \d+ pages of 16384 bytes but holds 100000 bytes, 6 pages \(cut short\?\); restore a backup \(see README: Backup and restore\)\n$`)
	damagedJSON := regexp.MustCompile(`^\{"error":"database .*t\.db is damaged: it declares \d+ pages of 16384 bytes but holds 100000 bytes, 6 pages \(cut short\?\); restore a backup \(see README: Backup and restore\)","kind":"damaged"\}\n$`)
	isEmpty := regexp.MustCompile(`^gatehouse: database .*empty\.db is empty \(0 bytes\): a failed copy, not a database; restore a backup \(see README: Backup and restore\), or delete it to start a new one\n$`)
	for _, tc := range []struct {
		db   string
		want *regexp.Regexp
		args []string
	}{
		{cut, damaged, []string{"users", "list"}},
		{cut, damaged, []string{"audit", "verify"}},
		{cut, damagedJSON, []string{"--json", "users", "list"}}, // the error as JSON (cmd/JSON.md, Errors)
		{empty, isEmpty, []string{"users", "list"}},
	} {
		t.Run(filepath.Base(tc.db)+" "+strings.Join(tc.args, " "), func(t *testing.T) {
			cmd := exec.Command(binary, append([]string{"--db", tc.db}, tc.args...)...)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != 1 {
				t.Fatalf("exit: %v, want status 1\nstderr: %s", err, stderr.String())
			}
			if !tc.want.MatchString(stderr.String()) {
				t.Errorf("stderr is not the one line:\n%s", stderr.String())
			}
			if stdout.Len() != 0 {
				t.Errorf("stdout: %q", stdout.String())
			}
		})
	}
	if after, _ := os.ReadFile(cut); !bytes.Equal(after, b[:100000]) {
		t.Errorf("the damaged file was written")
	}
	if st, _ := os.Stat(empty); st.Size() != 0 {
		t.Errorf("the empty file was written (%d bytes)", st.Size())
	}

	t.Run("the console", func(t *testing.T) {
		tm := startTerm(t, 200, 40, "--db", cut)
		st, ok := tm.exitStatus()
		if !ok || st != "1" {
			t.Fatalf("the console ended with %q (ended: %v), want 1:\n%s", st, ok, tm.screen())
		}
		// the line as printed, wrapped lines joined (-J)
		screen := tm.tmux("capture-pane", "-p", "-J", "-S", "-", "-t", "main") // with the history: the line may have scrolled
		if !regexp.MustCompile(`(?m)^gatehouse: database .*t\.db is damaged: it declares \d+ pages of 16384 bytes but holds 100000 bytes, 6 pages \(cut short\?\); restore a backup \(see README: Backup and restore\)$`).MatchString(screen) {
			t.Fatalf("the console did not print the one line:\n%s", screen)
		}
	})
}
