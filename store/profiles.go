package store

import (
	"fmt"
	"strings"
)

func profileRef(p *Profile) Ref { return Ref{Kind: "profile", ID: p.ID, Label: p.Name} }

// guardrail is rule 8: with the guardrail on, client profiles get at most view
// and never a sensitive screen.
func (t *Tx) guardrail(p *Profile, sc *Screen, l Level) error {
	if p.Type != ClientUser || !t.catalog().settings.ClientGuardrail || l == None {
		return nil
	}
	off := Fix{Do: FixSetting, Setting: "client-guardrail", Value: "off"}
	if sc.Sensitive {
		return with(refused("the client guardrail is on: client profile %s may not have any access to %s (sensitive)", p.Name, sc.Title), profileRef(p), off)
	}
	if l > View {
		return with(refused("the client guardrail is on: client profile %s may have at most view on %s", p.Name, sc.Title), profileRef(p), off)
	}
	return nil
}

// CreateProfile creates a profile, optionally copying another's levels.
func (t *Tx) CreateProfile(name string, typ UserType, copyFrom string) (*Profile, error) {
	if err := t.require("users", true); err != nil {
		return nil, err
	}
	n, err := validLabel("profile", name)
	if err != nil {
		return nil, err
	}
	c := t.writableCatalog()
	if _, ok := c.profileByName[lower(n)]; ok {
		return nil, refused("a profile named %q already exists", n)
	}
	p := &Profile{Name: n, Type: typ, Scope: ScopeAssigned, Levels: map[string]Level{}}
	if copyFrom != "" {
		src, err := c.profileNamed(copyFrom)
		if err != nil {
			return nil, err
		}
		for k, v := range src.Levels {
			p.Levels[k] = v
		}
		p.Scope, p.ClientRestricted = src.Scope, src.ClientRestricted
		if typ == ClientUser {
			p.Scope, p.ClientRestricted = ScopeAssigned, false
		}
	}
	for _, sc := range c.screens {
		if err := t.guardrail(p, sc, p.Levels[sc.Key]); err != nil {
			return nil, fmt.Errorf("cannot copy %s into a client profile: %w", copyFrom, err)
		}
	}
	if err := t.notAbove(p, "profile "+n); err != nil {
		return nil, err
	}
	id, err := t.w.nextID(bucketProfiles)
	if err != nil {
		return nil, err
	}
	p.ID, p.Version, p.Created, p.Updated, p.UpdatedBy = id, 1, t.now, t.now, t.actor.Name
	if err := writeJSON(t.w, bucketProfiles, itob(id), p); err != nil {
		return nil, err
	}
	c.profiles[id] = p
	c.index()
	from := ""
	if copyFrom != "" {
		from = ", copied from " + copyFrom
	}
	t.record(profileRef(p), "created", "", fmt.Sprintf("%s profile%s", typ, from))
	return p, nil
}

// Grant sets a profile's level on a screen. version is what the caller read (0: now).
func (t *Tx) Grant(profile string, version uint64, screen string, l Level) error {
	if err := t.require("users", true); err != nil {
		return err
	}
	c := t.writableCatalog()
	p, err := c.profileNamed(profile)
	if err != nil {
		return err
	}
	committed := t.committedProfile(p.ID)
	if version != 0 && committed != nil && version != committed.Version {
		return &ConflictError{Entity: "profile " + p.Name, By: committed.UpdatedBy, At: committed.Updated, Want: version, Have: committed.Version}
	}
	sc, err := c.screen(screen)
	if err != nil {
		return err
	}
	if p.Levels[sc.Key] == l {
		return nil
	}
	if err := t.guardrail(p, sc, l); err != nil {
		return err
	}
	np := p.clone()
	before := np.Levels[sc.Key]
	if l == None {
		delete(np.Levels, sc.Key)
	} else {
		np.Levels[sc.Key] = l
	}
	if err := t.mayChangeProfile(p, np); err != nil {
		return err
	}
	return t.putProfile(np, sc.Key, before.String(), l.String())
}

// putProfile bumps the version (once per change set) and writes the profile.
func (t *Tx) putProfile(p *Profile, field, before, after string) error {
	c := t.writableCatalog()
	if old := c.profiles[p.ID]; old != nil && !t.touchedProfile(p.ID) {
		p.Version = old.Version + 1
	}
	p.Updated, p.UpdatedBy = t.now, t.actor.Name
	c.profiles[p.ID] = p
	c.index()
	t.record(profileRef(p), field, before, after)
	return writeJSON(t.w, bucketProfiles, itob(p.ID), p)
}

func (t *Tx) touchedProfile(id uint64) bool {
	for _, e := range t.entries {
		if e.Entity.Kind == "profile" && e.Entity.ID == id {
			return true
		}
	}
	return false
}

