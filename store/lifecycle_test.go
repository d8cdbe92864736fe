package store

import (
	"strings"
	"testing"
)

// Whole lives: rename, retire, restore, delete (only what never mattered),
// move a team, end a client's contract — each audited, each undoable.

func siteNamed(t *testing.T, f *fx, name string) *Site {
	t.Helper()
	for _, s := range f.s.AllSites() {
		if s.Name == name {
			return s
		}
	}
	t.Fatalf("no site %s", name)
	return nil
}

// The test: assign a site, rename it, undo the assignment.
func TestUndoAfterARenameFindsTheRecordByID(t *testing.T) {
	f := newFixture(t)
	cs := f.apply("assign", func(tx *Tx) error {
		return tx.AssignSites(f.user(emBasic).ID, 0, []string{"South Yard"}, nil, true)
	})
	f.apply("rename", func(tx *Tx) error { return tx.RenameSite("South Yard", "Harbour Yard") })
	if got := f.s.Names().Sites(f.user(emBasic).SiteIDs); len(got) != 1 || got[0] != "Harbour Yard" {
		t.Fatalf("after the rename the user holds %v", got)
	}
	if _, err := f.s.Undo(f.local, cs.Batch); err != nil {
		t.Fatalf("undo after the rename: %v", err)
	}
	if got := f.user(emBasic).SiteIDs; len(got) != 0 {
		t.Fatalf("after the undo the user still holds %v", f.s.Names().Sites(got))
	}
	// and the rename itself undoes
	hist, _ := f.s.AuditLog(AuditFilter{Entity: "site"})
	var rename uint64
	for _, e := range hist {
		if e.Field == "name" {
			rename = e.Batch
		}
	}
	if _, err := f.s.Undo(f.local, rename); err != nil {
		t.Fatal(err)
	}
	if siteNamed(t, f, "South Yard") == nil {
		t.Fatal("the rename was not undone")
	}
}

func TestRenameEverythingThatHasAName(t *testing.T) {
	f := newFixture(t)
	f.apply("renames", func(tx *Tx) error {
		for _, op := range []func() error{
			func() error { return tx.RenameClient("Acme", "Acme Group") },
			func() error { return tx.RenameSite("North Depot", "North Hub") },
			func() error { return tx.RenameTeam("North Hub/Night", "Nights") },
			func() error { return tx.RenameProfile("Supervisor", "Shift lead") },
			func() error { return tx.RetitleScreen("payroll", "Pay") },
		} {
			if err := op(); err != nil {
				return err
			}
		}
		return nil
	})
	// every read uses the new names: checks, effective access, lists, exports
	d := f.s.Check(emSupervisor, "roster", View, "North Hub")
	if !d.Allowed || d.Profile != "Shift lead" || d.Site != "North Hub" {
		t.Fatalf("a check after the renames: %+v", d)
	}
	if d := f.s.Check(emBasic, "roster", View, "North Hub"); !d.Allowed || d.Via != "Nights" {
		t.Fatalf("through the renamed team: %s", d.Reason())
	}
	e, _ := f.s.Effective(emAdmin)
	var pay bool
	for _, l := range e.Levels {
		pay = pay || l.Screen == "payroll" && l.Title == "Pay"
	}
	if !pay {
		t.Fatal("the screen title did not change")
	}
	dump, _ := f.s.Export()
	var clientNamed bool
	for _, c := range dump.Clients {
		clientNamed = clientNamed || c == "Acme Group"
	}
	if !clientNamed {
		t.Fatalf("the export still names %v", dump.Clients)
	}
	if p, err := f.s.Profile("Shift lead"); err != nil || !p.Builtin {
		t.Fatalf("a renamed built-in keeps its role: %+v %v", p, err)
	}
	// history shows the old and the new name
	hist, _ := f.s.AuditLog(AuditFilter{Entity: "client"})
	if last := hist[len(hist)-1]; last.Field != "name" || last.Before != "Acme" || last.After != "Acme Group" {
		t.Fatalf("client history: %+v", last)
	}
	// names stay unique
	_, err := f.s.Apply(f.local, "clash", func(tx *Tx) error { return tx.RenameSite("North Hub", "south yard") })
	checkErr(t, err, ErrRefused, "already exists")
}

