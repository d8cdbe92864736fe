package tui

import (
	"strings"
	"unicode/utf8"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// Frames are drawn by hand rather than with lipgloss borders: a pane must be
// exactly w×h cells whatever its content, with the title in the top edge, and
// this is the cheapest way to guarantee nothing wraps or overflows.

type edges struct{ tl, tr, bl, br, h, v string }

var (
	thinEdges  = edges{"┌", "┐", "└", "┘", "─", "│"}
	thickEdges = edges{"┏", "┓", "┗", "┛", "━", "┃"}
)

// fit pads or truncates one line to exactly w cells.
func fit(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if plainASCII(s) { // most lines: no styles, no wide runes — no grapheme walk
		if len(s) > w {
			return s[:w-1] + "…"
		}
		return s + strings.Repeat(" ", w-len(s))
	}
	n, ok := narrowWidth(s)
	if !ok {
		n = ansi.StringWidth(s)
	}
	if n > w {
		s = ansi.Truncate(s, w, "…")
		n = ansi.StringWidth(s)
	}
	if n < w {
		s += strings.Repeat(" ", w-n)
	}
	return s
}

// plainASCII says whether s is printable ASCII: one byte, one cell.
func plainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			return false
		}
	}
	return true
}

// narrowWidth is s's width in cells when every character in it is one the
// console draws one cell wide for sure (printable ASCII, Latin letters,
// punctuation, arrows, box drawing, the theme's marks) and its escapes are
// SGR styling: a styled line needs no grapheme walk then (that walk was
// half of a frame). ok is false for anything else: ask ansi.StringWidth.
func narrowWidth(s string) (n int, ok bool) {
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == 0x1b: // CSI … m, the styling the theme writes
			j := i + 1
			if j >= len(s) || s[j] != '[' {
				return 0, false
			}
			for j++; j < len(s) && (s[j] >= '0' && s[j] <= '9' || s[j] == ';' || s[j] == ':'); j++ {
			}
			if j >= len(s) || s[j] != 'm' {
				return 0, false
			}
			i = j + 1
		case c >= 0x20 && c < 0x7f:
			n++
			i++
		case c < 0x80:
			return 0, false
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			if !oneCell(r) {
				return 0, false
			}
			n++
			i += size
		}
	}
	return n, true
}

// oneCell: runes every terminal draws one cell wide and that combine with
// nothing (TestOneCellRunesAreOneCell holds them to ansi.StringWidth).
func oneCell(r rune) bool {
	switch {
	case r >= 0xa0 && r < 0x300 && r != 0xad: // Latin-1 and Latin Extended, not the soft hyphen
		return true
	case r >= 0x2010 && r <= 0x2027, r >= 0x2030 && r <= 0x205e: // punctuation: – — ‘ ’ … ›
		return true
	case r >= 0x2190 && r <= 0x21ff: // arrows
		return true
	case r >= 0x2500 && r <= 0x25fc: // box drawing, blocks, geometric shapes (not the emoji ◽ ◾)
		return true
	}
	return false
}

// frameStyle is a frame's style as the SGR sequences around its text,
// taken once per theme: a frame edge is then written straight into the
// frame, with no style rendered and nothing cached while drawing.
type frameStyle struct{ pre, post string }

func newFrameStyle(st lipgloss.Style) frameStyle {
	s := st.Render("x")
	i := strings.Index(s, "x")
	return frameStyle{s[:i], s[i+1:]}
}

// edge renders a run of frame characters in the frame's style: part 't' the
// top after the title (n wide, then the corner), 'b' the bottom, 's' a side,
// 'l' the top-left corner.
func (th *theme) edge(part byte, n int, focused bool) string {
	var b strings.Builder
	th.writeEdge(&b, part, n, focused)
	return b.String()
}

// writeEdge writes an edge straight into the frame being drawn.
func (th *theme) writeEdge(b *strings.Builder, part byte, n int, focused bool) {
	e, fs := thinEdges, th.frame
	if focused {
		e, fs = thickEdges, th.frameFocused
	}
	b.WriteString(fs.pre)
	switch part {
	case 'l':
		b.WriteString(e.tl)
		b.WriteString(e.h)
	case 't':
		for range n {
			b.WriteString(e.h)
		}
		b.WriteString(e.tr)
	case 'b':
		b.WriteString(e.bl)
		for range n {
			b.WriteString(e.h)
		}
		b.WriteString(e.br)
	default:
		b.WriteString(e.v)
	}
	b.WriteString(fs.post)
}

// box draws a w×h frame with title and the given lines inside. A focused
// frame uses heavy edges, so focus shows even without colour.
func (th *theme) box(title string, lines []string, w, h int, focused bool) string {
	if w < 4 || h < 2 {
		return strings.Repeat(fit("", w)+"\n", max(h-1, 0)) + fit("", w)
	}
	ts := th.title
	if focused {
		ts = th.titleFocused
	}
	inner := w - 2
	var b strings.Builder
	b.Grow((w + 16) * h)
	t := ansi.Truncate(" "+title+" ", inner-1, "…")
	tw := ansi.StringWidth(t)
	th.writeEdge(&b, 'l', 0, focused)
	b.WriteString(ts.Render(t))
	th.writeEdge(&b, 't', max(inner-1-tw, 0), focused)
	for i := 0; i < h-2; i++ {
		b.WriteByte('\n')
		line := ""
		if i < len(lines) {
			line = lines[i]
		}
		th.writeEdge(&b, 's', 0, focused)
		b.WriteString(fit(line, inner))
		th.writeEdge(&b, 's', 0, focused)
	}
	b.WriteByte('\n')
	th.writeEdge(&b, 'b', inner, focused)
	return b.String()
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

// clip keeps a cursor inside a window of h rows over n items (the matrix's
// columns).
func clip(cursor, offset, n, h int) int {
	if h <= 0 {
		return 0
	}
	if cursor < offset {
		offset = cursor
	}
	if cursor >= offset+h {
		offset = cursor - h + 1
	}
	if offset > n-h {
		offset = n - h
	}
	return max(offset, 0)
}

// dialog draws a focused box sized to its content (at most bw wide) centred
// in a w×h area, blank around it.
func (th *theme) dialog(title string, lines []string, w, h, bw int) string {
	bw = min(w, bw)
	bh := min(h, len(lines)+2)
	box := strings.Split(th.box(title, lines, bw, bh, true), "\n")
	top, left := (h-bh)/3, strings.Repeat(" ", (w-bw)/2)
	blank := strings.Repeat(" ", w)
	out := make([]string, h)
	for i := range out {
		out[i] = blank
		if j := i - top; j >= 0 && j < len(box) {
			out[i] = fit(left+box[j], w)
		}
	}
	return strings.Join(out, "\n")
}
