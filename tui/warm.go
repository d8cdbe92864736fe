package tui

import (
	"os"

	uv "github.com/charmbracelet/ultraviolet"
	"github.com/charmbracelet/x/ansi"
	"golang.org/x/term"
)

// Warm builds what the first frame's renderer would build on first use: the
// rune width table (10-17 ms, on the first character outside Latin, such as
// a box's border). A console's start calls it in the background while the
// store opens, when a core is free.
func Warm() {
	ansi.StringWidthWc("─")
}

// WarmFrame makes ready the memory of the first frame the console draws on
// terminal: the two cell buffers of its size bubbletea's renderer builds for
// it (the screen's and the terminal's), whose new pages the first frame
// would otherwise wait for. Called in the background while the store opens.
func WarmFrame(terminal *os.File) {
	if terminal == nil {
		return
	}
	w, h, err := term.GetSize(int(terminal.Fd()))
	if err != nil || w*h > maxWarmCells {
		return
	}
	uv.Prewarm(w, h, 2)
}

// maxWarmCells bounds what WarmFrame makes ready (a 320×200 terminal, 7 MB
// a buffer): a bigger one's renderer builds its buffers itself, as before,
// and nothing is held for a size no screen may ever ask for.
const maxWarmCells = 1 << 16