func TestRetireASiteTakesItOffEveryUser(t *testing.T) {
	f := newFixture(t)
	f.apply("default site", func(tx *Tx) error {
		_, err := tx.EditUser(f.user(emManager).ID, 0, UserPatch{DefaultSite: ptr("North Depot")})
		return err
	})
	preview, err := f.s.Preview(f.local, "retire", func(tx *Tx) error { return tx.RetireSite("North Depot") })
	if err != nil {
		t.Fatal(err)
	}
	touched := map[string]bool{}
	for _, e := range preview.Entries {
		if e.Entity.Kind == RecordUser {
			touched[e.Entity.Label] = true
		}
	}
	// manager, supervisor, client (directly), basic (through team Night)
	for _, who := range []string{emManager, emSupervisor, emClient, emBasic} {
		if !touched[who] {
			t.Errorf("the preview does not touch %s: %v", who, touched)
		}
	}
	if f.user(emManager).SiteIDs == nil {
		t.Fatal("the preview wrote")
	}
	cs := f.apply("retire", func(tx *Tx) error { return tx.RetireSite("North Depot") })
	for _, who := range []string{emManager, emSupervisor, emClient, emBasic} {
		u := f.user(who)
		if len(u.SiteIDs)+len(u.TeamIDs) != 0 || u.DefaultSiteID != 0 {
			t.Errorf("%s still holds %v %v default %d", who, u.SiteIDs, u.TeamIDs, u.DefaultSiteID)
		}
	}
	if len(f.s.Sites()) != 3 || len(f.s.AllSites()) != 4 || len(f.s.Teams()) != 0 {
		t.Fatalf("lists: %d in use of %d, %d teams in use", len(f.s.Sites()), len(f.s.AllSites()), len(f.s.Teams()))
	}
	_, err = f.s.Apply(f.local, "assign retired", func(tx *Tx) error {
		return tx.AssignSites(f.user(emUser).ID, 0, []string{"North Depot"}, nil, true)
	})
	checkErr(t, err, ErrRefused, "retired", "restore it first")
	_, err = f.s.Apply(f.local, "team of retired", func(tx *Tx) error {
		return tx.AssignSites(f.user(emUser).ID, 0, nil, []string{"North Depot/Night"}, true)
	})
	checkErr(t, err, ErrRefused, "retired")
	// undo gives everything back, in one change set
	if _, err := f.s.Undo(f.local, cs.Batch); err != nil {
		t.Fatalf("undo the retirement: %v", err)
	}
	if u := f.user(emBasic); len(u.TeamIDs) != 1 || len(f.s.Teams()) != 1 || f.user(emManager).DefaultSiteID == 0 {
		t.Fatalf("after undo: basic %v, teams %d, manager default %d", u.TeamIDs, len(f.s.Teams()), f.user(emManager).DefaultSiteID)
	}
}

func TestEndingAClientContract(t *testing.T) {
	f := newFixture(t)
	f.apply("an employee sees Acme's data", func(tx *Tx) error {
		return tx.AssignClients(f.user(emUser).ID, 0, []string{"Acme"}, true)
	})
	events, stop := f.s.Subscribe()
	defer stop()
	cs := f.apply("end Acme", func(tx *Tx) error { return tx.RetireClient("Acme") })
	if !f.user(emClient).Disabled {
		t.Error("Acme's client user is still enabled")
	}
	if len(f.user(emUser).ClientIDs) != 0 {
		t.Error("the employee still sees Acme")
	}
	for _, name := range []string{"North Depot", "South Yard"} {
		if !siteNamed(t, f, name).IsRetired() {
			t.Errorf("%s is not retired", name)
		}
	}
	if siteNamed(t, f, "Zeta HQ").IsRetired() {
		t.Error("another client's site was retired")
	}
	ev := <-events
	if !ev.Touches(RecordUser, f.user(emClient).ID) || !ev.Changes.Has(ChangedUser|ChangedSite|ChangedClient) {
		t.Errorf("the event does not say whom and what: %+v", ev)
	}
	if len(f.s.Clients()) != 1 {
		t.Errorf("clients in use: %d", len(f.s.Clients()))
	}
	// a scoped manager cannot end a contract
	f2 := newFixture(t)
	_, err := f2.s.Apply(f2.actor(emManager), "end", func(tx *Tx) error { return tx.RetireClient("Acme") })
	checkErr(t, err, ErrDenied)
	// undone as one
	if _, err := f.s.Undo(f.local, cs.Batch); err != nil {
		t.Fatalf("undo the contract end: %v", err)
	}
	if f.user(emClient).Disabled || len(f.user(emUser).ClientIDs) != 1 || siteNamed(t, f, "North Depot").IsRetired() || len(f.user(emClient).SiteIDs) != 1 {
		t.Fatal("the undo did not give everything back")
	}
}

