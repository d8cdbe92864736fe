package store

import (
	"fmt"
	"strings"
)

// Rule 9: every change needs maintain on the screen that governs it; a scoped
// actor reaches only users inside their own sites, assigns only their own
// sites, and never grants above their own profile; shared things (profiles,
// the screen catalog, org settings) need an all-sites actor.

// require checks the actor holds maintain on screen (and all-sites scope if shared).
func (t *Tx) require(screen string, shared bool) error {
	if t.actor.local {
		return nil
	}
	p := t.actorProfile
	if p == nil {
		return denied("%s has no profile and may change nothing", t.actor.Name)
	}
	if p.Level(screen) < Maintain {
		title := screen
		if sc, err := t.catalog().screen(screen); err == nil {
			title = sc.Title
		}
		return denied("%s (%s) needs maintain on %s to do this; they have %s", t.actor.Name, p.Name, title, p.Level(screen))
	}
	if shared && p.Scope != ScopeAll {
		return denied("%s (%s) is limited to assigned sites; only an all-sites administrator may change what everyone shares", t.actor.Name, p.Name)
	}
	return nil
}

// actorSites is the set of sites the actor holds, directly or through teams.
func (t *Tx) actorSites() map[uint64]bool {
	return userSites(t.actorUser, t.catalog())
}

func userSites(u *User, c *catalog) map[uint64]bool {
	m := make(map[uint64]bool, len(u.SiteIDs)+len(u.TeamIDs))
	for _, id := range u.SiteIDs {
		m[id] = true
	}
	for _, id := range u.TeamIDs {
		if s := c.teamSite(id); s != 0 {
			m[s] = true
		}
	}
	return m
}

// scoped reports whether the actor is limited to their assigned sites.
func (t *Tx) scoped() bool {
	return !t.actor.local && t.actorProfile != nil && t.actorProfile.Scope != ScopeAll
}

// reach checks the actor may touch this user: for a scoped actor every site
// of theirs is one of the actor's; for every actor but the local operator
// their profile is not above the actor's (an all-sites actor who could set a
// higher user's password could sign in as them). A user the actor cannot
// see at all gets the answer a missing one gets (see visible).
func (t *Tx) reach(u *User) error {
	if t.actor.local {
		return nil
	}
	if t.actorProfile == nil {
		return denied("%s has no profile and may change nothing", t.actor.Name)
	}
	if !t.visible(u) {
		return noSuchUser(u.Email)
	}
	if p := t.catalog().profiles[u.ProfileID]; p != nil {
		if why := t.above(p); why != "" {
			return denied("%s's profile %s holds %s; %s may change nothing above their own profile %s", u.Email, p.Name, why, t.actor.Name, t.actorProfile.Name)
		}
	}
	return nil
}

// visible is Store.Visible inside a change set: whether the actor may know
// this user exists (themselves; with view on Users & permissions, everyone
// for an all-sites actor, else those whose sites are all the actor's).
func (t *Tx) visible(u *User) bool {
	if t.actor.local || u.ID == t.actor.UserID {
		return true
	}
	p := t.actorProfile
	if p == nil || p.Level("users") < View {
		return false
	}
	if p.Scope == ScopeAll {
		return true
	}
	return sitesWithin(u, t.actorSites(), t.catalog())
}

func sitesWithin(u *User, mine map[uint64]bool, c *catalog) bool {
	for _, id := range u.SiteIDs {
		if !mine[id] {
			return false
		}
	}
	for _, id := range u.TeamIDs {
		if !mine[c.teamSite(id)] {
			return false
		}
	}
	return true
}

// noSuchUser is the one answer about a user who does not exist or whom the
// actor may not see: the same words, kind and exit code for both.
func noSuchUser(email string) error {
	return with(notFound("no user with email %q", strings.TrimSpace(email)), Ref{}, fixList(RecordUser))
}

// mayAssignSite checks a scoped actor assigns only their own sites.
func (t *Tx) mayAssignSite(siteID uint64) error {
	if !t.scoped() {
		return nil
	}
	if !t.actorSites()[siteID] {
		return denied("%s may only assign their own sites; %s is not one of them", t.actor.Name, t.catalog().sites[siteID].Name)
	}
	return nil
}

// above says what p holds beyond the actor's own profile — a higher level
// on some screen, a wider scope, or no client restriction where the actor's
// has one — or "" when it holds nothing more.
func (t *Tx) above(p *Profile) string {
	if t.actor.local {
		return ""
	}
	return aboveProfile(p, t.actorProfile, t.catalog())
}

