package store

import (
	"fmt"
	"slices"
	"time"
)

// Code says why a check decided as it did.
type Code uint8

const (
	CodeAllowed         Code = iota // held level on screen, site reachable
	CodeAllowedAllSites             // held level; profile reaches all sites
	CodeUnknownUser
	CodeDisabled
	CodeUnknownScreen
	CodeUnknownSite
	CodeLevelTooLow
	CodeSiteNotAssigned
	CodeClientRestricted
	CodeNoProfile
)

// Decision answers "may user U use screen S at level L, at site X?" (rule 12).
// It is a value with no allocations; Reason renders the one-line explanation.
type Decision struct {
	Allowed bool
	Code    Code
	Email   string
	Profile string
	Screen  string
	Level   Level
	Held    Level
	Site    string
	Via     string    // the team through which the site is reached, if any
	Client  string    // the site's client, for client restrictions
	Until   time.Time // when what allows it ends by itself (zero: it does not)
}

// Reason is the one-line explanation, the same in the CLI, over SSH and in the console.
func (d Decision) Reason() string {
	r := d.reason()
	if !d.Until.IsZero() {
		r += " (until " + UntilText(d.Until) + ")"
	}
	return r
}

func (d Decision) reason() string {
	at := ""
	if d.Site != "" {
		at = " at " + d.Site
	}
	switch d.Code {
	case CodeAllowed:
		if d.Site == "" {
			return fmt.Sprintf("allowed: %s (%s) has %s on %s", d.Email, d.Profile, d.Held, d.Screen)
		}
		if d.Via != "" {
			return fmt.Sprintf("allowed: %s (%s) has %s on %s, and %s is assigned through team %s", d.Email, d.Profile, d.Held, d.Screen, d.Site, d.Via)
		}
		return fmt.Sprintf("allowed: %s (%s) has %s on %s, and %s is assigned to them", d.Email, d.Profile, d.Held, d.Screen, d.Site)
	case CodeAllowedAllSites:
		return fmt.Sprintf("allowed: %s (%s) has %s on %s%s (profile reaches all sites)", d.Email, d.Profile, d.Held, d.Screen, at)
	case CodeUnknownUser:
		return fmt.Sprintf("denied: no user %s", d.Email)
	case CodeDisabled:
		return fmt.Sprintf("denied: %s is disabled", d.Email)
	case CodeUnknownScreen:
		return fmt.Sprintf("denied: no screen %q", d.Screen)
	case CodeUnknownSite:
		return fmt.Sprintf("denied: no site %q", d.Site)
	case CodeLevelTooLow:
		return fmt.Sprintf("denied: %s (%s) has %s on %s, needs %s", d.Email, d.Profile, d.Held, d.Screen, d.Level)
	case CodeSiteNotAssigned:
		return fmt.Sprintf("denied: %s (%s) has %s on %s, but %s is not assigned to them", d.Email, d.Profile, d.Held, d.Screen, d.Site)
	case CodeClientRestricted:
		owner := d.Client
		if owner == "" {
			owner = "no client"
		}
		return fmt.Sprintf("denied: %s (%s) sees only their assigned clients' data; %s belongs to %s", d.Email, d.Profile, d.Site, owner)
	case CodeNoProfile:
		return fmt.Sprintf("denied: %s has no profile", d.Email)
	}
	return "denied"
}

// emailEntry is the value of the email index: the user, and inline what most
// checks need, so a check reads the map slot it found and usually never the
// user record itself (a cache miss at 100k users).
type emailEntry struct {
	u        *User
	profile  uint32
	disabled bool
	deref    bool // the check must read u: more sites than fit, teams, or client restrictions
	ends     bool // u holds grants that end (checkWithEnds): known without reading u
	nSites   uint8
	sites    [3]uint32
}

