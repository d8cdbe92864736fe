package store

import (
	"strings"
	"testing"
	"time"
)

// Access that ends by itself: at its end the store takes it back as
// system:expiry, in one audited change set; checks already treat it as gone.
func TestAccessThatEndsByItself(t *testing.T) {
	f := newFixture(t)
	basic, user := f.user(emBasic), f.user(emUser)
	until := f.clock.Now().Add(48 * time.Hour)
	f.apply("temporary", func(tx *Tx) error {
		if err := tx.AssignSitesUntil(basic.ID, 0, []string{"South Yard"}, nil, until); err != nil {
			return err
		}
		if err := tx.AssignClientsUntil(user.ID, 0, []string{"Zeta"}, until); err != nil {
			return err
		}
		_, err := tx.EditUser(user.ID, 0, UserPatch{Profile: ptr("Supervisor"), ProfileUntil: until.Add(24 * time.Hour)})
		return err
	})
	d := f.s.Check(emBasic, "roster", View, "South Yard")
	if !d.Allowed || !d.Until.Equal(until) || !strings.Contains(d.Reason(), "(until ") {
		t.Fatalf("a temporary site: %s (until %v)", d.Reason(), d.Until)
	}
	if d := f.s.Check(emUser, "reports", View, ""); !d.Allowed || d.Profile != "Supervisor" || d.Until.IsZero() {
		t.Fatalf("a temporary profile: %s", d.Reason())
	}
	ends, err := f.s.Expiring(f.local, 60*time.Hour)
	if err != nil || len(ends) != 2 || ends[0].Name != "South Yard" && ends[1].Name != "South Yard" {
		t.Fatalf("ending within 60 hours: %+v %v", ends, err)
	}
	if all, _ := f.s.Expiring(f.local, 0); len(all) != 3 || all[2].Grant != GrantProfile || all[2].Back != "User" {
		t.Fatalf("every end, soonest first: %+v", all)
	}
	// the end comes: a check already says no, before anything is taken back
	f.clock.Advance(49 * time.Hour)
	if d := f.s.Check(emBasic, "roster", View, "South Yard"); d.Allowed {
		t.Fatalf("an ended site still allows: %s", d.Reason())
	}
	events, stop := f.s.Subscribe()
	defer stop()
	cs, err := f.s.ExpireDue()
	if err != nil || cs == nil || cs.Actor != "system:expiry" {
		t.Fatalf("expiry: %+v %v", cs, err)
	}
	if ev := <-events; ev.Actor != "system:expiry" || !ev.Touches(RecordUser, basic.ID) {
		t.Fatalf("the event: %+v", ev)
	}
	if u := f.user(emBasic); len(u.SiteIDs) != 0 || len(u.Expiries) != 0 {
		t.Fatalf("basic after expiry: %v %v", u.SiteIDs, u.Expiries)
	}
	if u := f.user(emUser); len(u.ClientIDs) != 0 || f.s.Names().Profile(u.ProfileID) != "Supervisor" {
		t.Fatalf("user after the first expiry: clients %v, profile %s", u.ClientIDs, f.s.Names().Profile(u.ProfileID))
	}
	// the profile falls back a day later
	f.clock.Advance(24 * time.Hour)
	if d := f.s.Check(emUser, "reports", View, ""); d.Allowed {
		t.Fatalf("an ended profile still allows: %s", d.Reason())
	}
	if _, err := f.s.ExpireDue(); err != nil {
		t.Fatal(err)
	}
	if got := f.s.Names().Profile(f.user(emUser).ProfileID); got != "User" {
		t.Fatalf("fell back to %s, want User", got)
	}
	log, _ := f.s.AuditLog(AuditFilter{Actor: "system:expiry"})
	if len(log) < 4 {
		t.Fatalf("expiry audited in %d entries: %+v", len(log), log)
	}
	if again, _ := f.s.ExpireDue(); again != nil {
		t.Fatalf("nothing left to expire, yet %+v", again)
	}
}