func aboveProfile(p, mine *Profile, c *catalog) string {
	if p == nil {
		return ""
	}
	if mine == nil {
		return "a profile (you hold none)"
	}
	if p.Scope == ScopeAll && mine.Scope != ScopeAll {
		return "all sites (you reach only your assigned ones)"
	}
	if mine.ClientRestricted && !p.ClientRestricted && p.Type == Employee {
		return "every client's data (yours is limited to your assigned clients)"
	}
	for _, sc := range c.screens {
		if l := p.Level(sc.Key); l > mine.Level(sc.Key) {
			return fmt.Sprintf("%s on %s (you hold %s)", l, sc.Title, mine.Level(sc.Key))
		}
	}
	return ""
}

// notAbove refuses a profile that holds more than the actor's own (no escalation).
func (t *Tx) notAbove(p *Profile, what string) error {
	if why := t.above(p); why != "" {
		return denied("%s holds %s; no one may grant more than they hold", what, why)
	}
	return nil
}

// mayChangeProfile is rule 9 for profiles: a profile may be changed — any
// level up or down, its scope, deleted, renamed — only if it is not above the
// actor's own before the change, nor after it (after is nil for a delete).
// Both are measured against the actor's rights as the change set began, so
// nobody raises their own profile either.
func (t *Tx) mayChangeProfile(before, after *Profile) error {
	if why := t.above(before); why != "" {
		return denied("profile %s holds %s; %s may change nothing above their own profile %s", before.Name, why, t.actor.Name, t.actorProfile.Name)
	}
	if after == nil {
		return nil
	}
	if why := t.above(after); why != "" {
		return denied("profile %s would then hold %s; no one may grant more than they hold", after.Name, why)
	}
	return nil
}

// mayCrossClients refuses a scoped actor what crosses the client boundary:
// turning a client user into an employee or back, or moving a client user
// to another client.
func (t *Tx) mayCrossClients(what string) error {
	if t.scoped() {
		return denied("%s (%s) is limited to assigned sites; %s crosses the client boundary and needs an all-sites administrator", t.actor.Name, t.actorProfile.Name, what)
	}
	return nil
}

// Reads follow the same rules as writes, one level down: an actor sees a
// screen's records with view on it, and a scoped actor sees only the users
// they could reach (plus themselves).

// CanView checks the actor holds at least view on a screen.
func (s *Store) CanView(a Actor, screen string) error { return s.can(a, screen, View, false) }

// CanMaintain checks the actor holds maintain on a screen (and all-sites scope if shared).
func (s *Store) CanMaintain(a Actor, screen string, shared bool) error {
	return s.can(a, screen, Maintain, shared)
}

func (s *Store) can(a Actor, screen string, l Level, shared bool) error {
	c := s.Capabilities(a)
	if c.local {
		return nil
	}
	if c.err != nil {
		return c.err
	}
	return c.may(actionRule{screen, l, shared})
}

func (s *Store) actorProfile(a Actor) (*User, *Profile, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	u := s.users.get(a.UserID)
	if u == nil {
		return nil, nil, denied("%s no longer exists", a.Name)
	}
	if u.Disabled {
		return nil, nil, denied("%s is disabled", u.Email)
	}
	p := s.cat.profiles[u.ProfileID]
	if p == nil {
		return nil, nil, denied("%s has no profile", u.Email)
	}
	return u, p, nil
}

// Visible returns a predicate for the users the actor may see: all of them
// for the local operator and all-sites profiles with view on Users & permissions;
// for scoped actors, those whose sites are all inside theirs, and themselves.
// Actors without view on Users & permissions see only themselves.
func (s *Store) Visible(a Actor) func(*User) bool {
	if a.local {
		return func(*User) bool { return true }
	}
	self, p, err := s.actorProfile(a)
	if err != nil {
		return func(*User) bool { return false }
	}
	s.mu.RLock()
	c := s.cat
	s.mu.RUnlock()
	return visibleTo(self, p, c)
}

func visibleTo(self *User, p *Profile, c *catalog) func(*User) bool {
	if p.Level("users") < View {
		return func(u *User) bool { return u.ID == self.ID }
	}
	if p.Scope == ScopeAll {
		return func(*User) bool { return true }
	}
	mine := userSites(self, c)
	return func(u *User) bool { return u.ID == self.ID || sitesWithin(u, mine, c) }
}
