package store

import "testing"

// Change events say what they touched as data: subscribers match on Changes,
// SignIn and Refs, never on the summary people read.
func TestEventsSayWhatTheyTouched(t *testing.T) {
	f := newFixture(t)
	events, stop := f.s.Subscribe()
	defer stop()
	next := func() Event { t.Helper(); return nextEvent(t, events) }
	basic := f.user(emBasic)
	if err := f.s.RecordSignIn(basic.ID, "key SHA256:x", "127.0.0.1:1"); err != nil {
		t.Fatal(err)
	}
	if ev := next(); !ev.SignIn || !ev.Changes.Has(ChangedSignIn) || ev.Changes.Has(ChangedPassword|ChangedProfile) {
		t.Fatalf("a sign-in: %+v", ev)
	}
	// a change set that calls itself "sign in" is not one
	f.apply("sign in", func(tx *Tx) error { return tx.SetDisabled(basic.ID, 0, true) })
	if ev := next(); ev.SignIn || !ev.Changes.Has(ChangedUser) || !ev.Touches(RecordUser, basic.ID) {
		t.Fatalf("a disable summarised as a sign-in: %+v", ev)
	}
	cs := f.apply("password", func(tx *Tx) error { return tx.SetPassword(f.user(emUser).ID, 0, "sturdy-violet-lantern-9") })
	if ev := next(); !ev.Changes.Has(ChangedPassword) || ev.Changes.Has(ChangedKey) {
		t.Fatalf("a password: %+v", ev)
	}
	if q := cs.QueuedFor(f.user(emUser).ID); len(q) != 1 || cs.Queued[0].Kind != MessagePasswordChanged {
		t.Fatalf("the notice queued: %+v", cs.Queued)
	}
	cs = f.apply("grant", func(tx *Tx) error { return tx.Grant("Basic", 0, "leave", View) })
	if ev := next(); ev.Changes != ChangedProfile {
		t.Fatalf("a grant: %+v", ev)
	}
	if len(cs.Queued) != 0 {
		t.Fatalf("a grant queued %v", cs.Queued)
	}
	cs = f.apply("add", func(tx *Tx) error {
		_, err := tx.AddUser(NewUser{First: "New", Last: "Hire", Email: "new@example.com", Type: Employee, Profile: "Basic"})
		return err
	})
	ev := next()
	if !ev.Changes.Has(ChangedUser | ChangedInvitation) {
		t.Fatalf("an add: %+v", ev)
	}
	if q := cs.QueuedFor(f.user("new@example.com").ID); len(q) != 1 || cs.Queued[0].Kind != MessageInvitation {
		t.Fatalf("the invitation queued: %+v", cs.Queued)
	}
}
