package store

// Capabilities is what one actor may do, per screen and action, and why not:
// decided here once, asked by the console (its read-only flag, the
// self-service view, which sites a user may be given), the command line and
// the SSH server (its allowlist) alike, so no front end decides a rule.
type Capabilities struct {
	local   bool
	user    *User
	profile *Profile
	cat     *catalog
	err     error // the actor may do nothing at all (gone, disabled, no profile)
}

// Action is something a front end offers an actor.
type Action uint8

// The actions, each governed by one screen (and, for what everyone shares,
// an all-sites scope).
const (
	ReadUsers    Action = iota // see other users: lists, details, history, effective access, checks
	EditUsers                  // add and change users: profile, sites, teams, clients, keys, passwords, status
	ReadProfiles               // list and show profiles
	EditProfiles               // create, grant, scope and delete profiles (shared)
	ReadClients                // list clients
	EditClients                // add clients
	ReadSites                  // list sites and teams
	EditSites                  // add sites and teams
	ReadSettings               // show the org settings
	EditSettings               // change them (shared)
	ReadScreens                // list the screen catalog
	EditScreens                // extend it (shared)
	ReadAudit                  // read the audit log
	ReadOutbox                 // read the outbox, which holds invitation tokens (shared)
	OperatorJobs               // backup, export, import, demo: copies and loads of everything (shared)
	numActions
)

type actionRule struct {
	screen string
	level  Level
	shared bool // needs an all-sites actor
}

var actionRules = [numActions]actionRule{
	ReadUsers:    {"users", View, false},
	EditUsers:    {"users", Maintain, false},
	ReadProfiles: {"users", View, false},
	EditProfiles: {"users", Maintain, true},
	ReadClients:  {"clients", View, false},
	EditClients:  {"clients", Maintain, false},
	ReadSites:    {"sites", View, false},
	EditSites:    {"sites", Maintain, false},
	ReadSettings: {"settings", View, false},
	EditSettings: {"settings", Maintain, true},
	ReadScreens:  {"setup", View, false},
	EditScreens:  {"setup", Maintain, true},
	ReadAudit:    {"audit", View, false},
	ReadOutbox:   {"users", Maintain, true},
	OperatorJobs: {"setup", Maintain, true},
}

// Capabilities reads what the actor may do now.
func (s *Store) Capabilities(a Actor) Capabilities {
	if a.local {
		return Capabilities{local: true}
	}
	u, p, err := s.actorProfile(a)
	s.mu.RLock()
	c := s.cat
	s.mu.RUnlock()
	return Capabilities{user: u, profile: p, cat: c, err: err}
}

// May answers whether the actor may do act: nil, or why not in one line.
func (c Capabilities) May(act Action) error {
	if c.local {
		return nil
	}
	if c.err != nil {
		return c.err
	}
	return c.may(actionRules[act])
}

func (c Capabilities) may(r actionRule) error {
	if have := c.profile.Level(r.screen); have < r.level {
		title := r.screen
		if sc, err := c.cat.screen(r.screen); err == nil {
			title = sc.Title
		}
		if r.level == View {
			return denied("%s (%s) has no access to %s", c.user.Email, c.profile.Name, title)
		}
		return denied("%s (%s) needs maintain on %s to do this; they have %s", c.user.Email, c.profile.Name, title, have)
	}
	if r.shared && c.profile.Scope != ScopeAll {
		return denied("%s (%s) is limited to assigned sites; only an all-sites administrator may do this", c.user.Email, c.profile.Name)
	}
	return nil
}

// SelfServiceOnly says the actor may see only themselves (no view on Users
// & permissions): the console shows them their own access, SSH lets them
// ask only about themselves.
func (c Capabilities) SelfServiceOnly() bool { return !c.local && c.May(ReadUsers) != nil }

// ReadOnly says the actor may change nothing the console edits (users,
// sites and teams, clients, profiles, settings).
func (c Capabilities) ReadOnly() bool {
	for _, a := range []Action{EditUsers, EditSites, EditClients, EditProfiles, EditSettings} {
		if c.May(a) == nil {
			return false
		}
	}
	return true
}

// MayHoldSite says whether a user may be given a site of this client
// (rule 2: a client user holds only their own client's sites).
func MayHoldSite(u *User, siteClient uint64) bool {
	if u.Type != ClientUser {
		return true
	}
	return siteClient != 0 && len(u.ClientIDs) == 1 && u.ClientIDs[0] == siteClient
}

// MayBeGivenClients says whether clients may be assigned to a user (rule 3:
// employees see the clients they are given; a client user has exactly one,
// changed with their client, not assigned).
func MayBeGivenClients(u *User) bool { return u.Type == Employee }

// MayOverrideFeatures says whether a user's features may be set apart from
// the org's (employees only: client users follow the org setting).
func MayOverrideFeatures(u *User) bool { return u.Type == Employee }
