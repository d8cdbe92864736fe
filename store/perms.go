package store

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
// higher user's password could sign in as them).
func (t *Tx) reach(u *User) error {
	if t.actor.local {
		return nil
	}
	if t.actorProfile == nil {
		return denied("%s has no profile and may change nothing", t.actor.Name)
	}
	c := t.catalog()
	if t.scoped() {
		mine := t.actorSites()
		for id := range userSites(u, c) {
			if !mine[id] {
				return denied("%s may only manage users whose sites are all theirs; %s is assigned to %s", t.actor.Name, u.Email, c.sites[id].Name)
			}
		}
	}
	if p := c.profiles[u.ProfileID]; p != nil {
		if err := t.notAbove(p, u.Email+"'s profile"); err != nil {
			return err
		}
	}
	return nil
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

// notAbove refuses a profile that holds more than the actor's own (no escalation).
func (t *Tx) notAbove(p *Profile, what string) error {
	if t.actor.local {
		return nil
	}
	mine := t.actorProfile
	if p.Scope == ScopeAll && mine.Scope != ScopeAll {
		return denied("%s reaches all sites; %s (%s) may not grant more than their own scope", what, t.actor.Name, mine.Name)
	}
	for _, sc := range t.catalog().screens {
		if p.Level(sc.Key) > mine.Level(sc.Key) {
			return denied("%s has %s on %s, above %s's own %s; no one may grant more than they hold", what, p.Level(sc.Key), sc.Title, t.actor.Name, mine.Level(sc.Key))
		}
	}
	return nil
}

// mayGrantLevel refuses setting a level above the actor's own on that screen.
func (t *Tx) mayGrantLevel(sc *Screen, l Level) error {
	if t.actor.local {
		return nil
	}
	if have := t.actorProfile.Level(sc.Key); l > have {
		return denied("%s holds %s on %s and may not grant %s; no one may grant more than they hold", t.actor.Name, have, sc.Title, l)
	}
	return nil
}

// Reads follow the same rules as writes, one level down: an actor sees a
// screen's records with view on it, and a scoped actor sees only the users
// they could reach (plus themselves).

// CanView checks the actor holds at least view on a screen.
func (s *Store) CanView(a Actor, screen string) error {
	if a.local {
		return nil
	}
	u, p, err := s.actorProfile(a)
	if err != nil {
		return err
	}
	if p.Level(screen) < View {
		title := screen
		s.mu.RLock()
		if sc, err := s.cat.screen(screen); err == nil {
			title = sc.Title
		}
		s.mu.RUnlock()
		return denied("%s (%s) has no access to %s", u.Email, p.Name, title)
	}
	return nil
}

// CanMaintain checks the actor holds maintain on a screen (and all-sites scope if shared).
func (s *Store) CanMaintain(a Actor, screen string, shared bool) error {
	if a.local {
		return nil
	}
	u, p, err := s.actorProfile(a)
	if err != nil {
		return err
	}
	if p.Level(screen) < Maintain {
		title := screen
		s.mu.RLock()
		if sc, err := s.cat.screen(screen); err == nil {
			title = sc.Title
		}
		s.mu.RUnlock()
		return denied("%s (%s) needs maintain on %s to do this; they have %s", u.Email, p.Name, title, p.Level(screen))
	}
	if shared && p.Scope != ScopeAll {
		return denied("%s (%s) is limited to assigned sites; only an all-sites administrator may do this", u.Email, p.Name)
	}
	return nil
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
	if p.Level("users") < View {
		return func(u *User) bool { return u.ID == self.ID }
	}
	if p.Scope == ScopeAll {
		return func(*User) bool { return true }
	}
	s.mu.RLock()
	c := s.cat
	s.mu.RUnlock()
	mine := userSites(self, c)
	return func(u *User) bool {
		if u.ID == self.ID {
			return true
		}
		for id := range userSites(u, c) {
			if !mine[id] {
				return false
			}
		}
		return true
	}
}
