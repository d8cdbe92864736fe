package tui

import (
	"bytes"
	"os"
	"sync"
)

// firstFrameText is in the first frame of an operator's console: the Users
// list's title, the text the cold-start benchmark waits for in tmux.
var firstFrameText = []byte("Employees (")

// frameTracer is the terminal with a hook that tells Options.Trace when the
// first frame has been written. It stays an *os.File to bubbletea (the
// terminal's size, raw mode and colour detection read its descriptor).
type frameTracer struct {
	*os.File
	trace func(string)
	once  sync.Once
}

func (w *frameTracer) Write(p []byte) (int, error) {
	n, err := w.File.Write(p)
	if bytes.Contains(p, firstFrameText) {
		w.once.Do(func() { w.trace("frame") })
	}
	return n, err
}
