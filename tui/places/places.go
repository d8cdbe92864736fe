// Package places is the Clients & sites screen: the clients, their sites
// and the sites' teams, added, renamed and retired here.
package places

import (
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"github.com/gatehouse/gatehouse/store"
	"github.com/gatehouse/gatehouse/tui/list"
	"github.com/gatehouse/gatehouse/tui/ui"
)

// Screen: clients | the sites of the highlighted client (or all, or the
// business's own) | the teams of the highlighted site. "a" adds to the
// focused pane: a client, a site, a team.
type Screen struct {
	host   ui.Host
	names  store.Names
	denied string

	clients   []*store.Client
	sites     []*store.Site
	teams     map[uint64][]*store.Team // by site
	count     placeCounts
	perClient map[uint64]int // sites per client (0: the business's own)

	leftList *list.Model[leftKey] // 0 all sites, 1 own sites, 2+ clients
	rows     []*store.Site
	siteList *list.Model[uint64]
	teamList *list.Model[uint64] // the highlighted site's teams
	q        string              // the "/" filter on sites
}

// leftKey names a row of the Clients pane: all sites, own sites, or a client.
type leftKey struct {
	row    int // placesAll, placesOwn, placesFirstClient for every client
	client uint64
}

// placeCounts counts users per client, per site (directly or through a team) and per team.
type placeCounts struct {
	clients, sites, teams map[uint64]int
	ownSites              int
}

const (
	placesAll = iota
	placesOwn
	placesFirstClient
)

// New is the Clients & sites screen of a console.
func New(h ui.Host) ui.Screen {
	p := &Screen{host: h, leftList: list.New[leftKey](), siteList: list.New[uint64](), teamList: list.New[uint64]()}
	p.leftList.SetTop(1) // below the column headings
	p.siteList.SetTop(1)
	p.teamList.SetTop(placesTeamTop)
	return p
}

func (p *Screen) Name() string { return "Clients & sites" }

// placesTeamTop is the lines above the teams: the site's name, client and
// users, a blank line and the column headings.
const placesTeamTop = 5

func (p *Screen) SetSize(ps [3]ui.PaneSize) {
	p.leftList.SetSize(ps[0].W, max(ps[0].H-1, 1))
	p.siteList.SetSize(ps[1].W, max(ps[1].H-1, 1))
	p.teamList.SetSize(ps[2].W, max(ps[2].H-placesTeamTop, 1))
}

// left is the Clients pane's row: placesAll, placesOwn, or a client's.
func (p *Screen) left() int { return p.leftList.Cursor() }

func (p *Screen) Panes() [3]string {
	site := "Teams"
	if s := p.site(); s != nil {
		site = "Teams of " + s.Name
	}
	return [3]string{fmt.Sprintf("Clients (%d)", len(p.clients)), fmt.Sprintf("Sites: %s (%d)", p.leftLabel(), len(p.rows)), site}
}

func (p *Screen) Reload() {
	s := p.host.Store()
	p.denied = ""
	if err := s.Capabilities(p.host.Actor()).May(store.ReadClients); err != nil {
		if err2 := s.Capabilities(p.host.Actor()).May(store.ReadSites); err2 != nil {
			p.denied = err.Error()
		}
	}
	p.names = s.Names()
	p.clients = s.Clients()
	p.sites = s.Sites()
	p.teams = map[uint64][]*store.Team{}
	teamSite := map[uint64]uint64{}
	for _, t := range s.Teams() {
		p.teams[t.SiteID] = append(p.teams[t.SiteID], t)
		teamSite[t.ID] = t.SiteID
	}
	c := placeCounts{clients: map[uint64]int{}, sites: map[uint64]int{}, teams: map[uint64]int{}}
	for _, st := range p.sites {
		if st.ClientID == 0 {
			c.ownSites++
		}
	}
	s.EachUser(func(u *store.User) {
		for _, id := range u.ClientIDs {
			c.clients[id]++
		}
		for _, id := range u.SiteIDs {
			c.sites[id]++
		}
		for _, id := range u.TeamIDs {
			c.teams[id]++
			if sid := teamSite[id]; sid != 0 && !containsID(u.SiteIDs, sid) {
				c.sites[sid]++
			}
		}
	})
	p.count = c
	p.perClient = map[uint64]int{}
	for _, st := range p.sites {
		p.perClient[st.ClientID]++
	}
	p.leftList.SetRows(leftRows{p}) // stays on the same client
	p.refilter()
}

