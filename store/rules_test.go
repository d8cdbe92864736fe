package store

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// ruleCase is one change set run against a fresh fixture.
type ruleCase struct {
	name  string
	actor string // email of the acting user; "" for the local operator
	op    func(f *fx, tx *Tx) error
	want  error    // nil: must commit
	names []string // what the error message must name
	after func(t *testing.T, f *fx)
	setup func(t *testing.T, f *fx) // before the actor is resolved
}

// runCases runs each case on its own fresh fixture. A refused case must
// leave the audit log and the users exactly as they were (rule 11).
func runCases(t *testing.T, cases []ruleCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			if c.setup != nil {
				c.setup(t, f)
			}
			actor := f.local
			if c.actor != "" {
				actor = f.actor(c.actor)
			}
			auditBefore := f.auditLen()
			usersBefore, _ := f.s.Users(UserFilter{})
			_, err := f.s.Apply(actor, c.name, func(tx *Tx) error { return c.op(f, tx) })
			checkErr(t, err, c.want, c.names...)
			if c.want != nil {
				if n := f.auditLen(); n != auditBefore {
					t.Errorf("refused change set wrote %d audit entries", n-auditBefore)
				}
				usersAfter, _ := f.s.Users(UserFilter{})
				if len(usersAfter) != len(usersBefore) {
					t.Errorf("refused change set changed the number of users: %d → %d", len(usersBefore), len(usersAfter))
				}
				for i := range usersBefore {
					if i < len(usersAfter) && usersAfter[i] != usersBefore[i] {
						t.Errorf("refused change set changed user %s", usersBefore[i].Email)
					}
				}
			}
			if c.after != nil {
				c.after(t, f)
			}
		})
	}
}

func addUser(n NewUser) func(*fx, *Tx) error {
	return func(_ *fx, tx *Tx) error { _, err := tx.AddUser(n); return err }
}

func editUser(email string, p UserPatch) func(*fx, *Tx) error {
	return func(f *fx, tx *Tx) error { _, err := tx.EditUser(f.user(email).ID, 0, p); return err }
}

func assignSites(email string, sites, teams []string, add bool) func(*fx, *Tx) error {
	return func(f *fx, tx *Tx) error { return tx.AssignSites(f.user(email).ID, 0, sites, teams, add) }
}

func emp(first, last, email, profile string, sites ...string) NewUser {
	return NewUser{First: first, Last: last, Email: email, Type: Employee, Profile: profile, Sites: sites}
}

// Rule 1: email unique (any case) and valid; first and last name required.
func TestRule1EmailAndNames(t *testing.T) {
	runCases(t, []ruleCase{
		{name: "new user", op: addUser(emp("Jane", "Doe", "jane@example.com", "Basic")),
			after: func(t *testing.T, f *fx) {
				if u := f.user("JANE@example.com"); u.Email != "jane@example.com" || u.Name() != "Jane Doe" {
					t.Errorf("got %q %q", u.Email, u.Name())
				}
			}},
		{name: "names are trimmed", op: addUser(emp("  Jane ", " Doe  ", " jane@example.com ", "Basic")),
			after: func(t *testing.T, f *fx) {
				if u := f.user("jane@example.com"); u.First != "Jane" || u.Last != "Doe" || u.Email != "jane@example.com" {
					t.Errorf("not trimmed: %q %q %q", u.First, u.Last, u.Email)
				}
			}},
		{name: "duplicate email same case", op: addUser(emp("Jane", "Doe", emUser, "Basic")), want: ErrRefused, names: []string{emUser}},
		{name: "duplicate email other case", op: addUser(emp("Jane", "Doe", strings.ToUpper(emUser), "Basic")), want: ErrRefused, names: []string{emUser, "case"}},
		{name: "duplicate email mixed case", op: addUser(emp("Jane", "Doe", "User@Example.Com", "Basic")), want: ErrRefused, names: []string{emUser}},
		{name: "duplicate inside one change set", op: func(f *fx, tx *Tx) error {
			if _, err := tx.AddUser(emp("Jane", "Doe", "jane@example.com", "Basic")); err != nil {
				return err
			}
			_, err := tx.AddUser(emp("Jane", "Two", "JANE@EXAMPLE.COM", "Basic"))
			return err
		}, want: ErrRefused, names: []string{"jane@example.com"}},
		{name: "invalid email no at", op: addUser(emp("Jane", "Doe", "not-an-email", "Basic")), want: ErrInput, names: []string{"not-an-email"}},
		{name: "invalid email no domain dot", op: addUser(emp("Jane", "Doe", "jane@localhost", "Basic")), want: ErrInput, names: []string{"jane@localhost"}},
		{name: "invalid email with name", op: addUser(emp("Jane", "Doe", "Jane <jane@example.com>", "Basic")), want: ErrInput, names: []string{"jane@example.com"}},
		{name: "invalid email space", op: addUser(emp("Jane", "Doe", "ja ne@example.com", "Basic")), want: ErrInput, names: []string{"ja ne@example.com"}},
		{name: "missing email", op: addUser(emp("Jane", "Doe", "  ", "Basic")), want: ErrInput, names: []string{"email"}},
		{name: "missing first name", op: addUser(emp("", "Doe", "jane@example.com", "Basic")), want: ErrInput, names: []string{"first name"}},
		{name: "blank last name", op: addUser(emp("Jane", "   ", "jane@example.com", "Basic")), want: ErrInput, names: []string{"last name"}},
		{name: "missing profile", op: addUser(emp("Jane", "Doe", "jane@example.com", "")), want: ErrInput, names: []string{"profile"}},
		{name: "unknown profile", op: addUser(emp("Jane", "Doe", "jane@example.com", "Wizard")), want: ErrNotFound, names: []string{"Wizard"}},
		{name: "edit email to another's in other case", op: editUser(emBasic, UserPatch{Email: ptr("SUPERVISOR@example.com")}), want: ErrRefused, names: []string{emSupervisor}},
		{name: "edit email to invalid", op: editUser(emBasic, UserPatch{Email: ptr("basic@")}), want: ErrInput, names: []string{"basic@"}},
		{name: "edit first name to empty", op: editUser(emBasic, UserPatch{First: ptr(" ")}), want: ErrInput, names: []string{"first name"}},
		{name: "edit last name to empty", op: editUser(emBasic, UserPatch{Last: ptr("")}), want: ErrInput, names: []string{"last name"}},
		{name: "edit own email case", op: editUser(emBasic, UserPatch{Email: ptr("Basic@Example.com")}),
			after: func(t *testing.T, f *fx) {
				if u := f.user(emBasic); u.Email != "Basic@Example.com" {
					t.Errorf("email is %q", u.Email)
				}
			}},
		{name: "edit email frees the old one", op: func(f *fx, tx *Tx) error {
			if _, err := tx.EditUser(f.user(emBasic).ID, 0, UserPatch{Email: ptr("bob@example.com")}); err != nil {
				return err
			}
			_, err := tx.AddUser(emp("New", "Basic", emBasic, "Basic"))
			return err
		}, after: func(t *testing.T, f *fx) {
			if f.user("bob@example.com").ID == f.user(emBasic).ID {
				t.Error("old and new email lead to the same user")
			}
		}},
	})
}

