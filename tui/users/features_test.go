package users

import (
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/store"
)

// Feature overrides from the keyboard: f on a user, the current value
// marked, one change set; on a bulk selection, "keep" leaves a feature as
// each user has it.
func TestFeatureOverridesFromTheKeyboard(t *testing.T) {
	s := newTestStore(t, 60)
	app := newTestApp(t, s, nil, 120, 40)
	us := usersOf(app).current().u
	if _, err := s.Apply(store.LocalActor("test"), "reset", func(tx *store.Tx) error {
		return tx.SetFeature(us.ID, 0, store.FeatureAdhocClockIn, store.Inherit)
	}); err != nil {
		t.Fatal(err)
	}
	us, _ = s.UserByID(us.ID)
	app.Reload() // as the change event would
	press(app, "f")
	if v := viewOf(app); !strings.Contains(v, "inherit: follow the org") || !strings.Contains(v, "← now") {
		t.Fatalf("the feature form does not show the choices and the current one:\n%s", v)
	}
	press(app, "down", "enter")  // Clock-in against ad-hoc shifts: allow
	press(app, "enter", "enter") // the other two as they are
	got, _ := s.UserByID(us.ID)
	if got.Features[store.FeatureAdhocClockIn] != store.Allow || got.Features[store.FeaturePortal] != us.Features[store.FeaturePortal] {
		t.Fatalf("features after the form: %v (were %v): %s", got.Features, us.Features, app.Message())
	}
	// bulk: two employees, portal denied, the rest kept
	press(app, "home", "space", "space", "f")
	press(app, "enter")                         // clock-in: keep
	press(app, "down", "down", "down", "enter") // portal: deny
	press(app, "enter")                         // mobile app: keep
	for _, r := range usersOf(app).users.rows[:2] {
		u, _ := s.UserByID(r.u.ID)
		if u.Features[store.FeaturePortal] != store.Deny {
			t.Fatalf("%s: portal %v after the bulk form, want deny: %s", u.Email, u.Features[store.FeaturePortal], app.Message())
		}
		if u.ID == us.ID && u.Features[store.FeatureAdhocClockIn] != store.Allow {
			t.Fatalf("keep changed %s's clock-in: %v", u.Email, u.Features[store.FeatureAdhocClockIn])
		}
	}
}
