package permissions

import (
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/gatehouse/gatehouse/store"
	"github.com/gatehouse/gatehouse/tui/ui"
)

// mxCellCache holds the rendered cell strings for one column width: every cell
// is one of 3 levels × pending × marked × cursor state, so a frame renders
// none of them (prepare renders each once per width and theme).
type mxCellCache struct {
	cw int
	th *ui.Theme
	s  [3][2][2][3]string
}

var mxLevelWords = [3]string{"·", "view", "MAINT"}

// prepareCells fills the cache for the width the matrix is laid out at.
func (m *matrixPane) prepareCells() {
	if m.cells.cw == m.geo.cellW && m.cells.th == m.host.Theme() {
		return
	}
	m.cells = mxCellCache{cw: m.geo.cellW, th: m.host.Theme()}
	for l := range m.cells.s {
		for p := range m.cells.s[l] {
			for k := range m.cells.s[l][p] {
				for c := range m.cells.s[l][p][k] {
					m.cells.s[l][p][k][c] = m.cellText(store.Level(l), p == 1, k == 1, c, m.cells.cw)
				}
			}
		}
	}
}

// cell is one cell, cw wide, from the cache when it holds this width.
func (m *matrixPane) cell(l store.Level, pending, marked bool, cur, cw int) string {
	li := min(int(l), 2)
	if m.cells.cw == cw && m.cells.th == m.host.Theme() {
		return m.cells.s[li][mxBit(pending)][mxBit(marked)][cur]
	}
	return m.cellText(l, pending, marked, cur, cw)
}

func mxBit(b bool) int {
	if b {
		return 1
	}
	return 0
}

// cellText renders one cell, cw wide: "·", "view" or "MAINT"; "*" after a
// pending level, "+" before a marked one, [brackets] round the cursor — all
// readable without colour.
func (m *matrixPane) cellText(l store.Level, pending, marked bool, cur, cw int) string {
	th := m.host.Theme()
	li := min(int(l), 2)
	t := mxLevelWords[li]
	if pending {
		t += "*"
	}
	if marked {
		t = "+" + t
	}
	core := " " + t + " "
	if cur != 0 {
		core = "[" + t + "]"
	}
	st := lipgloss.Style{}
	styled := false
	switch {
	case cur == 1:
		st, styled = th.Cursor, true
	case cur == 2:
		st, styled = th.CursorBlurred, true
	case pending:
		st, styled = th.Pending, true
	case marked:
		st, styled = th.Selected, true
	case li == 0:
		st, styled = th.Muted, true
	}
	pad := max(cw-ansi.StringWidth(core), 0)
	if styled {
		core = st.Render(core)
	}
	return core + strings.Repeat(" ", pad)
}