func TestDeleteOnlyWhatNeverMattered(t *testing.T) {
	f := newFixture(t)
	f.apply("fresh", func(tx *Tx) error {
		if _, err := tx.AddClient("Fresh"); err != nil {
			return err
		}
		if _, err := tx.AddSite("Empty Site", ""); err != nil {
			return err
		}
		_, err := tx.AddTeam("Empty", "Head Office")
		return err
	})
	f.apply("delete what never mattered", func(tx *Tx) error {
		if err := tx.DeleteTeam("Head Office/Empty"); err != nil {
			return err
		}
		if err := tx.DeleteSite("Empty Site"); err != nil {
			return err
		}
		return tx.DeleteClient("Fresh")
	})
	for name, op := range map[string]func(tx *Tx) error{
		"a client with sites":      func(tx *Tx) error { return tx.DeleteClient("Acme") },
		"a site with holders":      func(tx *Tx) error { return tx.DeleteSite("South Yard") },
		"a team with members":      func(tx *Tx) error { return tx.DeleteTeam("North Depot/Night") },
		"a site renamed (history)": func(tx *Tx) error { return tx.DeleteSite("HQ Renamed") },
	} {
		if name == "a site renamed (history)" {
			f.apply("rename", func(tx *Tx) error { return tx.RenameSite("Head Office", "HQ Renamed") })
		}
		_, err := f.s.Apply(f.local, name, op)
		e, ok := StoreError(err)
		if !ok || e.Kind != KindRefused || e.Fix.Do != FixRetire || !strings.Contains(e.Msg, "break the records") {
			t.Errorf("%s: %v (fix %+v)", name, err, e)
		}
	}
}

func TestMoveATeam(t *testing.T) {
	f := newFixture(t)
	cs := f.apply("move", func(tx *Tx) error { return tx.MoveTeam("North Depot/Night", "South Yard") })
	if d := f.s.Check(emBasic, "roster", View, "South Yard"); !d.Allowed || d.Via != "Night" {
		t.Fatalf("the member does not reach the new site: %s", d.Reason())
	}
	if d := f.s.Check(emBasic, "roster", View, "North Depot"); d.Allowed {
		t.Fatalf("the member still reaches the old site: %s", d.Reason())
	}
	_, err := f.s.Apply(f.local, "another client", func(tx *Tx) error { return tx.MoveTeam("South Yard/Night", "Zeta HQ") })
	checkErr(t, err, ErrRefused, "another site of Acme")
	if _, err := f.s.Undo(f.local, cs.Batch); err != nil {
		t.Fatal(err)
	}
	if d := f.s.Check(emBasic, "roster", View, "North Depot"); !d.Allowed {
		t.Fatalf("after undo: %s", d.Reason())
	}
}

// A scoped actor renames, retires and moves only what is theirs.
func TestScopedActorsChangeOnlyTheirOwnPlaces(t *testing.T) {
	f := newFixture(t)
	f.apply("manager may edit sites", func(tx *Tx) error { return tx.Grant("Manager", 0, "sites", Maintain) })
	mgr := f.actor(emManager) // North Depot
	for _, c := range []struct {
		name string
		op   func(tx *Tx) error
		want error
	}{
		{"rename another's site", func(tx *Tx) error { return tx.RenameSite("South Yard", "X") }, ErrDenied},
		{"retire another's site", func(tx *Tx) error { return tx.RetireSite("Zeta HQ") }, ErrDenied},
		{"move a team to another's", func(tx *Tx) error { return tx.MoveTeam("North Depot/Night", "South Yard") }, ErrDenied},
		{"rename a client (shared)", func(tx *Tx) error { return tx.RenameClient("Acme", "X") }, ErrDenied},
		{"rename a profile (shared)", func(tx *Tx) error { return tx.RenameProfile("Basic", "X") }, ErrDenied},
		{"rename their own site", func(tx *Tx) error { return tx.RenameSite("North Depot", "North Hub") }, nil},
	} {
		name := c.name
		_, err := f.s.Apply(mgr, name, c.op)
		if c.want == nil {
			if err != nil {
				t.Errorf("%s: %v", name, err)
			}
			continue
		}
		checkErr(t, err, c.want)
	}
	// retiring their own site is refused while users outside their reach hold it
	f.apply("someone else holds it", func(tx *Tx) error {
		return tx.AssignSites(f.user(emUser).ID, 0, []string{"North Hub"}, nil, true) // emUser also at South Yard
	})
	_, err := f.s.Apply(mgr, "retire", func(tx *Tx) error { return tx.RetireSite("North Hub") })
	checkErr(t, err, ErrDenied, "outside")
	if strings.Contains(err.Error(), emUser) {
		t.Errorf("the refusal names a user the manager may not see: %v", err)
	}
}
