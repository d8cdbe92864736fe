package store

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Undo applies the inverse of a committed change set as a new change set
// (audited like any other). Each reversed field must still hold the value the
// change set gave it; if anything changed since, nothing is undone and the
// error names what changed. Creations of users are undone by deleting them
// (refused once they have records); deletions, passwords and the creation of
// clients, sites, teams and screens cannot be undone.
func (s *Store) Undo(actor Actor, batch uint64) (*ChangeSet, error) {
	entries, b, err := s.batchEntries(batch)
	if err != nil {
		return nil, err
	}
	return s.Apply(actor, fmt.Sprintf("undo change set #%d (%s)", batch, b.Summary), func(t *Tx) error {
		for i := len(entries) - 1; i >= 0; i-- {
			if err := t.reverse(entries[i]); err != nil {
				return err
			}
		}
		return nil
	})
}

func (s *Store) batchEntries(batch uint64) ([]AuditEntry, Batch, error) {
	var b Batch
	var out []AuditEntry
	err := s.db.view(func(tx rtx) error {
		v := tx.get(bucketBatches, itob(batch))
		if v == nil {
			return notFound("no change set #%d", batch)
		}
		if err := json.Unmarshal(v, &b); err != nil {
			return err
		}
		for seq := b.FirstSeq; seq <= b.LastSeq; seq++ {
			var e AuditEntry
			v := tx.get(bucketAudit, itob(seq))
			if v == nil || json.Unmarshal(v, &e) != nil {
				return with(refused("change set #%d is damaged in the audit log; it cannot be undone", batch), Ref{}, Fix{Do: FixVerifyAudit})
			}
			out = append(out, e)
		}
		return nil
	})
	return out, b, err
}

func splitNames(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, "; ")
}

func (t *Tx) reverse(e AuditEntry) error {
	switch e.Entity.Kind {
	case "user":
		return t.reverseUser(e)
	case "profile":
		return t.reverseProfile(e)
	case "settings":
		if cur := t.catalog().settings.Value(e.Field); cur != e.After {
			return t.changedSince("org setting "+e.Field, cur, e.After)
		}
		return t.SetSetting(e.Field, e.Before)
	case RecordClient, RecordSite, RecordTeam, RecordScreen:
		return t.reversePlace(e)
	}
	return refused("the change of %s %s cannot be undone", e.Entity.Kind, e.Entity.Label)
}

func (t *Tx) changedSince(what, now, want string) error {
	return &Error{Kind: KindConflict, Msg: fmt.Sprintf("%s changed since (it is %q, the change set left %q); nothing was undone", what, now, want)}
}

