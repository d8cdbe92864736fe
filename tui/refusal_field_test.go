package tui

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/gatehouse/gatehouse/tui/ui"
)

// fieldBlock is the lines of a form's view from the field titled title to
// the next blank line: the field, its description and its value.
func fieldBlock(v, title string) string {
	i := strings.Index(v, title)
	if i < 0 {
		return ""
	}
	rest := v[i:]
	lines := strings.Split(rest, "\n")
	n := min(len(lines), 4)
	return strings.Join(lines[:n], "\n")
}

// The store's reason shows at the field it is about, and the cursor starts
// there: an email taken in Add user, a name too long in Add client (each
// used to close the form, or say why only at its foot).
func TestRefusalShowsAtTheField(t *testing.T) {
	s := newTestStore(t, 60)
	app := newTestApp(t, s, nil, 120, 40)
	taken := usersOf(app).Current().Email
	press(app, "a")
	typeText(app, "Zed")
	press(app, "enter")
	typeText(app, "Twin")
	press(app, "enter")
	typeText(app, strings.ToUpper(taken))
	press(app, "enter", "enter", "enter")
	m, ok := app.modal.(*ui.Form)
	if !ok {
		t.Fatalf("the refused form closed:\n%s", viewOf(app))
	}
	v := viewOf(app)
	if b := fieldBlock(v, "Email"); !strings.Contains(b, "✗") || !strings.Contains(b, "already") {
		t.Fatalf("the Email field does not say why:\n%s\n--- whole form:\n%s", b, v)
	}
	if b := fieldBlock(v, "First name"); strings.Contains(b, "✗") {
		t.Fatalf("First name is marked though the email was refused:\n%s", b)
	}
	if f := m.Huh().GetFocusedField(); f == nil || f.GetKey() != "email" {
		t.Fatalf("the cursor is not on the refused field: %v", f)
	}
	// typing goes into the email: fix it and submit
	for range len(taken) {
		press(app, "backspace")
	}
	typeText(app, "zed.twin@example.com")
	press(app, "enter", "enter", "enter")
	if app.modal != nil {
		t.Fatalf("the fixed form did not submit:\n%s", viewOf(app))
	}
	if _, err := s.User("zed.twin@example.com"); err != nil {
		t.Fatalf("the user was not added after the fix: %v (%s)", err, app.msg)
	}

	// a pasted client name over 100 characters: refused at the name, kept
	press(app, "5", "shift+tab", "a")
	long := strings.Repeat("Longname ", 13)
	_, cmd := app.Update(tea.PasteMsg{Content: long})
	drain(app, cmd, 6)
	press(app, "enter")
	v = viewOf(app)
	if _, ok := app.modal.(*ui.Form); !ok {
		t.Fatalf("the refused client form closed:\n%s", v)
	}
	if b := fieldBlock(v, "Client name"); !strings.Contains(b, "✗") || !strings.Contains(b, "at most 100") {
		t.Fatalf("the name field does not say why:\n%s\n--- whole form:\n%s", b, v)
	}
	if !strings.Contains(v, "Longname Longname") {
		t.Fatalf("the pasted name is gone:\n%s", v)
	}
}
