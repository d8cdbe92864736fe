package users

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
)

// The list keys are bindings: help lists them under Lists, for the focused
// pane's list, and the arrows' vim-style twins move as they do.
func TestListKeysAreBindings(t *testing.T) {
	s := newTestStore(t, 60)
	app := newTestApp(t, s, nil, 120, 40)
	press(app, "?")
	h := viewOf(app)
	for _, want := range []string{"Lists", "↑/k", "pgdn/ctrl+d", "end/G", "clear the selection"} {
		if !strings.Contains(h, want) {
			t.Errorf("help lacks %q:\n%s", want, h)
		}
	}
	press(app, "esc")
	u := usersOf(app)
	for _, c := range []struct {
		keys []string
		want int
	}{
		{[]string{"j", "j", "j"}, 3},
		{[]string{"k"}, 2},
		{[]string{"G"}, len(u.users.rows) - 1},
		{[]string{"g"}, 0},
		{[]string{"ctrl+d"}, u.users.list.Visible() - 1},
		{[]string{"ctrl+u"}, 0},
	} {
		press(app, c.keys...)
		if u.users.list.Cursor() != c.want {
			t.Errorf("after %v the cursor is on row %d, want %d", c.keys, u.users.list.Cursor(), c.want)
		}
	}
	// the Filters pane is a list too: its keys move through the filters
	press(app, "shift+tab", "down", "down")
	if u.filters.list.Cursor() != filterProfile {
		t.Errorf("two down in Filters: row %d, want %d", u.filters.list.Cursor(), filterProfile)
	}
}

// A mark key goes through the bindings' guards: with no user listed,
// space says why it does nothing.
func TestMarkKeyGuarded(t *testing.T) {
	s := newTestStore(t, 60)
	app := newTestApp(t, s, nil, 120, 40)
	press(app, "/")
	typeText(app, "zzzz-nobody")
	press(app, "enter", "space")
	if !app.MessageBad() || !strings.Contains(app.Message(), "no user is highlighted") {
		t.Errorf("space on an empty list: %q", app.Message())
	}
	if usersOf(app).users.list.MarkCount() != 0 {
		t.Errorf("%d selected", usersOf(app).users.list.MarkCount())
	}
}

// A click on the user list highlights the user under it; the wheel moves
// the cursor three rows.
func TestUsersMouse(t *testing.T) {
	s := newTestStore(t, 60)
	app := newTestApp(t, s, nil, 120, 40)
	u := usersOf(app)
	// the list pane starts after the Filters pane (24 wide) and its frame;
	// the tabs line, the top edge and the column headings are above row 0
	app.Update(tea.MouseClickMsg{X: 40, Y: 1 + 1 + 1 + 4, Button: tea.MouseLeft})
	if u.users.list.Cursor() != 4 {
		t.Fatalf("the click highlighted row %d, want 4", u.users.list.Cursor())
	}
	if r := u.current(); r == nil || !strings.Contains(viewOf(app), r.u.Email) {
		t.Errorf("the details do not follow the click")
	}
	app.Update(tea.MouseWheelMsg{X: 40, Y: 10, Button: tea.MouseWheelDown})
	if u.users.list.Cursor() != 7 {
		t.Errorf("the wheel moved the cursor to %d, want 7", u.users.list.Cursor())
	}
	app.Update(tea.MouseClickMsg{X: 40, Y: 1 + 1 + 1 + 200, Button: tea.MouseLeft})
	if u.users.list.Cursor() != 7 {
		t.Errorf("a click below the list moved the cursor to %d", u.users.list.Cursor())
	}
}
