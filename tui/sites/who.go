package sites

import (
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/gatehouse/gatehouse/store"
	"github.com/gatehouse/gatehouse/tui/ui"
)

// whoPane is the left pane: whom the moves are for, whether any conflict,
// and what is pending. It only shows: its text is the screen's state.
type whoPane struct {
	s *Screen
}

func (p *whoPane) Bindings() []*ui.Binding { return nil }
func (p *whoPane) SetSize(w, h int)        {}
func (p *whoPane) Update(tea.Msg) tea.Cmd  { return nil }

func (p *whoPane) View(w, h int, focused bool) []string {
	s := p.s
	th := s.host.Theme()
	var out []string
	add := func(st lipgloss.Style, text string) {
		for _, line := range strings.Split(ansi.Wrap(text, w, ""), "\n") {
			out = append(out, st.Render(line))
		}
	}
	// an email breaks after its "@" or a dot, not in the middle of a word
	addEmail := func(st lipgloss.Style, email string) {
		for _, line := range strings.Split(ansi.Wrap(email, w, "@."), "\n") {
			out = append(out, st.Render(line))
		}
	}
	plain := lipgloss.NewStyle()
	if len(s.who) == 0 {
		add(th.Bold, "Nobody chosen")
		out = append(out, "")
		add(plain, "Pick users on screen 1 (space selects, enter opens here).")
		return out
	}
	var names []*store.User
	if len(s.who) == 1 {
		u := s.who[0]
		add(th.Bold, ui.Safe(u.Name()))
		addEmail(plain, ui.Safe(u.Email))
		add(plain, s.typeLine(u))
		add(th.Muted, "profile "+ui.Safe(s.names.Profile(u.ProfileID))+" · "+u.Status().String())
	} else {
		add(th.Bold, fmt.Sprintf("%d users", len(s.who)))
		add(plain, s.mixLine())
		names = s.who
	}
	if s.nEmp < len(s.who) {
		out = append(out, "")
		if len(s.who) == 1 {
			add(th.Muted, "Client users see only their client's sites: the others are greyed and cannot be moved.")
		} else {
			add(th.Muted, "Client users get only their own client's sites; employees get any.")
		}
	}
	if c := s.conflictText(); c != "" {
		out = append(out, "")
		add(th.Warn, c)
	}
	out = append(out, "")
	if p := len(s.pend); p > 0 {
		add(th.Pending, fmt.Sprintf("%d pending — ctrl+s saves them as one change set; esc discards", p))
	} else {
		add(th.Muted, "→/enter assigns · ← unassigns · space marks · drag with the mouse · ctrl+s saves")
	}
	if len(names) > 0 {
		room := h - len(out) - 1
		if room >= 2 {
			out = append(out, "")
			show := names
			if len(show) > room {
				show = show[:room-1]
			}
			for _, u := range show {
				out = append(out, ui.Fit(" "+ui.Safe(u.Name())+" "+th.Muted.Render(ui.Safe(u.Email)), w))
			}
			if len(show) < len(names) {
				out = append(out, th.Muted.Render(fmt.Sprintf(" …and %d more", len(names)-len(show))))
			}
		}
	}
	return out
}
