package tui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/gatehouse/gatehouse/store"
)

// The first frame is told once, when a write at least a frame's least size
// follows the App's first frame at the terminal's size; queries and mode
// changes before or after it are not it.
func TestFirstFrameWriterTellsOnceAfterTheSizedFrame(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "terminal"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	told := 0
	w := &firstFrameWriter{File: f, written: func() { told++ }}
	frame := []byte(strings.Repeat("x", firstFrameBytes))
	w.Write(frame) // drawn before the size arrived: an empty view's frame
	if told != 0 {
		t.Fatalf("told %d times before the App drew at the terminal's size", told)
	}

	s := newTestStore(t, 0)
	a := New(s, store.LocalActor("test"), Options{framed: w})
	a.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	a.View()
	w.Write([]byte("\x1b]11;?\x07")) // a query
	if told != 0 {
		t.Fatalf("a %d-byte query was taken for the first frame", len("\x1b]11;?\x07"))
	}
	w.Write(frame)
	w.Write(frame)
	if told != 1 {
		t.Fatalf("told %d times after the sized frame was written, want once", told)
	}
	if got, _ := os.ReadFile(f.Name()); len(got) != 3*len(frame)+len("\x1b]11;?\x07") {
		t.Errorf("the terminal got %d bytes of %d written", len(got), 3*len(frame)+len("\x1b]11;?\x07"))
	}
}
