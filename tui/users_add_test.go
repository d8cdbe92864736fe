package tui

import (
	"strings"
	"testing"
)

// After adding a user the cursor is on the new user, so enter opens them
// (it stayed on the user highlighted before), and the Add user form offers
// the least powerful profile of the type first, never Administrator.
func TestAddUserLandsOnTheNewUser(t *testing.T) {
	for _, sz := range sizes[:1] { // the size does not matter here; each key of a form costs a spinner's tick
		s := newTestStore(t, 200)
		app := newTestApp(t, s, nil, sz.w, sz.h)
		press(app, "down", "down", "down")
		before := app.users.current().u.Email
		press(app, "a")
		typeText(app, "Zed")
		press(app, "enter")
		typeText(app, "Newcomer")
		press(app, "enter")
		typeText(app, "zed.newcomer@example.com")
		press(app, "enter", "enter") // email, then the type: Employee
		if v := viewOf(app); !strings.Contains(v, "Basic") {
			t.Fatalf("%dx%d: the profile choice does not show Basic:\n%s", sz.w, sz.h, v)
		}
		press(app, "enter") // the profile offered first
		u, err := s.User("zed.newcomer@example.com")
		if err != nil {
			t.Fatalf("%dx%d: not added: %v\n%s", sz.w, sz.h, err, viewOf(app))
		}
		if basic, _ := s.Profile("Basic"); basic == nil || u.ProfileID != basic.ID {
			t.Fatalf("%dx%d: the form's first profile is #%d, want Basic (the least powerful employee profile)", sz.w, sz.h, u.ProfileID)
		}
		if got := app.users.current(); got == nil || got.u.ID != u.ID {
			t.Fatalf("%dx%d: the cursor is on %v after adding zed (it was on %s before)", sz.w, sz.h, got, before)
		}
	}
}
