package tui

import (
	"reflect"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/gatehouse/gatehouse/tui/history"
)

// clipboardOf runs the command a key returned and gives what it asks the
// terminal to copy (bubbletea's OSC 52 message), or "" if it asks none.
func clipboardOf(t *testing.T, app *App, k string) string {
	t.Helper()
	_, cmd := app.Update(keyMsg(k))
	for _, msg := range flatMsgs(cmd) {
		v := reflect.ValueOf(msg)
		if v.Kind() == reflect.String && strings.Contains(v.Type().String(), "setClipboard") {
			return v.String()
		}
	}
	return ""
}

// flatMsgs runs cmd and the batches in it (clipboard commands return at once).
func flatMsgs(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	msg := cmd()
	if b, ok := msg.(tea.BatchMsg); ok {
		var out []tea.Msg
		for _, c := range b {
			out = append(out, flatMsgs(c)...)
		}
		return out
	}
	return []tea.Msg{msg}
}

// y copies the highlighted user's email on Users and the highlighted entry
// on History, Y the whole last message (a check's reason); through OSC 52,
// so over SSH it lands on the admin's own machine.
func TestCopyToTheClipboard(t *testing.T) {
	s := newTestStore(t, 60)
	app := newTestApp(t, s, nil, 120, 40)
	u := usersOf(app).Current()
	if got := clipboardOf(t, app, "y"); got != u.Email {
		t.Fatalf("y on Users copied %q, want %q", got, u.Email)
	}
	if !strings.Contains(app.msg, "copied the email") {
		t.Errorf("y did not say what it copied: %q", app.msg)
	}

	press(app, "4")
	settleWork(t, app)
	e := app.screens[3].(*history.Screen).Current()
	if e == nil {
		t.Fatal("no history entry highlighted")
	}
	got := clipboardOf(t, app, "y")
	if !strings.Contains(got, e.Actor) || !strings.Contains(got, e.Field) || !strings.Contains(got, e.Entity.Label) {
		t.Fatalf("y on History copied %q, want the entry %+v", got, *e)
	}

	press(app, "1", ":")
	typeText(app, "check "+u.Email+" payroll view")
	press(app, "enter")
	reason := app.msg // on the status line now
	if reason == "" {
		t.Fatal("check gave no answer")
	}
	if got := clipboardOf(t, app, "Y"); got != reason {
		t.Fatalf("Y copied %q, want the last message %q", got, reason)
	}
}
