package list

import (
	"fmt"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
)

// names are test rows: each its own key; a name starting with "#" is a
// group header the cursor skips.
type names []string

func (r names) Len() int              { return len(r) }
func (r names) Key(i int) string      { return r[i] }
func (r names) Selectable(i int) bool { return !strings.HasPrefix(r[i], "#") }
func (r names) Render(i, w int, s State) string {
	mark := " "
	if s.Cursor {
		mark = ">"
	}
	if s.Marked {
		mark += "*"
	}
	return mark + r[i]
}

// numbered is n rows named r0, r1, …
func numbered(n int) names {
	out := make(names, n)
	for i := range out {
		out[i] = fmt.Sprintf("r%d", i)
	}
	return out
}

func newList(rows names, h int) *Model[string] {
	m := New[string]()
	m.SetSize(20, h)
	m.SetRows(rows)
	return m
}

func keyPress(k string) tea.KeyPressMsg {
	named := map[string]rune{"up": tea.KeyUp, "down": tea.KeyDown, "pgup": tea.KeyPgUp, "pgdown": tea.KeyPgDown, "home": tea.KeyHome, "end": tea.KeyEnd, "esc": tea.KeyEscape}
	if c, ok := named[k]; ok {
		return tea.KeyPressMsg{Code: c}
	}
	switch k {
	case "space":
		return tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}
	case "ctrl+a", "ctrl+d", "ctrl+u":
		return tea.KeyPressMsg{Code: rune(k[len(k)-1]), Mod: tea.ModCtrl}
	case "G", "V":
		return tea.KeyPressMsg{Code: rune(strings.ToLower(k)[0]), ShiftedCode: rune(k[0]), Text: k, Mod: tea.ModShift}
	}
	return tea.KeyPressMsg{Code: rune(k[0]), Text: k}
}

func TestMoves(t *testing.T) {
	grouped := names{"#a", "a1", "a2", "#b", "b1", "#c", "c1", "c2", "c3"}
	for _, tc := range []struct {
		name       string
		rows       names
		h          int
		start      int
		keys       []string
		cursor     int
		offset     int
		wantOffset bool
	}{
		{name: "up at the top stays", rows: numbered(5), h: 3, keys: []string{"up", "k"}, cursor: 0, offset: 0, wantOffset: true},
		{name: "down at the bottom stays", rows: numbered(5), h: 3, start: 4, keys: []string{"down", "j"}, cursor: 4, offset: 2, wantOffset: true},
		{name: "down scrolls by one", rows: numbered(10), h: 3, keys: []string{"down", "down", "down"}, cursor: 3, offset: 1, wantOffset: true},
		{name: "a page is the window less a row", rows: numbered(20), h: 5, keys: []string{"pgdown"}, cursor: 4, offset: 0, wantOffset: true},
		{name: "ctrl+d pages too", rows: numbered(20), h: 5, keys: []string{"ctrl+d", "ctrl+d"}, cursor: 8, offset: 4, wantOffset: true},
		{name: "page up from the end", rows: numbered(20), h: 5, start: 19, keys: []string{"pgup"}, cursor: 15, offset: 15, wantOffset: true},
		{name: "page down stops at the last row", rows: numbered(6), h: 5, start: 3, keys: []string{"pgdown"}, cursor: 5, offset: 1, wantOffset: true},
		{name: "end and home", rows: numbered(50), h: 10, keys: []string{"end"}, cursor: 49, offset: 40, wantOffset: true},
		{name: "G and g", rows: numbered(50), h: 10, keys: []string{"G", "g"}, cursor: 0, offset: 0, wantOffset: true},
		{name: "an unsized list pages one row", rows: numbered(10), h: 0, keys: []string{"pgdown"}, cursor: 1, offset: 0, wantOffset: true},
		{name: "an empty list", rows: nil, h: 5, keys: []string{"down", "end", "pgup"}, cursor: 0, offset: 0, wantOffset: true},
		{name: "the first row is a header: the cursor starts below it", rows: grouped, h: 20, keys: nil, cursor: 1},
		{name: "up stops below the first header", rows: grouped, h: 20, start: 1, keys: []string{"up"}, cursor: 1},
		{name: "down skips a header", rows: grouped, h: 20, start: 2, keys: []string{"down"}, cursor: 4},
		{name: "up skips a header", rows: grouped, h: 20, start: 4, keys: []string{"up"}, cursor: 2},
		{name: "home skips the header", rows: grouped, h: 20, start: 7, keys: []string{"home"}, cursor: 1},
		{name: "end is the last item", rows: grouped, h: 20, keys: []string{"end"}, cursor: 8},
		{name: "a page landing on a header goes on past it", rows: grouped, h: 4, start: 1, keys: []string{"pgdown"}, cursor: 4},
		{name: "a header above the cursor stays in view", rows: grouped, h: 3, start: 8, keys: []string{"up", "up", "up"}, cursor: 4, offset: 3, wantOffset: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := newList(tc.rows, tc.h)
			if tc.start > 0 {
				m.SetCursor(tc.start)
			}
			for _, k := range tc.keys {
				if !m.Update(keyPress(k)) {
					t.Fatalf("%s was not a list key", k)
				}
			}
			if m.Cursor() != tc.cursor || (tc.wantOffset && m.Offset() != tc.offset) {
				t.Errorf("cursor %d offset %d, want cursor %d offset %d", m.Cursor(), m.Offset(), tc.cursor, tc.offset)
			}
			if vis := m.Visible(); vis > 0 && m.Len() > 0 && (m.Cursor() < m.Offset() || m.Cursor() >= m.Offset()+vis) {
				t.Errorf("cursor %d outside the window %d+%d", m.Cursor(), m.Offset(), vis)
			}
		})
	}
}

