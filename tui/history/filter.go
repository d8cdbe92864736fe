package history

import (
	"fmt"

	tea "charm.land/bubbletea/v2"

	"github.com/gatehouse/gatehouse/tui/list"
	"github.com/gatehouse/gatehouse/tui/ui"
)

// histFilters are what the entries are read for: the entity, the actor,
// and the span of time (an index into histSpans).
type histFilters struct {
	entity, actor string
	span          int
}

// filterPane is the left pane: one row per filter, changed with ←/→ or
// edited with enter.
type filterPane struct {
	host ui.Host
	q    *histFilters // the screen's
	// span steps the time filter; actor opens the actor's form (the
	// screen's: both read the log anew)
	span  func(d int)
	actor func() tea.Cmd

	list *list.Model[int]
}

const (
	histEntity = iota
	histActor
	histTime
	histRows
)

func newFilterPane(h ui.Host, q *histFilters, span func(int), actor func() tea.Cmd) *filterPane {
	p := &filterPane{host: h, q: q, span: span, actor: actor, list: list.New[int]()}
	p.list.SetRows(histFilterRows{p})
	return p
}

func (p *filterPane) Bindings() []*ui.Binding { return ui.ListNav(p.list, nil) }

func (p *filterPane) SetSize(w, h int) { p.list.SetSize(w, h) }

// Update: enter edits the entity (the / line) or the actor (a form), ←/→
// step the time; a click highlights a filter, the wheel moves through them.
func (p *filterPane) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		k := msg.String()
		if k != "left" && k != "right" && k != "enter" {
			return nil
		}
		d := 1
		if k == "left" {
			d = -1
		}
		switch p.list.Cursor() {
		case histEntity:
			if k == "enter" {
				return p.host.StartFilter()
			}
		case histActor:
			if k == "enter" {
				return p.actor()
			}
		case histTime:
			p.span(d)
		}
	case ui.PaneMouse:
		p.list.Mouse(msg.MouseMsg, msg.Y)
	}
	return nil
}

func (p *filterPane) View(w, h int, focused bool) []string {
	th := p.host.Theme()
	out := p.list.Lines(focused)
	for _, l := range []string{"", "↑↓ pick · ←→ change", "enter edits", "x clears all", "", "Entity: user:EMAIL,", "a kind (user, site)", "or part of a label"} {
		out = append(out, th.Muted.Render(l))
	}
	return out
}

// histFilterRows are the Filter pane's rows.
type histFilterRows struct{ p *filterPane }

func (f histFilterRows) Len() int            { return histRows }
func (f histFilterRows) Key(i int) int       { return i }
func (f histFilterRows) Selectable(int) bool { return true }

func (f histFilterRows) Render(i, w int, st list.State) string {
	q := f.p.q
	vals := [histRows]struct{ k, v, how string }{
		{"Entity", ui.Safe(q.entity), "/"},
		{"Actor", ui.Safe(q.actor), "/"},
		{"Time", "‹ " + histSpans[q.span].label + " ›", ""},
	}
	line := fmt.Sprintf(" %-6s %s", vals[i].k, vals[i].v)
	if vals[i].how != "" {
		line = fmt.Sprintf(" %-6s / %s", vals[i].k, vals[i].v)
	}
	if st.Focused && st.Cursor {
		line = f.p.host.Theme().Cursor.Render(ui.Fit("›"+line[1:], w))
	}
	return line
}
