package tui

import (
	"bytes"
	"strings"
	"testing"

	uv "github.com/charmbracelet/ultraviolet"
)

// The console's page-down target (≤ 6 KB over SSH, BENCH.md) rests on the
// patched renderer in third_party/ultraviolet: a run of unchanged cells inside
// a changed line is skipped with a cursor move, not written again. Upstream
// writes the whole range from the first changed cell to the last.
func TestRendererSkipsUnchangedRunsInALine(t *testing.T) {
	const width = 80
	var out bytes.Buffer
	r := uv.NewTerminalRenderer(&out, []string{"TERM=xterm-256color"})
	r.Resize(width, 1)
	buf := uv.NewRenderBuffer(width, 1)
	put := func(x int, s string) {
		for i, ch := range s {
			buf.SetCell(x+i, 0, &uv.Cell{Content: string(ch), Width: 1})
		}
	}
	middle := strings.Repeat("=", 60)
	put(0, "A"+middle+"B")
	r.Render(buf)
	if err := r.Flush(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), middle) {
		t.Fatalf("first frame lacks the line: %q", out.String())
	}

	out.Reset()
	put(0, "X")
	put(61, "Y")
	r.Render(buf)
	if err := r.Flush(); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	if strings.Contains(got, "==") {
		t.Errorf("the unchanged run between two changed cells was written again (%d bytes): %q", len(got), got)
	}
	if !strings.Contains(got, "X") || !strings.Contains(got, "Y") {
		t.Errorf("a changed cell is missing: %q", got)
	}
	if len(got) > 20 {
		t.Errorf("two changed cells took %d bytes: %q", len(got), got)
	}
}
