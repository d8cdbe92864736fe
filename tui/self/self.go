// Package self is the My access screen: the console of someone who may
// see only their own access.
package self

import (
	"fmt"
	"slices"
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/gatehouse/gatehouse/store"
	"github.com/gatehouse/gatehouse/tui/ui"
)

// Screen is the whole console of someone without access to Users &
// permissions (client users, most employees): read-only, about themselves —
// their profile, effective access per screen, their sites, and for a client
// user the employees assigned to their client.
type Screen struct {
	host   ui.Host
	eff    *store.Effective
	team   []teamMember // employees assigned to the client user's client
	err    error
	offset [3]int
	size   [3]ui.PaneSize
}

func (s *Screen) SetSize(p [3]ui.PaneSize) { s.size = p }

// New is the screen for the console's actor.
func New(h ui.Host) ui.Screen {
	s := &Screen{host: h}
	s.Reload()
	return s
}

func (s *Screen) Name() string { return "My access" }
func (s *Screen) Panes() [3]string {
	return [3]string{"Me", "Screens I may use", "My sites"}
}
func (s *Screen) Bindings() []*ui.Binding { return nil }
func (s *Screen) Pending() int            { return 0 }
func (s *Screen) Discard()                {}
func (s *Screen) SetFilter(string)        {}
func (s *Screen) Filter() string          { return "" }

func (s *Screen) Reload() {
	s.eff, s.err = s.host.Store().EffectiveByID(s.host.Actor().UserID)
	s.team = nil
	u, err := s.host.Store().UserByID(s.host.Actor().UserID)
	if err != nil || u.Type != store.ClientUser || len(u.ClientIDs) == 0 {
		return
	}
	client := u.ClientIDs[0]
	s.host.Store().EachUser(func(e *store.User) {
		if e.Type != store.Employee || e.Disabled {
			return
		}
		for _, c := range e.ClientIDs {
			if c == client {
				s.team = append(s.team, teamMember{ui.Safe(e.Name()), ui.Safe(e.Email)})
				return
			}
		}
	})
	slices.SortFunc(s.team, func(a, b teamMember) int {
		return strings.Compare(strings.ToLower(a.name+" "+a.email), strings.ToLower(b.name+" "+b.email))
	})
}

type teamMember struct{ name, email string }

func (s *Screen) Key(msg tea.KeyPressMsg, pane int) tea.Cmd {
	switch msg.String() {
	case "down", "j":
		s.offset[pane] = min(s.offset[pane]+1, max(len(s.lines(pane, s.size[pane].W))-s.size[pane].H, 0))
	case "up", "k":
		s.offset[pane] = max(s.offset[pane]-1, 0)
	}
	return nil
}

func (s *Screen) Header(w int) string {
	if s.eff == nil {
		return "my access"
	}
	return fmt.Sprintf("%s · %s · profile %s · %s", s.eff.Name, s.eff.Email, s.eff.Profile, s.eff.Status)
}

func (s *Screen) Render(pane, w, h int, focused bool) []string {
	out := s.lines(pane, w)
	return out[min(s.offset[pane], max(len(out)-h, 0)):]
}

// lines is a pane's whole text at width w, wrapped so that nothing loses
// its end (an email breaks after its @ or a dot).
func (s *Screen) lines(pane, w int) []string {
	th := s.host.Theme()
	if s.err != nil {
		return ui.WrapStyled(th.Bad, ui.SafeErr(s.err), w, " ")
	}
	e := s.eff
	var out []string
	switch pane {
	case 0:
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
	case 1:
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
	case 2:
		if len(e.Sites) == 0 {
			out = append(out, th.Muted.Render("no sites assigned"))
		}
		for _, site := range e.Sites {
			out = append(out, ui.WrapStyled(lipgloss.NewStyle(), ui.Safe(site), w, " ")...)
		}
		if len(e.Teams) > 0 {
			out = append(out, "", th.Header.Render("Teams"))
			for _, t := range e.Teams {
				out = append(out, ui.WrapStyled(lipgloss.NewStyle(), ui.Safe(t), w, " ")...)
			}
		}
		if s.team != nil || e.Type == "client" {
			out = append(out, "")
			out = append(out, ui.WrapStyled(th.Header, "Employees assigned to my client", w, " ")...)
			if len(s.team) == 0 {
				out = append(out, th.Muted.Render("none"))
			}
			for _, m := range s.team {
				out = append(out, ui.WrapStyled(lipgloss.NewStyle(), m.name, w, " ")...)
				out = append(out, ui.WrapStyled(th.Muted, " "+m.email, w, "@.")...)
			}
		}
	}
	return out
}

// labelled is "Label     value", the value wrapped under itself.
func labelled(label, value string, w int) []string {
	const lw = 10
	lines := strings.Split(ansi.Wrap(value, max(w-lw, 8), " "), "\n")
	for i, l := range lines {
		if i == 0 {
			lines[i] = fmt.Sprintf("%-*s%s", lw, label, l)
		} else {
			lines[i] = strings.Repeat(" ", lw) + l
		}
	}
	return lines
}