// Rule 2: a client user has exactly one client, a client profile, and only that client's sites.
func TestRule2ClientUsers(t *testing.T) {
	client := func(email string, clients, sites, teams []string) NewUser {
		return NewUser{First: "Cli", Last: "Ent", Email: email, Type: ClientUser, Profile: "Client", Clients: clients, Sites: sites, Teams: teams}
	}
	runCases(t, []ruleCase{
		{name: "client user at own client's site", op: addUser(client("c1@acme.example", []string{"Acme"}, []string{"North Depot", "South Yard"}, nil))},
		{name: "client user in own client's team", op: addUser(client("c1@acme.example", []string{"Acme"}, nil, []string{"Night"}))},
		{name: "site of the wrong client", op: addUser(client("c1@acme.example", []string{"Acme"}, []string{"Zeta HQ"}, nil)), want: ErrRefused, names: []string{"Zeta HQ", "Zeta", "Acme"}},
		{name: "site of no client", op: addUser(client("c1@acme.example", []string{"Acme"}, []string{"Head Office"}, nil)), want: ErrRefused, names: []string{"Head Office", "no client"}},
		{name: "team of the wrong client", op: addUser(client("c1@zeta.example", []string{"Zeta"}, nil, []string{"Night"})), want: ErrRefused, names: []string{"North Depot", "Zeta"}},
		{name: "zero clients", op: addUser(client("c1@acme.example", nil, nil, nil)), want: ErrInput, names: []string{"exactly one client"}},
		{name: "two clients", op: addUser(client("c1@acme.example", []string{"Acme", "Zeta"}, nil, nil)), want: ErrInput, names: []string{"exactly one client", "2"}},
		{name: "client type with employee profile", op: addUser(NewUser{First: "A", Last: "B", Email: "c1@acme.example", Type: ClientUser, Profile: "Manager", Clients: []string{"Acme"}}), want: ErrRefused, names: []string{"Manager", "client"}},
		{name: "employee type with client profile", op: addUser(NewUser{First: "A", Last: "B", Email: "e1@example.com", Type: Employee, Profile: "Client"}), want: ErrRefused, names: []string{"Client", "employee"}},
		{name: "assign wrong client's site later", op: assignSites(emClient, []string{"Zeta HQ"}, nil, true), want: ErrRefused, names: []string{"Zeta HQ", emClient}},
		{name: "move client user to a client whose sites do not fit", op: editUser(emClient, UserPatch{Client: ptr("Zeta")}), want: ErrRefused, names: []string{"North Depot", "Zeta"}},
		{name: "assign clients to a client user", op: func(f *fx, tx *Tx) error {
			return tx.AssignClients(f.user(emClient).ID, 0, []string{"Zeta"}, true)
		}, want: ErrRefused, names: []string{emClient, "exactly one client"}},
		{name: "client user becomes employee by profile change", op: editUser(emClient, UserPatch{Profile: ptr("Basic")}),
			after: func(t *testing.T, f *fx) {
				u := f.user(emClient)
				if u.Type != Employee || f.s.Names().Profile(u.ProfileID) != "Basic" {
					t.Errorf("type %s profile %s, want employee Basic", u.Type, f.s.Names().Profile(u.ProfileID))
				}
				if got := f.s.Names().Clients(u.ClientIDs); len(got) != 1 || got[0] != "Acme" {
					t.Errorf("clients %v, want the client kept", got)
				}
			}},
		{name: "and back to a client user", op: func(f *fx, tx *Tx) error {
			id := f.user(emClient).ID
			if _, err := tx.EditUser(id, 0, UserPatch{Profile: ptr("Basic")}); err != nil {
				return err
			}
			_, err := tx.EditUser(id, 0, UserPatch{Profile: ptr("Client")})
			return err
		}, after: func(t *testing.T, f *fx) {
			if u := f.user(emClient); u.Type != ClientUser || len(u.ClientIDs) != 1 {
				t.Errorf("type %s clients %v", u.Type, u.ClientIDs)
			}
		}},
		{name: "employee without a client cannot become a client user", op: editUser(emSupervisor, UserPatch{Profile: ptr("Client")}), want: ErrInput, names: []string{emSupervisor, "exactly one client"}},
		{name: "employee with two clients cannot become a client user without choosing", op: func(f *fx, tx *Tx) error {
			id := f.user(emSupervisor).ID
			if err := tx.AssignClients(id, 0, []string{"Acme", "Zeta"}, true); err != nil {
				return err
			}
			_, err := tx.EditUser(id, 0, UserPatch{Profile: ptr("Client")})
			return err
		}, want: ErrInput, names: []string{"exactly one client"}},
		{name: "employee becomes client user whose sites do not fit", op: editUser(emSupervisor, UserPatch{Profile: ptr("Client"), Client: ptr("Zeta")}), want: ErrRefused, names: []string{"North Depot", "Zeta"}},
		{name: "employee at head office cannot become a client user", op: func(f *fx, tx *Tx) error {
			id := f.user(emSupervisor).ID
			if err := tx.AssignSites(id, 0, []string{"Head Office"}, nil, true); err != nil {
				return err
			}
			_, err := tx.EditUser(id, 0, UserPatch{Profile: ptr("Client"), Client: ptr("Acme")})
			return err
		}, want: ErrRefused, names: []string{"Head Office"}},
		{name: "employee becomes client user whose sites fit", op: editUser(emSupervisor, UserPatch{Profile: ptr("Client"), Client: ptr("Acme")}),
			after: func(t *testing.T, f *fx) {
				u := f.user(emSupervisor)
				if u.Type != ClientUser || f.s.Names().Client(u.ClientIDs[0]) != "Acme" {
					t.Errorf("type %s clients %v", u.Type, f.s.Names().Clients(u.ClientIDs))
				}
			}},
		{name: "client on an employee without a client profile", op: editUser(emSupervisor, UserPatch{Client: ptr("Acme")}), want: ErrInput, names: []string{emSupervisor}},
	})
}

// Rule 3: employees may be assigned clients; User/Basic employees so assigned
// see only those clients' data.
func TestRule3ClientRestriction(t *testing.T) {
	type checkCase struct {
		name    string
		email   string
		clients []string
		sites   []string
		at      string
		want    Code
	}
	cases := []checkCase{
		{"User with no clients sees any assigned site", emUser, nil, []string{"Zeta HQ"}, "Zeta HQ", CodeAllowed},
		{"User assigned Acme at an Acme site", emUser, []string{"Acme"}, []string{"Zeta HQ"}, "South Yard", CodeAllowed},
		{"User assigned Acme at a Zeta site", emUser, []string{"Acme"}, []string{"Zeta HQ"}, "Zeta HQ", CodeClientRestricted},
		{"User assigned Acme and Zeta at a Zeta site", emUser, []string{"Acme", "Zeta"}, []string{"Zeta HQ"}, "Zeta HQ", CodeAllowed},
		{"User assigned Acme at the business's own site", emUser, []string{"Acme"}, []string{"Head Office"}, "Head Office", CodeClientRestricted},
		{"Basic assigned Zeta at an Acme site (through a team)", emBasic, []string{"Zeta"}, nil, "North Depot", CodeClientRestricted},
		{"Basic assigned Acme at an Acme site (through a team)", emBasic, []string{"Acme"}, nil, "North Depot", CodeAllowed},
		{"Supervisor is not client-restricted", emSupervisor, []string{"Zeta"}, nil, "North Depot", CodeAllowed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			f.apply("assign", func(tx *Tx) error {
				id := f.user(c.email).ID
				if len(c.clients) > 0 {
					if err := tx.AssignClients(id, 0, c.clients, true); err != nil {
						return err
					}
				}
				if len(c.sites) > 0 {
					return tx.AssignSites(id, 0, c.sites, nil, true)
				}
				return nil
			})
			if got := f.s.Names().Clients(f.user(c.email).ClientIDs); len(got) != len(c.clients) {
				t.Fatalf("clients %v, want %v", got, c.clients)
			}
			d := f.s.Check(c.email, "roster", View, c.at)
			if d.Code != c.want || d.Allowed != (c.want == CodeAllowed) {
				t.Fatalf("Check = %v code %d, want code %d: %s", d.Allowed, d.Code, c.want, d.Reason())
			}
			if !strings.Contains(d.Reason(), c.email) || !strings.Contains(d.Reason(), c.at) {
				t.Errorf("reason %q does not name %s and %s", d.Reason(), c.email, c.at)
			}
			e, err := f.s.Effective(c.email)
			if err != nil {
				t.Fatal(err)
			}
			restricted := f.user(c.email).Type == Employee && len(c.clients) > 0 && (c.email == emUser || c.email == emBasic)
			if hasNote := strings.Contains(strings.Join(e.Notes, "\n"), "assigned clients"); hasNote != restricted {
				t.Errorf("Effective notes %q: restriction note %v, want %v", e.Notes, hasNote, restricted)
			}
		})
	}
	t.Run("unassign clients lifts the restriction", func(t *testing.T) {
		f := newFixture(t)
		id := f.user(emUser).ID
		f.apply("assign", func(tx *Tx) error {
			if err := tx.AssignClients(id, 0, []string{"Acme"}, true); err != nil {
				return err
			}
			return tx.AssignSites(id, 0, []string{"Zeta HQ"}, nil, true)
		})
		if d := f.s.Check(emUser, "roster", View, "Zeta HQ"); d.Code != CodeClientRestricted {
			t.Fatalf("before: %s", d.Reason())
		}
		f.apply("unassign", func(tx *Tx) error { return tx.AssignClients(id, 0, []string{"Acme"}, false) })
		if d := f.s.Check(emUser, "roster", View, "Zeta HQ"); !d.Allowed {
			t.Fatalf("after: %s", d.Reason())
		}
	})
}

