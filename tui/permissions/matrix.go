package permissions

import (
	"fmt"
	"slices"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/gatehouse/gatehouse/store"
	"github.com/gatehouse/gatehouse/tui/list"
	"github.com/gatehouse/gatehouse/tui/ui"
)

// matrixPane is the middle pane: the screens the filter lets through, by
// group, down; the profiles shown, across; a cell cursor and marked cells.
type matrixPane struct {
	host  ui.Host
	data  *snapshot
	edits *edits

	q       string
	rows    []mxRow
	rowList *list.Model[string] // the cell cursor's row (never a group row) and the window, by screen key
	shown   []*store.Profile    // the columns
	col     int                 // the cell cursor's column: index into shown
	colOff  int
	geo     mxGeometry
	marks   map[mxCell]bool
	anchor  mxCell // the last cell space marked (pid 0: none)
	cells   mxCellCache
	w, h    int
}

// mxGeometry is where the matrix pane is laid out, for the mouse.
type mxGeometry struct {
	labelW, cellW int // matrix label column and cell widths
	heads         int // matrix header lines
	cols          int // matrix columns visible
}

// mxRow is a matrix row: a screen, or the header of a group (sc nil).
type mxRow struct {
	group string
	sc    *store.Screen
}

func newMatrixPane(h ui.Host, d *snapshot, e *edits) *matrixPane {
	return &matrixPane{host: h, data: d, edits: e, rowList: list.New[string](), marks: map[mxCell]bool{}}
}

func (m *matrixPane) title() string {
	t := fmt.Sprintf("Matrix (%s × %s)", ui.Plural(m.screenCount(), "screen"), ui.Plural(len(m.shown), "profile"))
	if n := len(m.marks); n > 0 {
		t += fmt.Sprintf(" · %d marked", n)
	}
	return t
}

func (m *matrixPane) screenCount() int {
	n := 0
	for _, r := range m.rows {
		if r.sc != nil {
			n++
		}
	}
	return n
}

func (m *matrixPane) setFilter(q string) {
	m.q = strings.ToLower(strings.TrimSpace(q))
	m.rebuildRows()
}

// rebuildRows groups the screens the filter lets through, keeping the cursor
// on the same screen when it is still there.
func (m *matrixPane) rebuildRows() {
	var groups []string
	by := map[string][]*store.Screen{}
	for _, sc := range m.data.screens {
		if m.q != "" && !strings.Contains(strings.ToLower(sc.Key), m.q) && !strings.Contains(strings.ToLower(sc.Title), m.q) {
			continue
		}
		g := sc.Group
		if g == "" {
			g = "Other"
		}
		if _, ok := by[g]; !ok {
			groups = append(groups, g)
		}
		by[g] = append(by[g], sc)
	}
	rows := make([]mxRow, 0, len(m.data.screens)+len(groups))
	for _, g := range groups {
		rows = append(rows, mxRow{group: g})
		for _, sc := range by[g] {
			rows = append(rows, mxRow{group: g, sc: sc})
		}
	}
	m.rows = rows
	if !m.rowList.SetRows(mxRows{rows}) {
		m.rowList.SetCursor(0) // the first screen
	}
	m.pruneMarks()
}

// setColumns shows these profiles, the cursor staying on the same profile
// when it can.
func (m *matrixPane) setColumns(ps []*store.Profile) {
	var keep uint64
	if p := m.curProfile(); p != nil {
		keep = p.ID
	}
	m.shown = append(m.shown[:0], ps...)
	m.col = max(min(m.col, len(m.shown)-1), 0)
	for i, p := range m.shown {
		if p.ID == keep {
			m.col = i
		}
	}
	m.pruneMarks()
}

// pruneMarks drops marks on cells no longer in view (a profile not shown, a screen filtered out).
func (m *matrixPane) pruneMarks() {
	if len(m.marks) == 0 {
		return
	}
	shown := map[uint64]bool{}
	for _, p := range m.shown {
		shown[p.ID] = true
	}
	inRows := map[string]bool{}
	for _, r := range m.rows {
		if r.sc != nil {
			inRows[r.sc.Key] = true
		}
	}
	for c := range m.marks {
		if !shown[c.pid] || !inRows[c.screen] {
			delete(m.marks, c)
		}
	}
}

