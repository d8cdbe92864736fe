package store

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Who can: the users who pass one check, and why. It is answered from the
// same data and by the same rules as check() in check.go, but over every
// user at once; TestWhoCanAgreesWithCheck holds the two together for every
// user, screen, level and site of the demo data, so a rule changed in one
// and not the other fails there.

// WhoCanQuery asks who may use a screen at a level: anywhere, at one site,
// or at any site of a client ("who can open payroll for Acme?").
type WhoCanQuery struct {
	Screen string
	Level  Level  // view or maintain
	Site   string // "": anywhere (unless Client says)
	Client string // "": any; else at any of this client's sites
}

// WhoCanAt is one site at which a user passes, and the team through which
// it is assigned ("" when it is assigned directly).
type WhoCanAt struct {
	Site  string    `json:"site"`
	Via   string    `json:"via_team"`
	Until time.Time `json:"until,omitzero"` // when the site (or the team) assigned ends by itself
}

// WhoCanRow is one user who passes, and why.
type WhoCanRow struct {
	User     *User    // read-only snapshot, as stored (with any grant that has ended but is not yet taken back)
	Profile  *Profile // read-only snapshot
	Held     Level    // the profile's level on the screen
	AllSites bool     // the profile reaches all sites
	// At lists the sites asked about (one with Site, the client's with
	// Client) at which they pass; empty when asked about anywhere or when
	// AllSites.
	At []WhoCanAt
	// Restricted: an employee whose profile limits them to their assigned
	// clients' data (ClientNames names them); they pass only at those
	// clients' sites. Never with AllSites (check does not ask then).
	Restricted bool
	// Until: when the temporary profile they pass by ends (zero: it does
	// not). A grant that has ended counts as gone, as in check, even
	// before the store takes it back.
	Until time.Time

	held *User // the user as check judges them now: what has ended is gone
	c    *catalog
}

// ClientNames are the names of the user's assigned clients, sorted.
func (r *WhoCanRow) ClientNames() []string {
	return mapNames(r.held.ClientIDs, func(id uint64) string {
		if cl := r.c.clients[id]; cl != nil {
			return cl.Name
		}
		return ""
	})
}

// WhoCan is the answer: the query as the store understood it (canonical
// names) and the users who pass, sorted as SortUsers sorts.
type WhoCan struct {
	Screen      string // the screen's key
	ScreenTitle string
	Level       Level
	Site        string   // "" unless asked about a site
	Client      string   // "" unless asked about a client
	ClientSites []string // the client's sites, sorted (what "any site of the client" means)
	Rows        []WhoCanRow
	// Partial: the reader may not see every user (a scoped actor), so only
	// those they may see are listed.
	Partial bool
}

// Reason is the one-line explanation of a row, in check's words:
// "Manager has maintain on Payroll, and North Depot is assigned to them".
func (w *WhoCan) Reason(r *WhoCanRow) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s has %s on %s", r.Profile.Name, r.Held, w.ScreenTitle)
	switch {
	case r.AllSites:
		b.WriteString(" (profile reaches all sites)")
	case len(r.At) == 1:
		if r.At[0].Via != "" {
			fmt.Fprintf(&b, ", and %s is assigned through team %s", r.At[0].Site, r.At[0].Via)
		} else {
			fmt.Fprintf(&b, ", and %s is assigned to them", r.At[0].Site)
		}
	case len(r.At) > 1:
		b.WriteString(", at ")
		for i, at := range r.At {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(at.Site)
			switch {
			case at.Via != "" && !at.Until.IsZero():
				fmt.Fprintf(&b, " (through team %s, until %s)", at.Via, UntilText(at.Until))
			case at.Via != "":
				fmt.Fprintf(&b, " (through team %s)", at.Via)
			case !at.Until.IsZero():
				fmt.Fprintf(&b, " (until %s)", UntilText(at.Until))
			}
		}
	}
	if r.Restricted {
		fmt.Fprintf(&b, "; sees only the data of %s", strings.Join(r.ClientNames(), ", "))
	}
	if until := r.Ends(); !until.IsZero() {
		fmt.Fprintf(&b, " (until %s)", UntilText(until))
	}
	return b.String()
}

