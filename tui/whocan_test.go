package tui

import (
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/store"
)

// Who can, from the palette and from a cell of the matrix: the store's
// answer, every user with their reason.
func TestWhoCanFromThePaletteAndTheMatrix(t *testing.T) {
	s := newTestStore(t, 60)
	app := newTestApp(t, s, nil, 120, 40)
	press(app, ":")
	typeQuick(app, "who-can payroll maintain")
	press(app, "enter")
	v, ok := app.modal.(*whoCanView)
	if !ok {
		t.Fatalf(":who-can opened %#v (%s)", app.modal, app.msg)
	}
	w, err := s.WhoCan(store.LocalActor("test"), store.WhoCanQuery{Screen: "payroll", Level: store.Maintain})
	if err != nil || len(w.Rows) == 0 {
		t.Fatalf("who-can payroll maintain: %v, %d rows", err, len(w.Rows))
	}
	screen := viewOf(app)
	if !strings.Contains(v.title, plural(len(w.Rows), "user")) || !strings.Contains(screen, w.Rows[0].User.Email) || !strings.Contains(screen, "Administrator has maintain on Payroll") {
		t.Fatalf("the who-can view does not give the store's answer (%d users):\n%s", len(w.Rows), screen)
	}
	press(app, "esc", "3") // Permissions: w on a cell
	app.focus[app.cur] = 1
	press(app, "w")
	if _, ok := app.modal.(*whoCanView); !ok {
		t.Fatalf("w on a matrix cell opened %#v (%s)", app.modal, app.msg)
	}
	if v := viewOf(app); !strings.Contains(v, "Who can ") {
		t.Fatalf("no who-can view:\n%s", v)
	}
}
