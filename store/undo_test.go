package store

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

func undoFixture(t *testing.T) (*Store, Actor) {
	t.Helper()
	s, err := testOpen(t, filepath.Join(t.TempDir(), "undo.db"), Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	a := LocalActor("undo")
	_, err = s.Apply(a, "fixture", func(tx *Tx) error {
		if _, err := tx.AddClient("Acme"); err != nil {
			return err
		}
		for _, site := range []string{"North Depot", "South Yard"} {
			if _, err := tx.AddSite(site, "Acme"); err != nil {
				return err
			}
		}
		if _, err := tx.AddSite("Head Office", ""); err != nil {
			return err
		}
		for i, email := range []string{"a@x.test", "b@x.test", "c@x.test"} {
			if _, err := tx.AddUser(NewUser{First: "U", Last: string(rune('A' + i)), Email: email, Type: Employee, Profile: "User", Sites: []string{"North Depot"}}); err != nil {
				return err
			}
		}
		_, err := tx.AddUser(NewUser{First: "Cli", Last: "Ent", Email: "cli@acme.test", Type: ClientUser, Profile: "Client", Clients: []string{"Acme"}, Sites: []string{"North Depot"}})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return s, a
}

func userState(t *testing.T, s *Store, email string) string {
	t.Helper()
	u, err := s.User(email)
	if err != nil {
		t.Fatal(err)
	}
	n := s.Names()
	return strings.Join([]string{u.First, u.Last, u.Email, u.Type.String(), n.Profile(u.ProfileID), strings.Join(n.Sites(u.SiteIDs), ","),
		strings.Join(n.Clients(u.ClientIDs), ","), n.Site(u.DefaultSiteID), u.Status().String(), u.Features[FeatureMobileApp].String()}, "|")
}

// Each kind of change set is undone back to exactly the state before it, and
// the undo is itself a change set in the audit log.
func TestUndoRestoresState(t *testing.T) {
	cases := []struct {
		name string
		do   func(tx *Tx) error
	}{
		{"bulk sites", func(tx *Tx) error {
			for _, e := range []string{"a@x.test", "b@x.test", "c@x.test"} {
				u, _ := tx.UserByEmail(e)
				if err := tx.AssignSites(u.ID, 0, []string{"South Yard", "Head Office"}, nil, true); err != nil {
					return err
				}
				if err := tx.AssignSites(u.ID, 0, []string{"North Depot"}, nil, false); err != nil {
					return err
				}
			}
			return nil
		}},
		{"edit names, profile, default site", func(tx *Tx) error {
			u, _ := tx.UserByEmail("a@x.test")
			first, email, prof, def := "Alice", "alice@x.test", "Supervisor", "North Depot"
			_, err := tx.EditUser(u.ID, 0, UserPatch{First: &first, Email: &email, Profile: &prof, DefaultSite: &def})
			return err
		}},
		{"client user becomes employee", func(tx *Tx) error {
			u, _ := tx.UserByEmail("cli@acme.test")
			prof := "Basic"
			_, err := tx.EditUser(u.ID, 0, UserPatch{Profile: &prof})
			return err
		}},
		{"disable and feature", func(tx *Tx) error {
			u, _ := tx.UserByEmail("b@x.test")
			if err := tx.SetDisabled(u.ID, 0, true); err != nil {
				return err
			}
			c, _ := tx.UserByEmail("c@x.test")
			return tx.SetFeature(c.ID, 0, FeatureMobileApp, Deny)
		}},
		{"clients", func(tx *Tx) error {
			u, _ := tx.UserByEmail("c@x.test")
			return tx.AssignClients(u.ID, 0, []string{"Acme"}, true)
		}},
	}
	emails := []string{"a@x.test", "b@x.test", "c@x.test", "cli@acme.test"}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, a := undoFixture(t)
			before := map[string]string{}
			for _, e := range emails {
				before[e] = userState(t, s, e)
			}
			cs, err := s.Apply(a, tc.name, tc.do)
			if err != nil || cs.Batch == 0 {
				t.Fatalf("apply: %v (batch %v)", err, cs)
			}
			changed := false
			for _, e := range emails {
				if u, err := s.User(e); err != nil || userState(t, s, u.Email) != before[e] {
					changed = true
				}
			}
			if !changed {
				t.Fatal("the change set changed nothing; the test is wrong")
			}
			undo, err := s.Undo(a, cs.Batch)
			if err != nil {
				t.Fatalf("undo: %v", err)
			}
			for _, e := range emails {
				if got := userState(t, s, e); got != before[e] {
					t.Errorf("%s after undo:\n got %s\nwant %s", e, got, before[e])
				}
			}
			log, _ := s.AuditLog(AuditFilter{Batch: undo.Batch})
			if len(log) == 0 {
				t.Error("the undo wrote no audit entries")
			}
			if v, _ := s.VerifyAudit(); !v.OK {
				t.Errorf("audit: %v", v.Problems)
			}
		})
	}
}

func TestUndoRefusesWhenChangedSince(t *testing.T) {
	s, a := undoFixture(t)
	grant := func(l Level) uint64 {
		cs, err := s.Apply(a, "grant", func(tx *Tx) error { return tx.Grant("User", 0, "reports", l) })
		if err != nil {
			t.Fatal(err)
		}
		return cs.Batch
	}
	first := grant(View)
	grant(Maintain)
	_, err := s.Undo(a, first)
	if !errors.Is(err, ErrConflict) || !strings.Contains(err.Error(), "changed since") {
		t.Fatalf("undo of an overwritten grant: %v", err)
	}
	if p, _ := s.Profile("User"); p.Level("reports") != Maintain {
		t.Errorf("a refused undo changed the profile: %s", p.Level("reports"))
	}
	// the newest one can be undone
	if _, err := s.Undo(a, first+1); err != nil {
		t.Fatal(err)
	}
	if p, _ := s.Profile("User"); p.Level("reports") != View {
		t.Errorf("after undo reports=%s, want view", p.Level("reports"))
	}
}

func TestUndoUserCreationDeletes(t *testing.T) {
	s, a := undoFixture(t)
	cs, err := s.Apply(a, "add", func(tx *Tx) error {
		_, err := tx.AddUser(NewUser{First: "New", Last: "Person", Email: "new@x.test", Type: Employee, Profile: "Basic"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Undo(a, cs.Batch); err != nil {
		t.Fatal(err)
	}
	if _, err := s.User("new@x.test"); !errors.Is(err, ErrNotFound) {
		t.Errorf("user still there after undoing its creation: %v", err)
	}
}
