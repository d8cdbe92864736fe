package ui

import tea "charm.land/bubbletea/v2"

// Pane is one pane of a screen as a component, as soft-serve's pages are
// built of components: its own keys, its size, its Update and its View.
// A screen composes three: it lists the focused pane's bindings after its
// own, routes the keys no binding took and the mouse to that pane's Update,
// hands each pane its size, and draws each with View.
//
// Update takes a pointer's state in place, so it returns only the command
// (soft-serve's components return themselves because they are values).
type Pane interface {
	// Bindings are the pane's own keys (its navigation first), in help order.
	Bindings() []*Binding
	// SetSize is the inside of the pane's frame: it lays itself out here
	// (windows, scroll limits), never from what View was given.
	SetSize(w, h int)
	// Update takes a tea.KeyPressMsg no binding took, or a PaneMouse.
	Update(msg tea.Msg) tea.Cmd
	// View is the pane's lines at w×h (the size SetSize gave, unless a test
	// draws it at another); it changes nothing.
	View(w, h int, focused bool) []string
}

// PaneMouse is a mouse event at X, Y inside a pane's frame.
type PaneMouse struct {
	tea.MouseMsg
	X, Y int
}

// Panes are a screen's three panes, by position.
type Panes [3]Pane

// SetSize hands each pane its size.
func (ps Panes) SetSize(sizes [3]PaneSize) {
	for i, p := range ps {
		p.SetSize(sizes[i].W, sizes[i].H)
	}
}

// Render draws one pane.
func (ps Panes) Render(pane, w, h int, focused bool) []string {
	return ps[pane].View(w, h, focused)
}

// Key hands a key no binding took to the focused pane.
func (ps Panes) Key(msg tea.KeyPressMsg, pane int) tea.Cmd { return ps[pane].Update(msg) }

// Mouse hands a mouse event to the pane under it (pane < 0: none is).
func (ps Panes) Mouse(msg tea.MouseMsg, pane, x, y int) tea.Cmd {
	if pane < 0 {
		return nil
	}
	return ps[pane].Update(PaneMouse{MouseMsg: msg, X: x, Y: y})
}