func (m *matrixPane) curScreen() *store.Screen {
	if r := m.rowList.Cursor(); r >= 0 && r < len(m.rows) {
		return m.rows[r].sc
	}
	return nil
}

func (m *matrixPane) curProfile() *store.Profile {
	if m.col >= 0 && m.col < len(m.shown) {
		return m.shown[m.col]
	}
	return nil
}

// toProfile puts the cursor in p's column, which is shown.
func (m *matrixPane) toProfile(p *store.Profile) { m.col = slices.Index(m.shown, p) }

// ---- marks ----

// toggleMark marks or unmarks the cell under the cursor, the corner of the
// next block.
func (m *matrixPane) toggleMark() {
	c := mxCell{m.curProfile().ID, m.curScreen().Key}
	if m.marks[c] {
		delete(m.marks, c)
	} else {
		m.marks[c] = true
	}
	m.anchor = c
}

// clearMarks unmarks every cell, and says whether any was marked.
func (m *matrixPane) clearMarks() bool {
	n := len(m.marks)
	clear(m.marks)
	m.anchor = mxCell{}
	return n > 0
}

// takeMarks are the marked cells, unmarked.
func (m *matrixPane) takeMarks() []mxCell {
	cells := make([]mxCell, 0, len(m.marks))
	for c := range m.marks {
		cells = append(cells, c)
	}
	m.clearMarks()
	return cells
}

// anchorPos finds the last marked cell in the current rows and columns.
func (m *matrixPane) anchorPos() (int, int, bool) {
	if m.anchor.pid == 0 {
		return 0, 0, false
	}
	r, c := -1, -1
	for i, row := range m.rows {
		if row.sc != nil && row.sc.Key == m.anchor.screen {
			r = i
		}
	}
	for i, p := range m.shown {
		if p.ID == m.anchor.pid {
			c = i
		}
	}
	return r, c, r >= 0 && c >= 0
}

func (m *matrixPane) markBlock() {
	r0, c0, ok := m.anchorPos()
	if !ok {
		return
	}
	row := m.rowList.Cursor()
	for i := min(r0, row); i <= max(r0, row); i++ {
		if m.rows[i].sc == nil {
			continue
		}
		for j := min(c0, m.col); j <= max(c0, m.col); j++ {
			m.marks[mxCell{m.shown[j].ID, m.rows[i].sc.Key}] = true
		}
	}
	m.host.Flash(fmt.Sprintf("%d cells marked: n, v or m sets them all · esc clears", len(m.marks)), false)
}

// rowCells are the cells of the cursor's row, for every profile shown.
func (m *matrixPane) rowCells() []mxCell {
	sc := m.curScreen()
	cells := make([]mxCell, 0, len(m.shown))
	for _, p := range m.shown {
		cells = append(cells, mxCell{p.ID, sc.Key})
	}
	return cells
}

// columnCells are the cells of the cursor's column, on every screen shown.
func (m *matrixPane) columnCells() []mxCell {
	p := m.curProfile()
	cells := make([]mxCell, 0, len(m.rows))
	for _, r := range m.rows {
		if r.sc != nil {
			cells = append(cells, mxCell{p.ID, r.sc.Key})
		}
	}
	return cells
}

// ---- the component ----

// Bindings: the rows; the columns are ←/→ (Update).
func (m *matrixPane) Bindings() []*ui.Binding { return ui.ListNav(m.rowList, nil) }

func (m *matrixPane) SetSize(w, h int) {
	m.w, m.h = w, h
	m.layout()
}

// layout sizes the window and the columns for the cursor where it is now.
func (m *matrixPane) layout() {
	lay := m.matrixLayout(m.w, m.h)
	m.colOff = lay.colOff
	m.geo = mxGeometry{labelW: lay.lw, cellW: lay.cw, heads: lay.nHead, cols: lay.vis}
	m.rowList.SetTop(lay.nHead)
	m.rowList.SetSize(m.w, lay.listH)
}

