// Package places is the Clients & sites screen: the clients, their sites
// and the sites' teams, added, renamed and retired here.
package places

import (
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"github.com/gatehouse/gatehouse/store"
	"github.com/gatehouse/gatehouse/tui/ui"
)

// Screen: clients | the sites of the highlighted client (or all, or the
// business's own) | the teams of the highlighted site. "a" adds to the
// focused pane: a client, a site or a team.
//
// It composes its three panes, each following the one before it, and owns
// what they share: the clients, sites and teams as last read, with their
// counts. Its keys act on what the focused pane highlights.
type Screen struct {
	host ui.Host
	data *placesData

	clients *clientsPane
	sites   *sitesPane
	teams   *teamsPane
	panes   ui.Panes
}

// placesData is what the panes show: the clients, sites and teams, and why
// the actor may see none of them ("": they may).
type placesData struct {
	names  store.Names
	denied string

	clients   []*store.Client
	sites     []*store.Site
	teams     map[uint64][]*store.Team // by site
	count     placeCounts
	perClient map[uint64]int // sites per client (0: the business's own)
}

// placeCounts counts users per client, per site (directly or through a team) and per team.
type placeCounts struct {
	clients, sites, teams map[uint64]int
	ownSites              int
}

// New is the Clients & sites screen of a console.
func New(h ui.Host) ui.Screen {
	p := &Screen{host: h, data: &placesData{}}
	p.teams = newTeamsPane(h, p.data, p.site)
	p.sites = newSitesPane(h, p.data, p.leftRow, p.stepClient, p.teams.follow)
	p.clients = newClientsPane(h, p.data, p.pickLeft)
	p.panes = ui.Panes{p.clients, p.sites, p.teams}
	return p
}

func (p *Screen) Name() string { return "Clients & sites" }

// SetSize hands each pane its size.
func (p *Screen) SetSize(ps [3]ui.PaneSize) { p.panes.SetSize(ps) }

func (p *Screen) Panes() [3]string {
	site := "Teams"
	if s := p.site(); s != nil {
		site = "Teams of " + s.Name
	}
	return [3]string{fmt.Sprintf("Clients (%d)", len(p.data.clients)), fmt.Sprintf("Sites: %s (%d)", p.clients.label(), len(p.sites.rows)), site}
}

func (p *Screen) Reload() {
	p.data.load(p.host.Store(), p.host.Actor())
	p.clients.reload() // stays on the same client
	p.sites.refilter()
}

// load reads the clients, sites and teams, and counts their users.
func (d *placesData) load(s *store.Store, actor store.Actor) {
	d.denied = ""
	if err := s.Capabilities(actor).May(store.ReadClients); err != nil {
		if err2 := s.Capabilities(actor).May(store.ReadSites); err2 != nil {
			d.denied = err.Error()
		}
	}
	d.names = s.Names()
	d.clients = s.Clients()
	d.sites = s.Sites()
	d.teams = map[uint64][]*store.Team{}
	teamSite := map[uint64]uint64{}
	for _, t := range s.Teams() {
		d.teams[t.SiteID] = append(d.teams[t.SiteID], t)
		teamSite[t.ID] = t.SiteID
	}
	c := placeCounts{clients: map[uint64]int{}, sites: map[uint64]int{}, teams: map[uint64]int{}}
	for _, st := range d.sites {
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
	d.count = c
	d.perClient = map[uint64]int{}
	for _, st := range d.sites {
		d.perClient[st.ClientID]++
	}
}

func containsID(ids []uint64, id uint64) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// owner is who owns a site, as people read it.
func (d *placesData) owner(s *store.Site) string {
	if s.ClientID == 0 {
		return "own"
	}
	return d.names.Client(s.ClientID)
}

// leftRow is the Clients pane's row and its client (nil: all or own sites),
// which the sites follow.
func (p *Screen) leftRow() (int, *store.Client) { return p.clients.row(), p.clients.client() }

func (p *Screen) client() *store.Client { return p.clients.client() }
func (p *Screen) site() *store.Site     { return p.sites.site() }
func (p *Screen) team() *store.Team     { return p.teams.team() }
func (p *Screen) left() int             { return p.clients.row() }

func (p *Screen) Pending() int   { return 0 }
func (p *Screen) Discard()       {}
func (p *Screen) Filter() string { return p.sites.q }
func (p *Screen) SetFilter(q string) {
	p.sites.q = strings.TrimSpace(q)
	p.sites.refilter()
}

func (p *Screen) Header(w int) string {
	n := len(p.data.clients)
	return fmt.Sprintf("Clients ‹ %s › (%s, %s) · ←→ another client · tab: clients", p.clients.label(), ui.Plural(n, "client"), ui.Plural(len(p.data.sites), "site"))
}

// ---- keys

func (p *Screen) focus() int { return p.host.Focus() }

// canAdd says why "a" cannot add to the focused pane now.
func (p *Screen) canAdd() string {
	if p.data.denied != "" {
		return p.data.denied
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
	}, p.panes[p.focus()].Bindings()...)
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

// Key is the focused pane's (the Sites pane steps through the clients).
func (p *Screen) Key(msg tea.KeyPressMsg, pane int) tea.Cmd { return p.panes.Key(msg, pane) }

// Mouse is the pane's under it.
func (p *Screen) Mouse(msg tea.MouseMsg, pane, x, y int) tea.Cmd {
	return p.panes.Mouse(msg, pane, x, y)
}

// stepClient shows the sites of the next (d 1) or previous (d -1) row of
// the Clients pane.
func (p *Screen) stepClient(d int) {
	n := placesFirstClient + len(p.data.clients)
	p.pickLeft((p.left() + d + n) % n)
}

// pickLeft shows the sites of row l of the Clients pane, from the first.
func (p *Screen) pickLeft(l int) {
	p.clients.list.SetCursor(l)
	p.sites.refilter()
	p.sites.list.SetCursor(0)
	p.teams.follow(true)
}

// showClient highlights a client in the left pane.
func (p *Screen) showClient(id uint64) {
	for i, c := range p.data.clients {
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
	if p.sites.q != "" {
		p.sites.q = ""
		p.sites.refilter()
	}
	p.sites.list.Select(st.ID)
	p.teams.follow(false)
}

func (p *Screen) Render(pane, w, h int, focused bool) []string {
	return p.panes.Render(pane, w, h, focused)
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
	for _, c := range p.data.clients {
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
			for _, t := range p.teams.rows() {
				if strings.EqualFold(t.Name, strings.TrimSpace(name)) {
					p.teams.list.Select(t.ID)
				}
			}
		}
		return nil
	}, nameField("Team name", "a team lives in one site: "+ui.Safe(st.Name), &name, "team"))
	p.host.Open(m)
	return cmd
}

// nameField is a form of one name (a client, site or team's), where the
// store's refusal of the name shows.
func nameField(title, usual string, value *string, kind string) func(func(store.Field, string) string) []*huh.Group {
	return func(note func(store.Field, string) string) []*huh.Group {
		return []*huh.Group{huh.NewGroup(huh.NewInput().Key(string(store.FieldName)).Title(title).
			Description(note(store.FieldName, usual)).Value(value).Validate(nonEmpty(kind)))}
	}
}