func containsID(ids []uint64, id uint64) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// refilter lists the sites of the left selection matching the filter; the
// cursor stays on the same site, or goes back to the first.
func (p *Screen) refilter() {
	client := p.client()
	q := strings.ToLower(p.q)
	var rows []*store.Site
	for _, s := range p.sites {
		switch {
		case p.left() == placesOwn && s.ClientID != 0:
			continue
		case client != nil && s.ClientID != client.ID:
			continue
		}
		if q != "" && !strings.Contains(strings.ToLower(s.Name), q) && !strings.Contains(strings.ToLower(p.owner(s)), q) {
			continue
		}
		rows = append(rows, s)
	}
	p.rows = rows
	if !p.siteList.SetRows(siteRows{p, rows}) {
		p.siteList.SetCursor(0)
	}
	p.showTeams()
}

// showTeams lists the highlighted site's teams, the cursor on the same team
// or at the same place.
func (p *Screen) showTeams() {
	p.teamList.SetRows(teamRows{p, p.siteTeams()})
}

func (p *Screen) client() *store.Client {
	if i := p.left() - placesFirstClient; i >= 0 && i < len(p.clients) {
		return p.clients[i]
	}
	return nil
}

func (p *Screen) site() *store.Site {
	if c := p.siteList.Cursor(); c >= 0 && c < len(p.rows) {
		return p.rows[c]
	}
	return nil
}

// team is the highlighted team.
func (p *Screen) team() *store.Team {
	if ts, c := p.siteTeams(), p.teamList.Cursor(); c >= 0 && c < len(ts) {
		return ts[c]
	}
	return nil
}

func (p *Screen) siteTeams() []*store.Team {
	if s := p.site(); s != nil {
		return p.teams[s.ID]
	}
	return nil
}

func (p *Screen) owner(s *store.Site) string {
	if s.ClientID == 0 {
		return "own"
	}
	return p.names.Client(s.ClientID)
}

func (p *Screen) leftLabel() string {
	switch p.left() {
	case placesAll:
		return "all"
	case placesOwn:
		return "own"
	}
	if c := p.client(); c != nil {
		return c.Name
	}
	return ""
}

func (p *Screen) Pending() int   { return 0 }
func (p *Screen) Discard()       {}
func (p *Screen) Filter() string { return p.q }
func (p *Screen) SetFilter(q string) {
	p.q = strings.TrimSpace(q)
	p.refilter()
}

func (p *Screen) Header(w int) string {
	n := len(p.clients)
	return fmt.Sprintf("Clients ‹ %s › (%s, %s) · ←→ another client · tab: clients", p.leftLabel(), ui.Plural(n, "client"), ui.Plural(len(p.sites), "site"))
}

// ---- keys

func (p *Screen) focus() int { return p.host.Focus() }

// canAdd says why "a" cannot add to the focused pane now.
func (p *Screen) canAdd() string {
	if p.denied != "" {
		return p.denied
	}
	switch p.focus() {
	case 0:
		return ui.ErrText(p.host.Store().Capabilities(p.host.Actor()).May(store.EditClients))
	case 2:
		if p.site() == nil {
			return "no site is highlighted to add a team to"
		}
	}
	return ui.ErrText(p.host.Store().Capabilities(p.host.Actor()).May(store.EditSites))
}

