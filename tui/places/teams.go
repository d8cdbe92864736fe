package places

import (
	"fmt"

	tea "charm.land/bubbletea/v2"

	"github.com/gatehouse/gatehouse/store"
	"github.com/gatehouse/gatehouse/tui/list"
	"github.com/gatehouse/gatehouse/tui/ui"
)

// teamsPane is the right pane: the highlighted site, and its teams.
type teamsPane struct {
	host ui.Host
	data *placesData // the screen's
	// site is the Sites pane's highlighted site (the screen's wiring)
	site func() *store.Site

	list *list.Model[uint64] // the highlighted site's teams
}

// placesTeamTop is the lines above the teams: the site's name, client and
// users, a blank line and the column headings.
const placesTeamTop = 5

func newTeamsPane(h ui.Host, d *placesData, site func() *store.Site) *teamsPane {
	p := &teamsPane{host: h, data: d, site: site, list: list.New[uint64]()}
	p.list.SetTop(placesTeamTop)
	return p
}

// rows are the highlighted site's teams.
func (p *teamsPane) rows() []*store.Team {
	if s := p.site(); s != nil {
		return p.data.teams[s.ID]
	}
	return nil
}

// follow lists the highlighted site's teams, the cursor on the same team
// or at the same place, or on the first if first.
func (p *teamsPane) follow(first bool) {
	p.list.SetRows(teamRows{p, p.rows()})
	if first {
		p.list.SetCursor(0)
	}
}

// team is the highlighted team.
func (p *teamsPane) team() *store.Team {
	if ts, c := p.rows(), p.list.Cursor(); c >= 0 && c < len(ts) {
		return ts[c]
	}
	return nil
}

func (p *teamsPane) Bindings() []*ui.Binding { return ui.ListNav(p.list, nil) }

func (p *teamsPane) SetSize(w, h int) { p.list.SetSize(w, max(h-placesTeamTop, 1)) }

// Update: a click highlights a team, the wheel moves through them.
func (p *teamsPane) Update(msg tea.Msg) tea.Cmd {
	if m, ok := msg.(ui.PaneMouse); ok {
		p.list.Mouse(m.MouseMsg, m.Y)
	}
	return nil
}

func (p *teamsPane) View(w, h int, focused bool) []string {
	if p.data.denied != "" {
		return nil
	}
	th := p.host.Theme()
	s := p.site()
	if s == nil {
		return []string{th.Muted.Render("no site highlighted")}
	}
	kv := func(k, v string) string { return th.Muted.Render(fmt.Sprintf("%-8s", k)) + " " + v }
	out := []string{th.Bold.Render(ui.Safe(s.Name)), kv("Client", ui.Safe(p.data.owner(s))), kv("Users", fmt.Sprint(p.data.count.sites[s.ID])), ""}
	num := 6
	out = append(out, th.Header.Render(ui.Fit(" "+ui.Cell("TEAM", w-1-num)+fmt.Sprintf("%*s", num-1, "USERS"), w)))
	if len(p.data.teams[s.ID]) == 0 {
		return append(out, th.Muted.Render(" no teams: tab here, then a adds one"))
	}
	return p.list.AppendLines(out, focused)
}

// teamRows are the highlighted site's teams; the cursor shows only while
// their pane has the focus.
type teamRows struct {
	p    *teamsPane
	rows []*store.Team
}

func (r teamRows) Len() int            { return len(r.rows) }
func (r teamRows) Key(i int) uint64    { return r.rows[i].ID }
func (r teamRows) Selectable(int) bool { return true }

func (r teamRows) Render(i, w int, st list.State) string {
	num, cur := 6, st.Cursor && st.Focused
	mark := " "
	if cur {
		mark = "›"
	}
	line := ui.Fit(mark+ui.Cell(ui.Safe(r.rows[i].Name), w-1-num)+fmt.Sprintf("%*d", num-1, r.p.data.count.teams[r.rows[i].ID]), w)
	return ui.RowStyle(r.p.host.Theme(), line, cur, st.Focused)
}
