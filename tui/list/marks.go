package list

// Marks are a bulk selection, by key: a row filtered out and back keeps its
// mark, and an action on the marks reaches the rows the filter hides.

// Marked says whether the row named k is marked.
func (m *Model[K]) Marked(k K) bool {
	_, ok := m.marks[k]
	return ok
}

// MarkCount is how many rows are marked, listed or not.
func (m *Model[K]) MarkCount() int { return len(m.marks) }

// MarkGen moves with every change of the marks (for caches built on them).
func (m *Model[K]) MarkGen() uint64 { return m.markGen }

// EachMark calls f with every marked key, in no order.
func (m *Model[K]) EachMark(f func(K)) {
	for k := range m.marks {
		f(k)
	}
}

// Mark marks the row named k.
func (m *Model[K]) Mark(k K) {
	if m.marks == nil {
		m.marks = map[K]struct{}{}
	}
	if _, ok := m.marks[k]; !ok {
		m.marks[k] = struct{}{}
		m.markGen++
	}
}

// Unmark unmarks the row named k.
func (m *Model[K]) Unmark(k K) {
	if _, ok := m.marks[k]; ok {
		delete(m.marks, k)
		m.markGen++
	}
}

// ToggleMark marks or unmarks the highlighted row, which becomes the anchor
// of MarkRange; false when no row is highlighted.
func (m *Model[K]) ToggleMark() bool {
	k, ok := m.Current()
	if !ok {
		return false
	}
	if m.Marked(k) {
		m.Unmark(k)
	} else {
		m.Mark(k)
	}
	m.anchor, m.anchored = k, true
	return true
}

// Anchor is the row last marked or unmarked with ToggleMark, listed or not.
func (m *Model[K]) Anchor() (K, bool) { return m.anchor, m.anchored }

// AnchorIndex is where the anchor is listed now.
func (m *Model[K]) AnchorIndex() (int, bool) {
	if !m.anchored {
		return 0, false
	}
	return m.Find(m.anchor)
}

// MarkRange marks every selectable row from the anchor to the cursor and
// says how many rows that is; 0 when the anchor is not listed.
func (m *Model[K]) MarkRange() int {
	a, ok := m.AnchorIndex()
	if !ok || m.Len() == 0 {
		return 0
	}
	n := 0
	for i := min(a, m.cursor); i <= max(a, m.cursor) && i < m.Len(); i++ {
		if m.rows.Selectable(i) {
			m.Mark(m.rows.Key(i))
			n++
		}
	}
	return n
}

// MarkAll marks every selectable row listed, or, when each is marked
// already, clears every mark (listed or not): false then.
func (m *Model[K]) MarkAll() bool {
	n := m.Len()
	some, all := false, true
	for i := 0; i < n && all; i++ {
		if m.rows.Selectable(i) {
			some = true
			all = m.Marked(m.rows.Key(i))
		}
	}
	if some && all {
		m.ClearMarks()
		return false
	}
	for i := 0; i < n; i++ {
		if m.rows.Selectable(i) {
			m.Mark(m.rows.Key(i))
		}
	}
	return true
}

// ClearMarks unmarks everything and says how many were marked. The anchor
// stays: a range can start again from it.
func (m *Model[K]) ClearMarks() int {
	n := len(m.marks)
	if n > 0 {
		m.marks = nil
		m.markGen++
	}
	return n
}

// PruneMarks unmarks the keys keep refuses and says how many.
func (m *Model[K]) PruneMarks(keep func(K) bool) int {
	n := 0
	for k := range m.marks {
		if !keep(k) {
			delete(m.marks, k)
			n++
		}
	}
	if n > 0 {
		m.markGen++
	}
	return n
}
