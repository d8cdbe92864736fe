package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Records live whole lives: clients, sites, teams, profiles and screen
// titles are renamed (history shows both names; every list, check and export
// uses the new one), clients, sites and teams retired and restored (kept with
// their history, assignable no more), deleted only when they never mattered,
// and teams moved to another site of the same client.
//
// Who may: what governs adding them (maintain on Clients, Sites & teams,
// Users & permissions, Setup). A scoped actor renames, retires, restores or
// moves only a site or team of their own; clients, profiles and screens are
// shared and need an all-sites actor. Everything done to users on the way
// (sites taken away, a client user disabled) is a change to that user, in
// the actor's reach or refused.

func clientRef(c *Client) Ref { return Ref{Kind: RecordClient, ID: c.ID, Label: c.Name} }
func siteRef(s *Site) Ref     { return Ref{Kind: RecordSite, ID: s.ID, Label: s.Name} }
func teamRef(c *catalog, t *Team) Ref {
	return Ref{Kind: RecordTeam, ID: t.ID, Label: c.sites[t.SiteID].Name + "/" + t.Name}
}

const retiredFormat = "2006-01-02"

// ---- rename

// RenameClient gives a client a new name.
func (t *Tx) RenameClient(name, newName string) error {
	if err := t.require("clients", true); err != nil {
		return err
	}
	c := t.writableCatalog()
	cl, err := c.clientNamed(name)
	if err != nil {
		return err
	}
	n, err := validLabel("client", newName)
	if err != nil || n == cl.Name {
		return err
	}
	if id, ok := c.clientByName[lower(n)]; ok && id != cl.ID {
		return atField(refused("a client named %q already exists", n), FieldName)
	}
	nc := *cl
	nc.Name = n
	t.record(clientRef(&nc), "name", cl.Name, n)
	return t.putClient(&nc)
}

// RenameSite gives a site a new name.
func (t *Tx) RenameSite(name, newName string) error {
	st, err := t.ownSite(name)
	if err != nil {
		return err
	}
	n, err := validLabel("site", newName)
	if err != nil || n == st.Name {
		return err
	}
	c := t.writableCatalog()
	if id, ok := c.siteByName[lower(n)]; ok && id != st.ID {
		return atField(refused("a site named %q already exists", n), FieldName)
	}
	ns := *st
	ns.Name = n
	t.record(siteRef(&ns), "name", st.Name, n)
	return t.putSite(&ns)
}

// RenameTeam gives a team ("Site/Team", or a unique team name) a new name.
func (t *Tx) RenameTeam(name, newName string) error {
	tm, err := t.ownTeam(name)
	if err != nil {
		return err
	}
	n, err := validLabel("team", newName)
	if err != nil || n == tm.Name {
		return err
	}
	c := t.writableCatalog()
	for _, id := range c.teamsBySite[tm.SiteID] {
		if id != tm.ID && lower(c.teams[id].Name) == lower(n) {
			return atField(refused("site %s already has a team named %q", c.sites[tm.SiteID].Name, n), FieldName)
		}
	}
	nt := *tm
	nt.Name = n
	t.record(teamRef(c, &nt), "name", tm.Name, n)
	return t.putTeam(&nt)
}

// RenameProfile gives a profile a new name; a built-in keeps its role.
func (t *Tx) RenameProfile(name, newName string) error {
	if err := t.require("users", true); err != nil {
		return err
	}
	c := t.writableCatalog()
	p, err := c.profileNamed(name)
	if err != nil {
		return err
	}
	if err := t.mayChangeProfile(p, p); err != nil {
		return err
	}
	n, err := validLabel("profile", newName)
	if err != nil || n == p.Name {
		return err
	}
	if id, ok := c.profileByName[lower(n)]; ok && id != p.ID {
		return atField(refused("a profile named %q already exists", n), FieldName)
	}
	np := p.clone()
	np.Name = n
	return t.putProfile(np, "name", p.Name, n)
}

