package store

import (
	"testing"
	"time"
)

// reopenLater reopens the fixture's file with the email index put off.
func (f *fx) reopenLater() {
	f.t.Helper()
	if err := f.s.Close(); err != nil {
		f.t.Fatalf("Close: %v", err)
	}
	f.s = nil
	s, err := f.open(Options{NoSync: true, Now: f.clock.Now, EmailIndexLater: true})
	if err != nil {
		f.t.Fatalf("reopen: %v", err)
	}
	f.s = s
}

// A console's open puts the email index off; the first check builds it, and
// answers as an open that built it at once would.
func TestEmailIndexLaterIsBuiltByTheFirstCheck(t *testing.T) {
	f := newFixture(t)
	want := f.s.Check(emManager, "roster", View, "North Depot")
	f.reopenLater()
	if f.s.emailsBuilt.Load() {
		t.Fatal("the email index was built at open though EmailIndexLater was set")
	}
	if got := f.s.Check(emManager, "roster", View, "North Depot"); got.Allowed != want.Allowed || got.Code != want.Code || got.Profile != want.Profile {
		t.Errorf("check with the index put off: %+v, at once: %+v", got, want)
	}
	if d := f.s.Check("nobody@example.com", "roster", View, ""); d.Code != CodeUnknownUser {
		t.Errorf("an unknown email: %v, want CodeUnknownUser", d.Code)
	}
}

// A change made before the index is built is in it once it is.
func TestEmailIndexLaterFollowsAChangeMadeBeforeIt(t *testing.T) {
	f := newFixture(t)
	u := f.user(emManager)
	f.reopenLater()
	renamed := "max.manager@example.com"
	f.apply("new email", func(tx *Tx) error {
		_, err := tx.EditUser(u.ID, 0, UserPatch{Email: &renamed})
		return err
	})
	if !f.s.emailsBuilt.Load() {
		t.Fatal("a change set was published without the email index it updates")
	}
	if d := f.s.Check(renamed, "roster", View, "North Depot"); !d.Allowed {
		t.Errorf("the new email: %+v, want allowed", d)
	}
	if d := f.s.Check(emManager, "roster", View, "North Depot"); d.Code != CodeUnknownUser {
		t.Errorf("the old email: %v, want CodeUnknownUser", d.Code)
	}
}

// StartEmailIndex builds it in the background (the console, once its first
// frame is out).
func TestStartEmailIndexBuildsItInTheBackground(t *testing.T) {
	f := newFixture(t)
	f.reopenLater()
	f.s.StartEmailIndex()
	// a bound of a minute only ends a build that never comes
	for deadline := time.Now().Add(time.Minute); !f.s.emailsBuilt.Load(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("StartEmailIndex built nothing in a minute")
		}
	}
	if d := f.s.Check(emAdmin, "roster", View, ""); !d.Allowed {
		t.Errorf("admin after the background build: %+v, want allowed", d)
	}
}
