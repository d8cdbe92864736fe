// Package list is the console's list pane: a cursor and a window over rows
// the screen owns, marks that survive a refilter, the generation of the
// filter whose result is shown, and mouse hit-testing. Only the rows in the
// window are rendered, and nothing is measured while rendering: the size
// comes from SetSize.
//
// bubbles' list (charm.land/bubbles/v2/list) renders and re-filters (fuzzy)
// every item on each change, tens of milliseconds at 100,000 rows, which is
// why the console has this one.
package list

import (
	"slices"
	"strings"
)

// Rows are a list's rows, as the screen holds them. A Rows value is a
// snapshot: the screen hands a new one to SetRows when its rows change, and
// the model reads the old one to find the row the cursor was on.
type Rows[K comparable] interface {
	Len() int
	// Key names row i for as long as it exists: marks and the cursor
	// follow keys across a refilter.
	Key(i int) K
	// Selectable is false for rows the cursor skips (group headers).
	Selectable(i int) bool
	// Render draws row i in w cells (rows of several lines: joined by "\n").
	Render(i, w int, s State) string
}

// Finder is Rows that find a key faster than a scan of every row.
type Finder[K comparable] interface {
	Find(k K) (int, bool)
}

// State is how one row is drawn.
type State struct {
	Cursor  bool // the cursor is on the row
	Marked  bool
	Focused bool // the list's pane has the focus
}

// Model is one list: its rows, cursor, window, marks and filter generation.
// The cursor and the window move only through its methods (Update,
// SetRows, SetSize and the setters); Lines reads them and changes nothing.
type Model[K comparable] struct {
	KeyMap KeyMap

	rows     Rows[K]
	cursor   int
	offset   int
	w, h     int // the rows' width in cells and the lines they may take
	rowLines int // lines per row
	top      int // the pane line the first row is drawn on

	marks    map[K]struct{}
	markGen  uint64
	anchor   K
	anchored bool

	gen uint64 // the newest filter started
}

// New is an empty list with the navigation keys (marks off: see KeyMap.SetMarks).
func New[K comparable]() *Model[K] {
	return &Model[K]{KeyMap: DefaultKeyMap(), rowLines: 1}
}

// Len is the number of rows.
func (m *Model[K]) Len() int {
	if m.rows == nil {
		return 0
	}
	return m.rows.Len()
}

// Rows are the rows shown.
func (m *Model[K]) Rows() Rows[K] { return m.rows }

// SetRows shows new rows. The cursor stays on the row it was on when that
// row is still there (the result says whether it is), else at the same
// place; either way on a selectable row, inside the window.
func (m *Model[K]) SetRows(r Rows[K]) bool {
	k, had := m.Current()
	m.rows = r
	found := false
	if had {
		if i, ok := m.Find(k); ok {
			m.cursor, found = i, true
		}
	}
	m.settle(1)
	m.clip()
	return found
}

// Find is the index of the row named k.
func (m *Model[K]) Find(k K) (int, bool) {
	if m.rows == nil {
		return 0, false
	}
	if f, ok := m.rows.(Finder[K]); ok {
		return f.Find(k)
	}
	for i, n := 0, m.rows.Len(); i < n; i++ {
		if m.rows.Key(i) == k {
			return i, true
		}
	}
	return 0, false
}

// SetSize sets the width the rows are drawn in and the lines they may take.
func (m *Model[K]) SetSize(w, h int) {
	m.w, m.h = w, h
	m.clip()
}

// SetRowLines sets how many lines each row takes (1 unless set).
func (m *Model[K]) SetRowLines(n int) {
	m.rowLines = max(n, 1)
	m.clip()
}

// SetTop sets the pane line the first row is drawn on (below the pane's
// own headings), for RowAt.
func (m *Model[K]) SetTop(y int) { m.top = y }

// Width is the width rows are drawn in.
func (m *Model[K]) Width() int { return m.w }

// Height is the lines the rows may take.
func (m *Model[K]) Height() int { return m.h }

// Visible is how many rows fit in the window.
func (m *Model[K]) Visible() int {
	if m.h <= 0 {
		return 0
	}
	return m.h / m.lines()
}

func (m *Model[K]) lines() int { return max(m.rowLines, 1) }

// Cursor is the index of the highlighted row.
func (m *Model[K]) Cursor() int { return m.cursor }

// Offset is the index of the first row in the window.
func (m *Model[K]) Offset() int { return m.offset }