func (p *Screen) Bindings() []*ui.Binding {
	g := "Clients & sites"
	return append([]*ui.Binding{
		ui.Bind(g, "a", "add a client, site or team (by the focused pane)", func() tea.Cmd {
			switch p.focus() {
			case 0:
				return p.addClient()
			case 2:
				return p.addTeam()
			}
			return p.addSite()
		}).Editing().When(p.canAdd),
		ui.Bind(g, "r", "rename the highlighted client, site or team (history keeps the old name)", func() tea.Cmd { return p.rename() }).Editing().When(p.canChangeHighlighted),
		ui.Bind(g, "R", "retire the highlighted client (its contract ends), site or team: previewed, one change set", func() tea.Cmd { return p.retire() }).Editing().When(p.canChangeHighlighted),
		ui.Bind(g, "h", "history of the highlighted client, site or team", func() tea.Cmd { return p.history() }).
			When(func() string {
				if p.historyOf() == "" {
					return "nothing is highlighted in this pane"
				}
				return ""
			}),
	}, p.nav()...)
}

// highlighted is what the focused pane highlights: its kind ("client",
// "site", "team"), its name as the store finds it, and as people read it.
func (p *Screen) highlighted() (kind, name, label string) {
	switch p.focus() {
	case 0:
		if c := p.client(); c != nil {
			return "client", c.Name, c.Name
		}
	case 1:
		if s := p.site(); s != nil {
			return "site", s.Name, s.Name
		}
	case 2:
		if t := p.team(); t != nil {
			l := p.site().Name + "/" + t.Name
			return "team", l, l
		}
	}
	return "", "", ""
}

func (p *Screen) canChangeHighlighted() string {
	kind, _, _ := p.highlighted()
	switch kind {
	case "":
		return "nothing is highlighted in this pane (a client on the left, a site, a team)"
	case "client":
		return ui.ErrText(p.host.Store().Capabilities(p.host.Actor()).May(store.EditClients))
	}
	return ui.ErrText(p.host.Store().Capabilities(p.host.Actor()).May(store.EditSites))
}

func (p *Screen) rename() tea.Cmd {
	kind, name, label := p.highlighted()
	to := ui.Safe(label)
	if kind == "team" {
		_, to, _ = strings.Cut(to, "/")
	}
	m, cmd := ui.NewFormAt(p.host, "Rename "+kind+" "+label, func() tea.Cmd {
		p.apply(fmt.Sprintf("rename %s %s to %s", kind, name, strings.TrimSpace(to)), func(tx *store.Tx) error {
			switch kind {
			case "client":
				return tx.RenameClient(name, to)
			case "site":
				return tx.RenameSite(name, to)
			}
			return tx.RenameTeam(name, to)
		})
		return nil
	}, nameField("New name", "", &to, kind))
	p.host.Open(m)
	return cmd
}

// retire previews what retiring the highlighted record changes (users
// touched; for a client, its contract's end: its people disabled, its
// sites and teams retired) and asks; a refusal shows at once.
func (p *Screen) retire() tea.Cmd {
	kind, name, label := p.highlighted()
	change := func(tx *store.Tx) error {
		switch kind {
		case "client":
			return tx.RetireClient(name)
		case "site":
			return tx.RetireSite(name)
		}
		return tx.RetireTeam(name)
	}
	what := "retire " + kind + " " + name
	cs, err := p.host.Store().Preview(p.host.Actor(), what, change)
	if err != nil {
		p.host.Fail(err)
		return nil
	}
	users := map[uint64]bool{}
	for _, e := range cs.Entries {
		if e.Entity.Kind == store.RecordUser {
			users[e.Entity.ID] = true
		}
	}
	effect := fmt.Sprintf("%s touched (%s)", ui.Plural(len(users), "user"), ui.Plural(len(cs.Entries), "change"))
	if kind == "client" {
		effect = "the contract ends: its client users are disabled and signed out, its sites and teams retired, employees' assignments to it removed — " + effect
	}
	p.host.Open(&ui.Confirm{Question: fmt.Sprintf("Retire %s %s? %s. One change set; u undoes it.", kind, ui.Safe(label), effect), Yes: func() tea.Cmd {
		p.apply(what, change)
		return nil
	}})
	return nil
}