// DeleteProfile deletes an unused, non-built-in profile.
func (t *Tx) DeleteProfile(name string) error {
	if err := t.require("users", true); err != nil {
		return err
	}
	c := t.writableCatalog()
	p, err := c.profileNamed(name)
	if err != nil {
		return err
	}
	if err := t.mayChangeProfile(p, nil); err != nil {
		return err
	}
	if p.Builtin {
		return refused("%s is a built-in profile: edit it, but it cannot be deleted", p.Name)
	}
	n, example := t.s.profileUse(p.ID, t)
	if n > 0 {
		return refused("profile %s is held by %s, e.g. %s; give them another profile first", p.Name, countOf(n, "user", "users"), example)
	}
	delete(c.profiles, p.ID)
	c.index()
	t.record(profileRef(p), "deleted", summarizeLevels(p, c), "")
	return t.w.del(bucketProfiles, itob(p.ID))
}

// profileUse counts users holding a profile, seen through the change set.
func (s *Store) profileUse(id uint64, t *Tx) (int, string) {
	n, example := 0, ""
	count := func(u *User) {
		if u == nil {
			return
		}
		holds := u.ProfileID == id
		for _, x := range u.Expiries { // a temporary profile falls back to it
			holds = holds || x.Grant == GrantProfile && x.Back == id
		}
		if holds {
			n++
			if example == "" {
				example = u.Email
			}
		}
	}
	s.mu.RLock()
	s.users.each(func(u *User) {
		if _, over := t.users[u.ID]; !over {
			count(u)
		}
	})
	s.mu.RUnlock()
	for _, u := range t.users {
		count(u)
	}
	return n, example
}

func summarizeLevels(p *Profile, c *catalog) string {
	var parts []string
	for _, sc := range c.screens {
		if l := p.Levels[sc.Key]; l != None {
			parts = append(parts, sc.Key+"="+l.String())
		}
	}
	return strings.Join(parts, " ")
}

// AddScreen extends the screen catalog.
func (t *Tx) AddScreen(key, title, group string, sensitive bool) (*Screen, error) {
	if err := t.require("setup", true); err != nil {
		return nil, err
	}
	k := lower(strings.TrimSpace(key))
	if !screenKeyShape(k) {
		return nil, badInput("screen key %s must be one word of letters a-z, digits and '-' (at most 40), like fleet or time-off", quoteShort(key))
	}
	c := t.writableCatalog()
	if _, ok := c.screenIdx[k]; ok {
		return nil, refused("screen %q already exists", k)
	}
	title, err := optionalText("screen title", title, maxNameLen)
	if err != nil {
		return nil, err
	}
	if title == "" {
		title = k
	}
	if group, err = optionalText("screen group", group, maxNameLen); err != nil {
		return nil, err
	}
	sc := &Screen{Key: k, Title: title, Group: group, Sensitive: sensitive}
	c.screens = append(c.screens, sc)
	c.index()
	t.record(Ref{Kind: "screen", ID: uint64(len(c.screens)), Label: k}, "created", "", title)
	return sc, writeJSON(t.w, bucketScreens, itob(uint64(len(c.screens))), sc)
}

// SetProfileScope sets which sites a profile's holders reach (all-sites actors only).
func (t *Tx) SetProfileScope(profile string, scope Scope) error {
	if err := t.require("users", true); err != nil {
		return err
	}
	c := t.writableCatalog()
	p, err := c.profileNamed(profile)
	if err != nil {
		return err
	}
	if p.Scope == scope {
		return nil
	}
	if scope == ScopeAll && p.Type == ClientUser {
		return refused("client profile %s cannot reach all sites; client users see only their client's sites", p.Name)
	}
	np := p.clone()
	np.Scope = scope
	// widening a profile carries its levels to every site; narrowing one
	// above the actor would take sites from those who hold it
	if err := t.mayChangeProfile(p, np); err != nil {
		return err
	}
	return t.putProfile(np, "scope", p.Scope.String(), scope.String())
}

// ParseScope reads "all" or "assigned".
func ParseScope(s string) (Scope, error) {
	switch lower(strings.TrimSpace(s)) {
	case "all", "all sites":
		return ScopeAll, nil
	case "assigned", "assigned sites":
		return ScopeAssigned, nil
	}
	return ScopeAssigned, badInput("scope %q is not one of all, assigned", s)
}

// screenKeyShape is a screen key as the command line types it: a-z, 0-9
// and '-', starting with a letter.
func screenKeyShape(k string) bool {
	if k == "" || len(k) > 40 || k[0] < 'a' || k[0] > 'z' {
		return false
	}
	for i := 0; i < len(k); i++ {
		if c := k[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}
