package list

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// KeyMap is a list's keys, as values with their help text: a console shows
// them in its help and runs them through its own guards.
type KeyMap struct {
	Up, Down, PageUp, PageDown, Home, End key.Binding

	Mark       key.Binding // mark or unmark the highlighted row, then the next
	MarkRange  key.Binding // mark from the last row marked to the cursor
	MarkAll    key.Binding // mark every row (again: none)
	ClearMarks key.Binding
}

// DefaultKeyMap is the arrows with their vim-style twins; marks are off.
// (Bindings are values: each list's copy changes without touching another's.)
func DefaultKeyMap() KeyMap { return defaultKeyMap }

var defaultKeyMap = func() KeyMap {
	km := KeyMap{
		Up:         key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:       key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		PageUp:     key.NewBinding(key.WithKeys("pgup", "ctrl+u"), key.WithHelp("pgup/ctrl+u", "a page up")),
		PageDown:   key.NewBinding(key.WithKeys("pgdown", "ctrl+d"), key.WithHelp("pgdn/ctrl+d", "a page down")),
		Home:       key.NewBinding(key.WithKeys("home", "g"), key.WithHelp("home/g", "the first row")),
		End:        key.NewBinding(key.WithKeys("end", "G"), key.WithHelp("end/G", "the last row")),
		Mark:       key.NewBinding(key.WithKeys("space"), key.WithHelp("space", "mark / unmark the row")),
		MarkRange:  key.NewBinding(key.WithKeys("V"), key.WithHelp("V", "mark from the last marked row to here")),
		MarkAll:    key.NewBinding(key.WithKeys("ctrl+a"), key.WithHelp("ctrl+a", "mark every row (again: none)")),
		ClearMarks: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear the marks")),
	}
	km.SetMarks(false)
	return km
}()

// SetMarks turns the mark keys on or off.
func (km *KeyMap) SetMarks(on bool) {
	for _, b := range []*key.Binding{&km.Mark, &km.MarkRange, &km.MarkAll, &km.ClearMarks} {
		b.SetEnabled(on)
	}
}

// Nav is what the navigation keys move: a list's cursor, or a pane that
// only scrolls. Every Model is one, whatever its key type.
type Nav interface {
	Up()
	Down()
	PageUp()
	PageDown()
	Home()
	End()
}

// Update runs a key of the KeyMap, or takes a filter's result; it says
// whether the message was the list's.
func (m *Model[K]) Update(msg tea.Msg) bool {
	switch msg := msg.(type) {
	case Filtered[K]:
		m.SetFiltered(msg.Gen, msg.Rows)
		return true
	case tea.KeyPressMsg:
		km := &m.KeyMap
		switch {
		case key.Matches(msg, km.Up):
			m.Up()
		case key.Matches(msg, km.Down):
			m.Down()
		case key.Matches(msg, km.PageUp):
			m.PageUp()
		case key.Matches(msg, km.PageDown):
			m.PageDown()
		case key.Matches(msg, km.Home):
			m.Home()
		case key.Matches(msg, km.End):
			m.End()
		case key.Matches(msg, km.Mark):
			m.ToggleMark()
			m.Down()
		case key.Matches(msg, km.MarkRange):
			m.MarkRange()
		case key.Matches(msg, km.MarkAll):
			m.MarkAll()
		case key.Matches(msg, km.ClearMarks):
			m.ClearMarks()
		default:
			return false
		}
		return true
	}
	return false
}
