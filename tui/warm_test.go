package tui

import (
	"os"
	"testing"

	uv "github.com/charmbracelet/ultraviolet"
	"github.com/creack/pty"
)

// The first frame's cell buffers, made ready while the store opens
// (WarmFrame): the renderer's two buffers of the terminal's size are taken
// from them whole — no allocation but the buffer itself, blank — and a third
// is allocated as before. Not parallel: the prewarmed cells are the
// process's. 173×41 is a size no other test draws at.
func TestWarmFrameReadiesTheRenderersTwoBuffers(t *testing.T) {
	const w, h = 173, 41
	WarmFrame(sizedTerminal(t, w, h))

	got := make([]*uv.Buffer, 0, 4)
	take := func() { got = append(got, uv.NewBuffer(w, h)) }
	// AllocsPerRun runs take once before it counts: the first buffer, then
	// the second, counted
	if n := testing.AllocsPerRun(1, take); n != 1 {
		t.Fatalf("the second buffer of %d×%d cost %v allocations; want 1 (its cells prewarmed)", w, h, n)
	}
	if n := testing.AllocsPerRun(1, take); n <= h {
		t.Fatalf("a third buffer cost %v allocations: only two are prewarmed", n)
	}
	for i, b := range got {
		if b.Width() != w || b.Height() != h {
			t.Fatalf("buffer %d is %d×%d, want %d×%d", i, b.Width(), b.Height(), w, h)
		}
		for y, line := range b.Lines {
			for x, c := range line {
				if c != uv.EmptyCell {
					t.Fatalf("buffer %d cell (%d,%d) is %+v, want blank", i, x, y, c)
				}
			}
		}
	}
	// a line that grows is copied, never into the next one's cells
	b := got[0]
	next := &b.Lines[1][0]
	b.Lines[0] = append(b.Lines[0], uv.Cell{Content: "x", Width: 1})
	if *next != uv.EmptyCell {
		t.Fatalf("growing line 0 wrote into line 1: %+v", *next)
	}
	if &got[0].Lines[1][0] == &got[1].Lines[1][0] {
		t.Fatal("two buffers share their cells")
	}
}

// A terminal too big to ready the frame of gets nothing made ready: its
// renderer allocates as before.
func TestWarmFrameLeavesAHugeTerminalAlone(t *testing.T) {
	const w, h = 400, 200 // over maxWarmCells
	WarmFrame(sizedTerminal(t, w, h))
	if n := testing.AllocsPerRun(1, func() { uv.NewBuffer(w, h) }); n <= h {
		t.Fatalf("a %d×%d buffer cost %v allocations: its cells were made ready", w, h, n)
	}
}

// sizedTerminal is a pseudo-terminal's terminal side, w×h, closed at the end.
func sizedTerminal(t *testing.T, w, h uint16) *os.File {
	t.Helper()
	ptm, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal here: %v", err)
	}
	t.Cleanup(func() { ptm.Close(); tty.Close() })
	if err := pty.Setsize(tty, &pty.Winsize{Cols: w, Rows: h}); err != nil {
		t.Fatal(err)
	}
	return tty
}