// Ends is when what lets the row pass ends, as check's Until says it: the
// sooner of the temporary profile and, at one site, its assignment. With
// several sites each says its own (At), and this only the profile's.
func (r *WhoCanRow) Ends() time.Time {
	until := r.Until
	if len(r.At) == 1 && !r.AllSites {
		if t := r.At[0].Until; !t.IsZero() && (until.IsZero() || t.Before(until)) {
			until = t
		}
	}
	return until
}

// WhoCan lists every user the actor may see who passes the check q: those
// for whom Check(email, q.Screen, q.Level, site) is allowed — at q.Site, or
// at one or more of q.Client's sites, or anywhere. The actor needs view on
// Users & permissions; a scoped actor gets only the users they may see
// (Visible), so the answer never names anyone else.
func (s *Store) WhoCan(a Actor, q WhoCanQuery) (*WhoCan, error) {
	if err := s.CanView(a, "users"); err != nil {
		return nil, err
	}
	if q.Level == None {
		return nil, badInput("who-can asks about view or maintain: every enabled user holds at least none")
	}
	if q.Level > Maintain {
		return nil, badInput("level %s is not one of view, maintain", q.Level)
	}
	seen, partial := s.Visible(a), !s.seesEveryone(a) // before the lock: they take it themselves
	s.mu.RLock()
	defer s.mu.RUnlock()
	c := s.cat
	w, sites, err := c.whoCanQuery(q)
	if err != nil {
		return nil, err
	}
	w.Partial = partial
	si := c.screenIdx[w.Screen]
	if q.Client != "" && len(sites) == 0 {
		return w, nil // a client without sites: nobody passes at any of them
	}
	// first who passes, in one walk through the users as they lie in
	// memory, then the rows in order
	type pass struct {
		u          *User // as held now: grants that have ended are gone
		p          *Profile
		restricted bool
		stored     *User // with its ends, when it has any
	}
	var passed []pass
	var users []*User
	now := s.now()
	s.users.each(func(u *User) {
		if u.Disabled {
			return
		}
		stored := u
		if len(u.Expiries) > 0 {
			u = u.heldAt(now)
		}
		p := at(c.profileAt, u.ProfileID)
		if p == nil || c.levelsAt[p.ID][si] < q.Level || !seen(stored) {
			return
		}
		if p.Scope != ScopeAll && sites != nil && !slices.ContainsFunc(sites, func(sid uint64) bool { return reachesSite(u, p, sid, c) }) {
			return
		}
		passed = append(passed, pass{u, p, p.Scope != ScopeAll && u.Type == Employee && p.ClientRestricted && len(u.ClientIDs) > 0, stored})
		users = append(users, u)
	})
	w.Rows = make([]WhoCanRow, len(passed))
	var places []WhoCanAt // every row's At, in one array
	for j, i := range sortOrder(users) {
		x := &passed[i]
		r := &w.Rows[j]
		*r = WhoCanRow{User: x.stored, held: x.u, Profile: x.p, Held: c.levelsAt[x.p.ID][si], AllSites: x.p.Scope == ScopeAll, Restricted: x.restricted, c: c}
		if x.u != x.stored {
			r.Until = x.stored.Until(GrantProfile, x.p.ID)
		}
		if r.AllSites || sites == nil {
			continue
		}
		lo := len(places)
		for _, sid := range sites {
			if reachesSite(x.u, x.p, sid, c) {
				via, _ := assignedAt(x.u, sid, c)
				a := WhoCanAt{Site: c.siteAt[sid].Name, Via: via}
				if x.u != x.stored {
					a.Until = x.stored.Until(GrantSite, sid)
					if via != "" {
						a.Until = x.stored.Until(GrantTeam, teamAt(x.u, sid, c))
					}
				}
				places = append(places, a)
			}
		}
		r.At = places[lo:len(places):len(places)]
	}
	// the rows' At point into the arrays places grew through (which hold
	// the same values): point them all into the last, so the rest can go
	k := 0
	for i := range w.Rows {
		if n := len(w.Rows[i].At); n > 0 {
			w.Rows[i].At = places[k : k+n : k+n]
			k += n
		}
	}
	return w, nil
}

