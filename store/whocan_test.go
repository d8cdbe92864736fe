package store

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// auditWorld is the demo data (300 users) with what the demo does not make
// on its own, so every branch of check is taken: teams at sites not
// assigned directly (check's "through team"), employees with more sites
// than fit the email index inline, a custom all-sites profile limited to
// clients (scope wins over the limit), and client-limited employees at
// the business's own sites (denied by the limit).
func auditWorld(t *testing.T) *fx {
	t.Helper()
	f := openStore(t)
	if _, err := f.s.Demo(f.local, DemoOptions{Users: 300}); err != nil {
		t.Fatal(err)
	}
	sites := f.s.Sites()
	us, err := f.s.Users(UserFilter{Type: ptr(Employee)})
	if err != nil {
		t.Fatal(err)
	}
	f.apply("audit world", func(tx *Tx) error {
		if _, err := tx.CreateProfile("Regional", Employee, "User"); err != nil {
			return err
		}
		if err := tx.SetProfileScope("Regional", ScopeAll); err != nil {
			return err
		}
		n := 0
		for i, u := range us {
			if u.Disabled || u.ProfileID == 1 {
				continue
			}
			n++
			switch {
			case n <= 40: // a team at another site than theirs
				st := sites[(i*7)%len(sites)]
				if hasSite(u, st.ID, f.s.cat) {
					continue
				}
				if err := tx.AssignSites(u.ID, 0, nil, []string{st.Name + "/Night"}, true); err != nil {
					return err
				}
			case n <= 50: // more sites than the index holds inline
				var more []string
				for _, st := range sites[:5] {
					if st.ClientID == 0 || len(u.ClientIDs) == 0 {
						more = append(more, st.Name)
					}
				}
				if err := tx.AssignSites(u.ID, 0, more, nil, true); err != nil {
					return err
				}
			case n <= 56: // an all-sites profile that is limited to clients
				if _, err := tx.EditUser(u.ID, 0, UserPatch{Profile: ptr("Regional")}); err != nil {
					return err
				}
				if len(u.ClientIDs) == 0 {
					if err := tx.AssignClients(u.ID, 0, []string{"Acme Logistics"}, true); err != nil {
						return err
					}
				}
			case n <= 64: // a site or a team until an end: half end before the clock moves on
				until := f.clock.Now().Add(time.Duration(1+47*(n%2)) * time.Hour)
				st := sites[(i*5)%len(sites)]
				if hasSite(u, st.ID, f.s.cat) || st.ClientID != 0 && len(u.ClientIDs) > 0 {
					continue
				}
				sitesTo, teamsTo := []string{st.Name}, []string(nil)
				if n%4 < 2 {
					sitesTo, teamsTo = nil, []string{st.Name + "/Night"}
				}
				if err := tx.AssignSitesUntil(u.ID, 0, sitesTo, teamsTo, until); err != nil {
					return err
				}
			case n <= 70: // a temporary profile, falling back to the one they held
				until := f.clock.Now().Add(time.Duration(1+47*(n%2)) * time.Hour)
				if _, err := tx.EditUser(u.ID, 0, UserPatch{Profile: ptr("Supervisor"), ProfileUntil: until}); err != nil {
					return err
				}
			}
		}
		return nil
	})
	// some ends have come, but the store has not taken them back yet:
	// check already counts them as gone, and who-can must too
	f.clock.Advance(2 * time.Hour)
	return f
}

