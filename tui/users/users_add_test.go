package users

import (
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/tui/ui"
)

// After adding a user the cursor is on the new user, so enter opens them
// (it stayed on the user highlighted before), and the Add user form offers
// the least powerful profile of the type first, never Administrator.
func TestAddUserLandsOnTheNewUser(t *testing.T) {
	for _, sz := range sizes[:1] { // the size does not matter here; each key of a form costs a spinner's tick
		s := newTestStore(t, 200)
		app := newTestApp(t, s, nil, sz.w, sz.h)
		press(app, "down", "down", "down")
		before := usersOf(app).current().u.Email
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
		if got := usersOf(app).current(); got == nil || got.u.ID != u.ID {
			t.Fatalf("%dx%d: the cursor is on %v after adding zed (it was on %s before)", sz.w, sz.h, got, before)
		}
	}
}

// A form the store refuses stays open with what was typed and the reason
// (it closed and lost the input); esc in a form typed into asks first.
func TestRefusedFormKeepsWhatWasTyped(t *testing.T) {
	s := newTestStore(t, 60)
	app := newTestApp(t, s, nil, 120, 40)
	taken := usersOf(app).current().u.Email
	press(app, "a")
	typeText(app, "Zed")
	press(app, "enter")
	typeText(app, "Twin")
	press(app, "enter")
	typeText(app, strings.ToUpper(taken)) // the same address in other case: the store refuses it
	press(app, "enter", "enter", "enter")
	v := viewOf(app)
	if _, ok := app.Modal().(*ui.Form); !ok {
		t.Fatalf("the refused form closed:\n%s", v)
	}
	if !strings.Contains(v, "already") || !strings.Contains(v, "submit again") {
		t.Fatalf("the form does not show why it was refused:\n%s", v)
	}
	press(app, "shift+tab", "shift+tab")
	if v := viewOf(app); !strings.Contains(v, "Zed") || !strings.Contains(v, strings.ToUpper(taken)) {
		t.Fatalf("what was typed is gone:\n%s", v)
	}
	press(app, "ctrl+c")
	if v := viewOf(app); app.Modal() == nil || !strings.Contains(v, "Drop what you typed?") {
		t.Fatalf("ctrl+c in a half-filled form did not ask first:\n%s", v)
	}
	press(app, "n")
	if _, ok := app.Modal().(*ui.Form); !ok {
		t.Fatal("n did not go back to the form")
	}
	press(app, "esc", "y")
	if app.Modal() != nil {
		t.Fatal("esc, y did not close the form")
	}
}