// Current is the key of the highlighted row, if there is one.
func (m *Model[K]) Current() (K, bool) {
	if m.cursor >= 0 && m.cursor < m.Len() && m.rows.Selectable(m.cursor) {
		return m.rows.Key(m.cursor), true
	}
	var zero K
	return zero, false
}

// SetCursor highlights row i (or the nearest selectable row after it, else
// before it) and scrolls it into the window.
func (m *Model[K]) SetCursor(i int) {
	m.cursor = i
	m.settle(1)
	m.clip()
}

// Select highlights the row named k, if it is listed.
func (m *Model[K]) Select(k K) bool {
	i, ok := m.Find(k)
	if ok {
		m.SetCursor(i)
	}
	return ok
}

// Move moves the cursor d rows, skipping rows that are not selectable; at
// an edge it stays on the last selectable row that way.
func (m *Model[K]) Move(d int) {
	m.cursor += d
	if d < 0 {
		m.settle(-1)
	} else {
		m.settle(1)
	}
	m.clip()
}

// Up, Down, PageUp, PageDown, Home and End are the navigation keys' moves.
func (m *Model[K]) Up()       { m.Move(-1) }
func (m *Model[K]) Down()     { m.Move(1) }
func (m *Model[K]) PageUp()   { m.Move(-m.page()) }
func (m *Model[K]) PageDown() { m.Move(m.page()) }
func (m *Model[K]) Home()     { m.cursor = 0; m.settle(1); m.clip() }
func (m *Model[K]) End()      { m.cursor = m.Len() - 1; m.settle(-1); m.clip() }

// page is a page's move: a window less one row, so one row stays in view.
func (m *Model[K]) page() int { return max(m.Visible()-1, 1) }

// Scroll moves the window d rows; the cursor is carried along only as far
// as it must to stay inside it.
func (m *Model[K]) Scroll(d int) {
	vis := max(m.Visible(), 1)
	m.offset = max(min(m.offset+d, m.Len()-vis), 0)
	switch {
	case m.cursor < m.offset:
		m.cursor = m.offset
		m.settle(1)
	case m.cursor >= m.offset+vis:
		m.cursor = m.offset + vis - 1
		m.settle(-1)
	}
	m.window(false) // the window stays where it was scrolled to
}

// settle puts the cursor on a row, a selectable one, looking in direction
// dir first.
func (m *Model[K]) settle(dir int) {
	n := m.Len()
	if n == 0 {
		m.cursor = 0
		return
	}
	m.cursor = max(min(m.cursor, n-1), 0)
	for _, d := range [2]int{dir, -dir} {
		for i := m.cursor; i >= 0 && i < n; i += d {
			if m.rows.Selectable(i) {
				m.cursor = i
				return
			}
		}
	}
}

// clip moves the window as little as keeps the cursor in it, never past
// the last row; a header right above the cursor's row at the window's top
// stays in view with it.
func (m *Model[K]) clip() { m.window(true) }

func (m *Model[K]) window(header bool) {
	vis, n := m.Visible(), m.Len()
	if vis <= 0 {
		m.offset = 0
		return
	}
	if m.cursor < m.offset {
		m.offset = m.cursor
	}
	if m.cursor >= m.offset+vis {
		m.offset = m.cursor - vis + 1
	}
	m.offset = max(min(m.offset, n-vis), 0)
	if header && vis > 1 && m.offset == m.cursor && m.cursor > 0 && m.cursor < n && !m.rows.Selectable(m.cursor-1) {
		m.offset--
	}
}

// Lines renders the rows in the window, and nothing else.
func (m *Model[K]) Lines(focused bool) []string { return m.AppendLines(nil, focused) }

// AppendLines appends the rows in the window to out (a pane's headings).
func (m *Model[K]) AppendLines(out []string, focused bool) []string {
	n := m.Len()
	end := min(m.offset+m.Visible(), n)
	if m.offset >= end {
		return out
	}
	out = slices.Grow(out, (end-m.offset)*m.lines())
	for i := m.offset; i < end; i++ {
		st := State{Cursor: i == m.cursor && m.rows.Selectable(i), Focused: focused}
		if len(m.marks) > 0 {
			st.Marked = m.Marked(m.rows.Key(i))
		}
		s := m.rows.Render(i, m.w, st)
		if m.lines() > 1 {
			out = append(out, strings.Split(s, "\n")...)
		} else {
			out = append(out, s)
		}
	}
	return out
}
