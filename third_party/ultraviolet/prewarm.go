package uv

import "sync"

// prewarmed are blank cells made ready ahead of a renderer's first frame
// (Prewarm), each set a buffer's lines.
var prewarmed struct {
	sync.Mutex
	sets [][]Line
}

// Prewarm makes ready n buffers' worth of blank cells of width×height for
// NewBuffer to take instead of allocating them. A renderer's first frame
// builds two buffers of the screen's size (1.3 MB each at 200×60), and on a
// machine where the first touch of a page is dear that memory costs more
// than the drawing: a program that knows its screen's size before it has
// anything to draw (gatehouse, while its store opens) calls this then, on a
// core that would otherwise wait. Cells not taken stay ready for a buffer
// of that size.
func Prewarm(width, height, n int) {
	if width <= 0 || height <= 0 {
		return
	}
	for range n {
		cells := make([]Cell, width*height)
		for i := range cells {
			cells[i] = EmptyCell
		}
		lines := make([]Line, height)
		for y := range lines {
			// capped: a line that grows is copied, never into the next
			lines[y] = cells[y*width : (y+1)*width : (y+1)*width]
		}
		prewarmed.Lock()
		prewarmed.sets = append(prewarmed.sets, lines)
		prewarmed.Unlock()
	}
}

// takePrewarmed returns a prewarmed buffer's lines of width×height, or nil.
func takePrewarmed(width, height int) []Line {
	prewarmed.Lock()
	defer prewarmed.Unlock()
	for i, lines := range prewarmed.sets {
		if len(lines) == height && len(lines[0]) == width {
			prewarmed.sets = append(prewarmed.sets[:i], prewarmed.sets[i+1:]...)
			return lines
		}
	}
	return nil
}
