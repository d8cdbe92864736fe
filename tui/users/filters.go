package users

import (
	"fmt"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/gatehouse/gatehouse/tui/list"
	"github.com/gatehouse/gatehouse/tui/ui"
)

const (
	filterType = iota
	filterStatus
	filterProfile
	filterSite
	filterText
	filterRows
)

// filtersPane is the left pane: one row per filter of the shared query,
// changed in place with ←/→.
type filtersPane struct {
	host ui.Host
	cat  *catalog
	q    *userQuery // the screen's, which the user list follows
	// changed refilters the list; selected counts its selection (the
	// screen's wiring)
	changed  func()
	selected func() int

	list *list.Model[int]
}

func newFiltersPane(h ui.Host, cat *catalog, q *userQuery, changed func(), selected func() int) *filtersPane {
	p := &filtersPane{host: h, cat: cat, q: q, changed: changed, selected: selected, list: list.New[int]()}
	p.list.SetRows(filterList{p})
	return p
}

func (p *filtersPane) Bindings() []*ui.Binding { return ui.ListNav(p.list, nil) }

func (p *filtersPane) SetSize(w, h int) { p.list.SetSize(w, h) }

// Update changes the highlighted filter; a click highlights one, the wheel
// moves through them.
func (p *filtersPane) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		row := p.list.Cursor()
		switch msg.String() {
		case "left":
			p.cycle(row, -1)
		case "right", "enter":
			if row == filterText {
				return p.host.StartFilter()
			}
			p.cycle(row, 1)
		}
	case ui.PaneMouse:
		p.list.Mouse(msg.MouseMsg, msg.Y)
	}
	return nil
}

// cycle steps one filter through its choices; the list follows.
func (p *filtersPane) cycle(row, d int) {
	switch row {
	case filterType:
		p.q.typ = (p.q.typ + d + len(typeChoices)) % len(typeChoices)
	case filterStatus:
		p.q.status = (p.q.status + d + len(statusChoices)) % len(statusChoices)
	case filterProfile:
		p.q.profile = cycleID(p.q.profile, d, len(p.cat.profiles), func(i int) uint64 { return p.cat.profiles[i].ID })
	case filterSite:
		p.q.site = cycleID(p.q.site, d, len(p.cat.sites), func(i int) uint64 { return p.cat.sites[i].ID })
	}
	p.changed()
}

// cycleID steps through "any" (0) and n ids.
func cycleID(cur uint64, d, n int, id func(int) uint64) uint64 {
	pos := 0 // 0 = any, i+1 = id(i)
	for i := 0; i < n; i++ {
		if id(i) == cur {
			pos = i + 1
		}
	}
	pos = (pos + d + n + 1) % (n + 1)
	if pos == 0 {
		return 0
	}
	return id(pos - 1)
}

func (p *filtersPane) profileLabel() string {
	if p.q.profile == 0 {
		return "any"
	}
	return p.cat.names.Profile(p.q.profile)
}

func (p *filtersPane) siteLabel() string {
	if p.q.site == 0 {
		return "any"
	}
	return p.cat.names.Site(p.q.site)
}

// filterList is the Filters pane's rows.
type filterList struct{ p *filtersPane }

func (f filterList) Len() int            { return filterRows }
func (f filterList) Key(i int) int       { return i }
func (f filterList) Selectable(int) bool { return true }

func (f filterList) Render(i, w int, st list.State) string {
	p := f.p
	var label, value string
	switch i {
	case filterType:
		label, value = "Show", typeChoices[p.q.typ]
	case filterStatus:
		label, value = "Status", statusChoices[p.q.status].label
	case filterProfile:
		label, value = "Profile", ui.Safe(p.profileLabel())
	case filterSite:
		label, value = "Site", ui.Safe(p.siteLabel())
	default:
		label, value = "Search", "/"+ui.Safe(p.q.text)
	}
	// the labels line up where there is room; in a narrow pane the value
	// keeps its end and the label's padding goes first
	lw := max(min(7, w-2-ansi.StringWidth(value)), len(label))
	line := fmt.Sprintf(" %-*s %s", lw, label, value)
	if st.Focused && st.Cursor {
		line = p.host.Theme().Cursor.Render(ui.Fit("›"+line[1:], w))
	}
	return line
}

// View: the filters, then the size of the selection they act on.
func (p *filtersPane) View(w, h int, focused bool) []string {
	th := p.host.Theme()
	out := p.list.Lines(focused)
	n := p.selected()
	out = append(out, "", th.Muted.Render(" ↑↓ pick · ←→ change"))
	out = append(out, "", fmt.Sprintf("Selected  %d", n))
	if n > 0 {
		out = append(out, th.Muted.Render("esc (in the list) clears"))
	}
	return out
}
