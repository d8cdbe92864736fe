package sites

import (
	tea "charm.land/bubbletea/v2"

	"github.com/gatehouse/gatehouse/tui/list"
	"github.com/gatehouse/gatehouse/tui/ui"
)

// siteList is the pane Available or Assigned: the rows built for it and
// the list component that moves over them (its marks name items).
type siteList struct {
	*list.Model[rowKey]
	rows []siteRow
	n    int     // item rows
	s    *Screen // whose chosen users and pending moves its rows show
	li   int     // siteAvail or siteAssigned
}

func (l *siteList) Bindings() []*ui.Binding { return ui.ListNav(l.Model, nil) }

func (l *siteList) SetSize(w, h int) { l.Model.SetSize(w, h) }

// Update: esc clears the list's marks (and a drag begun); the wheel scrolls.
// Clicks and drags are the screen's: a drag ends over the other list.
func (l *siteList) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		if msg.String() != "esc" {
			return nil
		}
		l.s.drag = nil
		if l.ClearMarks() > 0 {
			l.s.host.Flash("marks cleared", false)
		}
	case ui.PaneMouse:
		if wh, ok := msg.MouseMsg.(tea.MouseWheelMsg); ok {
			switch wh.Button {
			case tea.MouseWheelUp:
				l.Scroll(-list.WheelStep)
			case tea.MouseWheelDown:
				l.Scroll(list.WheelStep)
			}
		}
	}
	return nil
}

func (l *siteList) current() *siteItem {
	if c := l.Cursor(); c >= 0 && c < len(l.rows) {
		return l.rows[c].it
	}
	return nil
}

func (l *siteList) marked(it *siteItem) bool { return l.Marked(itemRow(it.key)) }

// targets are the marked items of a list, or else its highlighted one.
func (l *siteList) targets() []*siteItem {
	var out []*siteItem
	if l.MarkCount() > 0 {
		for _, r := range l.rows {
			if r.it != nil && l.marked(r.it) {
				out = append(out, r.it)
			}
		}
		return out
	}
	if it := l.current(); it != nil {
		out = append(out, it)
	}
	return out
}

func (l *siteList) View(w, h int, focused bool) []string {
	s, li := l.s, l.li
	th := s.host.Theme()
	if len(l.rows) == 0 {
		// said whole, wrapped: these say what to do
		switch {
		case li == siteAvail && s.q != "":
			return ui.WrapStyled(th.Muted, "nothing matches /"+ui.Safe(s.q)+" (/ then esc clears)", w, " ")
		case li == siteAvail:
			return ui.WrapStyled(th.Muted, "everything is assigned", w, " ")
		case len(s.who) == 0:
			return ui.WrapStyled(th.Muted, "nobody chosen", w, " ")
		}
		return ui.WrapStyled(th.Muted, "nothing assigned yet: → or enter in Available moves an item here, or drag it here with the mouse", w, " ")
	}
	return l.AppendLines(nil, focused)
}
