package cmd

import (
	"fmt"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/store"
	"github.com/spf13/cobra"
)

// placeCounts counts users per client, site (directly or through a team) and team.
type placeCounts struct{ clients, sites, teams map[uint64]int }

func countPlaces(s *store.Store) (placeCounts, error) {
	pc := placeCounts{map[uint64]int{}, map[uint64]int{}, map[uint64]int{}}
	teamSite := map[uint64]uint64{}
	for _, t := range s.Teams() {
		teamSite[t.ID] = t.SiteID
	}
	s.EachUser(func(u *store.User) {
		for _, id := range u.ClientIDs {
			pc.clients[id]++
		}
		seen := make(map[uint64]bool, len(u.SiteIDs)+len(u.TeamIDs))
		for _, id := range u.SiteIDs {
			seen[id] = true
		}
		for _, id := range u.TeamIDs {
			pc.teams[id]++
			if sid := teamSite[id]; sid != 0 {
				seen[sid] = true
			}
		}
		for id := range seen {
			pc.sites[id]++
		}
	})
	return pc, nil
}

// ---- clients

func (a *app) clientsCmd() *cobra.Command {
	lst := &cobra.Command{Use: "list [--all]", Short: "List clients with their sites", Args: nargs(0, 0, "")}
	var all bool
	lst.Flags().BoolVar(&all, "all", false, "retired clients too")
	lst.RunE = a.with(func(s *store.Store, actor store.Actor, args []string) error {
		if err := s.Capabilities(actor).May(store.ReadClients); err != nil {
			return err
		}
		pc, err := countPlaces(s)
		if err != nil {
			return err
		}
		sites := map[uint64][]string{}
		for _, st := range pick(all, s.Sites, s.AllSites) {
			sites[st.ClientID] = append(sites[st.ClientID], st.Name)
		}
		out := []clientView{}
		for _, c := range pick(all, s.Clients, s.AllClients) {
			out = append(out, clientView{ID: c.ID, Name: c.Name, Sites: nonNil(sites[c.ID]), Users: pc.clients[c.ID], Retired: retiredOn(c.Retired)})
		}
		if a.json {
			return a.printJSON(out)
		}
		if len(out) == 0 {
			a.printf("no clients yet; add one: gatehouse clients add NAME\n")
			return nil
		}
		tw := newTable(a.env.Out)
		row(tw, "CLIENT", "USERS", "SITES")
		for _, c := range out {
			row(tw, c.Name+retiredMark(c.Retired), fmt.Sprint(c.Users), list(c.Sites, 5))
		}
		return tw.Flush()
	})
	add := &cobra.Command{Use: "add NAME", Short: "Add a client (a customer company)", Args: nargs(1, 1, "one NAME (quote names with spaces)")}
	add.RunE = a.with(func(s *store.Store, actor store.Actor, args []string) error {
		var cl *store.Client
		cs, err := s.ApplyGrouped(actor, summary("clients add", args[0]), func(tx *store.Tx) error {
			var err error
			cl, err = tx.AddClient(args[0])
			return err
		})
		if err != nil {
			return err
		}
		return a.report(cs, "added client "+cl.Name)
	})
	return group("clients", "List, add, rename, retire, restore and delete clients", append([]*cobra.Command{lst, add}, a.clientLifeCommands()...)...)
}

// ---- sites