// Update: ←/→ move the cursor across the columns; a click puts it on a
// cell; the wheel moves through the screens.
func (m *matrixPane) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		switch msg.String() {
		case "left", "h":
			m.col = max(m.col-1, 0)
		case "right", "l":
			m.col = max(min(m.col+1, len(m.shown)-1), 0)
		}
	case ui.PaneMouse:
		m.rowList.Mouse(msg.MouseMsg, msg.Y)
		if c, ok := msg.MouseMsg.(tea.MouseClickMsg); ok && c.Button == tea.MouseLeft && msg.X >= m.geo.labelW && m.geo.cellW > 0 {
			if j := m.colOff + (msg.X-m.geo.labelW)/m.geo.cellW; j < len(m.shown) && j < m.colOff+m.geo.cols {
				m.col = j
			}
		}
	}
	return nil
}

// mxRows are the matrix's rows for the list: screens, and their groups'
// headers, which the cursor skips. The matrix pane draws them itself.
type mxRows struct{ rows []mxRow }

func (r mxRows) Len() int              { return len(r.rows) }
func (r mxRows) Selectable(i int) bool { return r.rows[i].sc != nil }

func (r mxRows) Key(i int) string {
	if sc := r.rows[i].sc; sc != nil {
		return sc.Key
	}
	return "\x00" + r.rows[i].group // no screen key holds a NUL
}

func (r mxRows) Render(i, w int, st list.State) string { return ui.Safe(r.rows[i].group) }

// mxLayout is the matrix pane at a size: the label and cell widths, the
// columns in view, the header's lines, the footer, the rows' room.
type mxLayout struct {
	lw, cw, vis    int
	colOff, endCol int
	nHead, listH   int
	two, footer    bool
	// the footer on two lines (where the window is, then what the marks
	// mean) when both do not fit on one: no line of it loses its end
	footer2 bool
}

// mxLegend says what the marks in the matrix mean.
const mxLegend = "* unsaved · ! sensitive · + marked"

func (m *matrixPane) matrixLayout(w, h int) mxLayout {
	var l mxLayout
	l.lw = min(m.data.labelW+4, max(w/2, 12))
	nc := max(len(m.shown), 1)
	l.cw = 10
	if avail := w - l.lw; avail/nc > l.cw {
		l.cw = min(avail/nc, 16)
	}
	l.vis = max((w-l.lw)/l.cw, 1)
	l.colOff = clip(m.col, m.colOff, len(m.shown), l.vis)
	l.endCol = min(l.colOff+l.vis, len(m.shown))
	for j := l.colOff; j < l.endCol; j++ {
		l.two = l.two || ansi.StringWidth(ui.Safe(m.shown[j].Name)) > l.cw-2 // the name on two lines
	}
	l.nHead = 1
	if l.two {
		l.nHead = 2
	}
	// the last line: where the window is, and what the marks mean
	l.footer = h > l.nHead+2
	l.listH = max(h-l.nHead, 1)
	if l.footer {
		l.listH--
		// the longest the window's place can be beside the legend
		where := fmt.Sprintf("screens %d–%d of %d", len(m.rows), len(m.rows), len(m.rows))
		if len(m.shown) > l.vis {
			where += fmt.Sprintf(" · profiles %d–%d of %d (←/→)", len(m.shown), len(m.shown), len(m.shown))
		}
		if ansi.StringWidth(where+" · "+mxLegend) > w && h > l.nHead+4 {
			l.footer2 = true
			l.listH--
		}
	}
	if len(m.rows) == 0 {
		l.listH = 1
	}
	return l
}

