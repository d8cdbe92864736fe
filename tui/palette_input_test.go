package tui

import (
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/store"
	"github.com/gatehouse/gatehouse/tui/ui"
)

// The palette tells a typo from a denial, and :add adds what the current
// screen adds.
func TestPaletteTellsInputErrorsFromDenials(t *testing.T) {
	s := newTestStore(t, 60)
	app := newTestApp(t, s, nil, 120, 40)
	email := usersOf(app).Current().Email
	run := func(line string) string {
		t.Helper()
		press(app, ":")
		typeQuick(app, line)
		press(app, "enter")
		return app.msg
	}
	if m := run("check " + email + " roster view Nowhere"); !strings.HasPrefix(m, `check: there is no site "Nowhere"`) {
		t.Fatalf("a site that does not exist reads as %q", m)
	}
	if m := run("check " + email + " rostr view"); !strings.HasPrefix(m, `check: there is no screen "rostr"`) {
		t.Fatalf("a screen that does not exist reads as %q", m)
	}
	if m := run("check " + email + " payroll maintain"); !strings.HasPrefix(m, "denied:") {
		t.Fatalf("a denial reads as %q", m)
	}
	press(app, "5") // Clients & sites: :add adds a client there
	run("add")
	if f, ok := app.modal.(*ui.Form); !ok || (f.Title() != "Add client" && f.Title() != "Add site") {
		t.Fatalf(":add on Clients & sites opened %#v, want what a adds there", app.modal)
	}
}

// The palette's check answers about users the actor may see only, as
// `gatehouse check` does: a user outside a Manager's sites is not there.
func TestPaletteCheckOnlyOfTheVisible(t *testing.T) {
	s := newTestStore(t, 200)
	actor, _ := aManager(t, s)
	app := newTestApp(t, s, &actor, 120, 40)
	see := s.Visible(actor)
	var hidden, shown *store.User
	s.EachUser(func(u *store.User) {
		switch {
		case hidden == nil && !see(u):
			hidden = u
		case shown == nil && see(u) && u.ID != actor.UserID:
			shown = u
		}
	})
	if hidden == nil || shown == nil {
		t.Fatal("the demo Manager sees everyone or no one")
	}
	for _, c := range []struct {
		u    *store.User
		want string
	}{{hidden, "no user with email"}, {shown, shown.Email}} {
		app.msg = ""
		app.Update(keyMsg(":"))
		for _, r := range "check " + c.u.Email + " roster view" {
			app.Update(runeKey(string(r)))
		}
		app.Update(keyMsg("enter"))
		if !strings.Contains(app.msg, c.want) || (c.u == hidden && strings.Contains(app.msg, "allowed")) {
			t.Errorf("check %s: %q, want %q", c.u.Email, app.msg, c.want)
		}
	}
}