// RetitleScreen gives a screen of the catalog a new title (its key stays:
// it is how checks name it).
func (t *Tx) RetitleScreen(key, title string) error {
	if err := t.require("setup", true); err != nil {
		return err
	}
	c := t.writableCatalog()
	sc, err := c.screen(key)
	if err != nil {
		return err
	}
	n, err := validText("screen title", title)
	if err != nil || n == sc.Title {
		return err
	}
	i := c.screenIdx[sc.Key]
	ns := *sc
	ns.Title = n
	c.screens[i] = &ns
	c.index()
	t.record(Ref{Kind: RecordScreen, ID: uint64(i + 1), Label: sc.Key}, "title", sc.Title, n)
	return writeJSON(t.w, bucketScreens, itob(uint64(i+1)), &ns)
}

// ---- retire and restore

// RetireSite takes a site out of use: every user holding it (directly or
// through one of its teams, or as their default site) loses it, its teams
// are retired with it.
func (t *Tx) RetireSite(name string) error {
	st, err := t.ownSite(name)
	if err != nil {
		return err
	}
	if st.IsRetired() {
		return nil
	}
	return t.retireSite(st)
}

func (t *Tx) retireSite(st *Site) error {
	c := t.catalog()
	teams := slices.Clone(c.teamsBySite[st.ID])
	if err := t.takeFromHolders([]uint64{st.ID}, teams, "site "+st.Name); err != nil {
		return err
	}
	for _, id := range teams {
		if tm := t.catalog().teams[id]; tm != nil && !tm.IsRetired() {
			nt := *tm
			nt.Retired = t.now
			t.record(teamRef(t.catalog(), &nt), "retired", "", t.now.Format(retiredFormat))
			if err := t.putTeam(&nt); err != nil {
				return err
			}
		}
	}
	ns := *st
	ns.Retired = t.now
	t.record(siteRef(&ns), "retired", "", t.now.Format(retiredFormat))
	return t.putSite(&ns)
}

// RetireTeam takes a team out of use: its members lose it.
func (t *Tx) RetireTeam(name string) error {
	tm, err := t.ownTeam(name)
	if err != nil {
		return err
	}
	if tm.IsRetired() {
		return nil
	}
	if err := t.takeFromHolders(nil, []uint64{tm.ID}, "team "+teamLabel(t.catalog(), tm.ID)); err != nil {
		return err
	}
	nt := *tm
	nt.Retired = t.now
	t.record(teamRef(t.catalog(), &nt), "retired", "", t.now.Format(retiredFormat))
	return t.putTeam(&nt)
}

// RetireClient ends a client's contract, as one change set: their client
// users are disabled (their sessions end), their sites and teams retired
// (every holder loses them), and employees' assignments to the client
// removed.
func (t *Tx) RetireClient(name string) error {
	for _, screen := range []string{"clients", "sites", "users"} {
		if err := t.require(screen, true); err != nil {
			return err
		}
	}
	cl, err := t.catalog().clientNamed(name)
	if err != nil {
		return err
	}
	if cl.IsRetired() {
		return nil
	}
	// the people first, then the places: undo, going backwards, restores
	// the places before giving them back
	for _, u := range t.holdersOfClient(cl.ID) {
		switch {
		case u.Type == ClientUser && !u.Disabled:
			if err := t.SetDisabled(u.ID, 0, true); err != nil {
				return err
			}
		case u.Type == Employee:
			if err := t.AssignClients(u.ID, 0, []string{cl.Name}, false); err != nil {
				return err
			}
		}
	}
	for _, st := range t.sitesOfClient(cl.ID) {
		if !st.IsRetired() {
			if err := t.retireSite(st); err != nil {
				return err
			}
		}
	}
	nc := *t.catalog().clients[cl.ID]
	nc.Retired = t.now
	t.record(clientRef(&nc), "retired", "", t.now.Format(retiredFormat))
	return t.putClient(&nc)
}

// RestoreSite puts a retired site back in use (nobody holds it again until
// assigned; its teams stay retired until restored).
func (t *Tx) RestoreSite(name string) error {
	st, err := t.ownSite(name)
	if err != nil || !st.IsRetired() {
		return err
	}
	if cl := t.catalog().clients[st.ClientID]; cl != nil && cl.IsRetired() {
		return refused("site %s belongs to %s, whose contract ended; restore the client first", st.Name, cl.Name)
	}
	ns := *st
	ns.Retired = time.Time{}
	t.record(siteRef(&ns), "retired", st.Retired.Format(retiredFormat), "")
	return t.putSite(&ns)
}

