package tui

import "strings"

// The layout: three panes side by side on a wide terminal, two on a medium
// one (the left pane folded into a header line), one at a time on a narrow
// one, as the seeds show each screen on desktop, tablet and mobile.

// mode is the console's layout for a terminal width.
type mode int

const (
	onePane   mode = iota + 1 // < 80 columns: one pane at a time, with pane tabs
	twoPane                   // 80–119: the left pane folds into a header line
	threePane                 // ≥ 120
)

func layoutFor(w int) mode {
	switch {
	case w >= 120:
		return threePane
	case w >= 80:
		return twoPane
	}
	return onePane
}

// columns splits width among panes.
func columns(m mode, w int) []int {
	switch m {
	case threePane:
		left := max(24, w*16/100)
		right := max(34, w*28/100)
		return []int{left, w - left - right, right}
	case twoPane:
		right := w * 38 / 100
		return []int{w - right, right}
	}
	return []int{w}
}

// joinColumns places rendered blocks of equal height side by side.
func joinColumns(blocks ...string) string {
	split := make([][]string, len(blocks))
	rows := 0
	for i, b := range blocks {
		split[i] = strings.Split(b, "\n")
		rows = max(rows, len(split[i]))
	}
	var out strings.Builder
	for r := 0; r < rows; r++ {
		if r > 0 {
			out.WriteByte('\n')
		}
		for _, lines := range split {
			if r < len(lines) {
				out.WriteString(lines[r])
			}
		}
	}
	return out.String()
}
