package self

import (
	"fmt"

	tea "charm.land/bubbletea/v2"

	"github.com/gatehouse/gatehouse/tui/ui"
)

// screensPane is the middle pane: the actor's level on each screen, and the
// notes on them. It only scrolls.
type screensPane struct {
	host ui.Host
	acc  *access // the screen's

	scroll ui.ScrollPane
	w, h   int
}

func (p *screensPane) Bindings() []*ui.Binding { return ui.NavBindings(ui.NavKeys, &p.scroll, nil) }

func (p *screensPane) SetSize(w, h int) {
	p.w, p.h = w, h
	p.fit()
}

// fit sets the scroll's limit for the lines at the pane's size.
func (p *screensPane) fit() { p.scroll.Fit(len(p.lines(p.w)), p.h) }

// Update: the pane only scrolls, by its bindings.
func (p *screensPane) Update(tea.Msg) tea.Cmd { return nil }

func (p *screensPane) View(w, h int, focused bool) []string {
	return scrolled(p.lines(w), p.scroll.Off, h)
}

// lines is the pane's whole text at width w (a long note wraps).
func (p *screensPane) lines(w int) []string {
	th := p.host.Theme()
	if p.acc.err != nil {
		return p.acc.failed(th, w)
	}
	e := p.acc.eff
	var out []string
	for _, l := range e.Levels {
		mark := " "
		if l.Sensitive {
			mark = "!"
		}
		lv := l.Level
		if lv == "none" {
			lv = th.Muted.Render("—")
		}
		out = append(out, fmt.Sprintf("%s %-22s %s", mark, ui.Safe(l.Title), lv))
	}
	for _, n := range e.Notes {
		out = append(out, "")
		out = append(out, ui.WrapStyled(th.Muted, ui.Safe(n), w, " ")...)
	}
	return out
}