// Rule 4: a user with records can only be disabled; one without can be deleted.
func TestRule4DeleteOrDisable(t *testing.T) {
	const pw = "correct horse battery"
	del := func(email string) func(*fx, *Tx) error {
		return func(f *fx, tx *Tx) error { return tx.DeleteUser(f.user(email).ID, 0) }
	}
	// signedIn accepts the user's invitation before the case runs.
	signedIn := func(t *testing.T, f *fx, email string) {
		t.Helper()
		cs := f.apply("resend", func(tx *Tx) error { return tx.ResendInvite(f.user(email).ID) })
		if _, err := f.s.AcceptInvitation(cs.Tokens[0], pw); err != nil {
			t.Fatal(err)
		}
		if !f.user(email).HasRecords() {
			t.Fatal("accepting an invitation left no record")
		}
	}
	for _, c := range []struct {
		name    string
		prepare func(t *testing.T, f *fx)
		email   string
		want    error
	}{
		{"no records: deleted", nil, emBasic, nil},
		{"accepted an invitation: refused", func(t *testing.T, f *fx) { signedIn(t, f, emBasic) }, emBasic, ErrRefused},
		{"authored a change: refused", func(t *testing.T, f *fx) {
			_, err := f.s.Apply(f.actor(emManager), "manager edits", func(tx *Tx) error {
				_, err := tx.EditUser(f.user(emSupervisor).ID, 0, UserPatch{Last: ptr("Changed")})
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			if !f.user(emManager).Authored {
				t.Fatal("an actor's change left no record")
			}
		}, emManager, ErrRefused},
		{"acted but changed nothing: deleted", func(t *testing.T, f *fx) {
			_, err := f.s.Apply(f.actor(emManager), "no-op", func(tx *Tx) error {
				return tx.SetDisabled(f.user(emSupervisor).ID, 0, false)
			})
			if err != nil {
				t.Fatal(err)
			}
		}, emManager, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			if c.prepare != nil {
				c.prepare(t, f)
			}
			u := f.user(c.email)
			auditBefore := f.auditLen()
			_, err := f.s.Apply(f.local, "delete", f.do(del(c.email)))
			checkErr(t, err, c.want, c.email)
			if c.want != nil {
				// the fix is data: disable this user instead
				if e, ok := StoreError(err); !ok || e.Fix.Do != FixDisable || e.Fix.Ref.ID != u.ID {
					t.Errorf("the refusal's fix is %+v, want disable %s instead", e.Fix, c.email)
				}
				if f.auditLen() != auditBefore {
					t.Error("refused delete wrote audit entries")
				}
				if f.user(c.email) != u {
					t.Error("refused delete changed the user")
				}
				// disabling works instead
				f.apply("disable", func(tx *Tx) error { return tx.SetDisabled(u.ID, 0, true) })
				if st := f.user(c.email).Status(); st != Disabled {
					t.Fatalf("status %s after disable", st)
				}
				_, err := f.s.ActorFor(c.email)
				checkErr(t, err, ErrDenied, c.email, "disabled")
				if d := f.s.Check(c.email, "roster", View, ""); d.Allowed || d.Code != CodeDisabled {
					t.Errorf("disabled user checks as %s", d.Reason())
				}
				// and enabling again
				f.apply("enable", func(tx *Tx) error { return tx.SetDisabled(u.ID, 0, false) })
				if f.user(c.email).Disabled {
					t.Error("still disabled after enable")
				}
				return
			}
			_, err = f.s.User(c.email)
			checkErr(t, err, ErrNotFound, c.email)
			if _, err := f.s.UserByID(u.ID); !errors.Is(err, ErrNotFound) {
				t.Errorf("UserByID after delete: %v", err)
			}
			// the email is free again
			f.apply("re-add", f.do(addUser(emp("Again", "Here", c.email, "Basic"))))
			f.reopen()
			if got := f.user(c.email); got.ID == u.ID {
				t.Error("deleted user came back after reopen")
			}
		})
	}
	t.Run("cannot delete or disable yourself", func(t *testing.T) {
		f := newFixture(t)
		a := f.actor(emAdmin)
		id := f.user(emAdmin).ID
		_, err := f.s.Apply(a, "self", func(tx *Tx) error { return tx.DeleteUser(id, 0) })
		checkErr(t, err, ErrRefused, "yourself")
		_, err = f.s.Apply(a, "self", func(tx *Tx) error { return tx.SetDisabled(id, 0, true) })
		checkErr(t, err, ErrRefused, "yourself")
	})
}

// Rule 5: invitations through the outbox; passwords only as argon2id hashes.
func TestRule5InvitationsAndPasswords(t *testing.T) {
	const pw = "correct horse battery"
	f := newFixture(t)
	cs := f.apply("invite jane", f.do(addUser(emp("Jane", "Doe", "jane@example.com", "Basic"))))
	if len(cs.Tokens) != 1 || cs.Tokens[0] == "" {
		t.Fatalf("tokens %q, want one", cs.Tokens)
	}
	token := cs.Tokens[0]
	jane := f.user("jane@example.com")
	if jane.Status() != Invited {
		t.Fatalf("new user is %s", jane.Status())
	}
	msgs, err := f.s.Outbox()
	if err != nil {
		t.Fatal(err)
	}
	var inv *Message
	for i := range msgs {
		if msgs[i].To == jane.Email && msgs[i].Kind == "invitation" {
			inv = &msgs[i]
		}
	}
	if inv == nil || inv.State != "queued" || !strings.Contains(inv.Body, token) {
		t.Fatalf("no queued invitation carrying the token for %s in %+v", jane.Email, msgs)
	}
	invs, err := f.s.Invitations()
	if err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, i := range invs {
		if i.Email == jane.Email {
			found = true
			if want := f.clock.Now().Add(f.s.Settings().InviteExpiry); !i.Expires.Equal(want) {
				t.Errorf("expires %s, want %s", i.Expires, want)
			}
		}
	}
	if !found {
		t.Fatal("no invitation recorded")
	}

	// a short password is refused before the token is spent
	_, err = f.s.AcceptInvitation(token, "short")
	checkErr(t, err, ErrInput, "at least")

	u, err := f.s.AcceptInvitation(strings.ToUpper(token), pw)
	checkErr(t, err, nil)
	if u.Status() != Active || !strings.HasPrefix(u.PasswordHash, "$argon2id$") || !CheckPassword(u.PasswordHash, pw) {
		t.Fatalf("after accept: status %s hash %q", u.Status(), u.PasswordHash)
	}
	if f.user(jane.Email).Status() != Active {
		t.Fatal("store does not show the user active")
	}

	_, usedErr := f.s.AcceptInvitation(token, pw)
	checkErr(t, usedErr, ErrRefused, "not valid")
	_, wrongErr := f.s.AcceptInvitation("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", pw)
	checkErr(t, wrongErr, ErrRefused)

	// expiry: just before is fine, at and after is not
	cs1 := f.apply("invite kim", f.do(addUser(emp("Kim", "Early", "kim@example.com", "Basic"))))
	cs2 := f.apply("invite lee", f.do(addUser(emp("Lee", "Late", "lee@example.com", "Basic"))))
	f.clock.Advance(7*24*time.Hour - time.Second)
	if _, err := f.s.AcceptInvitation(cs1.Tokens[0], pw); err != nil {
		t.Fatalf("accept a second before expiry: %v", err)
	}
	f.clock.Advance(2 * time.Second)
	_, expiredErr := f.s.AcceptInvitation(cs2.Tokens[0], pw)
	checkErr(t, expiredErr, ErrRefused)
	if f.user("lee@example.com").Status() != Invited {
		t.Error("expired token activated the user")
	}

	// resend revokes the old token
	cs3 := f.apply("invite max", f.do(addUser(emp("Max", "Resent", "max@example.com", "Basic"))))
	cs4 := f.apply("resend", func(tx *Tx) error { return tx.ResendInvite(f.user("max@example.com").ID) })
	_, revokedErr := f.s.AcceptInvitation(cs3.Tokens[0], pw)
	checkErr(t, revokedErr, ErrRefused)

	// a disabled user's token is just as invalid
	cs5 := f.apply("invite dee", f.do(addUser(emp("Dee", "Disabled", "dee@example.com", "Basic"))))
	f.apply("disable dee", func(tx *Tx) error { return tx.SetDisabled(f.user("dee@example.com").ID, 0, true) })
	_, disabledErr := f.s.AcceptInvitation(cs5.Tokens[0], pw)
	checkErr(t, disabledErr, ErrRefused)

	for name, e := range map[string]error{"wrong": wrongErr, "expired": expiredErr, "revoked": revokedErr, "disabled user": disabledErr} {
		if e.Error() != usedErr.Error() {
			t.Errorf("%s token says %q, used token says %q: they must not differ", name, e, usedErr)
		}
	}
	if _, err := f.s.AcceptInvitation(cs4.Tokens[0], pw); err != nil {
		t.Errorf("the resent token: %v", err)
	}

	// an administrator sets a password: hash only, and a notice
	const pw2 = "Another-Secret-Phrase-42"
	_, err = f.s.Apply(f.local, "password", func(tx *Tx) error { return tx.SetPassword(f.user(emSupervisor).ID, 0, "too short") })
	checkErr(t, err, ErrInput, "at least")
	f.apply("password", func(tx *Tx) error { return tx.SetPassword(f.user(emSupervisor).ID, 0, pw2) })
	sup := f.user(emSupervisor)
	if !strings.HasPrefix(sup.PasswordHash, "$argon2id$") {
		t.Errorf("hash %q is not argon2id", sup.PasswordHash)
	}
	if !CheckPassword(sup.PasswordHash, pw2) {
		t.Error("CheckPassword refuses the right password")
	}
	if CheckPassword(sup.PasswordHash, pw2+"x") || CheckPassword(sup.PasswordHash, "") {
		t.Error("CheckPassword accepts a wrong password")
	}
	if CheckPassword("", pw2) || CheckPassword("$argon2id$garbage", pw2) {
		t.Error("CheckPassword accepts a malformed hash")
	}
	if HashPassword(pw2) == sup.PasswordHash {
		t.Error("hashes are not salted")
	}
	msgs, _ = f.s.Outbox()
	var notices int
	for _, m := range msgs {
		if m.Kind == "password-changed" && m.To == emSupervisor {
			notices++
			if strings.Contains(m.Body, pw2) {
				t.Error("the notice carries the password")
			}
		}
	}
	if notices != 1 {
		t.Errorf("%d password-changed notices for %s, want 1", notices, emSupervisor)
	}

	// no clear password anywhere in the file
	f.s.Close()
	f.s = nil
	raw := f.storedBytes()
	for _, p := range []string{pw, pw2} {
		if strings.Contains(string(raw), p) {
			t.Errorf("the clear password %q is in the database file", p)
		}
	}
}

// Rule 6: with restrict-locations on, a default location must be an assigned site.
func TestRule6RestrictLocations(t *testing.T) {
	wander := NewUser{First: "Wan", Last: "Der", Email: "wander@example.com", Type: Employee, Profile: "Basic", Sites: []string{"North Depot"}, DefaultSite: "South Yard"}
	restrict := func(_ *fx, tx *Tx) error { return tx.SetSetting("restrict-locations", "on") }
	restricted := func(fn func(*fx, *Tx) error) func(*fx, *Tx) error {
		return func(f *fx, tx *Tx) error {
			if err := restrict(f, tx); err != nil {
				return err
			}
			return fn(f, tx)
		}
	}
	runCases(t, []ruleCase{
		{name: "off: default outside sites is allowed", op: addUser(wander), after: func(t *testing.T, f *fx) {
			if f.s.Names().Site(f.user(wander.Email).DefaultSiteID) != "South Yard" {
				t.Error("default site not kept")
			}
			// switching it on is refused while the user's default lies outside
			_, err := f.s.Apply(f.local, "restrict", func(tx *Tx) error { return restrict(f, tx) })
			checkErr(t, err, ErrRefused, "1 user", wander.Email)
			if f.s.Settings().RestrictLocations {
				t.Fatal("setting switched on anyway")
			}
			f.apply("fix default", f.do(editUser(wander.Email, UserPatch{DefaultSite: ptr("North Depot")})))
			f.apply("restrict", func(tx *Tx) error { return restrict(f, tx) })
			if !f.s.Settings().RestrictLocations {
				t.Fatal("setting not on")
			}
		}},
		{name: "on: switching on is refused by a user added earlier in the same change set", op: func(f *fx, tx *Tx) error {
			if _, err := tx.AddUser(wander); err != nil {
				return err
			}
			return restrict(f, tx)
		}, want: ErrRefused, names: []string{wander.Email}},
		{name: "on: default outside sites refused", op: restricted(addUser(wander)), want: ErrRefused, names: []string{wander.Email, "South Yard"}},
		{name: "on: default among sites", op: restricted(addUser(NewUser{First: "A", Last: "B", Email: "ab@example.com", Type: Employee, Profile: "Basic", Sites: []string{"North Depot"}, DefaultSite: "North Depot"}))},
		{name: "on: default through a team", op: restricted(addUser(NewUser{First: "A", Last: "B", Email: "ab@example.com", Type: Employee, Profile: "Basic", Teams: []string{"Night"}, DefaultSite: "North Depot"}))},
		{name: "on: edit default outside refused", op: restricted(editUser(emSupervisor, UserPatch{DefaultSite: ptr("Zeta HQ")})), want: ErrRefused, names: []string{emSupervisor, "Zeta HQ"}},
		{name: "on: edit default inside", op: restricted(editUser(emSupervisor, UserPatch{DefaultSite: ptr("North Depot")}))},
		{name: "on: clearing the default", op: restricted(editUser(emSupervisor, UserPatch{DefaultSite: ptr("")}))},
		{name: "on: unassigning the default site refused", op: func(f *fx, tx *Tx) error {
			if _, err := tx.EditUser(f.user(emSupervisor).ID, 0, UserPatch{DefaultSite: ptr("North Depot")}); err != nil {
				return err
			}
			if err := restrict(f, tx); err != nil {
				return err
			}
			return tx.AssignSites(f.user(emSupervisor).ID, 0, []string{"North Depot"}, nil, false)
		}, want: ErrRefused, names: []string{emSupervisor, "North Depot"}},
		{name: "unknown default site", op: editUser(emSupervisor, UserPatch{DefaultSite: ptr("Atlantis")}), want: ErrNotFound, names: []string{"Atlantis"}},
	})
}

// Rule 7: org feature values, per-employee overrides, the effective value.
func TestRule7Features(t *testing.T) {
	for _, feat := range Features() {
		for _, org := range []bool{false, true} {
			for _, o := range []Override{Inherit, Allow, Deny} {
				t.Run(fmt.Sprintf("%s org=%v %s", feat, org, o), func(t *testing.T) {
					f := newFixture(t)
					f.apply("org", func(tx *Tx) error { return tx.SetSetting(feat.String(), onOff(org)) })
					f.apply("override", func(tx *Tx) error { return tx.SetFeature(f.user(emSupervisor).ID, 0, feat, o) })
					if f.s.Settings().Feature(feat) != org {
						t.Fatalf("org value %v, want %v", f.s.Settings().Feature(feat), org)
					}
					want := org
					if o == Allow {
						want = true
					} else if o == Deny {
						want = false
					}
					e, err := f.s.Effective(emSupervisor)
					if err != nil {
						t.Fatal(err)
					}
					var flag *EffectiveFlag
					for i := range e.Features {
						if e.Features[i].Feature == feat.String() {
							flag = &e.Features[i]
						}
					}
					if flag == nil {
						t.Fatalf("Effective lists no %s", feat)
					}
					if flag.Org != org || flag.Override != o.String() || flag.Effective != want {
						t.Errorf("Effective %+v, want org %v override %s effective %v", *flag, org, o, want)
					}
					if got := f.s.Settings().EffectiveFeature(f.user(emSupervisor), feat); got != want {
						t.Errorf("EffectiveFeature %v, want %v", got, want)
					}
					// client users follow the org value and take no override
					_, err = f.s.Apply(f.local, "client override", func(tx *Tx) error { return tx.SetFeature(f.user(emClient).ID, 0, feat, o) })
					checkErr(t, err, ErrRefused, emClient)
					ce, _ := f.s.Effective(emClient)
					for _, fl := range ce.Features {
						if fl.Feature == feat.String() && (fl.Effective != org || fl.Override != "inherit") {
							t.Errorf("client user's %s: %+v, want the org value", feat, fl)
						}
					}
				})
			}
		}
	}
	t.Run("employee becoming a client user drops overrides", func(t *testing.T) {
		f := newFixture(t)
		id := f.user(emSupervisor).ID
		f.apply("override", func(tx *Tx) error { return tx.SetFeature(id, 0, FeaturePortal, Deny) })
		f.apply("to client", f.do(editUser(emSupervisor, UserPatch{Profile: ptr("Client"), Client: ptr("Acme")})))
		if u := f.user(emSupervisor); u.Features[FeaturePortal] != Inherit {
			t.Errorf("override %s kept on a client user", u.Features[FeaturePortal])
		}
	})
	t.Run("unknown feature and bad values", func(t *testing.T) {
		f := newFixture(t)
		_, err := f.s.Apply(f.local, "bad", func(tx *Tx) error { return tx.SetSetting("teleport", "on") })
		checkErr(t, err, ErrInput, "teleport")
		_, err = f.s.Apply(f.local, "bad", func(tx *Tx) error { return tx.SetSetting("portal", "maybe") })
		checkErr(t, err, ErrInput, "maybe")
		if _, err := ParseOverride("sometimes"); !errors.Is(err, ErrInput) {
			t.Errorf("ParseOverride: %v", err)
		}
	})
}

// Rule 8: the client guardrail.
func TestRule8Guardrail(t *testing.T) {
	grant := func(profile, screen string, l Level) func(*fx, *Tx) error {
		return func(_ *fx, tx *Tx) error { return tx.Grant(profile, 0, screen, l) }
	}
	guardOff := func(fn func(*fx, *Tx) error) func(*fx, *Tx) error {
		return func(f *fx, tx *Tx) error {
			if err := tx.SetSetting("client-guardrail", "off"); err != nil {
				return err
			}
			return fn(f, tx)
		}
	}
	runCases(t, []ruleCase{
		{name: "on by default", op: grant("Client", "scheduler", View), after: func(t *testing.T, f *fx) {
			if !f.s.Settings().ClientGuardrail {
				t.Error("guardrail is off in a new store")
			}
		}},
		{name: "on: client view on a sensitive screen refused", op: grant("Client", "payroll", View), want: ErrRefused, names: []string{"Client", "Payroll", "guardrail"}},
		{name: "on: client view on users refused", op: grant("Client", "users", View), want: ErrRefused, names: []string{"Users & permissions"}},
		{name: "on: client maintain refused", op: grant("Client", "roster", Maintain), want: ErrRefused, names: []string{"Client", "Roster", "at most view"}},
		{name: "on: employee profiles are not limited", op: grant("Basic", "payroll", Maintain)},
		{name: "on: lowering to none is fine", op: grant("Client", "roster", None)},
		{name: "on: copying Administrator into a client profile refused", op: func(_ *fx, tx *Tx) error {
			_, err := tx.CreateProfile("Client Admin", ClientUser, "Administrator")
			return err
		}, want: ErrRefused, names: []string{"Administrator", "guardrail"}},
		{name: "on: copying Client into a client profile", op: func(_ *fx, tx *Tx) error {
			_, err := tx.CreateProfile("Client Viewer", ClientUser, "Client")
			return err
		}},
		{name: "off: client payroll allowed", op: guardOff(grant("Client", "payroll", View))},
		{name: "off: client maintain allowed", op: guardOff(grant("Client", "roster", Maintain))},
		{name: "off: copying Administrator into a client profile allowed", op: guardOff(func(_ *fx, tx *Tx) error {
			p, err := tx.CreateProfile("Client Admin", ClientUser, "Administrator")
			if err == nil && (p.Scope != ScopeAssigned || p.Type != ClientUser) {
				return fmt.Errorf("copied client profile has scope %s type %s", p.Scope, p.Type)
			}
			return err
		})},
		{name: "switching on refused while a client profile exceeds it", op: func(f *fx, tx *Tx) error {
			if err := guardOff(grant("Client", "payroll", View))(f, tx); err != nil {
				return err
			}
			return tx.SetSetting("client-guardrail", "on")
		}, want: ErrRefused, names: []string{"Client", "Payroll", "lower it first"}},
		{name: "switching on refused while a client profile has maintain", op: func(f *fx, tx *Tx) error {
			if err := guardOff(grant("Client", "roster", Maintain))(f, tx); err != nil {
				return err
			}
			return tx.SetSetting("client-guardrail", "on")
		}, want: ErrRefused, names: []string{"Client", "Roster"}},
		{name: "switching back on after lowering", op: func(f *fx, tx *Tx) error {
			if err := guardOff(grant("Client", "payroll", View))(f, tx); err != nil {
				return err
			}
			if err := tx.Grant("Client", 0, "payroll", None); err != nil {
				return err
			}
			return tx.SetSetting("client-guardrail", "on")
		}, after: func(t *testing.T, f *fx) {
			if !f.s.Settings().ClientGuardrail {
				t.Error("guardrail not back on")
			}
		}},
	})
	t.Run("across change sets", func(t *testing.T) {
		f := newFixture(t)
		f.apply("off", func(tx *Tx) error { return tx.SetSetting("client-guardrail", "off") })
		f.apply("grant", func(tx *Tx) error { return tx.Grant("Client", 0, "invoicing", View) })
		_, err := f.s.Apply(f.local, "on", func(tx *Tx) error { return tx.SetSetting("client-guardrail", "on") })
		checkErr(t, err, ErrRefused, "Client", "Invoicing")
		if f.s.Settings().ClientGuardrail {
			t.Error("guardrail on anyway")
		}
	})
}

// Rule 9: actors need maintain on the governing screen; scoped actors stay
// inside their sites and never escalate; shared things need an all-sites actor.
func TestRule9ActorRights(t *testing.T) {
	grant := func(profile, screen string, l Level) func(*fx, *Tx) error {
		return func(_ *fx, tx *Tx) error { return tx.Grant(profile, 0, screen, l) }
	}
	runCases(t, []ruleCase{
		// the local operator may do everything
		{name: "local: everything", op: func(f *fx, tx *Tx) error {
			if _, err := tx.AddClient("Omega"); err != nil {
				return err
			}
			if _, err := tx.AddSite("Omega Dock", "Omega"); err != nil {
				return err
			}
			if _, err := tx.AddTeam("Day", "Omega Dock"); err != nil {
				return err
			}
			if _, err := tx.CreateProfile("Auditor", Employee, "Supervisor"); err != nil {
				return err
			}
			if err := tx.Grant("Auditor", 0, "audit", Maintain); err != nil {
				return err
			}
			if err := tx.SetSetting("invite-expiry", "3d"); err != nil {
				return err
			}
			if _, err := tx.AddScreen("fleet", "Fleet", "Operations", false); err != nil {
				return err
			}
			if _, err := tx.EditUser(f.user(emAdmin).ID, 0, UserPatch{Profile: ptr("Basic")}); err != nil {
				return err
			}
			_, err := tx.AddUser(emp("New", "Admin", "new@example.com", "Administrator"))
			return err
		}},
		// maintain on the governing screen
		{name: "no maintain on users", actor: emSupervisor, op: editUser(emBasic, UserPatch{Last: ptr("X")}), want: ErrDenied, names: []string{emSupervisor, "Users & permissions"}},
		{name: "no maintain on users to add", actor: emBasic, op: addUser(emp("A", "B", "ab@example.com", "Basic")), want: ErrDenied, names: []string{emBasic, "Users & permissions"}},
		{name: "client user changes nothing", actor: emClient, op: editUser(emClient, UserPatch{Last: ptr("X")}), want: ErrDenied, names: []string{emClient}},
		{name: "no maintain on clients", actor: emManager, op: func(_ *fx, tx *Tx) error { _, err := tx.AddClient("Omega"); return err }, want: ErrDenied, names: []string{"Clients"}},
		{name: "no maintain on sites", actor: emManager, op: func(_ *fx, tx *Tx) error { _, err := tx.AddSite("Depot 3", ""); return err }, want: ErrDenied, names: []string{"Sites & teams"}},
		{name: "no maintain on settings", actor: emManager, op: func(_ *fx, tx *Tx) error { return tx.SetSetting("portal", "off") }, want: ErrDenied, names: []string{"Settings"}},
		{name: "admin may add a client", actor: emAdmin, op: func(_ *fx, tx *Tx) error { _, err := tx.AddClient("Omega"); return err }},
		// a scoped manager inside their sites
		{name: "scoped: edit a user at own site", actor: emManager, op: editUser(emSupervisor, UserPatch{Last: ptr("Renamed")}), after: func(t *testing.T, f *fx) {
			if u := f.user(emSupervisor); u.Last != "Renamed" || u.UpdatedBy != emManager {
				t.Errorf("last %q by %q", u.Last, u.UpdatedBy)
			}
		}},
		{name: "scoped: edit a user reached through a team at own site", actor: emManager, op: editUser(emBasic, UserPatch{Last: ptr("Renamed")})},
		{name: "scoped: edit a client user at own site", actor: emManager, op: editUser(emClient, UserPatch{Last: ptr("Renamed")})},
		{name: "scoped: add a user at own site", actor: emManager, op: addUser(emp("A", "B", "ab@example.com", "Basic", "North Depot"))},
		{name: "scoped: assign own site's team", actor: emManager, op: assignSites(emSupervisor, nil, []string{"Night"}, true)},
		// a user out of scope is not there at all, as for a missing one (nothing names their sites)
		{name: "scoped: user at another site refused", actor: emManager, op: editUser(emUser, UserPatch{Last: ptr("X")}), want: ErrNotFound, names: []string{"no user"}},
		{name: "scoped: user with one site outside refused", actor: emManager, op: func(f *fx, tx *Tx) error {
			return tx.AssignSites(f.user(emSupervisor).ID, 0, []string{"Head Office"}, nil, true)
		}, want: ErrDenied, names: []string{"Head Office"}},
		{name: "scoped: assigning another site refused", actor: emManager, op: assignSites(emSupervisor, []string{"South Yard"}, nil, true), want: ErrDenied, names: []string{emManager, "South Yard"}},
		{name: "scoped: adding a user at another site refused", actor: emManager, op: addUser(emp("A", "B", "ab@example.com", "Basic", "South Yard")), want: ErrDenied, names: []string{"South Yard"}},
		{name: "scoped: granting Administrator refused", actor: emManager, op: editUser(emSupervisor, UserPatch{Profile: ptr("Administrator")}), want: ErrDenied, names: []string{"Administrator"}},
		{name: "scoped: adding an Administrator refused", actor: emManager, op: addUser(emp("A", "B", "ab@example.com", "Administrator", "North Depot")), want: ErrDenied, names: []string{"Administrator"}},
		{name: "scoped: editing an Administrator without sites refused", actor: emManager, op: editUser(emAdmin, UserPatch{Last: ptr("X")}), want: ErrDenied, names: []string{emAdmin}},
		{name: "scoped: disabling an Administrator refused", actor: emManager, op: func(f *fx, tx *Tx) error { return tx.SetDisabled(f.user(emAdmin).ID, 0, true) }, want: ErrDenied, names: []string{emAdmin}},
		{name: "scoped: profiles are shared", actor: emManager, op: grant("Basic", "roster", Maintain), want: ErrDenied, names: []string{emManager, "all-sites"}},
		{name: "scoped: creating a profile refused", actor: emManager, op: func(_ *fx, tx *Tx) error { _, err := tx.CreateProfile("Mine", Employee, ""); return err }, want: ErrDenied, names: []string{"all-sites"}},
		{name: "scoped: the screen catalog is shared", actor: emManager, op: func(_ *fx, tx *Tx) error { _, err := tx.AddScreen("fleet", "Fleet", "", false); return err }, want: ErrDenied},
		{name: "scoped: settings are shared", actor: emManager, op: func(_ *fx, tx *Tx) error { return tx.SetSetting("restrict-locations", "on") }, want: ErrDenied},
		// an all-sites actor short of Administrator may not grant above their own
		{name: "all-sites: granting a level above own refused", setup: withAuditor, actor: "auditor@example.com", op: grant("Basic", "payroll", Maintain), want: ErrDenied, names: []string{"Payroll", "view"}},
		{name: "all-sites: granting a level at own", setup: withAuditor, actor: "auditor@example.com", op: grant("Basic", "payroll", View)},
		{name: "all-sites: granting a profile above own refused", setup: withAuditor, actor: "auditor@example.com", op: editUser(emSupervisor, UserPatch{Profile: ptr("Administrator")}), want: ErrDenied, names: []string{"Administrator", "Payroll"}},
		{name: "all-sites: copying a profile above own refused", setup: withAuditor, actor: "auditor@example.com", op: func(_ *fx, tx *Tx) error {
			_, err := tx.CreateProfile("Super", Employee, "Administrator")
			return err
		}, want: ErrDenied, names: []string{"Super"}},
	})
	t.Run("disabled actor", func(t *testing.T) {
		f := newFixture(t)
		a := f.actor(emManager)
		f.apply("disable manager", func(tx *Tx) error { return tx.SetDisabled(f.user(emManager).ID, 0, true) })
		_, err := f.s.ActorFor(emManager)
		checkErr(t, err, ErrDenied, emManager, "disabled")
		before := f.auditLen()
		_, err = f.s.Apply(a, "edit", f.do(editUser(emSupervisor, UserPatch{Last: ptr("X")})))
		checkErr(t, err, ErrDenied, emManager, "disabled")
		if f.auditLen() != before || f.user(emSupervisor).Last == "X" {
			t.Error("a disabled actor's change set wrote something")
		}
		if err := f.s.CanView(a, "roster"); !errors.Is(err, ErrDenied) {
			t.Errorf("CanView for a disabled actor: %v", err)
		}
	})
	t.Run("deleted actor", func(t *testing.T) {
		f := newFixture(t)
		a := f.actor(emBasic)
		f.apply("delete basic", func(tx *Tx) error { return tx.DeleteUser(f.user(emBasic).ID, 0) })
		_, err := f.s.Apply(a, "edit", f.do(editUser(emSupervisor, UserPatch{Last: ptr("X")})))
		checkErr(t, err, ErrDenied, emBasic)
	})
	t.Run("unknown actor email", func(t *testing.T) {
		f := newFixture(t)
		_, err := f.s.ActorFor("nobody@example.com")
		checkErr(t, err, ErrNotFound, "nobody@example.com")
	})
}

// withAuditor adds an all-sites profile "Auditor" (Administrator with view
// only on Payroll) and a user auditor@example.com holding it.
func withAuditor(t *testing.T, f *fx) {
	t.Helper()
	f.apply("auditor", func(tx *Tx) error {
		if _, err := tx.CreateProfile("Auditor", Employee, "Administrator"); err != nil {
			return err
		}
		if err := tx.Grant("Auditor", 0, "payroll", View); err != nil {
			return err
		}
		_, err := tx.AddUser(emp("Audrey", "Auditor", "auditor@example.com", "Auditor"))
		return err
	})
	if p, _ := f.s.Profile("Auditor"); p.Scope != ScopeAll {
		t.Fatalf("Auditor scope %s", p.Scope)
	}
}

// Rule 10: a stale write fails with a conflict naming who changed the record and when.
func TestRule10Conflicts(t *testing.T) {
	// race runs fn for two actors at once and returns each one's error.
	race := func(fn func(a Actor) error) ([2]Actor, [2]error) {
		actors := [2]Actor{LocalActor("alice"), LocalActor("bob")}
		var errs [2]error
		var ready, wg sync.WaitGroup
		start := make(chan struct{})
		for i := range actors {
			ready.Add(1)
			wg.Add(1)
			go func() {
				defer wg.Done()
				ready.Done()
				<-start
				errs[i] = fn(actors[i])
			}()
		}
		ready.Wait()
		close(start)
		wg.Wait()
		return actors, errs
	}
	// oneWins checks exactly one writer committed and the other got a
	// conflict naming the winner and the time of the winning change.
	oneWins := func(t *testing.T, f *fx, actors [2]Actor, errs [2]error, entity string) (winner Actor) {
		t.Helper()
		var ok, failed []int
		for i, e := range errs {
			if e == nil {
				ok = append(ok, i)
			} else {
				failed = append(failed, i)
			}
		}
		if len(ok) != 1 || len(failed) != 1 {
			t.Fatalf("want exactly one commit, got errors %v", errs)
		}
		w, l := actors[ok[0]], errs[failed[0]]
		var ce *ConflictError
		if !errors.As(l, &ce) {
			t.Fatalf("loser got %T %v, want *ConflictError", l, l)
		}
		if !errors.Is(l, ErrConflict) || KindOf(l) != KindConflict {
			t.Errorf("conflict does not match ErrConflict")
		}
		at := f.clock.Now()
		if ce.By != w.Name || !ce.At.Equal(at) {
			t.Errorf("conflict says %s at %s, want %s at %s", ce.By, ce.At, w.Name, at)
		}
		for _, want := range []string{entity, w.Name, at.Local().Format("2006-01-02 15:04:05")} {
			if !strings.Contains(l.Error(), want) {
				t.Errorf("conflict %q does not name %q", l, want)
			}
		}
		return w
	}

	t.Run("two writers on one user", func(t *testing.T) {
		for round := range 5 {
			f := newFixture(t)
			f.clock.Advance(time.Duration(round+1) * time.Hour)
			u := f.user(emSupervisor)
			auditBefore := f.auditLen()
			actors, errs := race(func(a Actor) error {
				_, err := f.s.Apply(a, "rename", func(tx *Tx) error {
					_, err := tx.EditUser(u.ID, u.Version, UserPatch{Last: ptr("By " + a.Name)})
					return err
				})
				return err
			})
			w := oneWins(t, f, actors, errs, emSupervisor)
			got := f.user(emSupervisor)
			if got.Last != "By "+w.Name || got.Version != u.Version+1 || got.UpdatedBy != w.Name {
				t.Errorf("user now %q v%d by %s; want the winner's write only", got.Last, got.Version, got.UpdatedBy)
			}
			if n := f.auditLen() - auditBefore; n != 1 {
				t.Errorf("%d audit entries for one committed rename", n)
			}
		}
	})

	t.Run("two writers on one profile", func(t *testing.T) {
		for round := range 5 {
			f := newFixture(t)
			f.clock.Advance(time.Duration(round+1) * time.Minute)
			p, _ := f.s.Profile("Supervisor")
			screens := map[string]string{"local:alice": "leave", "local:bob": "dashboard"}
			actors, errs := race(func(a Actor) error {
				_, err := f.s.Apply(a, "grant", func(tx *Tx) error {
					return tx.Grant("Supervisor", p.Version, screens[a.Name], View)
				})
				return err
			})
			w := oneWins(t, f, actors, errs, "profile Supervisor")
			got, _ := f.s.Profile("Supervisor")
			if got.Version != p.Version+1 || got.UpdatedBy != w.Name {
				t.Errorf("profile v%d by %s, want v%d by %s", got.Version, got.UpdatedBy, p.Version+1, w.Name)
			}
			for a, sc := range screens {
				if want := map[bool]Level{true: View, false: None}[a == w.Name]; got.Level(sc) != want {
					t.Errorf("%s on %s, want %s", got.Level(sc), sc, want)
				}
			}
		}
	})

	t.Run("several edits in one change set with the version read before it", func(t *testing.T) {
		f := newFixture(t)
		u := f.user(emBasic)
		p, _ := f.s.Profile("Basic")
		f.apply("edit twice", func(tx *Tx) error {
			if _, err := tx.EditUser(u.ID, u.Version, UserPatch{First: ptr("Robert")}); err != nil {
				return err
			}
			if err := tx.AssignSites(u.ID, u.Version, []string{"Head Office"}, nil, true); err != nil {
				return err
			}
			if err := tx.Grant("Basic", p.Version, "leave", View); err != nil {
				return err
			}
			return tx.Grant("Basic", p.Version, "dashboard", View)
		})
		got := f.user(emBasic)
		if got.First != "Robert" || len(got.SiteIDs) != 1 || got.Version <= u.Version {
			t.Errorf("user %q sites %v v%d", got.First, got.SiteIDs, got.Version)
		}
		// and a later change set with that old version is stale
		_, err := f.s.Apply(f.local, "stale", func(tx *Tx) error { return tx.SetDisabled(u.ID, u.Version, true) })
		checkErr(t, err, ErrConflict, emBasic)
	})

	t.Run("stale versions in turn", func(t *testing.T) {
		f := newFixture(t)
		u := f.user(emBasic)
		f.clock.Advance(time.Hour)
		f.apply("first", func(tx *Tx) error {
			_, err := tx.EditUser(u.ID, u.Version, UserPatch{First: ptr("Robert")})
			return err
		})
		stale := []struct {
			name string
			fn   func(tx *Tx) error
		}{
			{"edit", func(tx *Tx) error { _, err := tx.EditUser(u.ID, u.Version, UserPatch{Last: ptr("X")}); return err }},
			{"disable", func(tx *Tx) error { return tx.SetDisabled(u.ID, u.Version, true) }},
			{"delete", func(tx *Tx) error { return tx.DeleteUser(u.ID, u.Version) }},
			{"feature", func(tx *Tx) error { return tx.SetFeature(u.ID, u.Version, FeaturePortal, Deny) }},
			{"sites", func(tx *Tx) error { return tx.AssignSites(u.ID, u.Version, []string{"North Depot"}, nil, true) }},
			{"clients", func(tx *Tx) error { return tx.AssignClients(u.ID, u.Version, []string{"Acme"}, true) }},
			{"password", func(tx *Tx) error { return tx.SetPassword(u.ID, u.Version, "long enough password") }},
		}
		for _, c := range stale {
			_, err := f.s.Apply(LocalActor("carol"), c.name, c.fn)
			checkErr(t, err, ErrConflict, emBasic, "local:test", f.clock.Now().Local().Format("2006-01-02 15:04:05"))
		}
		// an actor without the right learns nothing from a stale version
		for who, want := range map[string]error{emSupervisor: ErrDenied, emManager: ErrNotFound} { // no maintain on users; scoped away from South Yard
			uu := f.user(emUser)
			f.apply("touch", func(tx *Tx) error {
				_, err := tx.EditUser(uu.ID, 0, UserPatch{Last: ptr("Touched " + who)})
				return err
			})
			_, err := f.s.Apply(f.actor(who), "stale and denied", func(tx *Tx) error {
				_, err := tx.EditUser(uu.ID, uu.Version, UserPatch{Last: ptr("X")})
				return err
			})
			if want == ErrDenied {
				checkErr(t, err, want, who)
			} else {
				checkErr(t, err, want, "no user")
			}
			if strings.Contains(err.Error(), "local:test") {
				t.Errorf("denied actor is told who changed the record: %v", err)
			}
		}
		if got := f.user(emBasic); got.Version != u.Version+1 || got.Last != u.Last {
			t.Errorf("stale writes changed the user: v%d %q", got.Version, got.Last)
		}
		// the current version and 0 (read inside the change set) both work
		f.apply("current", func(tx *Tx) error {
			_, err := tx.EditUser(u.ID, u.Version+1, UserPatch{Last: ptr("Current")})
			return err
		})
		f.apply("zero", func(tx *Tx) error { _, err := tx.EditUser(u.ID, 0, UserPatch{Last: ptr("Zero")}); return err })
		if got := f.user(emBasic); got.Version != u.Version+3 || got.Last != "Zero" {
			t.Errorf("got v%d %q", got.Version, got.Last)
		}
		p, _ := f.s.Profile("Basic")
		f.apply("grant", func(tx *Tx) error { return tx.Grant("Basic", p.Version, "leave", View) })
		_, err := f.s.Apply(f.local, "stale grant", func(tx *Tx) error { return tx.Grant("Basic", p.Version, "dashboard", View) })
		checkErr(t, err, ErrConflict, "profile Basic", "local:test")
	})
}

// Rule 11: committed change sets are audited as one batch; refused ones write nothing.
func TestRule11AuditEveryChange(t *testing.T) {
	f := newFixture(t)
	sets := []struct {
		name string
		fn   func(tx *Tx) error
	}{
		{"add client", func(tx *Tx) error { _, err := tx.AddClient("Omega"); return err }},
		{"add user", f.do(addUser(emp("Jane", "Doe", "jane@example.com", "Basic", "Head Office")))},
		{"edit two users", func(tx *Tx) error {
			if _, err := tx.EditUser(f.user(emBasic).ID, 0, UserPatch{First: ptr("Robert"), Last: ptr("Basics")}); err != nil {
				return err
			}
			return tx.AssignSites(f.user(emUser).ID, 0, []string{"North Depot"}, []string{"Night"}, true)
		}},
		{"grant", func(tx *Tx) error { return tx.Grant("Basic", 0, "leave", View) }},
		{"settings", func(tx *Tx) error { return tx.SetSetting("invite-expiry", "3d") }},
		{"disable", func(tx *Tx) error { return tx.SetDisabled(f.user(emUser).ID, 0, true) }},
	}
	var lastSeq uint64
	if es, _ := f.s.AuditLog(AuditFilter{}); len(es) > 0 {
		lastSeq = es[len(es)-1].Seq
	}
	for _, c := range sets {
		f.clock.Advance(time.Second)
		cs := f.apply(c.name, c.fn)
		if cs.Batch == 0 || len(cs.Entries) == 0 {
			t.Fatalf("%s: batch %d with %d entries", c.name, cs.Batch, len(cs.Entries))
		}
		got, err := f.s.AuditLog(AuditFilter{Batch: cs.Batch})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(cs.Entries) {
			t.Fatalf("%s: %d entries in the log for batch %d, the change set reported %d", c.name, len(got), cs.Batch, len(cs.Entries))
		}
		for i, e := range got {
			r := cs.Entries[i]
			if e.Seq != lastSeq+uint64(i)+1 {
				t.Errorf("%s: entry %d has seq %d, want %d", c.name, i, e.Seq, lastSeq+uint64(i)+1)
			}
			if e.Batch != cs.Batch || e.Actor != cs.Actor || !e.Time.Equal(cs.Time) || e.Entity != r.Entity || e.Field != r.Field || e.Before != r.Before || e.After != r.After || e.Seq != r.Seq {
				t.Errorf("%s: logged %+v, change set had %+v", c.name, e, r)
			}
			if e.Before == e.After {
				t.Errorf("%s: entry %d records no change (%q)", c.name, e.Seq, e.Before)
			}
		}
		lastSeq += uint64(len(got))
		bs, _ := f.s.Batches(1)
		if len(bs) != 1 || bs[0].ID != cs.Batch || bs[0].Summary != c.name || bs[0].FirstSeq != got[0].Seq || bs[0].LastSeq != got[len(got)-1].Seq {
			t.Errorf("%s: newest batch %+v", c.name, bs)
		}
	}
	// the user's history holds the edits
	h, err := f.s.History(emBasic)
	if err != nil {
		t.Fatal(err)
	}
	fields := map[string]bool{}
	for _, e := range h {
		fields[e.Field] = true
	}
	if !fields["created"] || !fields["first"] || !fields["last"] {
		t.Errorf("history of %s has fields %v", emBasic, fields)
	}

	// a change set that changes nothing writes no batch
	batches, _ := f.s.Batches(0)
	cs := f.apply("no-op", func(tx *Tx) error { return tx.SetSetting("invite-expiry", "3d") })
	if cs.Batch != 0 || len(cs.Entries) != 0 {
		t.Errorf("no-op change set: batch %d entries %d", cs.Batch, len(cs.Entries))
	}
	if bs, _ := f.s.Batches(0); len(bs) != len(batches) {
		t.Error("no-op change set wrote a batch")
	}

	// a refused change set writes nothing, even after earlier successful edits in it
	n := f.auditLen()
	u := f.user(emSupervisor)
	_, err = f.s.Apply(f.local, "half", func(tx *Tx) error {
		if _, err := tx.EditUser(u.ID, 0, UserPatch{Last: ptr("Half")}); err != nil {
			return err
		}
		if _, err := tx.AddClient("Half Client"); err != nil {
			return err
		}
		return tx.AssignSites(u.ID, 0, []string{"Atlantis"}, nil, true)
	})
	checkErr(t, err, ErrNotFound, "Atlantis")
	if f.auditLen() != n {
		t.Error("refused change set wrote audit entries")
	}
	if bs, _ := f.s.Batches(0); len(bs) != len(batches) {
		t.Error("refused change set wrote a batch")
	}
	if got := f.user(emSupervisor); got != u || got.Last == "Half" {
		t.Error("refused change set changed the user")
	}
	for _, c := range f.s.Clients() {
		if c.Name == "Half Client" {
			t.Error("refused change set added a client")
		}
	}
	f.reopen()
	if got := f.user(emSupervisor); got.Version != u.Version || got.Last != u.Last {
		t.Error("refused change set reached the file")
	}
	if r, _ := f.s.VerifyAudit(); !r.OK {
		t.Errorf("audit: %v", r.Problems)
	}
}

// Rule 12: Check answers allowed or denied with a code and a one-line reason.
func TestRule12Check(t *testing.T) {
	f := newFixture(t)
	f.apply("setup", func(tx *Tx) error {
		if _, err := tx.AddUser(emp("Gone", "Away", "gone@example.com", "Manager", "North Depot")); err != nil {
			return err
		}
		gone, err := tx.UserByEmail("gone@example.com")
		if err != nil {
			return err
		}
		if err := tx.SetDisabled(gone.ID, 0, true); err != nil {
			return err
		}
		id := f.user(emUser).ID
		if err := tx.AssignClients(id, 0, []string{"Acme"}, true); err != nil {
			return err
		}
		return tx.AssignSites(id, 0, []string{"Zeta HQ"}, nil, true)
	})
	cases := []struct {
		name         string
		email        string
		screen       string
		level        Level
		site         string
		code         Code
		via          string
		reasonWants  []string
		reasonAvoids []string
	}{
		{"unknown user", "nobody@example.com", "roster", View, "North Depot", CodeUnknownUser, "", []string{"nobody@example.com"}, nil},
		{"disabled", "gone@example.com", "roster", View, "North Depot", CodeDisabled, "", []string{"gone@example.com", "disabled"}, nil},
		{"unknown screen", emSupervisor, "teleport", View, "North Depot", CodeUnknownScreen, "", []string{"teleport"}, nil},
		{"unknown site", emSupervisor, "roster", View, "Atlantis", CodeUnknownSite, "", []string{"Atlantis"}, nil},
		{"level too low", emBasic, "roster", Maintain, "North Depot", CodeLevelTooLow, "", []string{emBasic, "Roster", "view", "maintain"}, nil},
		{"no level at all", emBasic, "payroll", View, "North Depot", CodeLevelTooLow, "", []string{emBasic, "Payroll", "none"}, nil},
		{"site not assigned", emSupervisor, "roster", View, "South Yard", CodeSiteNotAssigned, "", []string{emSupervisor, "South Yard"}, nil},
		{"assigned directly", emSupervisor, "roster", Maintain, "North Depot", CodeAllowed, "", []string{emSupervisor, "North Depot", "Supervisor"}, []string{"team"}},
		{"reached through a team", emBasic, "roster", View, "North Depot", CodeAllowed, "Night", []string{emBasic, "North Depot", "Night"}, nil},
		{"any case", strings.ToUpper(emBasic), "ROSTER", View, "north depot", CodeAllowed, "Night", []string{emBasic, "North Depot"}, nil},
		{"all-sites profile", emAdmin, "payroll", Maintain, "Zeta HQ", CodeAllowedAllSites, "", []string{emAdmin, "Zeta HQ", "all sites"}, nil},
		{"all-sites profile, no site", emAdmin, "users", Maintain, "", CodeAllowedAllSites, "", []string{emAdmin}, nil},
		{"no site asked", emSupervisor, "reports", View, "", CodeAllowed, "", []string{emSupervisor, "Reports"}, nil},
		{"client-restricted", emUser, "roster", View, "Zeta HQ", CodeClientRestricted, "", []string{emUser, "Zeta HQ", "Zeta"}, nil},
		{"client-restricted, own client", emUser, "roster", View, "South Yard", CodeAllowed, "", []string{emUser, "South Yard"}, nil},
		{"client user at own site", emClient, "roster", View, "North Depot", CodeAllowed, "", []string{emClient, "North Depot"}, nil},
		{"client user elsewhere", emClient, "roster", View, "South Yard", CodeSiteNotAssigned, "", []string{emClient, "South Yard"}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := f.s.Check(c.email, c.screen, c.level, c.site)
			wantAllowed := c.code == CodeAllowed || c.code == CodeAllowedAllSites
			if d.Allowed != wantAllowed || d.Code != c.code {
				t.Fatalf("allowed %v code %d, want %v code %d: %s", d.Allowed, d.Code, wantAllowed, c.code, d.Reason())
			}
			if d.Via != c.via {
				t.Errorf("via %q, want %q", d.Via, c.via)
			}
			r := d.Reason()
			prefix := "denied:"
			if wantAllowed {
				prefix = "allowed:"
			}
			if !strings.HasPrefix(r, prefix) || strings.Contains(r, "\n") {
				t.Errorf("reason %q is not one line starting %q", r, prefix)
			}
			for _, w := range c.reasonWants {
				if !strings.Contains(strings.ToLower(r), strings.ToLower(w)) {
					t.Errorf("reason %q does not mention %q", r, w)
				}
			}
			for _, w := range c.reasonAvoids {
				if strings.Contains(r, w) {
					t.Errorf("reason %q mentions %q", r, w)
				}
			}
		})
	}
	// the answer follows changes at once
	f.apply("unassign", func(tx *Tx) error {
		return tx.AssignSites(f.user(emBasic).ID, 0, nil, []string{"Night"}, false)
	})
	if d := f.s.Check(emBasic, "roster", View, "North Depot"); d.Allowed || d.Code != CodeSiteNotAssigned {
		t.Errorf("after unassigning the team: %s", d.Reason())
	}
	f.apply("lower", func(tx *Tx) error { return tx.Grant("Supervisor", 0, "roster", None) })
	if d := f.s.Check(emSupervisor, "roster", View, "North Depot"); d.Allowed || d.Code != CodeLevelTooLow {
		t.Errorf("after lowering the profile: %s", d.Reason())
	}
}