// historyOf is the audit entity of what the focused pane highlights.
func (p *Screen) historyOf() string {
	switch p.focus() {
	case 0:
		if c := p.client(); c != nil {
			return "client:" + c.Name
		}
	case 1:
		if s := p.site(); s != nil {
			return "site:" + s.Name
		}
	case 2:
		if t := p.team(); t != nil {
			return "team:" + p.site().Name + "/" + t.Name
		}
	}
	return ""
}

func (p *Screen) history() tea.Cmd {
	p.host.ShowHistory(p.historyOf())
	return nil
}

// Key steps through the clients from the Sites pane (the list keys are bindings).
func (p *Screen) Key(msg tea.KeyPressMsg, pane int) tea.Cmd {
	if k := msg.String(); pane == 1 && (k == "left" || k == "right") {
		d := 1
		if k == "left" {
			d = -1
		}
		n := placesFirstClient + len(p.clients)
		p.pickLeft((p.left() + d + n) % n)
	}
	return nil
}

// nav: the focused pane's list; each pane's list follows the one before it.
func (p *Screen) nav() []*ui.Binding {
	switch p.focus() {
	case 0:
		return ui.ListNav(p.leftList, p.followLeft())
	case 1:
		return ui.ListNav(p.siteList, p.followSite())
	}
	return ui.ListNav(p.teamList, nil)
}

// followLeft shows the sites of the client highlighted, when a move changed it.
func (p *Screen) followLeft() func() {
	was := p.left()
	return func() {
		if l := p.left(); l != was {
			p.pickLeft(l)
		}
	}
}

// followSite shows the teams of the site highlighted, the first first, when
// a move changed it.
func (p *Screen) followSite() func() {
	was := p.siteList.Cursor()
	return func() {
		if p.siteList.Cursor() != was {
			p.showTeams()
			p.teamList.SetCursor(0)
		}
	}
}

// Mouse: a click highlights a client, a site or a team; the wheel moves through them.
func (p *Screen) Mouse(msg tea.MouseMsg, pane, x, y int) tea.Cmd {
	switch pane {
	case 0:
		after := p.followLeft()
		p.leftList.Mouse(msg, y)
		after()
	case 1:
		after := p.followSite()
		p.siteList.Mouse(msg, y)
		after()
	case 2:
		p.teamList.Mouse(msg, y)
	}
	return nil
}

// pickLeft shows the sites of row l of the Clients pane, from the first.
func (p *Screen) pickLeft(l int) {
	p.leftList.SetCursor(l)
	p.refilter()
	p.siteList.SetCursor(0)
	p.showTeams()
	p.teamList.SetCursor(0)
}

// ---- adding

func (p *Screen) apply(what string, fn func(tx *store.Tx) error) bool {
	cs, err := p.host.Store().Apply(p.host.Actor(), what, fn)
	if err != nil {
		p.host.Fail(err)
		return false
	}
	p.host.Applied(cs, what)
	return true
}

func nonEmpty(what string) func(string) error {
	return func(s string) error {
		if strings.TrimSpace(s) == "" {
			return fmt.Errorf("the %s needs a name", what)
		}
		return nil
	}
}

func (p *Screen) addClient() tea.Cmd {
	var name string
	m, cmd := ui.NewFormAt(p.host, "Add client", func() tea.Cmd {
		var cl *store.Client
		if p.apply("add client "+strings.TrimSpace(name), func(tx *store.Tx) error {
			var err error
			cl, err = tx.AddClient(name)
			return err
		}) {
			p.showClient(cl.ID)
		}
		return nil
	}, nameField("Client name", "a customer company", &name, "client"))
	p.host.Open(m)
	return cmd
}