func (a *app) sitesCmd() *cobra.Command {
	lst := &cobra.Command{Use: "list [--client C] [--all]", Short: "List sites with their client and teams", Args: nargs(0, 0, "")}
	var clientFilter string
	var all bool
	lst.Flags().BoolVar(&all, "all", false, "retired sites too")
	lst.Flags().StringVar(&clientFilter, "client", "", "only this client's sites")
	lst.RunE = a.with(func(s *store.Store, actor store.Actor, args []string) error {
		if err := s.Capabilities(actor).May(store.ReadSites); err != nil {
			return err
		}
		pc, err := countPlaces(s)
		if err != nil {
			return err
		}
		n := s.Names()
		var want uint64
		if clientFilter != "" {
			found := false
			for _, c := range s.AllClients() {
				if strings.EqualFold(c.Name, strings.TrimSpace(clientFilter)) {
					want, found = c.ID, true
				}
			}
			if !found {
				return &store.Error{Kind: store.KindNotFound, Msg: fmt.Sprintf("no client named %q; see: gatehouse clients list", clientFilter)}
			}
		}
		teams := map[uint64][]string{}
		for _, t := range pick(all, s.Teams, s.AllTeams) {
			teams[t.SiteID] = append(teams[t.SiteID], t.Name)
		}
		out := []siteView{}
		for _, st := range pick(all, s.Sites, s.AllSites) {
			if clientFilter != "" && st.ClientID != want {
				continue
			}
			out = append(out, siteView{ID: st.ID, Name: st.Name, Client: n.Client(st.ClientID), Teams: nonNil(teams[st.ID]), Users: pc.sites[st.ID], Retired: retiredOn(st.Retired)})
		}
		if a.json {
			return a.printJSON(out)
		}
		if len(out) == 0 {
			a.printf("no sites; add one: gatehouse sites add NAME [--client C]\n")
			return nil
		}
		tw := newTable(a.env.Out)
		row(tw, "SITE", "CLIENT", "USERS", "TEAMS")
		for _, st := range out {
			cl := st.Client
			if cl == "" {
				cl = "(own)"
			}
			row(tw, st.Name+retiredMark(st.Retired), cl, fmt.Sprint(st.Users), list(st.Teams, 5))
		}
		return tw.Flush()
	})
	add := &cobra.Command{
		Use:     "add NAME [--client C]",
		Short:   "Add a site, owned by a client or the business's own",
		Example: `  gatehouse sites add "North Depot" --client Acme`,
		Args:    nargs(1, 1, "one NAME (quote names with spaces)"),
	}
	var client string
	add.Flags().StringVar(&client, "client", "", "the client owning the site (default: the business's own)")
	add.RunE = a.with(func(s *store.Store, actor store.Actor, args []string) error {
		var st *store.Site
		cs, err := s.ApplyGrouped(actor, summary("sites add", args[0]), func(tx *store.Tx) error {
			var err error
			st, err = tx.AddSite(args[0], client)
			return err
		})
		if err != nil {
			return err
		}
		owner := "the business's own"
		if client != "" {
			owner = "client " + s.Names().Client(st.ClientID)
		}
		return a.report(cs, fmt.Sprintf("added site %s (%s)", st.Name, owner))
	})
	return group("sites", "List, add, rename, retire, restore and delete sites; assign sites and teams to users",
		append([]*cobra.Command{lst, add, a.sitesAssignCmd(true), a.sitesAssignCmd(false)}, a.siteLifeCommands()...)...)
}

