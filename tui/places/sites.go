package places

import (
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/gatehouse/gatehouse/store"
	"github.com/gatehouse/gatehouse/tui/list"
	"github.com/gatehouse/gatehouse/tui/ui"
)

// sitesPane is the middle pane: the sites of the Clients pane's row that
// match the "/" filter; ←/→ step through the clients from here.
type sitesPane struct {
	host ui.Host
	data *placesData // the screen's
	// left is the Clients pane's row and client; step moves it; teams makes
	// the teams follow the highlighted site, from their first if first
	// (the screen's wiring)
	left  func() (int, *store.Client)
	step  func(d int)
	teams func(first bool)

	rows []*store.Site
	q    string // the "/" filter on sites
	list *list.Model[uint64]
}

func newSitesPane(h ui.Host, d *placesData, left func() (int, *store.Client), step func(int), teams func(bool)) *sitesPane {
	p := &sitesPane{host: h, data: d, left: left, step: step, teams: teams, list: list.New[uint64]()}
	p.list.SetTop(1) // below the column headings
	return p
}

// refilter lists the sites of the left selection matching the filter; the
// cursor stays on the same site, or goes back to the first.
func (p *sitesPane) refilter() {
	row, client := p.left()
	q := strings.ToLower(p.q)
	var rows []*store.Site
	for _, s := range p.data.sites {
		switch {
		case row == placesOwn && s.ClientID != 0:
			continue
		case client != nil && s.ClientID != client.ID:
			continue
		}
		if q != "" && !strings.Contains(strings.ToLower(s.Name), q) && !strings.Contains(strings.ToLower(p.data.owner(s)), q) {
			continue
		}
		rows = append(rows, s)
	}
	p.rows = rows
	if !p.list.SetRows(siteRows{p, rows}) {
		p.list.SetCursor(0)
	}
	p.teams(false)
}

// site is the highlighted site.
func (p *sitesPane) site() *store.Site {
	if c := p.list.Cursor(); c >= 0 && c < len(p.rows) {
		return p.rows[c]
	}
	return nil
}

func (p *sitesPane) Bindings() []*ui.Binding { return ui.ListNav(p.list, p.followMoved()) }

// followMoved shows the teams of the site highlighted, the first first,
// when a move changed it.
func (p *sitesPane) followMoved() func() {
	was := p.list.Cursor()
	return func() {
		if p.list.Cursor() != was {
			p.teams(true)
		}
	}
}

func (p *sitesPane) SetSize(w, h int) { p.list.SetSize(w, max(h-1, 1)) }

// Update: ←/→ show the previous or next client's sites; a click highlights
// a site, the wheel moves through them; the teams follow.
func (p *sitesPane) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		switch msg.String() {
		case "left":
			p.step(-1)
		case "right":
			p.step(1)
		}
	case ui.PaneMouse:
		after := p.followMoved()
		p.list.Mouse(msg.MouseMsg, msg.Y)
		after()
	}
	return nil
}

func (p *sitesPane) View(w, h int, focused bool) []string {
	th := p.host.Theme()
	if p.data.denied != "" {
		return ui.WrapLines(th.Bad.Render("you may not see clients and sites: "+ui.Safe(p.data.denied)), w)
	}
	_, client := p.left()
	c := layoutSiteCols(w, client == nil)
	head := "  " + ui.Cell("SITE", c.name) + ui.Cell("CLIENT", c.owner) + fmt.Sprintf("%*s %*s", c.teams-1, "TEAMS", c.users-1, "USERS")
	out := []string{th.Header.Render(ui.Fit(head, w))}
	if len(p.rows) == 0 {
		msg := "  no sites here: a adds one"
		if p.q != "" {
			msg = "  no site matches " + fmt.Sprintf("%q", ui.Safe(p.q)) + "; esc clears"
		}
		return append(out, th.Muted.Render(msg))
	}
	return p.list.AppendLines(out, focused)
}

type siteCols struct{ name, owner, teams, users int }

func layoutSiteCols(w int, owner bool) siteCols {
	c := siteCols{teams: 6, users: 6}
	rest := w - 2 - c.teams - c.users
	if owner {
		c.name = rest * 55 / 100
		c.owner = rest - c.name
	} else {
		c.name = rest
	}
	return c
}

// siteRows are the sites listed.
type siteRows struct {
	p    *sitesPane
	rows []*store.Site
}

func (r siteRows) Len() int            { return len(r.rows) }
func (r siteRows) Key(i int) uint64    { return r.rows[i].ID }
func (r siteRows) Selectable(int) bool { return true }

func (r siteRows) Render(i, w int, st list.State) string {
	d, s := r.p.data, r.rows[i]
	_, client := r.p.left()
	owner := client == nil
	c := layoutSiteCols(w, owner)
	mark := " "
	if st.Cursor {
		mark = "›"
	}
	line := mark + " " + ui.Cell(ui.Safe(s.Name), c.name)
	if owner {
		line += ui.Cell(ui.Safe(d.owner(s)), c.owner)
	}
	line += fmt.Sprintf("%*d %*d", c.teams-1, len(d.teams[s.ID]), c.users-1, d.count.sites[s.ID])
	return ui.RowStyle(r.p.host.Theme(), ui.Fit(line, w), st.Cursor, st.Focused)
}