func (p *Screen) addSite() tea.Cmd {
	var name, client string
	if c := p.client(); c != nil {
		client = c.Name
	}
	opts := []huh.Option[string]{huh.NewOption("(own site: no client)", "")}
	for _, c := range p.clients {
		opts = append(opts, huh.NewOption(ui.Safe(c.Name), c.Name))
	}
	m, cmd := ui.NewFormAt(p.host, "Add site", func() tea.Cmd {
		var st *store.Site
		if p.apply("add site "+strings.TrimSpace(name), func(tx *store.Tx) error {
			var err error
			st, err = tx.AddSite(name, client)
			return err
		}) {
			p.showSite(st)
		}
		return nil
	}, func(note func(store.Field, string) string) []*huh.Group {
		return []*huh.Group{huh.NewGroup(
			huh.NewInput().Key(string(store.FieldName)).Title("Site name").Description(note(store.FieldName, "")).Value(&name).Validate(nonEmpty("site")),
			huh.NewSelect[string]().Title("Client").Description("who owns the site; a client user may only be given their client's sites").
				Options(opts...).Value(&client).Height(min(len(opts)+2, 8)),
		)}
	})
	p.host.Open(m)
	return cmd
}

func (p *Screen) addTeam() tea.Cmd {
	st := p.site()
	if st == nil {
		return nil
	}
	var name string
	m, cmd := ui.NewFormAt(p.host, "Add team to "+st.Name, func() tea.Cmd {
		if p.apply("add team "+st.Name+"/"+strings.TrimSpace(name), func(tx *store.Tx) error {
			_, err := tx.AddTeam(name, st.Name)
			return err
		}) {
			p.showSite(st)
			for _, t := range p.siteTeams() {
				if strings.EqualFold(t.Name, strings.TrimSpace(name)) {
					p.teamList.Select(t.ID)
				}
			}
		}
		return nil
	}, nameField("Team name", "a team lives in one site: "+ui.Safe(st.Name), &name, "team"))
	p.host.Open(m)
	return cmd
}

// showClient highlights a client in the left pane.
func (p *Screen) showClient(id uint64) {
	for i, c := range p.clients {
		if c.ID == id {
			p.pickLeft(placesFirstClient + i)
		}
	}
}

// showSite highlights a site: its client on the left, the site in the middle.
func (p *Screen) showSite(st *store.Site) {
	if st.ClientID != 0 {
		p.showClient(st.ClientID)
	} else if p.left() != placesAll {
		p.pickLeft(placesOwn)
	}
	if p.q != "" {
		p.q = ""
		p.refilter()
	}
	p.siteList.Select(st.ID)
	p.showTeams()
}

// ---- rendering

func (p *Screen) Render(pane, w, h int, focused bool) []string {
	th := p.host.Theme()
	if p.denied != "" {
		if pane == 1 {
			return ui.WrapLines(th.Bad.Render("you may not see clients and sites: "+ui.Safe(p.denied)), w)
		}
		return nil
	}
	switch pane {
	case 0:
		return p.renderClients(w, h, focused)
	case 1:
		return p.renderSites(w, h, focused)
	}
	return p.renderTeams(w, h, focused)
}

// leftRows are the Clients pane's rows: all sites, own sites, each client.
type leftRows struct{ p *Screen }

func (r leftRows) Len() int            { return placesFirstClient + len(r.p.clients) }
func (r leftRows) Selectable(int) bool { return true }

func (r leftRows) Key(i int) leftKey {
	if i < placesFirstClient {
		return leftKey{row: i}
	}
	return leftKey{placesFirstClient, r.p.clients[i-placesFirstClient].ID}
}

func (r leftRows) Render(i, w int, st list.State) string {
	p, th, num := r.p, r.p.host.Theme(), 6
	var label string
	var sites int
	switch i {
	case placesAll:
		label, sites = "All sites", len(p.sites)
	case placesOwn:
		label, sites = "Own sites", p.count.ownSites
	default:
		c := p.clients[i-placesFirstClient]
		label, sites = ui.Safe(c.Name), p.perClient[c.ID]
	}
	mark := " "
	if st.Cursor {
		mark = "›"
	}
	line := ui.Fit(mark+ui.Cell(label, w-1-num)+fmt.Sprintf("%*d", num-1, sites), w)
	if i < placesFirstClient && !st.Cursor {
		line = th.Muted.Render(line)
	}
	return ui.RowStyle(th, line, st.Cursor, st.Focused)
}

