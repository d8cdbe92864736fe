package self

import (
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/gatehouse/gatehouse/tui/ui"
)

// sitesPane is the right pane: the actor's sites and teams, and for a client
// user the employees assigned to their client. It only scrolls.
type sitesPane struct {
	host ui.Host
	acc  *access // the screen's

	scroll ui.ScrollPane
	w, h   int
}

func (p *sitesPane) Bindings() []*ui.Binding { return ui.NavBindings(ui.NavKeys, &p.scroll, nil) }

func (p *sitesPane) SetSize(w, h int) {
	p.w, p.h = w, h
	p.fit()
}

// fit sets the scroll's limit for the lines at the pane's size.
func (p *sitesPane) fit() { p.scroll.Fit(len(p.lines(p.w)), p.h) }

// Update: the pane only scrolls, by its bindings.
func (p *sitesPane) Update(tea.Msg) tea.Cmd { return nil }

func (p *sitesPane) View(w, h int, focused bool) []string {
	return scrolled(p.lines(w), p.scroll.Off, h)
}

// lines is the pane's whole text at width w, wrapped so that nothing loses
// its end (an email breaks after its @ or a dot).
func (p *sitesPane) lines(w int) []string {
	th := p.host.Theme()
	if p.acc.err != nil {
		return p.acc.failed(th, w)
	}
	e, team := p.acc.eff, p.acc.team
	plain := lipgloss.NewStyle()
	var out []string
	if len(e.Sites) == 0 {
		out = append(out, th.Muted.Render("no sites assigned"))
	}
	for _, site := range e.Sites {
		out = append(out, ui.WrapStyled(plain, ui.Safe(site), w, " ")...)
	}
	if len(e.Teams) > 0 {
		out = append(out, "", th.Header.Render("Teams"))
		for _, t := range e.Teams {
			out = append(out, ui.WrapStyled(plain, ui.Safe(t), w, " ")...)
		}
	}
	if team != nil || e.Type == "client" {
		out = append(out, "")
		out = append(out, ui.WrapStyled(th.Header, "Employees assigned to my client", w, " ")...)
		if len(team) == 0 {
			out = append(out, th.Muted.Render("none"))
		}
		for _, m := range team {
			out = append(out, ui.WrapStyled(plain, m.name, w, " ")...)
			out = append(out, ui.WrapStyled(th.Muted, " "+m.email, w, "@.")...)
		}
	}
	return out
}
