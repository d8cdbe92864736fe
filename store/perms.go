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

// reach checks a scoped actor may touch this user: every site of theirs is
// one of the actor's, and their profile is not above the actor's.
func (t *Tx) reach(u *User) error {
	if !t.scoped() {
		return nil
	}
	mine := t.actorSites()
	c := t.catalog()
	for id := range userSites(u, c) {
		if !mine[id] {
			return denied("%s may only manage users whose sites are all theirs; %s is assigned to %s", t.actor.Name, u.Email, c.sites[id].Name)
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
