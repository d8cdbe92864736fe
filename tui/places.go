package tui

import (
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"github.com/gatehouse/gatehouse/store"
)

// placesScreen: clients | the sites of the highlighted client (or all, or the
// business's own) | the teams of the highlighted site. "a" adds to the
// focused pane: a client, a site, a team.
type placesScreen struct {
	a      *App
	names  store.Names
	denied string

	clients []*store.Client
	sites   []*store.Site
	teams   map[uint64][]*store.Team // by site
	count   placeCounts

	left, leftOff int // 0 all sites, 1 own sites, 2+ clients
	rows          []*store.Site
	cur, off      int
	team, teamOff int
	listH, leftH  int
	teamH         int
	q             string // the "/" filter on sites
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

func newPlacesScreen(a *App) screen {
	p := &placesScreen{a: a}
	return p
}

func (p *placesScreen) name() string { return "Clients & sites" }

func (p *placesScreen) panes() [3]string {
	site := "Teams"
	if s := p.site(); s != nil {
		site = "Teams of " + s.Name
	}
	return [3]string{fmt.Sprintf("Clients (%d)", len(p.clients)), fmt.Sprintf("Sites: %s (%d)", p.leftLabel(), len(p.rows)), site}
}

func (p *placesScreen) reload() {
	s := p.a.s
	p.denied = ""
	if err := s.Capabilities(p.a.actor).May(store.ReadClients); err != nil {
		if err2 := s.Capabilities(p.a.actor).May(store.ReadSites); err2 != nil {
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
	p.left = min(p.left, placesFirstClient+len(p.clients)-1)
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

// refilter lists the sites of the left selection matching the filter.
func (p *placesScreen) refilter() {
	var keep uint64
	if s := p.site(); s != nil {
		keep = s.ID
	}
	client := p.client()
	q := strings.ToLower(p.q)
	p.rows = p.rows[:0]
	for _, s := range p.sites {
		switch {
		case p.left == placesOwn && s.ClientID != 0:
			continue
		case client != nil && s.ClientID != client.ID:
			continue
		}
		if q != "" && !strings.Contains(strings.ToLower(s.Name), q) && !strings.Contains(strings.ToLower(p.owner(s)), q) {
			continue
		}
		p.rows = append(p.rows, s)
	}
	p.cur = 0
	for i, s := range p.rows {
		if s.ID == keep {
			p.cur = i
		}
	}
	p.off = clip(p.cur, p.off, len(p.rows), p.listH)
	p.team = min(p.team, max(len(p.siteTeams())-1, 0))
}

func (p *placesScreen) client() *store.Client {
	if i := p.left - placesFirstClient; i >= 0 && i < len(p.clients) {
		return p.clients[i]
	}
	return nil
}

func (p *placesScreen) site() *store.Site {
	if p.cur >= 0 && p.cur < len(p.rows) {
		return p.rows[p.cur]
	}
	return nil
}

func (p *placesScreen) siteTeams() []*store.Team {
	if s := p.site(); s != nil {
		return p.teams[s.ID]
	}
	return nil
}

func (p *placesScreen) owner(s *store.Site) string {
	if s.ClientID == 0 {
		return "own"
	}
	return p.names.Client(s.ClientID)
}

func (p *placesScreen) leftLabel() string {
	switch p.left {
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

func (p *placesScreen) pending() int   { return 0 }
func (p *placesScreen) discard()       {}
func (p *placesScreen) filter() string { return p.q }
func (p *placesScreen) setFilter(q string) {
	p.q = strings.TrimSpace(q)
	p.refilter()
}

func (p *placesScreen) header(w int) string {
	n := len(p.clients)
	return fmt.Sprintf("Clients ‹ %s › (%s, %s) · ←→ another client · tab: clients", p.leftLabel(), mxPlural(n, "client"), mxPlural(len(p.sites), "site"))
}

// ---- keys

func (p *placesScreen) focus() int { return p.a.focus[p.a.cur] }

// canAdd says why "a" cannot add to the focused pane now.
func (p *placesScreen) canAdd() string {
	if p.denied != "" {
		return p.denied
	}
	switch p.focus() {
	case 0:
		return errText(p.a.s.Capabilities(p.a.actor).May(store.EditClients))
	case 2:
		if p.site() == nil {
			return "no site is highlighted to add a team to"
		}
	}
	return errText(p.a.s.Capabilities(p.a.actor).May(store.EditSites))
}

func (p *placesScreen) bindings() []*binding {
	g := "Clients & sites"
	return []*binding{
		bind(g, "a", "add a client, site or team (by the focused pane)", func() tea.Cmd {
			switch p.focus() {
			case 0:
				return p.addClient()
			case 2:
				return p.addTeam()
			}
			return p.addSite()
		}).editing().when(p.canAdd),
		bind(g, "r", "rename the highlighted client, site or team (history keeps the old name)", func() tea.Cmd { return p.rename() }).editing().when(p.canChangeHighlighted),
		bind(g, "R", "retire the highlighted client (its contract ends), site or team: previewed, one change set", func() tea.Cmd { return p.retire() }).editing().when(p.canChangeHighlighted),
		bind(g, "h", "history of the highlighted client, site or team", func() tea.Cmd { return p.history() }).
			when(func() string {
				if p.historyOf() == "" {
					return "nothing is highlighted in this pane"
				}
				return ""
			}),
	}
}

// highlighted is what the focused pane highlights: its kind ("client",
// "site", "team"), its name as the store finds it, and as people read it.
func (p *placesScreen) highlighted() (kind, name, label string) {
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
		if ts := p.siteTeams(); p.team < len(ts) {
			l := p.site().Name + "/" + ts[p.team].Name
			return "team", l, l
		}
	}
	return "", "", ""
}

func (p *placesScreen) canChangeHighlighted() string {
	kind, _, _ := p.highlighted()
	switch kind {
	case "":
		return "nothing is highlighted in this pane (a client on the left, a site, a team)"
	case "client":
		return errText(p.a.s.Capabilities(p.a.actor).May(store.EditClients))
	}
	return errText(p.a.s.Capabilities(p.a.actor).May(store.EditSites))
}

func (p *placesScreen) rename() tea.Cmd {
	kind, name, label := p.highlighted()
	to := safe(label)
	if kind == "team" {
		_, to, _ = strings.Cut(to, "/")
	}
	m, cmd := newFormAt(p.a, "Rename "+kind+" "+label, func() tea.Cmd {
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
	p.a.modal = m
	return cmd
}

// retire previews what retiring the highlighted record changes (users
// touched; for a client, its contract's end: its people disabled, its
// sites and teams retired) and asks; a refusal shows at once.
func (p *placesScreen) retire() tea.Cmd {
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
	cs, err := p.a.s.Preview(p.a.actor, what, change)
	if err != nil {
		p.a.fail(err)
		return nil
	}
	users := map[uint64]bool{}
	for _, e := range cs.Entries {
		if e.Entity.Kind == store.RecordUser {
			users[e.Entity.ID] = true
		}
	}
	effect := fmt.Sprintf("%s touched (%s)", mxPlural(len(users), "user"), mxPlural(len(cs.Entries), "change"))
	if kind == "client" {
		effect = "the contract ends: its client users are disabled and signed out, its sites and teams retired, employees' assignments to it removed — " + effect
	}
	p.a.modal = &confirm{question: fmt.Sprintf("Retire %s %s? %s. One change set; u undoes it.", kind, safe(label), effect), yes: func() tea.Cmd {
		p.apply(what, change)
		return nil
	}}
	return nil
}

// historyOf is the audit entity of what the focused pane highlights.
func (p *placesScreen) historyOf() string {
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
		if ts := p.siteTeams(); p.team < len(ts) {
			return "team:" + p.site().Name + "/" + ts[p.team].Name
		}
	}
	return ""
}

func (p *placesScreen) history() tea.Cmd {
	if h, ok := p.a.screens[3].(interface{ showEntity(string) }); ok {
		h.showEntity(p.historyOf())
	}
	p.a.switchTo(3)
	return nil
}

func (p *placesScreen) key(msg tea.KeyPressMsg, pane int) tea.Cmd {
	k := msg.String()
	switch pane {
	case 0:
		n := placesFirstClient + len(p.clients)
		if l := moveCursor(k, p.left, n, p.leftH); l != p.left {
			p.pickLeft(l)
		}
	case 1:
		switch k {
		case "left", "right":
			d := 1
			if k == "left" {
				d = -1
			}
			n := placesFirstClient + len(p.clients)
			p.pickLeft((p.left + d + n) % n)
			return nil
		}
		c := moveCursor(k, p.cur, len(p.rows), p.listH)
		if c != p.cur {
			p.cur, p.team, p.teamOff = c, 0, 0
		}
		p.off = clip(p.cur, p.off, len(p.rows), p.listH)
	case 2:
		ts := p.siteTeams()
		p.team = moveCursor(k, p.team, len(ts), p.teamH)
		p.teamOff = clip(p.team, p.teamOff, len(ts), p.teamH)
	}
	return nil
}

func (p *placesScreen) pickLeft(l int) {
	p.left = l
	p.leftOff = clip(p.left, p.leftOff, placesFirstClient+len(p.clients), p.leftH)
	p.cur, p.off, p.team, p.teamOff = 0, 0, 0, 0
	p.refilter()
	p.cur, p.off = 0, 0
}

// ---- adding

func (p *placesScreen) apply(what string, fn func(tx *store.Tx) error) bool {
	cs, err := p.a.s.Apply(p.a.actor, what, fn)
	if err != nil {
		p.a.fail(err)
		return false
	}
	p.a.applied(cs, what)
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

func (p *placesScreen) addClient() tea.Cmd {
	var name string
	m, cmd := newFormAt(p.a, "Add client", func() tea.Cmd {
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
	p.a.modal = m
	return cmd
}

func (p *placesScreen) addSite() tea.Cmd {
	var name, client string
	if c := p.client(); c != nil {
		client = c.Name
	}
	opts := []huh.Option[string]{huh.NewOption("(own site: no client)", "")}
	for _, c := range p.clients {
		opts = append(opts, huh.NewOption(safe(c.Name), c.Name))
	}
	m, cmd := newFormAt(p.a, "Add site", func() tea.Cmd {
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
	p.a.modal = m
	return cmd
}

func (p *placesScreen) addTeam() tea.Cmd {
	st := p.site()
	if st == nil {
		return nil
	}
	var name string
	m, cmd := newFormAt(p.a, "Add team to "+st.Name, func() tea.Cmd {
		if p.apply("add team "+st.Name+"/"+strings.TrimSpace(name), func(tx *store.Tx) error {
			_, err := tx.AddTeam(name, st.Name)
			return err
		}) {
			p.showSite(st)
			for i, t := range p.siteTeams() {
				if strings.EqualFold(t.Name, strings.TrimSpace(name)) {
					p.team = i
					p.teamOff = clip(p.team, p.teamOff, len(p.siteTeams()), p.teamH)
				}
			}
		}
		return nil
	}, nameField("Team name", "a team lives in one site: "+safe(st.Name), &name, "team"))
	p.a.modal = m
	return cmd
}

// showClient highlights a client in the left pane.
func (p *placesScreen) showClient(id uint64) {
	for i, c := range p.clients {
		if c.ID == id {
			p.pickLeft(placesFirstClient + i)
		}
	}
}

// showSite highlights a site: its client on the left, the site in the middle.
func (p *placesScreen) showSite(st *store.Site) {
	if st.ClientID != 0 {
		p.showClient(st.ClientID)
	} else if p.left != placesAll {
		p.pickLeft(placesOwn)
	}
	if p.q != "" {
		p.q = ""
		p.refilter()
	}
	for i, s := range p.rows {
		if s.ID == st.ID {
			p.cur = i
			p.off = clip(p.cur, p.off, len(p.rows), p.listH)
		}
	}
}

// ---- rendering

func (p *placesScreen) render(pane, w, h int, focused bool) []string {
	th := p.a.th
	if p.denied != "" {
		if pane == 1 {
			return wrapLines(th.bad.Render("you may not see clients and sites: "+safe(p.denied)), w)
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

func rowStyle(th *theme, line string, current, focused bool) string {
	switch {
	case current && focused:
		return th.cursor.Render(line)
	case current:
		return th.cursorBlurred.Render(line)
	}
	return line
}

func (p *placesScreen) renderClients(w, h int, focused bool) []string {
	th := p.a.th
	num := 6
	head := " " + cell("CLIENT", w-1-num) + fmt.Sprintf("%*s", num-1, "SITES")
	out := []string{th.header.Render(fit(head, w))}
	n := placesFirstClient + len(p.clients)
	p.leftH = max(h-1, 1)
	p.leftOff = clip(p.left, p.leftOff, n, p.leftH)
	perClient := map[uint64]int{}
	for _, s := range p.sites {
		perClient[s.ClientID]++
	}
	for i := p.leftOff; i < min(n, p.leftOff+p.leftH); i++ {
		var label string
		var sites int
		switch i {
		case placesAll:
			label, sites = "All sites", len(p.sites)
		case placesOwn:
			label, sites = "Own sites", p.count.ownSites
		default:
			c := p.clients[i-placesFirstClient]
			label, sites = safe(c.Name), perClient[c.ID]
		}
		mark := " "
		if i == p.left {
			mark = "›"
		}
		line := fit(mark+cell(label, w-1-num)+fmt.Sprintf("%*d", num-1, sites), w)
		if i < placesFirstClient && i != p.left {
			line = th.muted.Render(line)
		}
		out = append(out, rowStyle(th, line, i == p.left, focused))
	}
	if len(p.clients) == 0 {
		out = append(out, "", th.muted.Render(" no clients yet: a adds one"))
	} else if !p.a.readOnly {
		out = append(out, "", th.muted.Render(" a adds · h history"))
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

func (p *placesScreen) renderSites(w, h int, focused bool) []string {
	th := p.a.th
	owner := p.client() == nil
	c := layoutSiteCols(w, owner)
	head := "  " + cell("SITE", c.name) + cell("CLIENT", c.owner) + fmt.Sprintf("%*s %*s", c.teams-1, "TEAMS", c.users-1, "USERS")
	out := []string{th.header.Render(fit(head, w))}
	p.listH = max(h-1, 1)
	if len(p.rows) == 0 {
		msg := "  no sites here: a adds one"
		if p.q != "" {
			msg = "  no site matches " + fmt.Sprintf("%q", safe(p.q)) + "; esc clears"
		}
		return append(out, th.muted.Render(msg))
	}
	p.off = clip(p.cur, p.off, len(p.rows), p.listH)
	for i := p.off; i < min(len(p.rows), p.off+p.listH); i++ {
		s := p.rows[i]
		mark := " "
		if i == p.cur {
			mark = "›"
		}
		line := mark + " " + cell(safe(s.Name), c.name)
		if owner {
			line += cell(safe(p.owner(s)), c.owner)
		}
		line += fmt.Sprintf("%*d %*d", c.teams-1, len(p.teams[s.ID]), c.users-1, p.count.sites[s.ID])
		out = append(out, rowStyle(th, fit(line, w), i == p.cur, focused))
	}
	return out
}

func (p *placesScreen) renderTeams(w, h int, focused bool) []string {
	th := p.a.th
	s := p.site()
	if s == nil {
		return []string{th.muted.Render("no site highlighted")}
	}
	kv := func(k, v string) string { return th.muted.Render(fmt.Sprintf("%-8s", k)) + " " + v }
	out := []string{th.bold.Render(safe(s.Name)), kv("Client", safe(p.owner(s))), kv("Users", fmt.Sprint(p.count.sites[s.ID])), ""}
	ts := p.teams[s.ID]
	num := 6
	out = append(out, th.header.Render(fit(" "+cell("TEAM", w-1-num)+fmt.Sprintf("%*s", num-1, "USERS"), w)))
	if len(ts) == 0 {
		return append(out, th.muted.Render(" no teams: tab here, then a adds one"))
	}
	p.teamH = max(h-len(out), 1)
	p.teamOff = clip(p.team, p.teamOff, len(ts), p.teamH)
	for i := p.teamOff; i < min(len(ts), p.teamOff+p.teamH); i++ {
		mark := " "
		if focused && i == p.team {
			mark = "›"
		}
		line := fit(mark+cell(safe(ts[i].Name), w-1-num)+fmt.Sprintf("%*d", num-1, p.count.teams[ts[i].ID]), w)
		out = append(out, rowStyle(th, line, focused && i == p.team, focused))
	}
	return out
}

// nameField is a form of one name (a client, site or team's), where the
// store's refusal of the name shows.
func nameField(title, usual string, value *string, kind string) func(func(store.Field, string) string) []*huh.Group {
	return func(note func(store.Field, string) string) []*huh.Group {
		return []*huh.Group{huh.NewGroup(huh.NewInput().Key(string(store.FieldName)).Title(title).
			Description(note(store.FieldName, usual)).Value(value).Validate(nonEmpty(kind)))}
	}
}
