package tui

import (
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/tui/ui"
)

// The palette tells a typo from a denial, and :add adds what the current
// screen adds.
func TestPaletteTellsInputErrorsFromDenials(t *testing.T) {
	s := newTestStore(t, 60)
	app := newTestApp(t, s, nil, 120, 40)
	email := usersOf(app).current().u.Email
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