func (m *matrixPane) View(w, h int, focused bool) []string {
	th := m.host.Theme()
	if len(m.rows) == 0 {
		return []string{th.Muted.Render(fmt.Sprintf("no screen matches %q; / changes the filter", m.q))}
	}
	lay := m.matrixLayout(w, h)
	lw, cw, endCol := lay.lw, lay.cw, lay.endCol
	colsOver := len(m.shown) > lay.vis
	// column headers: the profile names, on two lines when one is too long
	heads := [2]strings.Builder{}
	heads[0].WriteString(ui.Fit(" SCREEN", lw))
	heads[1].WriteString(strings.Repeat(" ", lw))
	for j := lay.colOff; j < endCol; j++ {
		name := ui.Safe(m.shown[j].Name)
		if ansi.StringWidth(name) > cw-2 {
			parts := strings.SplitN(ansi.Wrap(name, cw-2, ""), "\n", 2)
			heads[0].WriteString(ui.Fit(" "+parts[0], cw))
			heads[1].WriteString(ui.Fit(" "+strings.ReplaceAll(parts[1], "\n", " "), cw))
			continue
		}
		heads[0].WriteString(ui.Fit(" "+name, cw))
		heads[1].WriteString(strings.Repeat(" ", cw))
	}

	out := make([]string, 0, lay.listH+3)
	if lay.two {
		out = append(out, th.Bold.Render(ui.Fit(heads[0].String(), w)))
		out = append(out, th.Header.Render(ui.Fit(heads[1].String(), w)))
	} else {
		out = append(out, th.Header.Render(ui.Fit(heads[0].String(), w)))
	}

	curState := 2
	if focused {
		curState = 1
	}
	row, rowOff := m.rowList.Cursor(), m.rowList.Offset()
	var b strings.Builder
	end := min(rowOff+lay.listH, len(m.rows))
	for i := rowOff; i < end; i++ {
		r := m.rows[i]
		if r.sc == nil {
			group := ui.Safe(r.group)
			g := th.Bold.Render(group)
			rest := w - ansi.StringWidth(group) - 1
			out = append(out, g+" "+th.Muted.Render(strings.Repeat("─", max(rest, 0))))
			continue
		}
		b.Reset()
		mark, sens := " ", " "
		if i == row {
			mark = "›"
		}
		if r.sc.Sensitive {
			sens = th.Warn.Render("!")
		}
		label := ui.Fit(mark+sens+" "+ui.Safe(r.sc.Title), lw-1) + " "
		if i == row && focused {
			label = th.Bold.Render(label)
		}
		b.WriteString(label)
		for j := lay.colOff; j < endCol; j++ {
			p := m.shown[j]
			l, pend := m.edits.levelAt(p, r.sc.Key)
			marked := len(m.marks) > 0 && m.marks[mxCell{p.ID, r.sc.Key}]
			cur := 0
			if i == row && j == m.col {
				cur = curState
			}
			b.WriteString(m.cell(l, pend, marked, cur, cw))
		}
		out = append(out, b.String())
	}
	if lay.footer {
		for len(out) < lay.listH+lay.nHead {
			out = append(out, "")
		}
		var f []string
		if n := m.screenCount(); end-rowOff < len(m.rows) {
			before, last := 0, 0 // screens above the window; the last one in it
			for i := 0; i < end; i++ {
				if m.rows[i].sc != nil {
					last++
					if i < rowOff {
						before++
					}
				}
			}
			first := min(before+1, last)
			f = append(f, fmt.Sprintf("screens %d–%d of %d", first, last, n))
		}
		if colsOver {
			f = append(f, fmt.Sprintf("profiles %d–%d of %d (←/→)", lay.colOff+1, endCol, len(m.shown)))
		}
		switch {
		case lay.footer2 && len(f) > 0:
			out = append(out, th.Muted.Render(ui.Fit(strings.Join(f, " · "), w)), th.Muted.Render(ui.Fit(mxLegend, w)))
		case lay.footer2:
			out = append(out, "", th.Muted.Render(ui.Fit(mxLegend, w)))
		default:
			out = append(out, th.Muted.Render(ui.Fit(strings.Join(append(f, mxLegend), " · "), w)))
		}
	}
	return out
}