// Marks keys are off unless asked for, and other keys are not the list's.
func TestKeysNotTheLists(t *testing.T) {
	m := newList(numbered(5), 5)
	for _, k := range []string{"space", "V", "ctrl+a", "esc", "x", "left"} {
		if m.Update(keyPress(k)) {
			t.Errorf("%s was taken by a list without marks", k)
		}
	}
	if m.MarkCount() != 0 {
		t.Errorf("%d marked", m.MarkCount())
	}
}

// SetSize clips the window so the cursor stays in it, and the window never
// runs past the last row.
func TestSetSizeClipsTheOffset(t *testing.T) {
	for _, tc := range []struct {
		name         string
		n, h, cursor int
		newH         int
		offset       int
	}{
		{"shrinking keeps the cursor in view", 100, 20, 50, 5, 46},
		{"growing shows rows above rather than blanks", 30, 5, 29, 20, 10},
		{"growing past every row shows them all", 10, 3, 9, 40, 0},
		{"an unsized list has no window", 10, 3, 9, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := newList(numbered(tc.n), tc.h)
			m.SetCursor(tc.cursor)
			m.SetSize(20, tc.newH)
			if m.Offset() != tc.offset || m.Cursor() != tc.cursor {
				t.Errorf("after SetSize(%d): cursor %d offset %d, want cursor %d offset %d", tc.newH, m.Cursor(), m.Offset(), tc.cursor, tc.offset)
			}
		})
	}
}

// Lines renders the window's rows only, flags as they are, and changes
// nothing however often it runs.
func TestLinesRenderOnlyTheWindow(t *testing.T) {
	var rendered []int
	rows := counting{names: numbered(1000), seen: &rendered}
	m := New[string]()
	m.SetSize(20, 4)
	m.SetRows(rows)
	m.SetCursor(500)
	m.Mark("r499")
	rendered = nil
	first := m.Lines(true)
	second := m.Lines(true)
	if want := []string{" r497", " r498", " *r499", ">r500"}; strings.Join(first, "|") != strings.Join(want, "|") {
		t.Errorf("lines %q, want %q", first, want)
	}
	if strings.Join(first, "|") != strings.Join(second, "|") || m.Cursor() != 500 || m.Offset() != 497 {
		t.Errorf("a second render differs or moved the list: %q, cursor %d offset %d", second, m.Cursor(), m.Offset())
	}
	if len(rendered) != 8 {
		t.Errorf("rendered %d rows for two frames of 4", len(rendered))
	}
}

type counting struct {
	names
	seen *[]int
}

func (c counting) Render(i, w int, s State) string {
	*c.seen = append(*c.seen, i)
	return c.names.Render(i, w, s)
}