func (t *Tx) reverseUser(e AuditEntry) error {
	u := t.user(e.Entity.ID)
	if e.Field == "invitation" {
		return nil // an invitation sent stays sent
	}
	if u == nil {
		return refused("user %s no longer exists; the change cannot be undone", e.Entity.Label)
	}
	c := t.catalog()
	n := Names{c}
	what := e.Entity.Label + "'s " + e.Field
	check := func(cur string) error {
		if cur != e.After {
			return t.changedSince(what, cur, e.After)
		}
		return nil
	}
	if e.HasIDs() {
		return t.reverseUserIDs(u, e, what)
	}
	switch e.Field {
	case "created":
		return t.DeleteUser(u.ID, 0)
	case "deleted":
		return refused("deleting %s cannot be undone", e.Entity.Label)
	case "password":
		return refused("a password change cannot be undone; set a new one")
	case "first", "last", "email":
		cur := map[string]string{"first": u.First, "last": u.Last, "email": u.Email}[e.Field]
		if err := check(cur); err != nil {
			return err
		}
		v := e.Before
		p := UserPatch{}
		switch e.Field {
		case "first":
			p.First = &v
		case "last":
			p.Last = &v
		default:
			p.Email = &v
		}
		_, err := t.EditUser(u.ID, 0, p)
		return err
	case "profile":
		if err := check(n.Profile(u.ProfileID)); err != nil {
			return err
		}
		v := e.Before
		_, err := t.EditUser(u.ID, 0, UserPatch{Profile: &v})
		return err
	case "type":
		return nil // follows from the profile entry, reversed with it
	case "team site":
		return nil // follows from the team's move, reversed with it
	case "client":
		if err := check(strings.Join(n.Clients(u.ClientIDs), "; ")); err != nil {
			return err
		}
		if u.Type == ClientUser && e.Before != "" {
			v := e.Before
			_, err := t.EditUser(u.ID, 0, UserPatch{Client: &v})
			return err
		}
		return t.setClients(u, splitNames(e.Before))
	case "clients":
		if err := check(strings.Join(n.Clients(u.ClientIDs), "; ")); err != nil {
			return err
		}
		return t.setClients(u, splitNames(e.Before))
	case "default site":
		if err := check(n.Site(u.DefaultSiteID)); err != nil {
			return err
		}
		v := e.Before
		_, err := t.EditUser(u.ID, 0, UserPatch{DefaultSite: &v})
		return err
	case "status":
		if err := check(u.Status().String()); err != nil {
			return err
		}
		switch {
		case e.Before == Disabled.String():
			return t.SetDisabled(u.ID, 0, true)
		case e.After == Disabled.String():
			return t.SetDisabled(u.ID, 0, false)
		}
		return refused("%s's status change to %s cannot be undone", e.Entity.Label, e.After)
	case "sites", "teams":
		cur := strings.Join(n.Sites(u.SiteIDs), "; ")
		if e.Field == "teams" {
			cur = strings.Join(n.Teams(u.TeamIDs), "; ")
		}
		if err := check(cur); err != nil {
			return err
		}
		add, del := diff(splitNames(e.After), splitNames(e.Before))
		if e.Field == "sites" {
			if err := t.AssignSites(u.ID, 0, del, nil, false); err != nil {
				return err
			}
			return t.AssignSites(u.ID, 0, add, nil, true)
		}
		if err := t.AssignSites(u.ID, 0, nil, del, false); err != nil {
			return err
		}
		return t.AssignSites(u.ID, 0, nil, add, true)
	}
	if f, ok := strings.CutPrefix(e.Field, "feature "); ok {
		feat, err := ParseFeature(f)
		if err != nil {
			return err
		}
		if err := check(u.Features[feat].String()); err != nil {
			return err
		}
		o, err := ParseOverride(e.Before)
		if err != nil {
			return err
		}
		return t.SetFeature(u.ID, 0, feat, o)
	}
	return refused("the change of %s cannot be undone", what)
}

// reverseUserIDs undoes a change of a field that names records from the ids
// it recorded: records renamed since are found all the same.
func (t *Tx) reverseUserIDs(u *User, e AuditEntry, what string) error {
	c := t.catalog()
	n := Names{c}
	if g, ok := strings.CutPrefix(e.Field, "until "); ok {
		return t.reverseUntil(u, e, g, what)
	}
	var cur []uint64
	switch e.Field {
	case "sites":
		cur = u.SiteIDs
	case "teams":
		cur = u.TeamIDs
	case "client", "clients":
		cur = u.ClientIDs
	case "profile":
		cur = []uint64{u.ProfileID}
	case "default site":
		cur = []uint64{u.DefaultSiteID}
	default:
		return refused("the change of %s cannot be undone", what)
	}
	if !slices.Equal(sortedIDs(cur), e.AfterIDs) {
		return &Error{Kind: KindConflict, Msg: fmt.Sprintf("%s changed since the change set; nothing was undone", what)}
	}
	// each id of the value to go back to, by its name now
	name := func(id uint64) (string, error) {
		var s string
		switch e.Field {
		case "sites", "default site":
			s = n.Site(id)
		case "teams":
			if c.teams[id] != nil {
				s = n.Team(id)
			}
		case "client", "clients":
			s = n.Client(id)
		case "profile":
			s = n.Profile(id)
		}
		if s == "" {
			return "", refused("%s cannot be undone: a record it named no longer exists", what)
		}
		return s, nil
	}
	names := func(ids []uint64) ([]string, error) {
		out := make([]string, 0, len(ids))
		for _, id := range ids {
			s, err := name(id)
			if err != nil {
				return nil, err
			}
			out = append(out, s)
		}
		return out, nil
	}
	switch e.Field {
	case "sites", "teams":
		del, err := names(without(e.AfterIDs, e.BeforeIDs))
		if err != nil {
			return err
		}
		add, err := names(without(e.BeforeIDs, e.AfterIDs))
		if err != nil {
			return err
		}
		if e.Field == "sites" {
			if err := t.AssignSites(u.ID, 0, del, nil, false); err != nil {
				return err
			}
			return t.AssignSites(u.ID, 0, add, nil, true)
		}
		if err := t.AssignSites(u.ID, 0, nil, del, false); err != nil {
			return err
		}
		return t.AssignSites(u.ID, 0, nil, add, true)
	case "client", "clients":
		want, err := names(e.BeforeIDs)
		if err != nil {
			return err
		}
		if u.Type == ClientUser && len(want) == 1 {
			_, err := t.EditUser(u.ID, 0, UserPatch{Client: &want[0]})
			return err
		}
		return t.setClients(u, want)
	case "profile":
		want, err := names(e.BeforeIDs)
		if err != nil || len(want) != 1 {
			return refused("%s cannot be undone: the profile it named no longer exists", what)
		}
		_, err = t.EditUser(u.ID, 0, UserPatch{Profile: &want[0]})
		return err
	default: // default site
		want := ""
		if len(e.BeforeIDs) == 1 {
			s, err := name(e.BeforeIDs[0])
			if err != nil {
				return err
			}
			want = s
		}
		_, err := t.EditUser(u.ID, 0, UserPatch{DefaultSite: &want})
		return err
	}
}