// whoCanQuery resolves the names of q, and the sites it asks about (nil:
// anywhere).
func (c *catalog) whoCanQuery(q WhoCanQuery) (*WhoCan, []uint64, error) {
	sc, err := c.screen(strings.TrimSpace(q.Screen))
	if err != nil {
		return nil, nil, err
	}
	w := &WhoCan{Screen: sc.Key, ScreenTitle: sc.Title, Level: q.Level}
	var site *Site
	if q.Site != "" {
		if site, err = c.siteNamed(q.Site); err != nil {
			return nil, nil, err
		}
		w.Site = site.Name
	}
	if q.Client == "" {
		if site == nil {
			return w, nil, nil
		}
		return w, []uint64{site.ID}, nil
	}
	cl, err := c.clientNamed(q.Client)
	if err != nil {
		return nil, nil, err
	}
	w.Client = cl.Name
	if site != nil {
		if site.ClientID != cl.ID {
			owner := "the business itself"
			if o := c.clients[site.ClientID]; o != nil {
				owner = o.Name
			}
			return nil, nil, badInput("site %s belongs to %s, not to client %s; ask with --site or with --client alone", site.Name, owner, cl.Name)
		}
		w.ClientSites = []string{site.Name}
		return w, []uint64{site.ID}, nil
	}
	sites := []uint64{}
	for id, st := range c.sites {
		if st.ClientID == cl.ID && !st.IsRetired() { // a retired site is nobody's to use
			sites = append(sites, id)
		}
	}
	slices.SortFunc(sites, func(a, b uint64) int { return strings.Compare(lower(c.sites[a].Name), lower(c.sites[b].Name)) })
	for _, id := range sites {
		w.ClientSites = append(w.ClientSites, c.sites[id].Name)
	}
	return w, sites, nil
}

// assignedAt says whether a site is assigned to the user, as check decides
// it: directly first, else through the first of their teams that lives
// there (whose name it returns).
func assignedAt(u *User, site uint64, c *catalog) (via string, ok bool) {
	if slices.Contains(u.SiteIDs, site) {
		return "", true
	}
	for _, tid := range u.TeamIDs {
		if t := at(c.teamAt, tid); t != nil && t.SiteID == site {
			return t.Name, true
		}
	}
	return "", false
}

// teamAt is the id of the first of the user's teams that lives at the site
// (the one assignedAt names).
func teamAt(u *User, site uint64, c *catalog) uint64 {
	for _, tid := range u.TeamIDs {
		if t := at(c.teamAt, tid); t != nil && t.SiteID == site {
			return tid
		}
	}
	return 0
}

// reachesSite says whether a check at the site gets past the site rules for
// this user and profile (whatever the level): the profile reaches all
// sites, or the site is assigned to them and, for an employee limited to
// their clients' data, belongs to one of those clients.
func reachesSite(u *User, p *Profile, site uint64, c *catalog) bool {
	if p.Scope == ScopeAll {
		return true
	}
	if _, ok := assignedAt(u, site, c); !ok {
		return false
	}
	if u.Type == Employee && p.ClientRestricted && len(u.ClientIDs) > 0 {
		st := at(c.siteAt, site)
		return st != nil && slices.Contains(u.ClientIDs, st.ClientID)
	}
	return true
}
