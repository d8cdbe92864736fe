package tui

import (
	"fmt"
	"slices"
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/gatehouse/gatehouse/store"
)

// selfScreen is the whole console of someone without access to Users &
// permissions (client users, most employees): read-only, about themselves —
// their profile, effective access per screen, their sites, and for a client
// user the employees assigned to their client.
type selfScreen struct {
	a      *App
	eff    *store.Effective
	team   []teamMember // employees assigned to the client user's client
	err    error
	offset [3]int
	size   [3]paneSize
}

func (s *selfScreen) setSize(p [3]paneSize) { s.size = p }

func newSelfScreen(a *App) *selfScreen {
	s := &selfScreen{a: a}
	s.reload()
	return s
}

func (s *selfScreen) name() string { return "My access" }
func (s *selfScreen) panes() [3]string {
	return [3]string{"Me", "Screens I may use", "My sites"}
}
func (s *selfScreen) bindings() []*binding { return nil }
func (s *selfScreen) pending() int         { return 0 }
func (s *selfScreen) discard()             {}
func (s *selfScreen) setFilter(string)     {}
func (s *selfScreen) filter() string       { return "" }

func (s *selfScreen) reload() {
	s.eff, s.err = s.a.s.EffectiveByID(s.a.actor.UserID)
	s.team = nil
	u, err := s.a.s.UserByID(s.a.actor.UserID)
	if err != nil || u.Type != store.ClientUser || len(u.ClientIDs) == 0 {
		return
	}
	client := u.ClientIDs[0]
	s.a.s.EachUser(func(e *store.User) {
		if e.Type != store.Employee || e.Disabled {
			return
		}
		for _, c := range e.ClientIDs {
			if c == client {
				s.team = append(s.team, teamMember{safe(e.Name()), safe(e.Email)})
				return
			}
		}
	})
	slices.SortFunc(s.team, func(a, b teamMember) int {
		return strings.Compare(strings.ToLower(a.name+" "+a.email), strings.ToLower(b.name+" "+b.email))
	})
}

type teamMember struct{ name, email string }

func (s *selfScreen) key(msg tea.KeyPressMsg, pane int) tea.Cmd {
	switch msg.String() {
	case "down", "j":
		s.offset[pane] = min(s.offset[pane]+1, max(len(s.lines(pane, s.size[pane].w))-s.size[pane].h, 0))
	case "up", "k":
		s.offset[pane] = max(s.offset[pane]-1, 0)
	}
	return nil
}

func (s *selfScreen) header(w int) string {
	if s.eff == nil {
		return "my access"
	}
	return fmt.Sprintf("%s · %s · profile %s · %s", s.eff.Name, s.eff.Email, s.eff.Profile, s.eff.Status)
}

func (s *selfScreen) render(pane, w, h int, focused bool) []string {
	out := s.lines(pane, w)
	return out[min(s.offset[pane], max(len(out)-h, 0)):]
}

// lines is a pane's whole text at width w, wrapped so that nothing loses
// its end (an email breaks after its @ or a dot).
func (s *selfScreen) lines(pane, w int) []string {
	th := s.a.th
	if s.err != nil {
		return wrapStyled(th.bad, safeErr(s.err), w, " ")
	}
	e := s.eff
	var out []string
	switch pane {
	case 0:
		out = append(out, wrapStyled(th.bold, safe(e.Name), w, " ")...)
		out = append(out, wrapStyled(lipgloss.NewStyle(), safe(e.Email), w, "@.")...)
		out = append(out, "")
		out = append(out, labelled("Type", safe(e.Type), w)...)
		out = append(out, labelled("Profile", safe(e.Profile), w)...)
		out = append(out, labelled("Scope", safe(e.Scope), w)...)
		out = append(out, labelled("Status", safe(e.Status), w)...)
		if len(e.Clients) > 0 {
			out = append(out, labelled("Clients", safeJoin(e.Clients, ", "), w)...)
		}
		out = append(out, "", th.header.Render("Features"))
		var titles, values []string
		for _, f := range e.Features {
			v := "off"
			if f.Effective {
				v = "on"
			}
			titles, values = append(titles, safe(f.Title)), append(values, v)
		}
		out = append(out, valueRows(" ", titles, values, w)...) // the value shows; a long title is cut
		out = append(out, "")
		out = append(out, wrapStyled(th.muted, "You may view only. Ask an administrator for changes.", w, " ")...)
	case 1:
		for _, l := range e.Levels {
			mark := " "
			if l.Sensitive {
				mark = "!"
			}
			lv := l.Level
			if lv == "none" {
				lv = th.muted.Render("—")
			}
			out = append(out, fmt.Sprintf("%s %-22s %s", mark, safe(l.Title), lv))
		}
		for _, n := range e.Notes {
			out = append(out, "")
			out = append(out, wrapStyled(th.muted, safe(n), w, " ")...)
		}
	case 2:
		if len(e.Sites) == 0 {
			out = append(out, th.muted.Render("no sites assigned"))
		}
		for _, site := range e.Sites {
			out = append(out, wrapStyled(lipgloss.NewStyle(), safe(site), w, " ")...)
		}
		if len(e.Teams) > 0 {
			out = append(out, "", th.header.Render("Teams"))
			for _, t := range e.Teams {
				out = append(out, wrapStyled(lipgloss.NewStyle(), safe(t), w, " ")...)
			}
		}
		if s.team != nil || e.Type == "client" {
			out = append(out, "")
			out = append(out, wrapStyled(th.header, "Employees assigned to my client", w, " ")...)
			if len(s.team) == 0 {
				out = append(out, th.muted.Render("none"))
			}
			for _, m := range s.team {
				out = append(out, wrapStyled(lipgloss.NewStyle(), m.name, w, " ")...)
				out = append(out, wrapStyled(th.muted, " "+m.email, w, "@.")...)
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

// wrapStyled wraps plain text at w (breaking after any of breaks) and
// styles each line.
func wrapStyled(st lipgloss.Style, text string, w int, breaks string) []string {
	lines := strings.Split(ansi.Wrap(text, max(w, 1), breaks), "\n")
	for i, l := range lines {
		lines[i] = st.Render(l)
	}
	return lines
}