func entryOf(u *User) emailEntry {
	e := emailEntry{u: u, profile: uint32(u.ProfileID), disabled: u.Disabled, ends: len(u.Expiries) > 0}
	e.deref = u.ProfileID > 1<<32-1 || len(u.SiteIDs) > len(e.sites) || len(u.TeamIDs) > 0 || (u.Type == Employee && len(u.ClientIDs) > 0) || len(u.Expiries) > 0
	if !e.deref {
		for i, id := range u.SiteIDs {
			if id > 1<<32-1 {
				e.deref = true
				break
			}
			e.sites[i] = uint32(id)
		}
		e.nSites = uint8(len(u.SiteIDs))
	}
	return e
}

// Check decides whether the user may use screen at level, at site ("" for
// anywhere). It reads only memory and does not allocate.
func (s *Store) Check(email, screen string, level Level, site string) Decision {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return check(s.cat, s.emails(), email, screen, level, site, s.now)
}

func check(c *catalog, byEmail map[string]emailEntry, email, screen string, level Level, site string, now func() time.Time) Decision {
	d := Decision{Email: email, Screen: screen, Level: level, Site: site}
	key := lower(email)
	e, found := byEmail[key]
	if !found {
		d.Code = CodeUnknownUser
		return d
	}
	d.Email = key
	if e.ends {
		return checkWithEnds(c, e.u, key, email, screen, level, site, now)
	}
	if e.disabled {
		d.Code = CodeDisabled
		return d
	}
	p := at(c.profileAt, uint64(e.profile))
	if p == nil {
		d.Code = CodeNoProfile
		return d
	}
	d.Profile = p.Name
	i, ok := c.screenIdx[lower(screen)]
	if !ok {
		d.Code = CodeUnknownScreen
		return d
	}
	d.Screen = c.screens[i].Title
	d.Held = c.levelsAt[p.ID][i]
	if d.Held < level {
		d.Code = CodeLevelTooLow
		return d
	}
	if site == "" {
		d.Allowed, d.Code = true, CodeAllowed
		if p.Scope == ScopeAll {
			d.Code = CodeAllowedAllSites
		}
		return d
	}
	sid, ok := c.siteExact[site]
	if !ok {
		sid, ok = c.siteByName[lower(site)]
	}
	if !ok {
		d.Code = CodeUnknownSite
		return d
	}
	st := at(c.siteAt, sid)
	d.Site = st.Name
	if p.Scope == ScopeAll {
		d.Allowed, d.Code = true, CodeAllowedAllSites
		return d
	}
	if !e.deref {
		for _, id := range e.sites[:e.nSites] {
			if uint64(id) == sid {
				d.Allowed, d.Code = true, CodeAllowed
				return d
			}
		}
		d.Code = CodeSiteNotAssigned
		return d
	}
	u := e.u
	assigned := slices.Contains(u.SiteIDs, sid)
	if !assigned {
		for _, tid := range u.TeamIDs {
			if t := at(c.teamAt, tid); t != nil && t.SiteID == sid {
				assigned, d.Via = true, t.Name
				break
			}
		}
	}
	if !assigned {
		d.Code = CodeSiteNotAssigned
		return d
	}
	// rule 3: a client-restricted employee assigned to clients sees only their data
	if u.Type == Employee && p.ClientRestricted && len(u.ClientIDs) > 0 && !slices.Contains(u.ClientIDs, st.ClientID) {
		if cl := c.clients[st.ClientID]; cl != nil {
			d.Client = cl.Name
		}
		d.Code = CodeClientRestricted
		return d
	}
	d.Allowed, d.Code = true, CodeAllowed
	return d
}

// checkWithEnds judges a user who holds grants that end as they are now (an
// ended one is gone even before the store takes it back), and says until
// when what allows it lasts. Apart from check, and never inlined, so that
// the common check carries none of its frame.
//
//go:noinline
func checkWithEnds(c *catalog, u *User, key, email, screen string, level Level, site string, now func() time.Time) Decision {
	at := now()
	d := check(c, map[string]emailEntry{key: entryOf(u.heldAt(at))}, email, screen, level, site, now)
	if d.Allowed {
		d.Until = u.allowedUntil(c, d, at)
	}
	return d
}

