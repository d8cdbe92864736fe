// Package self is the My access screen: the console of someone who may
// see only their own access.
package self

import (
	"fmt"
	"slices"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/gatehouse/gatehouse/store"
	"github.com/gatehouse/gatehouse/tui/ui"
)

// Screen is the whole console of someone without access to Users &
// permissions (client users, most employees): read-only, about themselves —
// their profile, effective access per screen, their sites, and for a client
// user the employees assigned to their client.
//
// It composes its three panes (each only scrolls) and owns what they share:
// the actor's access as last read.
type Screen struct {
	host ui.Host
	acc  *access

	me      *mePane
	screens *screensPane
	sites   *sitesPane
	panes   ui.Panes
}

// access is what the panes show: the actor's effective access, and for a
// client user the employees assigned to their client.
type access struct {
	eff  *store.Effective
	team []teamMember
	err  error
}

type teamMember struct{ name, email string }

// New is the screen for the console's actor.
func New(h ui.Host) ui.Screen {
	s := &Screen{host: h, acc: &access{}}
	s.me = &mePane{host: h, acc: s.acc}
	s.screens = &screensPane{host: h, acc: s.acc}
	s.sites = &sitesPane{host: h, acc: s.acc}
	s.panes = ui.Panes{s.me, s.screens, s.sites}
	s.Reload()
	return s
}

func (s *Screen) Name() string { return "My access" }
func (s *Screen) Panes() [3]string {
	return [3]string{"Me", "Screens I may use", "My sites"}
}

// Bindings are the focused pane's: the screen has no keys of its own.
func (s *Screen) Bindings() []*ui.Binding { return s.panes[s.host.Focus()].Bindings() }
func (s *Screen) Pending() int            { return 0 }
func (s *Screen) Discard()                {}
func (s *Screen) SetFilter(string)        {}
func (s *Screen) Filter() string          { return "" }

func (s *Screen) Reload() {
	a := s.acc
	a.eff, a.err = s.host.Store().EffectiveByID(s.host.Actor().UserID)
	a.team = nil
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
				a.team = append(a.team, teamMember{ui.Safe(e.Name()), ui.Safe(e.Email)})
				return
			}
		}
	})
	slices.SortFunc(a.team, func(x, y teamMember) int {
		return strings.Compare(strings.ToLower(x.name+" "+x.email), strings.ToLower(y.name+" "+y.email))
	})
}

func (s *Screen) Key(msg tea.KeyPressMsg, pane int) tea.Cmd { return s.panes.Key(msg, pane) }

func (s *Screen) SetSize(p [3]ui.PaneSize) { s.panes.SetSize(p) }

// Prepare fits each pane's scroll to its lines as they are now.
func (s *Screen) Prepare() {
	s.me.fit()
	s.screens.fit()
	s.sites.fit()
}

func (s *Screen) Header(w int) string {
	if s.acc.eff == nil {
		return "my access"
	}
	e := s.acc.eff
	return fmt.Sprintf("%s · %s · profile %s · %s", e.Name, e.Email, e.Profile, e.Status)
}

func (s *Screen) Render(pane, w, h int, focused bool) []string {
	return s.panes.Render(pane, w, h, focused)
}

// scrolled is a pane's lines from its offset, as many as fit in h (the
// offset kept within what a pane of h lines can show).
func scrolled(lines []string, off, h int) []string {
	return lines[min(off, max(len(lines)-h, 0)):]
}

// failed is the pane's text when the access could not be read.
func (a *access) failed(th *ui.Theme, w int) []string {
	return ui.WrapStyled(th.Bad, ui.SafeErr(a.err), w, " ")
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
