package store

import "testing"

// Two holes the escalation matrix found: an all-sites actor whose profile is
// below another user's could still touch that user (and set their password:
// take the account over), and could widen a profile holding levels above
// their own to every site. Both "grants that carry more than they seem".
func TestAllSitesActorBelowTargetIsRefused(t *testing.T) {
	f := newFixture(t)
	f.apply("hr", func(tx *Tx) error {
		// HR: the Manager's levels, every site; SP: a Supervisor who also views payroll
		if _, err := tx.CreateProfile("HR", Employee, "Manager"); err != nil {
			return err
		}
		if err := tx.SetProfileScope("HR", ScopeAll); err != nil {
			return err
		}
		if _, err := tx.CreateProfile("SP", Employee, "Supervisor"); err != nil {
			return err
		}
		if err := tx.Grant("SP", 0, "payroll", View); err != nil {
			return err
		}
		_, err := tx.AddUser(NewUser{First: "Hal", Last: "Hr", Email: "hr@example.com", Type: Employee, Profile: "HR"})
		return err
	})
	hr := f.actor("hr@example.com")
	admin := f.user(emAdmin)
	for name, op := range map[string]func(tx *Tx) error{
		"set the administrator's password": func(tx *Tx) error { return tx.SetPassword(admin.ID, 0, "a long new password") },
		"disable the administrator":        func(tx *Tx) error { return tx.SetDisabled(admin.ID, 0, true) },
		"change the administrator's email": func(tx *Tx) error {
			_, err := tx.EditUser(admin.ID, 0, UserPatch{Email: ptr("hr-inbox@example.com")})
			return err
		},
		"widen a profile above their own": func(tx *Tx) error { return tx.SetProfileScope("SP", ScopeAll) },
	} {
		_, err := f.s.Apply(hr, name, op)
		checkErr(t, err, ErrDenied)
	}
	// what HR holds stays theirs to use
	f.s.Apply(hr, "in reach", func(tx *Tx) error { return tx.SetDisabled(f.user(emSupervisor).ID, 0, true) })
	if !f.user(emSupervisor).Disabled {
		t.Fatal("an all-sites actor could not disable a user below them")
	}
	if _, err := f.s.Apply(hr, "widen below", func(tx *Tx) error { return tx.SetProfileScope("Basic", ScopeAll) }); err != nil {
		t.Fatalf("widening a profile below their own: %v", err)
	}
}
