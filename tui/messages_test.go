package tui

import (
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/tui/ui"
)

// No message loses its end: a status too long for the line says so and
// "!" shows it whole; help wraps a "not now" reason at 80 columns; a long
// question is wrapped, not cut.
func TestNoMessageLosesItsEnd(t *testing.T) {
	s := newTestStore(t, 20)
	app := newTestApp(t, s, nil, 80, 24)
	long := "a refusal whose end says what to do, which does not fit on one line of eighty columns: turn it off with gatehouse settings set client-guardrail off"
	app.Flash(long, true)
	if v := viewOf(app); !strings.Contains(v, "! shows all") {
		t.Fatalf("a long message does not say it goes on:\n%s", v)
	}
	press(app, "!")
	v := flat(viewOf(app))
	if !strings.Contains(v, "client-guardrail off") {
		t.Fatalf("! does not show the whole message:\n%s", viewOf(app))
	}
	press(app, "esc")

	// a reason in help, at 80 columns: whole, wrapped
	app.undoStack = nil
	press(app, "?")
	for range 40 {
		press(app, "down")
	}
	v = flat(viewOf(app))
	if !strings.Contains(v, "nothing to undo yet in this session") {
		t.Fatalf("help cut a not-now reason short at 80 columns:\n%s", viewOf(app))
	}
	press(app, "esc")

	app.modal = &ui.Confirm{Question: "Disable 2 users? They lose access at once: their open sessions end, their invitations are revoked. (one change set; u undoes)", Yes: nil}
	v = flat(viewOf(app))
	if !strings.Contains(v, "(one change set; u undoes)") {
		t.Fatalf("a long question lost its end:\n%s", viewOf(app))
	}
}
