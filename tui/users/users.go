// Package users is the Users screen: filters, the user list (100,000
// users and more, from an index every console on the store shares), and
// the highlighted user's details and effective access. The forms that
// change users open from here.
package users

import (
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/gatehouse/gatehouse/store"
	"github.com/gatehouse/gatehouse/tui/ui"
)

// Screen: filters | the user list | the highlighted user's details.
//
// It composes the three panes and owns what they share: the query the
// Filters pane and "/" change and the list follows, and the names every
// pane shows. It has no pending edits: each change applies at once.
type Screen struct {
	host ui.Host
	q    userQuery
	cat  catalog

	filters *filtersPane
	users   *listPane
	details *detailsPane
	panes   ui.Panes
}

// catalog is what the panes name users' profiles, clients and sites by,
// and what the Filters pane cycles through.
type catalog struct {
	names    store.Names
	profiles []*store.Profile
	sites    []*store.Site
}

func (c *catalog) load(s *store.Store) {
	c.names, c.profiles, c.sites = s.Names(), s.Profiles(), s.Sites()
}

// New is the Users screen of a console.
func New(h ui.Host) ui.Screen {
	u := &Screen{host: h}
	u.users = newListPane(h, &u.cat, &u.q)
	u.filters = newFiltersPane(h, &u.cat, &u.q, func() { u.users.refilter(true) }, u.users.list.MarkCount)
	u.details = &detailsPane{host: h, cat: &u.cat, user: u.users.Current, nav: u.users.Bindings}
	u.panes = ui.Panes{u.filters, u.users, u.details}
	u.Reload()
	return u
}

func (u *Screen) Name() string { return "Users" }

func (u *Screen) Panes() [3]string { return [3]string{"Filters", u.users.title(), "Details"} }

// Reload re-reads every user (startup, ctrl+r, and change events).
func (u *Screen) Reload() {
	u.details.forget()
	u.cat.load(u.host.Store())
	u.users.reload()
}

// Settle waits for the index of a quick start (the list's).
func (u *Screen) Settle() { u.users.Settle() }

// Deferring: a quick start's index waits for the first frame.
func (u *Screen) Deferring() bool { return u.users.Deferring() }

// FrameOut starts the index a quick start put off, and says when it is built.
func (u *Screen) FrameOut() <-chan struct{} { return u.users.FrameOut() }

// Refresh follows one change event: only the touched users move, unless the
// event touched the catalog (names, profiles) or very many users.
func (u *Screen) Refresh(ev store.Event) {
	u.Settle()
	var ids []uint64
	rights := false // what the actor may see may have moved for everyone
	for _, r := range ev.Refs {
		if r.Kind == "user" {
			ids = append(ids, r.ID)
			rights = rights || r.ID == u.host.Actor().UserID
		} else {
			// names of profiles, clients or sites may have changed
			u.cat.load(u.host.Store())
			rights = true
		}
	}
	u.users.refresh(ev.Batch, ids, rights)
	u.details.forget()
}

func (u *Screen) current() *userRow      { return u.users.current() }
func (u *Screen) targets() []*store.User { return u.users.targets() }
func (u *Screen) hiddenNote() string     { return u.users.hiddenNote() }

// Current is the highlighted user (nil: none).
func (u *Screen) Current() *store.User { return u.users.Current() }

// Listed are the users the list shows, in its order.
func (u *Screen) Listed() []*store.User { return u.users.Listed() }

func (u *Screen) Pending() int { return 0 }
func (u *Screen) Discard()     {}
func (u *Screen) Filter() string {
	return u.q.text
}

func (u *Screen) SetFilter(q string) {
	u.q.text = strings.ToLower(strings.TrimSpace(q))
	u.users.refilter(false)
}

// Key: the focused pane's (the Filters pane changes its filter; the list
// keys are bindings).
func (u *Screen) Key(msg tea.KeyPressMsg, pane int) tea.Cmd { return u.panes.Key(msg, pane) }

// Mouse: a click highlights a filter or a user, the wheel moves through them.
func (u *Screen) Mouse(msg tea.MouseMsg, pane, x, y int) tea.Cmd {
	return u.panes.Mouse(msg, pane, x, y)
}

// Header is the Filters pane folded into one line (two-pane layout): the
// filters that narrow the list, then where to change them. Those left at
// "any" are named only where the line has room, so the hint never goes.
func (u *Screen) Header(w int) string {
	parts := []string{typeChoices[u.q.typ], "status " + statusChoices[u.q.status].label}
	var idle []string
	if u.q.profile != 0 {
		parts = append(parts, "profile "+u.filters.profileLabel())
	} else {
		idle = append(idle, "profile any")
	}
	if u.q.site != 0 {
		parts = append(parts, "site "+u.filters.siteLabel())
	} else {
		idle = append(idle, "site any")
	}
	if u.q.text != "" {
		parts = append(parts, fmt.Sprintf("search %q", u.q.text))
	}
	const hint = "tab: filters"
	for _, p := range idle {
		if ansi.StringWidth(strings.Join(append(append(parts, p), hint), " · ")) <= w {
			parts = append(parts, p)
		}
	}
	return strings.Join(append(parts, hint), " · ")
}

func (u *Screen) SetSize(p [3]ui.PaneSize) { u.panes.SetSize(p) }

// Prepare filters again if a change made the rows stale, and counts and
// builds what the next frame shows.
func (u *Screen) Prepare() {
	u.users.prepare()
	u.details.prepare()
}

func (u *Screen) Render(pane, w, h int, focused bool) []string {
	return u.panes.Render(pane, w, h, focused)
}

func (u *Screen) CopyText() (string, string) {
	r := u.current()
	if r == nil {
		return "", ""
	}
	return "the email " + r.u.Email, r.u.Email
}
