package store

import (
	"slices"
	"sort"
	"strings"
)

// User finds a user by email, any case.
func (s *Store) User(email string) (*User, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if e, ok := s.emails()[foldKey(email)]; ok {
		return e.u, nil
	}
	return nil, noSuchUser(email)
}

// UserByID finds a user by id.
func (s *Store) UserByID(id uint64) (*User, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if u := s.users.get(id); u != nil {
		return u, nil
	}
	return nil, notFound("no user with id %d", id)
}

// UserCount is the number of users.
func (s *Store) UserCount() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.users.len()
}

// UserFilter selects users. Zero values match everything.
type UserFilter struct {
	Type     *UserType
	Statuses []Status // empty: all
	Profile  string
	Site     string // assigned directly or through a team of the site
	Team     string
	Client   string
	Text     string // part of the name or email
}

type compiledFilter struct {
	f                                   UserFilter
	profileID, siteID, teamID, clientID uint64
	text                                string
}

func (f UserFilter) compile(c *catalog) (*compiledFilter, error) {
	cf := &compiledFilter{f: f, text: lower(strings.TrimSpace(f.Text))}
	if f.Profile != "" {
		p, err := c.profileNamed(f.Profile)
		if err != nil {
			return nil, err
		}
		cf.profileID = p.ID
	}
	if f.Site != "" {
		s, err := c.siteNamed(f.Site)
		if err != nil {
			return nil, err
		}
		cf.siteID = s.ID
	}
	if f.Team != "" {
		t, err := c.teamNamed(f.Team)
		if err != nil {
			return nil, err
		}
		cf.teamID = t.ID
	}
	if f.Client != "" {
		cl, err := c.clientNamed(f.Client)
		if err != nil {
			return nil, err
		}
		cf.clientID = cl.ID
	}
	return cf, nil
}

func (cf *compiledFilter) match(u *User, c *catalog) bool {
	f := &cf.f
	if f.Type != nil && u.Type != *f.Type {
		return false
	}
	if len(f.Statuses) > 0 && !slices.Contains(f.Statuses, u.Status()) {
		return false
	}
	if cf.profileID != 0 && u.ProfileID != cf.profileID {
		return false
	}
	if cf.clientID != 0 && !slices.Contains(u.ClientIDs, cf.clientID) {
		return false
	}
	if cf.teamID != 0 && !slices.Contains(u.TeamIDs, cf.teamID) {
		return false
	}
	if cf.siteID != 0 && !hasSite(u, cf.siteID, c) {
		return false
	}
	if cf.text != "" && !strings.Contains(lower(u.Email), cf.text) && !strings.Contains(lower(u.Name()), cf.text) {
		return false
	}
	return true
}

func hasSite(u *User, site uint64, c *catalog) bool {
	for _, id := range u.SiteIDs {
		if id == site {
			return true
		}
	}
	for _, id := range u.TeamIDs {
		if c.teamSite(id) == site {
			return true
		}
	}
	return false
}

// Users lists matching users sorted by last name, first name, email.
func (s *Store) Users(f UserFilter) ([]*User, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	cf, err := f.compile(s.cat)
	if err != nil {
		return nil, err
	}
	out := make([]*User, 0, 64)
	s.users.each(func(u *User) {
		if cf.match(u, s.cat) {
			out = append(out, u)
		}
	})
	SortUsers(out)
	return out, nil
}

// SortKey orders users by last name, first name, email, ignoring case.
func SortKey(u *User) string {
	return lower(u.Last) + "\x00" + lower(u.First) + "\x00" + lower(u.Email)
}

// SortUsers orders by SortKey, computing each key once.
func SortUsers(us []*User) {
	type keyed struct {
		key string
		u   *User
	}
	ks := make([]keyed, len(us))
	for i, u := range us {
		ks[i] = keyed{SortKey(u), u}
	}
	slices.SortFunc(ks, func(a, b keyed) int { return strings.Compare(a.key, b.key) })
	for i := range ks {
		us[i] = ks[i].u
	}
}

// Profiles lists profiles in creation order.
func (s *Store) Profiles() []*Profile {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]*Profile, 0, len(s.cat.profiles))
	for _, p := range s.cat.profiles {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Profile finds a profile by name.
func (s *Store) Profile(name string) (*Profile, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.cat.profileNamed(name)
}

// ProfileUsers counts the users holding each profile.
func (s *Store) ProfileUsers() map[uint64]int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	m := map[uint64]int{}
	s.users.each(func(u *User) { m[u.ProfileID]++ })
	return m
}

