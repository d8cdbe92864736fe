package store

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	bolt "go.etcd.io/bbolt"
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
	err := s.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketBatches).Get(itob(batch))
		if v == nil {
			return notFound("no change set #%d", batch)
		}
		if err := json.Unmarshal(v, &b); err != nil {
			return err
		}
		ab := tx.Bucket(bucketAudit)
		for seq := b.FirstSeq; seq <= b.LastSeq; seq++ {
			var e AuditEntry
			v := ab.Get(itob(seq))
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
	}
	return refused("creating a %s (%s) cannot be undone", e.Entity.Kind, e.Entity.Label)
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
