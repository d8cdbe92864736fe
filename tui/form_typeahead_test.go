package tui

import (
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/gatehouse/gatehouse/tui/ui"
)

// Keys typed ahead of the form land in the field they were typed for: a
// burst "Zed⏎Twin⏎zed@example.com⏎" (a paste, a fast typist, SSH latency)
// reaches the console before huh has moved its cursor by message, and gave
// first name "ZedT", last name "win…" (seen in tmux by the e2e tests).
func TestTypingAheadLandsInTheRightField(t *testing.T) {
	s := newTestStore(t, 60)
	app := newTestApp(t, s, nil, 120, 40)
	press(app, "a")
	var cmds []tea.Cmd
	send := func(k tea.KeyPressMsg) {
		_, cmd := app.Update(k)
		cmds = append(cmds, cmd) // run only after the whole burst, as a busy program would
	}
	for _, part := range []string{"Zed", "Twin", "zed.twin@example.com"} {
		for _, r := range part {
			send(runeKey(string(r)))
		}
		send(keyMsg("enter"))
	}
	for _, c := range cmds {
		drain(app, c, 6)
	}
	press(app, "enter", "enter") // type employee; the least powerful profile
	u, err := s.User("zed.twin@example.com")
	if err != nil {
		t.Fatalf("not added (%s): %v", app.msg, err)
	}
	if u.First != "Zed" || u.Last != "Twin" {
		t.Fatalf("typed ahead: first %q, last %q; want Zed, Twin", u.First, u.Last)
	}
}

// esc in a select's "/" filter ends the filter, as the form's help says,
// and neither asks to drop what was typed nor closes the form (it asked
// "Drop what you typed?" after p, /, adm, esc).
func TestEscEndsASelectsFilter(t *testing.T) {
	s := newTestStore(t, 60)
	app := newTestApp(t, s, nil, 120, 40)
	press(app, "p", "/")
	typeText(app, "adm")
	press(app, "esc")
	m, ok := app.modal.(*ui.Form)
	if !ok {
		t.Fatalf("esc in the filter closed the form: %q", app.msg)
	}
	if m.Asking() {
		t.Fatalf("esc in the filter asked to drop what was typed:\n%s", viewOf(app))
	}
	if m.Filtering() {
		t.Fatal("esc did not end the filter")
	}
	press(app, "esc") // now it leaves the form, nothing typed to lose
	if app.modal != nil {
		t.Fatalf("a second esc did not close the form:\n%s", viewOf(app))
	}
}
