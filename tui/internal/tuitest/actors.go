package tuitest

import (
	"testing"

	"github.com/gatehouse/gatehouse/store"
)

// ActorOnNewProfile moves a Basic employee onto a new profile copied from
// base with these screens set, and acts as them.
func ActorOnNewProfile(t testing.TB, s *store.Store, name, base string, levels map[string]store.Level) store.Actor {
	t.Helper()
	basic, _ := s.Users(store.UserFilter{Profile: "Basic"})
	u := basic[0]
	if _, err := s.Apply(store.LocalActor("test"), "profile "+name, func(tx *store.Tx) error {
		if _, err := tx.CreateProfile(name, store.Employee, base); err != nil {
			return err
		}
		for screen, l := range levels {
			if err := tx.Grant(name, 0, screen, l); err != nil {
				return err
			}
		}
		_, err := tx.EditUser(u.ID, u.Version, store.UserPatch{Profile: &name})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	actor, err := s.ActorFor(u.Email)
	if err != nil {
		t.Fatal(err)
	}
	return actor
}

// ViewerActor is an employee who may view Users & permissions and Sites &
// teams but maintain nothing: the admin screens, read-only.
func ViewerActor(t testing.TB, s *store.Store) (store.Actor, *store.User) {
	t.Helper()
	var u *store.User
	_, err := s.Apply(store.LocalActor("test"), "viewer", func(tx *store.Tx) error {
		if _, err := tx.CreateProfile("Viewer", store.Employee, ""); err != nil {
			return err
		}
		for _, sc := range []string{"users", "sites", "clients", "audit", "settings"} {
			if err := tx.Grant("Viewer", 0, sc, store.View); err != nil {
				return err
			}
		}
		if err := tx.SetProfileScope("Viewer", store.ScopeAll); err != nil {
			return err
		}
		var err error
		u, err = tx.AddUser(store.NewUser{First: "Vera", Last: "Viewer", Email: "vera.viewer@staff.test", Type: store.Employee, Profile: "Viewer"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	a, err := s.ActorFor(u.Email)
	if err != nil {
		t.Fatal(err)
	}
	return a, u
}

// ManagerActor is the first active Manager of the demo data.
func ManagerActor(t testing.TB, s *store.Store) *store.Actor {
	t.Helper()
	us, _ := s.Users(store.UserFilter{Profile: "Manager", Statuses: []store.Status{store.Active}})
	if len(us) == 0 {
		t.Fatal("no active manager in the demo data")
	}
	a, err := s.ActorFor(us[0].Email)
	if err != nil {
		t.Fatal(err)
	}
	return &a
}

// AManager is ManagerActor, with their record.
func AManager(t testing.TB, s *store.Store) (store.Actor, *store.User) {
	t.Helper()
	a := ManagerActor(t, s)
	u, err := s.UserByID(a.UserID)
	if err != nil {
		t.Fatal(err)
	}
	return *a, u
}
