package list

// The screen does the matching (it knows its rows and how to search them
// fast, possibly in the background); the list only numbers the filters, so a
// slow result that comes back after a newer one started is dropped instead
// of overwriting it.

// Filtered is a filter's result as a message, carrying the generation of
// the filter it answers (for a filter run in a tea.Cmd).
type Filtered[K comparable] struct {
	Gen  uint64
	Rows Rows[K]
}

// StartFilter begins a filter and returns its generation: from now on the
// result of any filter started before it is stale.
func (m *Model[K]) StartFilter() uint64 {
	m.gen++
	return m.gen
}

// Generation is the newest filter started.
func (m *Model[K]) Generation() uint64 { return m.gen }

// SetFiltered shows the result of the filter of generation gen, unless a
// newer filter has started since: then the result is dropped (false).
func (m *Model[K]) SetFiltered(gen uint64, r Rows[K]) bool {
	if gen != m.gen {
		return false
	}
	m.SetRows(r)
	return true
}
