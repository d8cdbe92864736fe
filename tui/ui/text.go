package ui

import (
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// WrapLines wraps text to w cells, breaking long words.
func WrapLines(s string, w int) []string {
	if w <= 0 {
		return nil
	}
	return strings.Split(ansi.Wrap(s, w, ""), "\n")
}

// WrapStyled wraps plain text at w (breaking after any of breaks) and
// styles each line.
func WrapStyled(st lipgloss.Style, text string, w int, breaks string) []string {
	lines := strings.Split(ansi.Wrap(text, max(w, 1), breaks), "\n")
	for i, l := range lines {
		lines[i] = st.Render(l)
	}
	return lines
}

// Cell is a column: the text cut or padded to w-1, then a space.
func Cell(s string, w int) string {
	if w <= 0 {
		return ""
	}
	return Fit(s, w-1) + " "
}

// ValueRows lays out label/value pairs: values line up after the longest
// label, and a label too long for the width is cut, never its value.
func ValueRows(indent string, labels, values []string, w int) []string {
	lw, vw := 0, 0
	for i := range labels {
		lw, vw = max(lw, ansi.StringWidth(labels[i])), max(vw, ansi.StringWidth(values[i]))
	}
	lw = max(min(lw, w-len(indent)-vw-1), 4)
	out := make([]string, len(labels))
	for i := range labels {
		out[i] = indent + Fit(labels[i], lw) + " " + values[i]
	}
	return out
}

// RowStyle styles a list row: the cursor's, bright in a focused pane and
// underlined in another.
func RowStyle(th *Theme, line string, current, focused bool) string {
	switch {
	case current && focused:
		return th.Cursor.Render(line)
	case current:
		return th.CursorBlurred.Render(line)
	}
	return line
}