func (a *app) sitesAssignCmd(add bool) *cobra.Command {
	var where string
	var sites, teams []string
	name, short, verb := "assign", "Give users sites and teams to see", "assigned"
	if !add {
		name, short, verb = "unassign", "Take sites and teams away from users", "unassigned"
	}
	c := &cobra.Command{
		Use:   name + " (EMAIL... | --where EXPR) --site S... [--team T...]",
		Short: short,
		Long: short + `. A client user may only be given their own client's sites.
A manager limited to assigned sites may only assign their own sites.`,
		Example: fmt.Sprintf("  gatehouse sites %s jane@acme.test --site \"North Depot\" --site \"South Yard\"\n  gatehouse sites %s --where profile=User --team \"North Depot/Night\"", name, name),
	}
	addWhere(c, &where)
	c.Flags().StringArrayVar(&sites, "site", nil, "site (repeatable)")
	c.Flags().StringArrayVar(&teams, "team", nil, "team, \"Site/Team\" or a unique team name (repeatable)")
	var untilFlag string
	if add {
		c.Flags().StringVar(&untilFlag, "until", "", "the grant ends by itself after this `DATE` (2027-01-31): the store takes it back")
	}
	c.RunE = a.with(func(s *store.Store, actor store.Actor, args []string) error {
		if len(sites) == 0 && len(teams) == 0 {
			return usagef("sites %s needs at least one --site or --team; run 'gatehouse sites %s --help'", name, name)
		}
		var until time.Time
		if untilFlag != "" {
			var err error
			if until, err = store.ParseUntil(untilFlag, time.Now()); err != nil {
				return err
			}
		}
		targets, how, err := a.targets(s, actor, c, args, where)
		if err != nil {
			return err
		}
		what := append(append([]string{}, sites...), teams...)
		cs, err := a.eachUser(s, actor, summary("sites", name, how, strings.Join(what, ", ")), targets, func(tx *store.Tx, u *store.User) error {
			if !until.IsZero() {
				return tx.AssignSitesUntil(u.ID, 0, sites, teams, until)
			}
			return tx.AssignSites(u.ID, 0, sites, teams, add)
		})
		if err != nil {
			return err
		}
		prep := " to"
		if !add {
			prep = " from"
		}
		if !until.IsZero() {
			prep = " until " + store.UntilText(until) + prep
		}
		return a.bulkDone(cs, verb+" "+strings.Join(what, ", ")+prep, len(targets))
	})
	return c
}

// ---- teams

func (a *app) teamsCmd() *cobra.Command {
	lst := &cobra.Command{Use: "list [--all]", Short: "List teams by site", Args: nargs(0, 0, "")}
	var all bool
	lst.Flags().BoolVar(&all, "all", false, "retired teams too")
	lst.RunE = a.with(func(s *store.Store, actor store.Actor, args []string) error {
		if err := s.Capabilities(actor).May(store.ReadSites); err != nil {
			return err
		}
		pc, err := countPlaces(s)
		if err != nil {
			return err
		}
		n := s.Names()
		out := []teamView{}
		for _, t := range pick(all, s.Teams, s.AllTeams) {
			out = append(out, teamView{ID: t.ID, Name: t.Name, Site: n.Site(t.SiteID), Label: n.Team(t.ID), Users: pc.teams[t.ID], Retired: retiredOn(t.Retired)})
		}
		if a.json {
			return a.printJSON(out)
		}
		if len(out) == 0 {
			a.printf("no teams; add one: gatehouse teams add NAME --site S\n")
			return nil
		}
		tw := newTable(a.env.Out)
		row(tw, "SITE", "TEAM", "USERS")
		for _, t := range out {
			row(tw, t.Site, t.Name+retiredMark(t.Retired), fmt.Sprint(t.Users))
		}
		return tw.Flush()
	})
	add := &cobra.Command{
		Use:     "add NAME --site S",
		Short:   "Add a team to a site",
		Example: `  gatehouse teams add Night --site "North Depot"`,
		Args:    nargs(1, 1, "one NAME (quote names with spaces)"),
	}
	var site string
	add.Flags().StringVar(&site, "site", "", "the team's site (required)")
	add.RunE = a.with(func(s *store.Store, actor store.Actor, args []string) error {
		if strings.TrimSpace(site) == "" {
			return usagef("teams add needs --site S; run 'gatehouse teams add --help'")
		}
		var t *store.Team
		cs, err := s.ApplyGrouped(actor, summary("teams add", args[0], "--site", site), func(tx *store.Tx) error {
			var err error
			t, err = tx.AddTeam(args[0], site)
			return err
		})
		if err != nil {
			return err
		}
		return a.report(cs, "added team "+s.Names().Team(t.ID))
	})
	return group("teams", "List, add, rename, retire, restore, delete and move teams", append([]*cobra.Command{lst, add}, a.teamLifeCommands()...)...)
}

// pick is the records in use, or all of them with --all.
func pick[T any](all bool, inUse, every func() []T) []T {
	if all {
		return every()
	}
	return inUse()
}

// retiredMark follows a retired record's name in a table.
func retiredMark(on string) string {
	if on == "" {
		return ""
	}
	return " (retired " + on + ")"
}
