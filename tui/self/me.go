package self

import (
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/gatehouse/gatehouse/tui/ui"
)

// mePane is the left pane: who the actor is, their profile and their
// features. It only scrolls.
type mePane struct {
	host ui.Host
	acc  *access // the screen's

	scroll ui.ScrollPane
	w, h   int
}

func (p *mePane) Bindings() []*ui.Binding { return ui.NavBindings(ui.NavKeys, &p.scroll, nil) }

func (p *mePane) SetSize(w, h int) {
	p.w, p.h = w, h
	p.fit()
}

// fit sets the scroll's limit for the lines at the pane's size.
func (p *mePane) fit() { p.scroll.Fit(len(p.lines(p.w)), p.h) }

// Update: the pane only scrolls, by its bindings.
func (p *mePane) Update(tea.Msg) tea.Cmd { return nil }

func (p *mePane) View(w, h int, focused bool) []string {
	return scrolled(p.lines(w), p.scroll.Off, h)
}

// lines is the pane's whole text at width w, wrapped so that nothing loses
// its end (an email breaks after its @ or a dot).
func (p *mePane) lines(w int) []string {
	th := p.host.Theme()
	if p.acc.err != nil {
		return p.acc.failed(th, w)
	}
	e := p.acc.eff
	var out []string
	out = append(out, ui.WrapStyled(th.Bold, ui.Safe(e.Name), w, " ")...)
	out = append(out, ui.WrapStyled(lipgloss.NewStyle(), ui.Safe(e.Email), w, "@.")...)
	out = append(out, "")
	out = append(out, labelled("Type", ui.Safe(e.Type), w)...)
	out = append(out, labelled("Profile", ui.Safe(e.Profile), w)...)
	out = append(out, labelled("Scope", ui.Safe(e.Scope), w)...)
	out = append(out, labelled("Status", ui.Safe(e.Status), w)...)
	if len(e.Clients) > 0 {
		out = append(out, labelled("Clients", ui.SafeJoin(e.Clients, ", "), w)...)
	}
	out = append(out, "", th.Header.Render("Features"))
	var titles, values []string
	for _, f := range e.Features {
		v := "off"
		if f.Effective {
			v = "on"
		}
		titles, values = append(titles, ui.Safe(f.Title)), append(values, v)
	}
	out = append(out, ui.ValueRows(" ", titles, values, w)...) // the value shows; a long title is cut
	out = append(out, "")
	out = append(out, ui.WrapStyled(th.Muted, "You may view only. Ask an administrator for changes.", w, " ")...)
	return out
}