// who-can answers exactly as Check does, for every user of the data, every
// screen, both levels, anywhere and at every site: a user is listed if and
// only if Check allows them, with the level, scope and team Check names.
func TestWhoCanAgreesWithCheck(t *testing.T) {
	t.Parallel()
	f := auditWorld(t)
	users, err := f.s.Users(UserFilter{})
	if err != nil {
		t.Fatal(err)
	}
	sites := []string{""}
	for _, st := range f.s.Sites() {
		sites = append(sites, st.Name)
	}
	codes := map[Code]int{}
	vias, ends := 0, 0
	for _, sc := range f.s.Screens() {
		for _, level := range []Level{View, Maintain} {
			for _, site := range sites {
				w, err := f.s.WhoCan(f.local, WhoCanQuery{Screen: sc.Key, Level: level, Site: site})
				if err != nil {
					t.Fatal(err)
				}
				rows := map[string]*WhoCanRow{}
				for i := range w.Rows {
					rows[w.Rows[i].User.Email] = &w.Rows[i]
				}
				for _, u := range users {
					d := f.s.Check(u.Email, sc.Key, level, site)
					codes[d.Code]++
					r, listed := rows[u.Email]
					where := fmt.Sprintf("%s %s %s at %q", u.Email, sc.Key, level, site)
					if listed != d.Allowed {
						t.Fatalf("%s: who-can lists them %v, check says %s", where, listed, d.Reason())
					}
					if !listed {
						continue
					}
					if r.Held != d.Held || r.Profile.Name != d.Profile || r.AllSites != (d.Code == CodeAllowedAllSites) {
						t.Fatalf("%s: who-can says %s held, profile %s, all sites %v; check says %s", where, r.Held, r.Profile.Name, r.AllSites, d.Reason())
					}
					if site != "" && !r.AllSites && (len(r.At) != 1 || r.At[0].Site != d.Site || r.At[0].Via != d.Via) {
						t.Fatalf("%s: who-can says at %v; check says %s", where, r.At, d.Reason())
					}
					if d.Via != "" {
						vias++
					}
					if r.Ends() != d.Until {
						t.Fatalf("%s: who-can says until %s; check says %s", where, r.Ends(), d.Reason())
					}
					if !d.Until.IsZero() {
						ends++
						if why := w.Reason(r); !strings.HasSuffix(why, " (until "+UntilText(d.Until)+")") {
							t.Fatalf("%s: the reason %q does not say until when; check says %s", where, why, d.Reason())
						}
					}
				}
			}
		}
	}
	// the data took every road through check
	for _, c := range []Code{CodeAllowed, CodeAllowedAllSites, CodeDisabled, CodeLevelTooLow, CodeSiteNotAssigned, CodeClientRestricted} {
		if codes[c] == 0 {
			t.Errorf("no check ended with code %d: the data does not exercise that rule", c)
		}
	}
	if vias == 0 {
		t.Error("no check passed through a team")
	}
	if ends == 0 {
		t.Error("no check passed by a grant that ends")
	}
}