// Effective is everything a user may do: profile, levels, sites, clients, features.
type Effective struct {
	Email    string          `json:"email"`
	Name     string          `json:"name"`
	Type     string          `json:"type"`
	Status   string          `json:"status"`
	Profile  string          `json:"profile"`
	Scope    string          `json:"scope"`
	Levels   []ScreenLevel   `json:"levels"`
	Sites    []string        `json:"sites"` // every site reachable, directly or through teams
	Teams    []string        `json:"teams"`
	Clients  []string        `json:"clients"`
	Features []EffectiveFlag `json:"features"`
	Default  string          `json:"default_site,omitempty"`
	Ends     []End           `json:"ends,omitempty"` // grants that end by themselves
	Notes    []string        `json:"notes,omitempty"`
}

// ScreenLevel is one row of a profile's matrix.
type ScreenLevel struct {
	Screen    string `json:"screen"`
	Title     string `json:"title"`
	Level     string `json:"level"`
	Sensitive bool   `json:"sensitive,omitempty"`
}

// EffectiveFlag is a feature's org value, the user's override and the result.
type EffectiveFlag struct {
	Feature   string `json:"feature"`
	Title     string `json:"title"`
	Org       bool   `json:"org"`
	Override  string `json:"override"`
	Effective bool   `json:"effective"`
}

// Effective computes a user's effective access.
func (s *Store) Effective(email string) (*Effective, error) {
	u, err := s.User(email)
	if err != nil {
		return nil, err
	}
	return s.effective(u), nil
}

// EffectiveByID is Effective for a user known by id: it needs no email
// index, so a console's first frame does not wait for open to build one.
func (s *Store) EffectiveByID(id uint64) (*Effective, error) {
	u, err := s.UserByID(id)
	if err != nil {
		return nil, err
	}
	return s.effective(u), nil
}

func (s *Store) effective(u *User) *Effective {
	s.mu.RLock()
	defer s.mu.RUnlock()
	c := s.cat
	p := c.profiles[u.ProfileID]
	e := &Effective{Email: u.Email, Name: u.Name(), Type: u.Type.String(), Status: u.Status().String(), Default: siteName(c, u.DefaultSiteID)}
	if p != nil {
		e.Profile, e.Scope = p.Name, p.Scope.String()
		for _, sc := range c.screens {
			e.Levels = append(e.Levels, ScreenLevel{Screen: sc.Key, Title: sc.Title, Level: p.Levels[sc.Key].String(), Sensitive: sc.Sensitive})
		}
		if p.Scope == ScopeAll {
			e.Notes = append(e.Notes, "profile reaches all sites")
		}
		if u.Type == Employee && p.ClientRestricted && len(u.ClientIDs) > 0 {
			e.Notes = append(e.Notes, "sees only the data of their assigned clients")
		}
	}
	sites := userSites(u, c)
	e.Sites = []string{}
	// a record naming what is not there (a damaged file) loses that
	// name, not the process
	for id := range sites {
		if n := siteName(c, id); n != "" {
			e.Sites = append(e.Sites, n)
		}
	}
	slices.Sort(e.Sites)
	e.Teams = append([]string{}, mapNames(u.TeamIDs, func(id uint64) string { return teamLabel(c, id) })...)
	e.Clients = append([]string{}, mapNames(u.ClientIDs, Names{c}.Client)...)
	for _, f := range Features() {
		o := Inherit
		if u.Type == Employee {
			o = u.Features[f]
		}
		e.Features = append(e.Features, EffectiveFlag{Feature: f.String(), Title: f.Title(), Org: c.settings.Features[f], Override: o.String(), Effective: c.settings.EffectiveFeature(u, f)})
	}
	if len(u.Expiries) > 0 {
		e.Ends = Names{c}.Ends(u)
	}
	return e
}