// reverseUntil gives a grant back the end it had before the change.
func (t *Tx) reverseUntil(u *User, e AuditEntry, grant, what string) error {
	grant, _, _ = strings.Cut(grant, " ") // "site North Depot"; entries before the name was added say "site"
	var g Grant
	for i, n := range grantNames {
		if n == grant {
			g = Grant(i)
		}
	}
	if g == 0 || len(e.AfterIDs) != 1 {
		return refused("the change of %s cannot be undone", what)
	}
	id := e.AfterIDs[0]
	switch cur := UntilText(t.user(u.ID).Until(g, id)); cur {
	case e.Before:
		return nil // already so: undoing the grant itself took its end away
	case e.After:
	default:
		return t.changedSince(what, cur, e.After)
	}
	var at time.Time
	if e.Before != "" {
		d, err := time.Parse("2006-01-02", e.Before)
		if err != nil {
			if at, err = time.Parse(time.RFC3339, e.Before); err != nil {
				return refused("the change of %s cannot be undone", what)
			}
		} else {
			at = d.AddDate(0, 0, 1)
		}
		if !at.After(t.now) {
			return refused("%s cannot be undone: the end it had is past; grant it again", what)
		}
	}
	c := t.user(u.ID).clone()
	back := uint64(0)
	for _, x := range c.Expiries {
		if x.Grant == g && x.ID == id {
			back = x.Back
		}
	}
	if g == GrantProfile && back == 0 {
		back = c.ProfileID
	}
	t.setExpiry(c, g, id, at, back)
	return t.touch(c)
}

// without is a with every id of b taken out.
func without(a, b []uint64) []uint64 {
	var out []uint64
	for _, id := range a {
		if !slices.Contains(b, id) {
			out = append(out, id)
		}
	}
	return out
}

