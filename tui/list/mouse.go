package list

import tea "charm.land/bubbletea/v2"

// WheelStep is how many rows one notch of the wheel moves the cursor.
const WheelStep = 3

// RowAt is the row drawn on line y of the pane (counted as SetTop counts).
func (m *Model[K]) RowAt(y int) (int, bool) {
	y -= m.top
	if y < 0 || y >= m.Visible()*m.lines() {
		return 0, false
	}
	i := m.offset + y/m.lines()
	if i >= m.Len() {
		return 0, false
	}
	return i, true
}

// Click highlights the row drawn on pane line y, when it is selectable.
func (m *Model[K]) Click(y int) bool {
	i, ok := m.RowAt(y)
	if !ok || !m.rows.Selectable(i) {
		return false
	}
	m.SetCursor(i)
	return true
}

// Mouse runs a click (the left button highlights the row under it) or a
// turn of the wheel (the cursor moves WheelStep rows) at pane line y, and
// says whether it was one.
func (m *Model[K]) Mouse(msg tea.MouseMsg, y int) bool {
	switch msg := msg.(type) {
	case tea.MouseWheelMsg:
		switch msg.Button {
		case tea.MouseWheelUp:
			m.Move(-WheelStep)
		case tea.MouseWheelDown:
			m.Move(WheelStep)
		default:
			return false
		}
		return true
	case tea.MouseClickMsg:
		return msg.Button == tea.MouseLeft && m.Click(y)
	}
	return false
}
