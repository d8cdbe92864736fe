package tui

import (
	"testing"

	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"github.com/gatehouse/gatehouse/store"
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

// A key typed right after enter on a select lands in the next field, not
// in the select left: huh moves the cursor by a message that comes after
// keys already queued, so "⏎↓" at User type changed the type after its
// enter had chosen it (Employee made a client user; here Client, an
// employee).
func TestTypingAheadLeavesASelect(t *testing.T) {
	s := newTestStore(t, 60)
	clients := s.Clients()
	if len(clients) < 2 {
		t.Fatalf("the demo has %d clients, want 2 or more", len(clients))
	}
	app := newTestApp(t, s, nil, 120, 40)
	press(app, "a")
	for _, part := range []string{"Zed", "Twin", "zed.twin@example.com"} {
		typeText(app, part)
		press(app, "enter")
	}
	m, ok := app.modal.(*ui.Form)
	if !ok {
		t.Fatalf("no form: %q", app.msg)
	}
	press(app, "down") // User type: Client
	typ := m.Huh().GetFocusedField()
	if _, ok := typ.(*huh.Select[string]); !ok || typ.GetValue() != "client" {
		t.Fatalf("not at the User type select on Client: %T %v", typ, typ.GetValue())
	}
	var cmds []tea.Cmd
	for _, k := range []string{"enter", "down"} { // both queued: nothing runs between
		_, cmd := app.Update(keyMsg(k))
		cmds = append(cmds, cmd)
	}
	if m.Huh().GetFocusedField() == typ {
		t.Error("enter on the select left the cursor on it: the key after it goes to the select")
	}
	for _, c := range cmds {
		drain(app, c, 6)
	}
	if got := typ.GetValue(); got != "client" {
		t.Fatalf("the key typed after enter changed the select left: User type %v, want client", got)
	}
	if got := m.Huh().GetFocusedField().GetKey(); got != string(store.FieldClient) {
		t.Fatalf("after User type the cursor is on %q, want the Client select", got)
	}
	press(app, "enter", "enter") // this client; the client profile
	u, err := s.User("zed.twin@example.com")
	if err != nil {
		t.Fatalf("not added (%s): %v", app.msg, err)
	}
	if u.Type != store.ClientUser || len(u.ClientIDs) != 1 || u.ClientIDs[0] != clients[1].ID {
		t.Fatalf("added as %v of clients %v; want a client user of %s (id %d): the ↓ after enter moves the Client select", u.Type, u.ClientIDs, clients[1].Name, clients[1].ID)
	}
}

// enter on a select whose "/" filter matches nothing chooses nothing: the
// cursor stays there, as huh keeps it, and the form is not submitted.
func TestEnterOnAnEmptyFilterStays(t *testing.T) {
	s := newTestStore(t, 60)
	app := newTestApp(t, s, nil, 120, 40)
	press(app, "p", "/")
	typeText(app, "no such option")
	m, ok := app.modal.(*ui.Form)
	if !ok {
		t.Fatalf("no form: %q", app.msg)
	}
	field := m.Huh().GetFocusedField()
	press(app, "enter")
	if app.modal != m || m.Huh().GetFocusedField() != field {
		t.Fatalf("enter on a filter matching nothing left the select (%q):\n%s", app.msg, viewOf(app))
	}
}
