package tuitest

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

var update = flag.Bool("update", false, "rewrite golden files")

// View is the frame as a terminal without colour shows it: golden files
// and the tests' searches hold no escapes.
func View(m tea.Model) string { return ansi.Strip(m.View().Content) }

// RawView is the frame as the program writes it, the theme's styling included.
func RawView(m tea.Model) string { return m.View().Content }

// Golden compares a settled frame with DIR/NAME.golden (-update rewrites).
// The whole-screen goldens of every screen live in tui/testdata.
func Golden(t *testing.T, dir, name, got string) {
	t.Helper()
	path := filepath.Join(dir, name+".golden")
	got = strings.TrimRight(got, "\n") + "\n"
	if *update {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run %s -update to create it)", err, t.Name())
	}
	if got != string(want) {
		t.Errorf("screen %s differs from %s:\n--- got ---\n%s\n--- want ---\n%s", name, path, got, want)
	}
}

// CheckFits asserts a view is exactly h lines of at most w cells.
func CheckFits(t *testing.T, view string, w, h int) {
	t.Helper()
	lines := strings.Split(view, "\n")
	if len(lines) != h {
		t.Errorf("view has %d lines, want %d", len(lines), h)
	}
	for i, l := range lines {
		if n := ansi.StringWidth(l); n > w {
			t.Errorf("line %d is %d cells wide (> %d): %q", i, n, w, l)
		}
	}
}

// Flat is a frame's text with the pane edges and line breaks gone, so that
// a sentence wrapped over lines can be searched for.
func Flat(v string) string {
	return strings.Join(strings.Fields(strings.NewReplacer("┃", " ", "│", " ").Replace(v)), " ")
}