// A restart after the end takes back what ended while nothing held the file.
func TestOpenTakesBackWhatEndedWhileClosed(t *testing.T) {
	f := newFixture(t)
	f.apply("temporary", func(tx *Tx) error {
		return tx.AssignSitesUntil(f.user(emBasic).ID, 0, []string{"South Yard"}, nil, f.clock.Now().Add(time.Hour))
	})
	f.s.Close()
	f.s = nil
	f.clock.Advance(2 * time.Hour)
	s, err := f.open(Options{NoSync: true, Now: f.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	f.s = s
	if u := f.user(emBasic); len(u.SiteIDs) != 0 {
		t.Fatalf("after a restart past the end: %v", f.s.Names().Sites(u.SiteIDs))
	}
}

// The store's own timer takes it back while open (a real clock, a short end).
func TestTheTimerTakesItBack(t *testing.T) {
	f := openStore(t)
	f.s.Close()
	s, err := f.open(Options{NoSync: true}) // the real clock
	if err != nil {
		t.Fatal(err)
	}
	f.s = s
	f.apply("place", func(tx *Tx) error {
		if _, err := tx.AddSite("Pop-up", ""); err != nil {
			return err
		}
		_, err := tx.AddUser(NewUser{First: "Tim", Last: "Porary", Email: "tim@example.com", Type: Employee, Profile: "Basic"})
		return err
	})
	events, stop := f.s.Subscribe()
	defer stop()
	f.apply("a site for a second", func(tx *Tx) error {
		return tx.AssignSitesUntil(f.user("tim@example.com").ID, 0, []string{"Pop-up"}, nil, time.Now().Add(time.Second))
	})
	<-events // the assignment
	select {
	case ev := <-events:
		if ev.Actor != "system:expiry" {
			t.Fatalf("the next change: %+v", ev)
		}
	case <-time.After(time.Minute):
		t.Fatal("the timer did not take the site back")
	}
	if len(f.user("tim@example.com").SiteIDs) != 0 {
		t.Fatal("the site is still held")
	}
}

func TestUntilIsValidated(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	for _, c := range []struct{ in, err string }{
		{"2027-01-31", ""},
		{"2027-01-31T09:00:00Z", ""},
		{"2026-11-30", "already past"},
		{"2045-01-01", "ten years"},
		{"next week", "not a date"},
	} {
		at, err := ParseUntil(c.in, now)
		if c.err == "" && (err != nil || !at.After(now)) || c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)) {
			t.Errorf("%q: %v %v", c.in, at, err)
		}
	}
	if at, _ := ParseUntil("2027-01-31", now); UntilText(at) != "2027-01-31" || !at.Equal(time.Date(2027, 2, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("the whole of 2027-01-31 is granted: %v %s", at, UntilText(at))
	}
}

// Undo gives an assignment with its end back; a temporary profile's undo too.
func TestUndoOfATemporaryGrant(t *testing.T) {
	f := newFixture(t)
	cs := f.apply("temporary", func(tx *Tx) error {
		if err := tx.AssignSitesUntil(f.user(emBasic).ID, 0, []string{"South Yard"}, nil, f.clock.Now().Add(48*time.Hour)); err != nil {
			return err
		}
		_, err := tx.EditUser(f.user(emUser).ID, 0, UserPatch{Profile: ptr("Supervisor"), ProfileUntil: f.clock.Now().Add(48 * time.Hour)})
		return err
	})
	if _, err := f.s.Undo(f.local, cs.Batch); err != nil {
		t.Fatal(err)
	}
	if u := f.user(emBasic); len(u.SiteIDs) != 0 || len(u.Expiries) != 0 {
		t.Fatalf("after undo: %v %v", u.SiteIDs, u.Expiries)
	}
	if u := f.user(emUser); f.s.Names().Profile(u.ProfileID) != "User" || len(u.Expiries) != 0 {
		t.Fatalf("after undo: %s %v", f.s.Names().Profile(u.ProfileID), u.Expiries)
	}
}

// Expiry of 10,000 grants in one change set (the benchmark), on the
// 100k demo database: each round gives 10,000 users a site until an hour
// ahead (not timed), moves the clock past it and takes them all back.
func BenchmarkExpire10k(b *testing.B) {
	clock := &testClock{now: time.Now().UTC()}
	s, err := Open(benchCopy(b), Options{Now: clock.Now})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	s.stopExpiry() // the benchmark takes them back itself, not the timer
	ids := bulkTargets(b, s, 10_000)
	site := benchSite(b, s)
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		until := clock.Now().Add(time.Hour)
		if _, err := s.Apply(LocalActor("bench"), "until", func(t *Tx) error {
			for _, id := range ids {
				if err := t.AssignSitesUntil(id, 0, site, nil, until); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			b.Fatal(err)
		}
		clock.Advance(2 * time.Hour)
		b.StartTimer()
		cs, err := s.ExpireDue()
		if err != nil || cs == nil || len(cs.Entries) < 20_000 {
			b.Fatalf("expiry: %v, %v", cs, err)
		}
	}
}