// Screens lists the screen catalog in order.
func (s *Store) Screens() []*Screen {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return append([]*Screen(nil), s.cat.screens...)
}

// Clients lists the clients in use by name; AllClients those retired too.
func (s *Store) Clients() []*Client    { return s.clients(false) }
func (s *Store) AllClients() []*Client { return s.clients(true) }

func (s *Store) clients(all bool) []*Client {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]*Client, 0, len(s.cat.clients))
	for _, c := range s.cat.clients {
		if all || !c.IsRetired() {
			out = append(out, c)
		}
	}
	sort.Slice(out, func(i, j int) bool { return lower(out[i].Name) < lower(out[j].Name) })
	return out
}

// Sites lists the sites in use by name; AllSites those retired too.
func (s *Store) Sites() []*Site    { return s.sites(false) }
func (s *Store) AllSites() []*Site { return s.sites(true) }

func (s *Store) sites(all bool) []*Site {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]*Site, 0, len(s.cat.sites))
	for _, x := range s.cat.sites {
		if all || !x.IsRetired() {
			out = append(out, x)
		}
	}
	sort.Slice(out, func(i, j int) bool { return lower(out[i].Name) < lower(out[j].Name) })
	return out
}

// Teams lists the teams in use by site, then name; AllTeams those retired too.
func (s *Store) Teams() []*Team    { return s.teams(false) }
func (s *Store) AllTeams() []*Team { return s.teams(true) }

func (s *Store) teams(all bool) []*Team {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]*Team, 0, len(s.cat.teams))
	for _, x := range s.cat.teams {
		if all || !x.IsRetired() {
			out = append(out, x)
		}
	}
	c := s.cat
	sort.Slice(out, func(i, j int) bool {
		a, b := lower(c.sites[out[i].SiteID].Name), lower(c.sites[out[j].SiteID].Name)
		if a != b {
			return a < b
		}
		return lower(out[i].Name) < lower(out[j].Name)
	})
	return out
}

// Settings are the org settings.
func (s *Store) Settings() Settings {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.cat.settings
}

// Names resolves ids to names for display.
type Names struct{ c *catalog }

// Names returns a resolver over the current catalog.
func (s *Store) Names() Names {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return Names{s.cat}
}

// Profile name of an id.
func (n Names) Profile(id uint64) string {
	if p := n.c.profiles[id]; p != nil {
		return p.Name
	}
	return ""
}

// Client name of an id.
func (n Names) Client(id uint64) string {
	if c := n.c.clients[id]; c != nil {
		return c.Name
	}
	return ""
}

// Site name of an id.
func (n Names) Site(id uint64) string { return siteName(n.c, id) }

// Team label "Site/Team" of an id.
func (n Names) Team(id uint64) string { return teamLabel(n.c, id) }

// Clients names, sorted.
func (n Names) Clients(ids []uint64) []string { return mapNames(ids, n.Client) }

// Sites names, sorted.
func (n Names) Sites(ids []uint64) []string { return mapNames(ids, n.Site) }

// Teams labels, sorted.
func (n Names) Teams(ids []uint64) []string { return mapNames(ids, n.Team) }

func mapNames(ids []uint64, f func(uint64) string) []string {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		out = append(out, f(id))
	}
	sort.Strings(out)
	return out
}

// EachUser calls f for every user, in id order, under the read lock: f must
// not call back into the store. It returns the last change set the users
// reflect, so a cache built from them knows which change events it has seen.
func (s *Store) EachUser(f func(*User)) (asOf uint64) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	s.users.each(f)
	return s.batch
}

// LastBatch is the number of the last committed change set.
func (s *Store) LastBatch() uint64 {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.batch
}

// TeamSite is the site a team lives in (0 if unknown).
func (n Names) TeamSite(id uint64) uint64 { return n.c.teamSite(id) }

// SiteClient is the client owning a site (0: the business's own).
func (n Names) SiteClient(id uint64) uint64 {
	if s := n.c.sites[id]; s != nil {
		return s.ClientID
	}
	return 0
}