// Rows of several lines: the window counts rows, the lines are split.
func TestRowsOfSeveralLines(t *testing.T) {
	m := New[string]()
	m.SetRowLines(2)
	m.SetSize(20, 7) // three rows of two lines
	m.SetRows(twoLines{numbered(10)})
	m.End()
	if m.Offset() != 7 || len(m.Lines(false)) != 6 {
		t.Errorf("offset %d, %d lines", m.Offset(), len(m.Lines(false)))
	}
	m.SetTop(1)
	if i, ok := m.RowAt(1 + 3); !ok || i != 8 {
		t.Errorf("line 3 of the rows is row %d (%v), want 8", i, ok)
	}
}

type twoLines struct{ names }

func (r twoLines) Render(i, w int, s State) string { return r.names.Render(i, w, s) + "\n  more" }

// The cursor follows its row across new rows; when that row is gone it
// stays at the same place.
func TestSetRowsKeepsTheCursorsRow(t *testing.T) {
	m := newList(names{"ann", "bob", "cy", "dee"}, 10)
	m.SetCursor(2)
	if !m.SetRows(names{"cy", "dee"}) || m.Cursor() != 0 {
		t.Errorf("cy moved to %d", m.Cursor())
	}
	m.SetCursor(1)
	if m.SetRows(names{"ann", "bob", "eve"}) || m.Cursor() != 1 {
		t.Errorf("dee gone: cursor %d, want 1 (the same place)", m.Cursor())
	}
	if m.SetRows(names{"ann"}); m.Cursor() != 0 {
		t.Errorf("fewer rows: cursor %d", m.Cursor())
	}
}

// A click highlights the row under it; the pane's heading, headers and
// lines below the window are not rows.
func TestHitTesting(t *testing.T) {
	rows := names{"#a", "a1", "a2", "#b", "b1", "b2", "b3", "b4", "b5", "b6"}
	for _, tc := range []struct {
		name   string
		scroll int // rows scrolled before the click
		y      int // pane line clicked: the heading is line 0
		ok     bool
		cursor int
	}{
		{"the heading", 0, 0, false, 1},
		{"a header", 0, 1, false, 1},
		{"the second row", 0, 3, true, 2},
		{"a header further down", 0, 4, false, 1},
		{"below the window", 0, 5, false, 1},
		{"above the pane", 0, -1, false, 1},
		{"the first row of a scrolled window", 4, 1, true, 4},
		{"the last row of a scrolled window", 4, 4, true, 7},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := newList(rows, 4)
			m.SetTop(1)
			m.Scroll(tc.scroll)
			before := m.Cursor()
			got := m.Click(tc.y)
			want := tc.cursor
			if !tc.ok {
				want = before
			}
			if got != tc.ok || m.Cursor() != want {
				t.Errorf("click at line %d: %v, cursor %d; want %v, cursor %d", tc.y, got, m.Cursor(), tc.ok, want)
			}
		})
	}
}

// The wheel moves the cursor WheelStep rows, the window following.
func TestWheel(t *testing.T) {
	m := newList(numbered(20), 5)
	m.Mouse(tea.MouseWheelMsg{Button: tea.MouseWheelDown}, 0)
	m.Mouse(tea.MouseWheelMsg{Button: tea.MouseWheelDown}, 0)
	if m.Cursor() != 2*WheelStep || m.Offset() != 2*WheelStep-4 {
		t.Errorf("two notches down: cursor %d offset %d", m.Cursor(), m.Offset())
	}
	m.Mouse(tea.MouseWheelMsg{Button: tea.MouseWheelUp}, 0)
	if m.Cursor() != WheelStep {
		t.Errorf("one notch back: cursor %d", m.Cursor())
	}
	if m.Mouse(tea.MouseClickMsg{Button: tea.MouseRight}, 1) {
		t.Error("a right click highlighted a row")
	}
}

// Scroll moves the window and carries the cursor only as far as it must.
func TestScroll(t *testing.T) {
	m := newList(numbered(20), 5)
	m.SetCursor(3)
	m.Scroll(2)
	if m.Offset() != 2 || m.Cursor() != 3 {
		t.Errorf("scroll 2: offset %d cursor %d", m.Offset(), m.Cursor())
	}
	m.Scroll(100)
	if m.Offset() != 15 || m.Cursor() != 15 {
		t.Errorf("scroll to the end: offset %d cursor %d", m.Offset(), m.Cursor())
	}
	m.Scroll(-100)
	if m.Offset() != 0 || m.Cursor() != 4 {
		t.Errorf("scroll back: offset %d cursor %d", m.Offset(), m.Cursor())
	}
}
