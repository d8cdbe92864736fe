package tui

import (
	"fmt"
	"slices"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/gatehouse/gatehouse/store"
)

// selfScreen is the whole console of someone without access to Users &
// permissions (client users, most employees): read-only, about themselves —
// their profile, effective access per screen, their sites, and for a client
// user the employees assigned to their client.
type selfScreen struct {
	a      *App
	eff    *store.Effective
	team   []string // employees assigned to the client user's client
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
				s.team = append(s.team, safe(e.Name())+" <"+safe(e.Email)+">")
				return
			}
		}
	})
	sortStrings(s.team)
}

func (s *selfScreen) key(msg tea.KeyPressMsg, pane int) tea.Cmd {
	switch msg.String() {
	case "down", "j":
		s.offset[pane] = min(s.offset[pane]+1, max(len(s.content(pane, s.size[pane].w))-s.size[pane].h, 0))
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
	out := s.content(pane, w)
	off := min(s.offset[pane], max(len(out)-h, 0)) // a resize may have left less to scroll
	return out[off:]
}

// content is a pane's lines, all of them.
func (s *selfScreen) content(pane, w int) []string {
	th := s.a.th
	if s.err != nil {
		return []string{th.bad.Render(safeErr(s.err))}
	}
	e := s.eff
	var out []string
	switch pane {
	case 0:
		out = []string{th.bold.Render(safe(e.Name)), safe(e.Email), "",
			"Type      " + safe(e.Type), "Profile   " + safe(e.Profile), "Scope     " + safe(e.Scope), "Status    " + safe(e.Status)}
		if len(e.Clients) > 0 {
			out = append(out, "Clients   "+safeJoin(e.Clients, ", "))
		}
		out = append(out, "", th.header.Render("Features"))
		for _, f := range e.Features {
			v := "off"
			if f.Effective {
				v = "on"
			}
			out = append(out, fmt.Sprintf(" %-20s %s", safe(f.Title), v))
		}
		out = append(out, "", th.muted.Render("You may view only. Ask an"), th.muted.Render("administrator for changes."))
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
			out = append(out, "", th.muted.Render(safe(n)))
		}
	case 2:
		if len(e.Sites) == 0 {
			out = append(out, th.muted.Render("no sites assigned"))
		}
		for _, site := range e.Sites {
			out = append(out, safe(site))
		}
		if len(e.Teams) > 0 {
			out = append(out, "", th.header.Render("Teams"))
			for _, t := range e.Teams {
				out = append(out, safe(t))
			}
		}
		if s.team != nil || e.Type == "client" {
			out = append(out, "", th.header.Render("Employees assigned to my client"))
			if len(s.team) == 0 {
				out = append(out, th.muted.Render("none"))
			}
			out = append(out, s.team...)
		}
	}
	return out
}

func sortStrings(v []string) {
	slices.SortFunc(v, func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) })
}
