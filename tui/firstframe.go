package tui

import (
	"os"
	"sync"
	"sync/atomic"
)

// firstFrameBytes is the least a write of the first frame holds: the
// terminal queries and mode changes bubbletea also writes are far shorter,
// and any console frame at its least size (40×10) far longer.
const firstFrameBytes = 256

// firstFrameWriter is the terminal, telling once when the first frame drawn
// at the terminal's size has been written to it: the work put off until
// then (the full users index, the collector) must not take the cores from
// that frame, however late the renderer gets to it on a busy machine. It
// stays an *os.File to bubbletea (size, raw mode and colours read its
// descriptor).
type firstFrameWriter struct {
	*os.File
	drawn   atomic.Bool // the App has drawn a frame at the terminal's size
	once    sync.Once
	written func() // called once, in the renderer's goroutine: must not block
}

func (w *firstFrameWriter) Write(p []byte) (int, error) {
	n, err := w.File.Write(p)
	if len(p) >= firstFrameBytes && w.drawn.Load() {
		w.once.Do(w.written)
	}
	return n, err
}