// RestoreTeam puts a retired team back in use.
func (t *Tx) RestoreTeam(name string) error {
	tm, err := t.ownTeam(name)
	if err != nil || !tm.IsRetired() {
		return err
	}
	if st := t.catalog().sites[tm.SiteID]; st.IsRetired() {
		return refused("team %s is at %s, which is retired; restore the site first", tm.Name, st.Name)
	}
	nt := *tm
	nt.Retired = time.Time{}
	t.record(teamRef(t.catalog(), &nt), "retired", tm.Retired.Format(retiredFormat), "")
	return t.putTeam(&nt)
}

// RestoreClient puts a client whose contract ended back in use (their
// sites, teams and users stay as they are until restored or enabled).
func (t *Tx) RestoreClient(name string) error {
	if err := t.require("clients", true); err != nil {
		return err
	}
	cl, err := t.catalog().clientNamed(name)
	if err != nil || !cl.IsRetired() {
		return err
	}
	nc := *cl
	nc.Retired = time.Time{}
	t.record(clientRef(&nc), "retired", cl.Retired.Format(retiredFormat), "")
	return t.putClient(&nc)
}

// ---- delete what never mattered

// DeleteClient removes a client nobody ever used: no sites, no users, no
// history beyond its creation.
func (t *Tx) DeleteClient(name string) error {
	if err := t.require("clients", true); err != nil {
		return err
	}
	c := t.writableCatalog()
	cl, err := c.clientNamed(name)
	if err != nil {
		return err
	}
	if len(t.sitesOfClient(cl.ID)) > 0 || len(t.holdersOfClient(cl.ID)) > 0 || t.hasHistory(RecordClient, cl.ID) {
		return with(refused("client %s has sites, users or history, so deleting it would break the records", cl.Name), clientRef(cl), Fix{Do: FixRetire, Ref: clientRef(cl)})
	}
	delete(c.clients, cl.ID)
	c.index()
	t.record(clientRef(cl), "deleted", cl.Name, "")
	return t.w.del(bucketClients, itob(cl.ID))
}

// DeleteSite removes a site nobody ever used.
func (t *Tx) DeleteSite(name string) error {
	st, err := t.ownSite(name)
	if err != nil {
		return err
	}
	c := t.writableCatalog()
	if len(c.teamsBySite[st.ID]) > 0 || t.anyHolder([]uint64{st.ID}, nil) || t.hasHistory(RecordSite, st.ID) {
		return with(refused("site %s has teams, holders or history, so deleting it would break the records", st.Name), siteRef(st), Fix{Do: FixRetire, Ref: siteRef(st)})
	}
	delete(c.sites, st.ID)
	c.index()
	t.record(siteRef(st), "deleted", st.Name, "")
	return t.w.del(bucketSites, itob(st.ID))
}

// DeleteTeam removes a team nobody ever used.
func (t *Tx) DeleteTeam(name string) error {
	tm, err := t.ownTeam(name)
	if err != nil {
		return err
	}
	c := t.writableCatalog()
	ref := teamRef(c, tm)
	if t.anyHolder(nil, []uint64{tm.ID}) || t.hasHistory(RecordTeam, tm.ID) {
		return with(refused("team %s has members or history, so deleting it would break the records", ref.Label), ref, Fix{Do: FixRetire, Ref: ref})
	}
	delete(c.teams, tm.ID)
	c.index()
	t.record(ref, "deleted", ref.Label, "")
	return t.w.del(bucketTeams, itob(tm.ID))
}

// ---- move a team