// --client C lists whoever passes at one or more of C's sites, and names
// exactly the sites at which Check allows them.
func TestWhoCanClientIsAnySiteOfTheClient(t *testing.T) {
	t.Parallel()
	f := auditWorld(t)
	users, err := f.s.Users(UserFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, cl := range f.s.Clients() {
		var clientSites []string
		for _, st := range f.s.Sites() {
			if st.ClientID == cl.ID {
				clientSites = append(clientSites, st.Name)
			}
		}
		for _, sc := range f.s.Screens() {
			for _, level := range []Level{View, Maintain} {
				w, err := f.s.WhoCan(f.local, WhoCanQuery{Screen: sc.Key, Level: level, Client: cl.Name})
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(w.ClientSites, clientSites) {
					t.Fatalf("client %s: sites %v, want %v", cl.Name, w.ClientSites, clientSites)
				}
				rows := map[string]*WhoCanRow{}
				for i := range w.Rows {
					rows[w.Rows[i].User.Email] = &w.Rows[i]
				}
				for _, u := range users {
					var allowedAt []WhoCanAt
					allSites := false
					for _, site := range clientSites {
						if d := f.s.Check(u.Email, sc.Key, level, site); d.Allowed {
							allSites = d.Code == CodeAllowedAllSites
							allowedAt = append(allowedAt, WhoCanAt{Site: d.Site, Via: d.Via, Until: d.Until})
						}
					}
					r, listed := rows[u.Email]
					where := fmt.Sprintf("%s %s %s for %s", u.Email, sc.Key, level, cl.Name)
					switch {
					case listed != (len(allowedAt) > 0):
						t.Fatalf("%s: listed %v, check allows at %v", where, listed, allowedAt)
					case !listed:
					case r.AllSites != allSites:
						t.Fatalf("%s: all sites %v, check %v", where, r.AllSites, allSites)
					case !allSites && !slices.EqualFunc(r.At, allowedAt, func(a, b WhoCanAt) bool {
						// check's until is the sooner of the site's and a temporary profile's
						until := a.Until
						if !r.Until.IsZero() && (until.IsZero() || r.Until.Before(until)) {
							until = r.Until
						}
						return a.Site == b.Site && a.Via == b.Via && until.Equal(b.Until)
					}):
						t.Fatalf("%s: at %v, check allows at %v", where, r.At, allowedAt)
					}
				}
			}
		}
	}
}

// A scoped reader gets exactly the users they may see among those who
// pass; a reader without view on Users & permissions gets nothing at all.
func TestWhoCanFollowsTheReader(t *testing.T) {
	t.Parallel()
	f := auditWorld(t)
	var manager *User
	f.s.EachUser(func(u *User) {
		if manager == nil && !u.Disabled && u.ProfileID == 2 && len(u.SiteIDs) > 1 {
			manager = u
		}
	})
	if manager == nil {
		t.Fatal("no Manager with two sites in the demo data")
	}
	reader := f.actor(manager.Email)
	seen := f.s.Visible(reader)
	for _, q := range []WhoCanQuery{
		{Screen: "roster", Level: View},
		{Screen: "scheduler", Level: Maintain, Site: f.s.Names().Site(manager.SiteIDs[0])},
		{Screen: "roster", Level: View, Client: "Acme Logistics"},
		{Screen: "payroll", Level: View},
	} {
		all, err := f.s.WhoCan(f.local, q)
		if err != nil {
			t.Fatal(err)
		}
		mine, err := f.s.WhoCan(reader, q)
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		hidden := 0
		for _, r := range all.Rows {
			if seen(r.User) {
				want = append(want, r.User.Email)
			} else {
				hidden++
			}
		}
		var got []string
		for _, r := range mine.Rows {
			got = append(got, r.User.Email)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("%+v as %s: got %d users, want the %d of %d they may see", q, manager.Email, len(got), len(want), len(all.Rows))
		}
		if hidden == 0 && q.Screen == "roster" {
			t.Fatalf("%+v: the Manager sees everyone who passes: the test shows nothing", q)
		}
	}
	var basic *User
	f.s.EachUser(func(u *User) {
		if basic == nil && !u.Disabled && u.ProfileID == 5 {
			basic = u
		}
	})
	_, err := f.s.WhoCan(f.actor(basic.Email), WhoCanQuery{Screen: "roster", Level: View})
	checkErr(t, err, ErrDenied, "Users & permissions")
}

// Rows come in the users list's order.
func TestWhoCanSortsAsUsers(t *testing.T) {
	t.Parallel()
	f := auditWorld(t)
	w, err := f.s.WhoCan(f.local, WhoCanQuery{Screen: "roster", Level: View})
	if err != nil {
		t.Fatal(err)
	}
	var got, want []*User
	for _, r := range w.Rows {
		got = append(got, r.User)
	}
	want = append(want, got...)
	SortUsers(want)
	if len(got) < 200 || !slices.Equal(got, want) {
		t.Fatalf("%d rows, not in SortUsers order", len(got))
	}
}

// Bad questions get one line saying what to do.
func TestWhoCanRefusesBadQuestions(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	for _, c := range []struct {
		q    WhoCanQuery
		kind error
		fix  Fix // what the store says would help (the command line makes it a command)
		says []string
	}{
		{WhoCanQuery{Screen: "payrol", Level: View}, ErrNotFound, fixList(RecordScreen), []string{"no screen", "did you mean payroll"}},
		{WhoCanQuery{Screen: "payroll", Level: None}, ErrInput, Fix{}, []string{"view or maintain"}},
		{WhoCanQuery{Screen: "payroll", Level: View, Site: "Nowhere"}, ErrNotFound, fixList(RecordSite), []string{"no site"}},
		{WhoCanQuery{Screen: "payroll", Level: View, Client: "Nobody"}, ErrNotFound, fixList(RecordClient), []string{"no client"}},
		{WhoCanQuery{Screen: "payroll", Level: View, Site: "Zeta HQ", Client: "Acme"}, ErrInput, Fix{}, []string{"Zeta HQ belongs to Zeta", "not to client Acme"}},
		{WhoCanQuery{Screen: "payroll", Level: View, Site: "Head Office", Client: "Acme"}, ErrInput, Fix{}, []string{"belongs to the business itself"}},
	} {
		_, err := f.s.WhoCan(f.local, c.q)
		checkErr(t, err, c.kind, c.says...)
		if e, _ := StoreError(err); e == nil || e.Fix != c.fix {
			t.Errorf("%+v: fix %+v, want %+v", c.q, e, c.fix)
		}
		if err != nil && strings.Contains(err.Error(), "\n") {
			t.Errorf("%+v: a message of more than one line: %q", c.q, err)
		}
	}
	// nobody, or one user, passes: an empty answer, no error
	for _, q := range []WhoCanQuery{{Screen: "payroll", Level: View, Site: "Zeta HQ"}, {Screen: "payroll", Level: View}} {
		w, err := f.s.WhoCan(f.local, q)
		if err != nil || len(w.Rows) > 1 {
			t.Fatalf("%+v: %v, %d rows", q, err, len(w.Rows))
		}
	}
	empty := openStore(t)
	if w, err := empty.s.WhoCan(empty.local, WhoCanQuery{Screen: "roster", Level: View}); err != nil || len(w.Rows) != 0 {
		t.Fatalf("who-can on an empty database: %v, %+v", err, w)
	}
	// a client with no sites: nobody, and no error
	f.apply("lonely client", func(tx *Tx) error { _, err := tx.AddClient("Lonely"); return err })
	w, err := f.s.WhoCan(f.local, WhoCanQuery{Screen: "roster", Level: View, Client: "Lonely"})
	if err != nil || len(w.Rows) != 0 || len(w.ClientSites) != 0 {
		t.Fatalf("a client without sites: %v, %+v", err, w)
	}
}

// The reason of each row reads as check's does.
func TestWhoCanReason(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.apply("limit", func(tx *Tx) error {
		return tx.AssignClients(f.user(emBasic).ID, 0, []string{"Acme"}, true)
	})
	reason := func(q WhoCanQuery, email string) string {
		t.Helper()
		w, err := f.s.WhoCan(f.local, q)
		if err != nil {
			t.Fatal(err)
		}
		for i := range w.Rows {
			if w.Rows[i].User.Email == email {
				return w.Reason(&w.Rows[i])
			}
		}
		t.Fatalf("%+v: %s not listed", q, email)
		return ""
	}
	for _, c := range []struct {
		q     WhoCanQuery
		email string
		want  string
	}{
		{WhoCanQuery{Screen: "payroll", Level: Maintain}, emAdmin, "Administrator has maintain on Payroll (profile reaches all sites)"},
		{WhoCanQuery{Screen: "roster", Level: View, Site: "North Depot"}, emManager, "Manager has maintain on Roster, and North Depot is assigned to them"},
		{WhoCanQuery{Screen: "roster", Level: View, Site: "north depot"}, emBasic, "Basic has view on Roster, and North Depot is assigned through team Night; sees only the data of Acme"},
		{WhoCanQuery{Screen: "roster", Level: View, Client: "Acme"}, emClient, "Client has view on Roster, and North Depot is assigned to them"},
		{WhoCanQuery{Screen: "scheduler", Level: View}, emUser, "User has view on Scheduler"},
	} {
		if got := reason(c.q, c.email); got != c.want {
			t.Errorf("%+v, %s:\n got %q\nwant %q", c.q, c.email, got, c.want)
		}
	}
}

// "Any site of the client" means its sites in use: a retired one is not
// asked about (nobody holds it, but an all-sites profile would pass there).
func TestWhoCanClientLeavesRetiredSitesOut(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.apply("retire", func(tx *Tx) error { return tx.RetireSite("South Yard") })
	w, err := f.s.WhoCan(f.local, WhoCanQuery{Screen: "roster", Level: View, Client: "Acme"})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(w.ClientSites, []string{"North Depot"}) {
		t.Fatalf("Acme's sites: %v, want North Depot only", w.ClientSites)
	}
	for _, r := range w.Rows {
		for _, a := range r.At {
			if a.Site == "South Yard" {
				t.Fatalf("%s passes at the retired South Yard", r.User.Email)
			}
		}
	}
}