// reversePlace undoes a change to a client, site, team or screen: a name or
// title given back, a retirement or restoration turned round, a team moved
// back, a creation undone by deleting what was made (refused once it
// mattered).
func (t *Tx) reversePlace(e AuditEntry) error {
	c := t.catalog()
	var name, current string
	switch e.Entity.Kind {
	case RecordClient:
		cl := c.clients[e.Entity.ID]
		if cl == nil {
			return refused("client %s no longer exists; the change cannot be undone", e.Entity.Label)
		}
		name, current = cl.Name, cl.Name
		if e.Field == "retired" {
			current = formatRetired(cl.Retired)
		}
	case RecordSite:
		st := c.sites[e.Entity.ID]
		if st == nil {
			return refused("site %s no longer exists; the change cannot be undone", e.Entity.Label)
		}
		name, current = st.Name, st.Name
		if e.Field == "retired" {
			current = formatRetired(st.Retired)
		}
	case RecordTeam:
		tm := c.teams[e.Entity.ID]
		if tm == nil {
			return refused("team %s no longer exists; the change cannot be undone", e.Entity.Label)
		}
		name, current = teamLabel(c, tm.ID), tm.Name
		switch e.Field {
		case "retired":
			current = formatRetired(tm.Retired)
		case "site":
			if !slices.Equal([]uint64{tm.SiteID}, e.AfterIDs) || len(e.BeforeIDs) != 1 {
				return t.changedSince("team "+name+"'s site", c.sites[tm.SiteID].Name, e.After)
			}
			back := c.sites[e.BeforeIDs[0]]
			if back == nil {
				return refused("team %s cannot move back: its site no longer exists", name)
			}
			return t.MoveTeam(name, back.Name)
		}
	case RecordScreen:
		sc, err := c.screen(e.Entity.Label)
		if err != nil {
			return refused("screen %s no longer exists; the change cannot be undone", e.Entity.Label)
		}
		if e.Field != "title" {
			return refused("adding screen %s cannot be undone", e.Entity.Label)
		}
		if sc.Title != e.After {
			return t.changedSince("screen "+sc.Key+"'s title", sc.Title, e.After)
		}
		return t.RetitleScreen(sc.Key, e.Before)
	}
	what := string(e.Entity.Kind) + " " + name + "'s " + e.Field
	switch e.Field {
	case "name":
		if current != e.After {
			return t.changedSince(what, current, e.After)
		}
		switch e.Entity.Kind {
		case RecordClient:
			return t.RenameClient(name, e.Before)
		case RecordSite:
			return t.RenameSite(name, e.Before)
		default:
			return t.RenameTeam(name, e.Before)
		}
	case "retired":
		if current != e.After {
			return t.changedSince(what, current, e.After)
		}
		retire := e.After == "" // undoing a restoration retires again
		switch {
		case e.Entity.Kind == RecordClient && retire:
			return t.RetireClient(name)
		case e.Entity.Kind == RecordClient:
			return t.RestoreClient(name)
		case e.Entity.Kind == RecordSite && retire:
			return t.RetireSite(name)
		case e.Entity.Kind == RecordSite:
			return t.RestoreSite(name)
		case retire:
			return t.RetireTeam(name)
		default:
			return t.RestoreTeam(name)
		}
	case "created":
		switch e.Entity.Kind {
		case RecordClient:
			return t.DeleteClient(name)
		case RecordSite:
			return t.DeleteSite(name)
		default:
			return t.DeleteTeam(name)
		}
	}
	return refused("the change of %s cannot be undone", what)
}

func formatRetired(at time.Time) string {
	if at.IsZero() {
		return ""
	}
	return at.Format(retiredFormat)
}

// setClients makes an employee's clients exactly these.
func (t *Tx) setClients(u *User, want []string) error {
	add, del := diff(Names{t.catalog()}.Clients(u.ClientIDs), want)
	if len(del) > 0 {
		if err := t.AssignClients(u.ID, 0, del, false); err != nil {
			return err
		}
	}
	if len(add) > 0 {
		return t.AssignClients(u.ID, 0, add, true)
	}
	return nil
}

func (t *Tx) reverseProfile(e AuditEntry) error {
	c := t.catalog()
	p := c.profiles[e.Entity.ID]
	if p == nil {
		return refused("profile %s no longer exists; the change cannot be undone", e.Entity.Label)
	}
	switch e.Field {
	case "created":
		return t.DeleteProfile(p.Name)
	case "deleted":
		return refused("deleting profile %s cannot be undone", e.Entity.Label)
	case "name":
		if p.Name != e.After {
			return t.changedSince("profile "+p.Name+"'s name", p.Name, e.After)
		}
		return t.RenameProfile(p.Name, e.Before)
	case "scope":
		if cur := p.Scope.String(); cur != e.After {
			return t.changedSince("profile "+p.Name+"'s scope", cur, e.After)
		}
		sc, err := ParseScope(e.Before)
		if err != nil {
			return err
		}
		return t.SetProfileScope(p.Name, sc)
	}
	sc, err := c.screen(e.Field)
	if err != nil {
		return refused("the change of profile %s's %s cannot be undone", p.Name, e.Field)
	}
	if cur := p.Levels[sc.Key].String(); cur != e.After {
		return t.changedSince("profile "+p.Name+" on "+sc.Title, cur, e.After)
	}
	l, err := ParseLevel(e.Before)
	if err != nil {
		return err
	}
	return t.Grant(p.Name, 0, sc.Key, l)
}