// MoveTeam moves a team to another site of the same client: its members
// then reach that site through it.
func (t *Tx) MoveTeam(name, toSite string) error {
	tm, err := t.ownTeam(name)
	if err != nil {
		return err
	}
	to, err := t.ownSite(toSite)
	if err != nil {
		return err
	}
	c := t.catalog()
	from := c.sites[tm.SiteID]
	if to.ID == from.ID {
		return nil
	}
	if to.ClientID != from.ClientID {
		return refused("team %s moves only to another site of %s; %s is %s's", tm.Name, clientOrOwn(c, from.ClientID), to.Name, clientOrOwn(c, to.ClientID))
	}
	if to.IsRetired() || tm.IsRetired() {
		return refused("retired sites and teams do not move; restore them first")
	}
	for _, id := range c.teamsBySite[to.ID] {
		if lower(c.teams[id].Name) == lower(tm.Name) {
			return refused("site %s already has a team named %q", to.Name, tm.Name)
		}
	}
	// every member is touched: in the actor's reach, or nothing moves; each
	// one's history says where their team went
	for _, u := range t.holders(nil, []uint64{tm.ID}) {
		if _, err := t.mutable(u.ID, 0); err != nil {
			return t.holderOutOfReach(u, err, "team "+tm.Name)
		}
		t.record(userRef(u), "team site", from.Name+"/"+tm.Name, to.Name+"/"+tm.Name)
	}
	nt := *tm
	nt.SiteID = to.ID
	t.recordIDs(teamRef(c, tm), "site", from.Name, to.Name, []uint64{from.ID}, []uint64{to.ID})
	return t.putTeam(&nt)
}

func clientOrOwn(c *catalog, id uint64) string {
	if cl := c.clients[id]; cl != nil {
		return cl.Name
	}
	return "the business's own sites"
}

// ---- helpers

// ownSite finds a site the actor may rename, retire, restore, delete or
// move a team to: maintain on Sites & teams and, for a scoped actor, one of
// their own.
func (t *Tx) ownSite(name string) (*Site, error) {
	if err := t.require("sites", false); err != nil {
		return nil, err
	}
	st, err := t.catalog().siteNamed(name)
	if err != nil {
		return nil, err
	}
	if err := t.mayAssignSite(st.ID); err != nil {
		return nil, err
	}
	return st, nil
}

// ownTeam is ownSite for a team: the site it lives at must be the actor's.
func (t *Tx) ownTeam(name string) (*Team, error) {
	if err := t.require("sites", false); err != nil {
		return nil, err
	}
	tm, err := t.catalog().teamNamed(name)
	if err != nil {
		return nil, err
	}
	if err := t.mayAssignSite(tm.SiteID); err != nil {
		return nil, err
	}
	return tm, nil
}

