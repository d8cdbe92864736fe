package store

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// reviewOf runs a review and keeps every user's grants (Each reuses them).
func reviewOf(t *testing.T, s *Store, a Actor, f ReviewFilter) (map[string][]ReviewGrant, []string) {
	t.Helper()
	r, err := s.Review(a, f)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]ReviewGrant{}
	var order []string
	users, grants, err := r.Each(func(u *ReviewUser) error {
		out[u.Email] = slices.Clone(u.Grants)
		order = append(order, u.Email)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, g := range out {
		n += len(g)
	}
	if users != len(out) || grants != n {
		t.Fatalf("Each counted %d users and %d grants, handed out %d and %d", users, grants, len(out), n)
	}
	return out, order
}

// grant finds one grant of a kind (and key).
func grant(t *testing.T, gs []ReviewGrant, kind ReviewKind, key string) ReviewGrant {
	t.Helper()
	for _, g := range gs {
		if g.Kind == kind && g.Key == key {
			return g
		}
	}
	t.Fatalf("no %s %s grant in %+v", kind, key, gs)
	return ReviewGrant{}
}

func noGrant(t *testing.T, gs []ReviewGrant, kind ReviewKind, key string) {
	t.Helper()
	for _, g := range gs {
		if g.Kind == kind && g.Key == key {
			t.Fatalf("a %s %s grant that should not be there: %+v", kind, key, g)
		}
	}
}

// Every grant says when and by whom it was last changed: a screen's level
// changes when the user gets the profile or when the profile's level on
// it changes, whichever is later; sites, teams, clients and features when
// their own field last changed.
func TestReviewSaysWhenAndByWhom(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	created := f.clock.Now()
	f.clock.Advance(time.Hour)
	grantCS := f.apply("payroll for managers", func(tx *Tx) error { return tx.Grant("Manager", 0, "payroll", View) })
	f.clock.Advance(time.Hour)
	admin := f.actor(emAdmin)
	sitesCS, err := f.s.Apply(admin, "more sites", func(tx *Tx) error {
		return tx.AssignSites(f.user(emManager).ID, 0, []string{"South Yard"}, nil, true)
	})
	if err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(time.Hour)
	moved := f.apply("another client", func(tx *Tx) error {
		id := f.user(emClient).ID
		if err := tx.AssignSites(id, 0, []string{"North Depot"}, nil, false); err != nil {
			return err
		}
		_, err := tx.EditUser(id, 0, UserPatch{Client: ptr("Zeta")}) // the "client" field, not "clients"
		return err
	})
	got, order := reviewOf(t, f.s, f.local, ReviewFilter{})
	m := got[emManager]
	for _, c := range []struct {
		kind               ReviewKind
		key, value, source string
		at                 time.Time
		cs                 uint64
		by                 string
	}{
		{ReviewProfile, "", "Manager (assigned sites)", "", created, 1, "local:test"},
		{ReviewScreen, "payroll", "view", "profile Manager", grantCS.Time, grantCS.Batch, "local:test"},
		{ReviewScreen, "roster", "maintain", "profile Manager", created, 1, "local:test"},
		{ReviewSites, "", "North Depot; South Yard", "", sitesCS.Time, sitesCS.Batch, emAdmin},
		{ReviewStatus, "", "invited", "", created, 1, "local:test"},
	} {
		g := grant(t, m, c.kind, c.key)
		if g.Value != c.value || g.Source != c.source || !g.Changed.Equal(c.at) || g.ChangeSet != c.cs || g.By != c.by {
			t.Errorf("%s %s: got %q from %q at %s, #%d by %s; want %q from %q at %s, #%d by %s",
				c.kind, c.key, g.Value, g.Source, g.Changed, g.ChangeSet, g.By, c.value, c.source, c.at, c.cs, c.by)
		}
	}
	noGrant(t, m, ReviewScreen, "setup") // none is not a grant
	noGrant(t, m, ReviewTeams, "")
	b := got[emBasic]
	if g := grant(t, b, ReviewTeams, ""); g.Value != "North Depot/Night" {
		t.Errorf("basic's teams: %+v", g)
	}
	if g := grant(t, got[emClient], ReviewClients, ""); g.Value != "Zeta" || g.Source != "their client" || g.ChangeSet != moved.Batch {
		t.Errorf("a client user's client: %+v", g)
	}
	// a built-in profile's levels as seeded are older than anyone holding them
	if g := grant(t, m, ReviewScreen, "scheduler"); g.ChangeSet != 1 {
		t.Errorf("scheduler: %+v", g)
	}
	want := []string{emAdmin, emBasic, emClient, emManager, emSupervisor, emUser} // Admin, Basic, Client, Manager, …
	if !slices.Equal(order, want) {
		t.Errorf("order %v, want %v", order, want)
	}
}

// With Since, only what changed since, with what it was before: a level
// raised and one taken away (""), a profile switched (the levels of the
// old one before), sites added, a new user (New), a user deleted.
func TestReviewSince(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.clock.Advance(time.Hour)
	since := f.clock.Now()
	f.apply("changes", func(tx *Tx) error {
		if err := tx.Grant("Manager", 0, "payroll", View); err != nil {
			return err
		}
		if err := tx.Grant("Basic", 0, "roster", None); err != nil {
			return err
		}
		if _, err := tx.EditUser(f.user(emUser).ID, 0, UserPatch{Profile: ptr("Supervisor")}); err != nil {
			return err
		}
		if err := tx.AssignSites(f.user(emSupervisor).ID, 0, []string{"South Yard"}, nil, true); err != nil {
			return err
		}
		if err := tx.SetFeature(f.user(emSupervisor).ID, 0, FeaturePortal, Deny); err != nil {
			return err
		}
		if _, err := tx.AddUser(NewUser{First: "Nia", Last: "New", Email: "new@example.com", Type: Employee, Profile: "Basic", Sites: []string{"Head Office"}}); err != nil {
			return err
		}
		gone, err := tx.AddUser(NewUser{First: "Gil", Last: "Gone", Email: "gone@example.com", Type: Employee, Profile: "Basic"})
		if err != nil {
			return err
		}
		return tx.DeleteUser(gone.ID, 0)
	})
	f.apply("and again", func(tx *Tx) error { // before is what it was before the first change since
		return tx.AssignSites(f.user(emSupervisor).ID, 0, []string{"Head Office"}, nil, true)
	})
	got, _ := reviewOf(t, f.s, f.local, ReviewFilter{Since: since})
	check := func(email string, kind ReviewKind, key, value, before string) {
		t.Helper()
		g := grant(t, got[email], kind, key)
		if g.Value != value || g.Before != before || g.Changed.Before(since) {
			t.Errorf("%s %s %s: %q (was %q) at %s; want %q (was %q)", email, kind, key, g.Value, g.Before, g.Changed, value, before)
		}
	}
	check(emManager, ReviewScreen, "payroll", "view", "none")
	check(emBasic, ReviewScreen, "roster", "none", "view")
	check(emUser, ReviewProfile, "", "Supervisor (assigned sites)", "User")
	check(emUser, ReviewScreen, "scheduler", "maintain", "view (profile User)")
	check(emUser, ReviewScreen, "reports", "view", "none (profile User)")
	check(emSupervisor, ReviewSites, "", "Head Office; North Depot; South Yard", "North Depot")
	check(emSupervisor, ReviewFeature, "portal", "deny", "inherit")
	noGrant(t, got[emManager], ReviewScreen, "roster") // unchanged
	noGrant(t, got[emManager], ReviewSites, "")
	if _, listed := got[emAdmin]; listed {
		t.Errorf("the administrator changed in nothing, yet: %+v", got[emAdmin])
	}
	n := got["new@example.com"]
	if g := grant(t, n, ReviewSites, ""); !g.New || g.Before != "" || g.Value != "Head Office" {
		t.Errorf("a new user's sites: %+v", g)
	}
	noGrant(t, n, ReviewTeams, "") // nothing to show of what a new user does not have
	if g := grant(t, got["gone@example.com"], ReviewDeleted, ""); !strings.Contains(g.Before, "Gil Gone") || g.By != "local:test" {
		t.Errorf("a deleted user: %+v", g)
	}
	// without Since: no before, no deleted user
	all, _ := reviewOf(t, f.s, f.local, ReviewFilter{})
	if _, listed := all["gone@example.com"]; listed || grant(t, all[emManager], ReviewScreen, "payroll").Before != "" {
		t.Error("a review without --since shows what was before, or deleted users")
	}
}

// A review holds only users the reader may see, names a hidden actor as
// HiddenActor, shows deleted users only to who sees everyone, and needs
// view on Users & permissions and on the Audit log.
func TestReviewFollowsTheReader(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	since := f.clock.Now()
	f.apply("readers", func(tx *Tx) error {
		if _, err := tx.CreateProfile("Auditor", Employee, ""); err != nil {
			return err
		}
		for _, g := range [][2]string{{"users", "view"}, {"audit", "view"}} {
			l, _ := ParseLevel(g[1])
			if err := tx.Grant("Auditor", 0, g[0], l); err != nil {
				return err
			}
		}
		for _, n := range []NewUser{
			{First: "Aud", Last: "North", Email: "aud@example.com", Type: Employee, Profile: "Auditor", Sites: []string{"North Depot"}},
			{First: "Mia", Last: "South", Email: "south@example.com", Type: Employee, Profile: "Manager", Sites: []string{"South Yard"}},
			{First: "Nob", Last: "Nosite", Email: "nosite@example.com", Type: Employee, Profile: "Basic"},
			{First: "Del", Last: "Eted", Email: "deleted@example.com", Type: Employee, Profile: "Basic"},
		} {
			if _, err := tx.AddUser(n); err != nil {
				return err
			}
		}
		return tx.DeleteUser(tx.userByEmail("deleted@example.com").ID, 0)
	})
	// a user both may see, changed by one the auditor may not
	if _, err := f.s.Apply(f.actor("south@example.com"), "feature", func(tx *Tx) error {
		return tx.SetFeature(f.user("nosite@example.com").ID, 0, FeatureAdhocClockIn, Allow)
	}); err != nil {
		t.Fatal(err)
	}
	auditor := f.actor("aud@example.com")
	seen := f.s.Visible(auditor)
	got, _ := reviewOf(t, f.s, auditor, ReviewFilter{Since: since})
	f.s.EachUser(func(u *User) {
		if _, listed := got[u.Email]; listed != seen(u) {
			t.Errorf("%s: listed %v, visible to the auditor %v", u.Email, listed, seen(u))
		}
	})
	if _, listed := got[emUser]; listed {
		t.Fatal("the auditor at North Depot sees the user at South Yard")
	}
	if g := grant(t, got["nosite@example.com"], ReviewFeature, "adhoc-clock-in"); g.By != HiddenActor {
		t.Errorf("a change by someone outside the auditor's sites reads %q, want %q", g.By, HiddenActor)
	}
	for email, gs := range got {
		for _, g := range gs {
			if strings.Contains(g.By, "south@") || strings.Contains(g.Before, "south@") || email == "deleted@example.com" {
				t.Errorf("%s: %+v names what the auditor may not see", email, g)
			}
		}
	}
	if all, _ := reviewOf(t, f.s, f.local, ReviewFilter{Since: since}); all["deleted@example.com"] == nil {
		t.Error("the local operator is not shown the user deleted since")
	}
	_, err := f.s.Review(f.actor(emManager), ReviewFilter{}) // users, but not the audit log
	checkErr(t, err, ErrDenied, "Audit log", "when and by whom")
	_, err = f.s.Review(f.actor(emBasic), ReviewFilter{})
	checkErr(t, err, ErrDenied, "Users & permissions")
}

// The filters: a profile's holders; whoever reaches a site (directly,
// through a team, or everywhere — not an employee limited to other
// clients' data); whoever is assigned a client or reaches its sites.
func TestReviewFilters(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.apply("limit", func(tx *Tx) error {
		if err := tx.AssignSites(f.user(emUser).ID, 0, []string{"Zeta HQ"}, nil, true); err != nil {
			return err
		}
		return tx.AssignClients(f.user(emUser).ID, 0, []string{"Acme"}, true) // User: limited to Acme's data
	})
	for _, c := range []struct {
		f    ReviewFilter
		want []string
	}{
		{ReviewFilter{Profile: "manager"}, []string{emManager}},
		{ReviewFilter{Site: "North Depot"}, []string{emAdmin, emBasic, emClient, emManager, emSupervisor}},
		{ReviewFilter{Site: "Zeta HQ"}, []string{emAdmin}},
		{ReviewFilter{Site: "South Yard"}, []string{emAdmin, emUser}},
		{ReviewFilter{Client: "Acme"}, []string{emAdmin, emBasic, emClient, emManager, emSupervisor, emUser}},
		{ReviewFilter{Client: "Zeta"}, []string{emAdmin}},
		{ReviewFilter{Client: "Acme", Profile: "Client"}, []string{emClient}},
	} {
		_, order := reviewOf(t, f.s, f.local, c.f)
		if !slices.Equal(order, c.want) {
			t.Errorf("%+v: %v, want %v", c.f, order, c.want)
		}
	}
	for _, c := range []struct {
		f    ReviewFilter
		says string
	}{
		{ReviewFilter{Profile: "Nobody"}, "no profile"},
		{ReviewFilter{Site: "Nowhere"}, "no site"},
		{ReviewFilter{Client: "Noone"}, "no client"},
	} {
		_, err := f.s.Review(f.local, c.f)
		checkErr(t, err, ErrNotFound, c.says)
	}
}

// On the demo data, after changes by several actors: every user's review
// holds exactly their effective levels, sites, teams and clients, and every
// grant's change set is the newest entry of its field in the user's own
// history (or of the profile's level), which users history reads apart.
func TestReviewAgreesWithEffectiveAndHistory(t *testing.T) {
	t.Parallel()
	f := auditWorld(t)
	f.apply("more", func(tx *Tx) error {
		if err := tx.Grant("Supervisor", 0, "leave", View); err != nil {
			return err
		}
		return tx.SetProfileScope("Regional", ScopeAssigned)
	})
	// fields changed twice, in change sets of their own: the newest counts
	var some []*User
	f.s.EachUser(func(u *User) {
		if len(some) < 20 && !u.Disabled && u.Type == Employee && u.ProfileID > 2 {
			some = append(some, u)
		}
	})
	for round := range 2 {
		f.apply(fmt.Sprint("round ", round), func(tx *Tx) error {
			for i, u := range some {
				var err error
				switch i % 4 {
				case 0:
					err = tx.AssignSites(u.ID, 0, []string{"Head Office"}, nil, round == 0)
				case 1:
					err = tx.SetDisabled(u.ID, 0, round == 0)
				case 2:
					err = tx.SetFeature(u.ID, 0, FeatureMobileApp, []Override{Deny, Allow}[round])
				case 3:
					_, err = tx.EditUser(u.ID, 0, UserPatch{Profile: ptr([]string{"Basic", "User"}[round])})
				}
				if err != nil {
					return err
				}
			}
			return nil
		})
	}
	got, order := reviewOf(t, f.s, f.local, ReviewFilter{})
	users, _ := f.s.Users(UserFilter{})
	if len(order) != len(users) {
		t.Fatalf("%d users reviewed of %d", len(order), len(users))
	}
	profileLog, err := f.s.AuditLog(AuditFilter{Entity: "profile"})
	if err != nil {
		t.Fatal(err)
	}
	fields := map[ReviewKind][]string{ReviewStatus: {"status"}, ReviewSites: {"sites"}, ReviewTeams: {"teams"}, ReviewClients: {"clients", "client"},
		ReviewProfile: {"profile", "type"}, ReviewDefaultSite: {"default site"}}
	for _, u := range users {
		gs := got[u.Email]
		e, err := f.s.Effective(u.Email)
		if err != nil {
			t.Fatal(err)
		}
		var levels, reviewed []string
		for _, l := range e.Levels {
			if l.Level != "none" {
				levels = append(levels, l.Screen+"="+l.Level)
			}
		}
		for _, g := range gs {
			if g.Kind == ReviewScreen {
				reviewed = append(reviewed, g.Key+"="+g.Value)
			}
		}
		if !slices.Equal(levels, reviewed) {
			t.Fatalf("%s: effective %v, review %v", u.Email, levels, reviewed)
		}
		hist, err := f.s.History(u.Email)
		if err != nil {
			t.Fatal(err)
		}
		newest := func(names ...string) uint64 {
			var b uint64
			for _, h := range hist {
				if slices.Contains(names, h.Field) || h.Field == "created" {
					b = max(b, h.Batch)
				}
			}
			return b
		}
		for _, g := range gs {
			want := uint64(0)
			switch g.Kind {
			case ReviewScreen:
				want = newest("profile", "type")
				for _, pe := range profileLog {
					if pe.Entity.ID == u.ProfileID && (pe.Field == g.Key || pe.Field == "created") {
						want = max(want, pe.Batch)
					}
				}
			case ReviewFeature:
				want = newest("feature " + g.Key)
			default:
				want = newest(fields[g.Kind]...)
				if g.Kind == ReviewProfile {
					for _, pe := range profileLog {
						if pe.Entity.ID == u.ProfileID && pe.Field == "scope" {
							want = max(want, pe.Batch)
						}
					}
				}
			}
			if g.ChangeSet != want {
				t.Fatalf("%s %s %s: change set #%d, the log's newest is #%d", u.Email, g.Kind, g.Key, g.ChangeSet, want)
			}
		}
		sites := fmt.Sprint(f.s.Names().Sites(u.SiteIDs))
		if len(u.SiteIDs) == 0 {
			continue
		}
		if value := untilNote.ReplaceAllString(grant(t, gs, ReviewSites, "").Value, ""); "["+strings.ReplaceAll(value, "; ", " ")+"]" != sites {
			t.Fatalf("%s: sites %v, review %q", u.Email, sites, grant(t, gs, ReviewSites, "").Value)
		}
	}
}

// Who-can and reviews read while change sets commit: each answer is whole
// (a review's stamps are never newer than its users: AsOf), and the race
// detector finds nothing shared unguarded.
func TestReviewAndWhoCanWhileChanging(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	id := f.user(emUser).ID
	done := make(chan error, 1)
	go func() {
		for i := range 40 {
			if _, err := f.s.Apply(f.local, "churn", func(tx *Tx) error {
				return tx.SetFeature(id, 0, FeaturePortal, []Override{Allow, Deny}[i%2])
			}); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	finished := false
	defer func() { // the store closes after the test: not under the writer
		if !finished {
			<-done
		}
	}()
	for reads := 0; ; reads++ {
		select {
		case err := <-done:
			finished = true
			if err != nil {
				t.Fatal(err)
			}
			if reads == 0 {
				t.Fatal("no read overlapped the changes")
			}
			return
		default:
		}
		r, err := f.s.Review(f.local, ReviewFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := r.Each(func(u *ReviewUser) error {
			for _, g := range u.Grants {
				if g.ChangeSet > r.AsOf {
					return fmt.Errorf("%s %s: change set #%d in a review as of #%d", u.Email, g.Kind, g.ChangeSet, r.AsOf)
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.WhoCan(f.local, WhoCanQuery{Screen: "roster", Level: View}); err != nil {
			t.Fatal(err)
		}
	}
}

// untilNote is how a review marks a grant that ends: "South Yard (until 2027-01-31)".
var untilNote = regexp.MustCompile(` \(until [^)]+\)`)

// A review says when each grant that ends by itself ends, and with Since an
// end moved since shows what it was.
func TestReviewSaysWhenGrantsEnd(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	first, later := f.clock.Now().Add(48*time.Hour), f.clock.Now().Add(96*time.Hour)
	f.apply("ends", func(tx *Tx) error {
		if err := tx.AssignSitesUntil(f.user(emBasic).ID, 0, []string{"South Yard"}, nil, first); err != nil {
			return err
		}
		_, err := tx.EditUser(f.user(emUser).ID, 0, UserPatch{Profile: ptr("Supervisor"), ProfileUntil: first})
		return err
	})
	got, _ := reviewOf(t, f.s, f.local, ReviewFilter{})
	if v := grant(t, got[emBasic], ReviewSites, "").Value; v != "South Yard (until "+UntilText(first)+")" {
		t.Errorf("sites: %q", v)
	}
	if v := grant(t, got[emUser], ReviewProfile, "").Value; !strings.HasSuffix(v, ", until "+UntilText(first)+", then User") {
		t.Errorf("profile: %q", v)
	}
	f.clock.Advance(time.Hour)
	since := f.clock.Now()
	f.apply("a later end", func(tx *Tx) error { // the same site and profile: only the ends move
		if err := tx.AssignSitesUntil(f.user(emBasic).ID, 0, []string{"South Yard"}, nil, later); err != nil {
			return err
		}
		_, err := tx.EditUser(f.user(emUser).ID, 0, UserPatch{Profile: ptr("Supervisor"), ProfileUntil: later})
		return err
	})
	got, _ = reviewOf(t, f.s, f.local, ReviewFilter{Since: since})
	g := grant(t, got[emBasic], ReviewSites, "")
	if g.Value != "South Yard (until "+UntilText(later)+")" || g.Before != "South Yard (until "+UntilText(first)+")" || g.Changed.Before(since) {
		t.Errorf("sites since: %q, before %q, at %s", g.Value, g.Before, g.Changed)
	}
	g = grant(t, got[emUser], ReviewProfile, "")
	if !strings.Contains(g.Value, "until "+UntilText(later)) || !strings.Contains(g.Before, "until "+UntilText(first)) {
		t.Errorf("profile since: %q, before %q", g.Value, g.Before)
	}
}