func (p *Screen) renderClients(w, h int, focused bool) []string {
	th := p.host.Theme()
	num := 6
	head := " " + ui.Cell("CLIENT", w-1-num) + fmt.Sprintf("%*s", num-1, "SITES")
	out := p.leftList.AppendLines([]string{th.Header.Render(ui.Fit(head, w))}, focused)
	if len(p.clients) == 0 {
		out = append(out, "", th.Muted.Render(" no clients yet: a adds one"))
	} else if !p.host.ReadOnly() {
		out = append(out, "", th.Muted.Render(" a adds · h history"))
	}
	return out
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
	p    *Screen
	rows []*store.Site
}

func (r siteRows) Len() int            { return len(r.rows) }
func (r siteRows) Key(i int) uint64    { return r.rows[i].ID }
func (r siteRows) Selectable(int) bool { return true }

func (r siteRows) Render(i, w int, st list.State) string {
	p, s := r.p, r.rows[i]
	owner := p.client() == nil
	c := layoutSiteCols(w, owner)
	mark := " "
	if st.Cursor {
		mark = "›"
	}
	line := mark + " " + ui.Cell(ui.Safe(s.Name), c.name)
	if owner {
		line += ui.Cell(ui.Safe(p.owner(s)), c.owner)
	}
	line += fmt.Sprintf("%*d %*d", c.teams-1, len(p.teams[s.ID]), c.users-1, p.count.sites[s.ID])
	return ui.RowStyle(p.host.Theme(), ui.Fit(line, w), st.Cursor, st.Focused)
}

func (p *Screen) renderSites(w, h int, focused bool) []string {
	th := p.host.Theme()
	c := layoutSiteCols(w, p.client() == nil)
	head := "  " + ui.Cell("SITE", c.name) + ui.Cell("CLIENT", c.owner) + fmt.Sprintf("%*s %*s", c.teams-1, "TEAMS", c.users-1, "USERS")
	out := []string{th.Header.Render(ui.Fit(head, w))}
	if len(p.rows) == 0 {
		msg := "  no sites here: a adds one"
		if p.q != "" {
			msg = "  no site matches " + fmt.Sprintf("%q", ui.Safe(p.q)) + "; esc clears"
		}
		return append(out, th.Muted.Render(msg))
	}
	return p.siteList.AppendLines(out, focused)
}

// teamRows are the highlighted site's teams; the cursor shows only while
// their pane has the focus.
type teamRows struct {
	p    *Screen
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
	line := ui.Fit(mark+ui.Cell(ui.Safe(r.rows[i].Name), w-1-num)+fmt.Sprintf("%*d", num-1, r.p.count.teams[r.rows[i].ID]), w)
	return ui.RowStyle(r.p.host.Theme(), line, cur, st.Focused)
}

func (p *Screen) renderTeams(w, h int, focused bool) []string {
	th := p.host.Theme()
	s := p.site()
	if s == nil {
		return []string{th.Muted.Render("no site highlighted")}
	}
	kv := func(k, v string) string { return th.Muted.Render(fmt.Sprintf("%-8s", k)) + " " + v }
	out := []string{th.Bold.Render(ui.Safe(s.Name)), kv("Client", ui.Safe(p.owner(s))), kv("Users", fmt.Sprint(p.count.sites[s.ID])), ""}
	num := 6
	out = append(out, th.Header.Render(ui.Fit(" "+ui.Cell("TEAM", w-1-num)+fmt.Sprintf("%*s", num-1, "USERS"), w)))
	if len(p.teams[s.ID]) == 0 {
		return append(out, th.Muted.Render(" no teams: tab here, then a adds one"))
	}
	return p.teamList.AppendLines(out, focused)
}

// nameField is a form of one name (a client, site or team's), where the
// store's refusal of the name shows.
func nameField(title, usual string, value *string, kind string) func(func(store.Field, string) string) []*huh.Group {
	return func(note func(store.Field, string) string) []*huh.Group {
		return []*huh.Group{huh.NewGroup(huh.NewInput().Key(string(store.FieldName)).Title(title).
			Description(note(store.FieldName, usual)).Value(value).Validate(nonEmpty(kind)))}
	}
}