// holders are the users (as the change set sees them) holding one of sites
// directly or as their default site, or one of teams.
func (t *Tx) holders(sites, teams []uint64) []*User {
	var ids []uint64
	hold := func(u *User) bool {
		if slices.Contains(sites, u.DefaultSiteID) {
			return true
		}
		for _, id := range u.SiteIDs {
			if slices.Contains(sites, id) {
				return true
			}
		}
		for _, id := range u.TeamIDs {
			if slices.Contains(teams, id) {
				return true
			}
		}
		return false
	}
	t.s.mu.RLock()
	t.s.users.each(func(u *User) {
		if _, over := t.users[u.ID]; !over && hold(u) {
			ids = append(ids, u.ID)
		}
	})
	t.s.mu.RUnlock()
	for id, u := range t.users {
		if u != nil && hold(u) {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	out := make([]*User, 0, len(ids))
	for _, id := range ids {
		out = append(out, t.user(id))
	}
	return out
}

func (t *Tx) anyHolder(sites, teams []uint64) bool { return len(t.holders(sites, teams)) > 0 }

// takeFromHolders takes sites and teams (and default sites among them) off
// every user holding them, each a change in the actor's reach.
func (t *Tx) takeFromHolders(sites, teams []uint64, what string) error {
	c := t.catalog()
	for _, h := range t.holders(sites, teams) {
		u, err := t.mutable(h.ID, 0)
		if err != nil {
			return t.holderOutOfReach(h, err, what)
		}
		ref := userRef(u)
		oldSites, oldTeams, oldDefault := slices.Clone(u.SiteIDs), slices.Clone(u.TeamIDs), u.DefaultSiteID
		u.SiteIDs = slices.DeleteFunc(u.SiteIDs, func(id uint64) bool { return slices.Contains(sites, id) })
		u.TeamIDs = slices.DeleteFunc(u.TeamIDs, func(id uint64) bool { return slices.Contains(teams, id) })
		for _, id := range sites {
			t.setExpiry(u, GrantSite, id, time.Time{}, 0)
		}
		for _, id := range teams {
			t.setExpiry(u, GrantTeam, id, time.Time{}, 0)
		}
		if slices.Contains(sites, u.DefaultSiteID) {
			u.DefaultSiteID = 0
		}
		label := func(id uint64) string { return teamLabel(c, id) }
		t.recordIDs(ref, "sites", namesOf(oldSites, c.sites), namesOf(u.SiteIDs, c.sites), oldSites, u.SiteIDs)
		t.recordIDs(ref, "teams", joinSorted(oldTeams, label), joinSorted(u.TeamIDs, label), oldTeams, u.TeamIDs)
		t.recordIDs(ref, "default site", siteName(c, oldDefault), siteName(c, u.DefaultSiteID), []uint64{oldDefault}, []uint64{u.DefaultSiteID})
		if err := t.touch(u); err != nil {
			return err
		}
	}
	return nil
}

// holderOutOfReach is the refusal when a holder of what is retired or moved
// may not be changed by the actor: naming the holder only to who may see them.
func (t *Tx) holderOutOfReach(u *User, err error, what string) error {
	if t.visible(u) {
		return err
	}
	return denied("%s is also held by users outside %s's reach; an all-sites administrator may do this", what, t.actor.Name)
}

// holdersOfClient are the users assigned to a client (its client users, and
// employees who see its data).
func (t *Tx) holdersOfClient(clientID uint64) []*User {
	var ids []uint64
	t.s.mu.RLock()
	t.s.users.each(func(u *User) {
		if _, over := t.users[u.ID]; !over && slices.Contains(u.ClientIDs, clientID) {
			ids = append(ids, u.ID)
		}
	})
	t.s.mu.RUnlock()
	for id, u := range t.users {
		if u != nil && slices.Contains(u.ClientIDs, clientID) {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	out := make([]*User, 0, len(ids))
	for _, id := range slices.Compact(ids) {
		out = append(out, t.user(id))
	}
	return out
}

func (t *Tx) sitesOfClient(clientID uint64) []*Site {
	var out []*Site
	for _, st := range t.catalog().sites {
		if st.ClientID == clientID {
			out = append(out, st)
		}
	}
	slices.SortFunc(out, func(a, b *Site) int { return int(a.ID) - int(b.ID) })
	return out
}

// hasHistory says whether the audit log holds anything about the record
// beyond its creation.
func (t *Tx) hasHistory(kind RecordKind, id uint64) bool {
	needle := []byte(`"entity":{"kind":"` + string(kind) + `","id":` + strconv.FormatUint(id, 10) + `,`)
	found := false
	_ = t.w.scan(bucketAudit, nil, false, func(_, v []byte) error {
		if !bytes.Contains(v, needle) {
			return nil
		}
		var e AuditEntry
		if json.Unmarshal(v, &e) == nil && e.Entity.Kind == kind && e.Entity.ID == id && e.Field != "created" {
			found = true
			return errStop
		}
		return nil
	})
	return found
}

func (t *Tx) putClient(cl *Client) error {
	c := t.writableCatalog()
	cl.Version++
	cl.Updated, cl.UpdatedBy = t.now, t.actor.Name
	c.clients[cl.ID] = cl
	c.index()
	return writeJSON(t.w, bucketClients, itob(cl.ID), cl)
}

func (t *Tx) putSite(st *Site) error {
	c := t.writableCatalog()
	st.Version++
	st.Updated, st.UpdatedBy = t.now, t.actor.Name
	c.sites[st.ID] = st
	c.index()
	return writeJSON(t.w, bucketSites, itob(st.ID), st)
}

func (t *Tx) putTeam(tm *Team) error {
	c := t.writableCatalog()
	tm.Version++
	tm.Updated, tm.UpdatedBy = t.now, t.actor.Name
	c.teams[tm.ID] = tm
	c.index()
	return writeJSON(t.w, bucketTeams, itob(tm.ID), tm)
}

// describeRetired is how a retired place reads in a refusal.
func describeRetired(what, name string) string {
	return fmt.Sprintf("%s %s is retired: restore it first", what, strings.TrimSpace(name))
}
