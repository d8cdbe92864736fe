package tui

import (
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/store"
)

// A client user's help lists their own screen and the keys they can use,
// not the admin screens' (switch screen, filter, undo, the palette).
func TestSelfServiceHelpListsOnlyTheirScreen(t *testing.T) {
	s := newTestStore(t, 60)
	cus, _ := s.Users(store.UserFilter{Profile: "Client"})
	if len(cus) == 0 {
		t.Fatal("no client user in the demo")
	}
	actor, err := s.ActorFor(cus[0].Email)
	if err != nil {
		t.Fatal(err)
	}
	app := newTestApp(t, s, &actor, 120, 40)
	press(app, "?")
	v := viewOf(app)
	if !strings.Contains(v, "My access") || !strings.Contains(v, "quit") {
		t.Fatalf("the help does not show their screen and quit:\n%s", v)
	}
	for _, not := range []string{"switch screen", "filter the focused list", "undo the last change set", "command palette"} {
		if strings.Contains(v, not) {
			t.Fatalf("a client user's help lists %q:\n%s", not, v)
		}
	}
}

// A client user gets only their own access: no admin screen at all.
func TestSelfServiceForClientUser(t *testing.T) {
	s := newTestStore(t, 200)
	cs, _ := s.Users(store.UserFilter{Profile: "Client", Statuses: []store.Status{store.Active}})
	if len(cs) == 0 {
		t.Fatal("no active client user in the demo data")
	}
	me := cs[0]
	actor, err := s.ActorFor(me.Email)
	if err != nil {
		t.Fatal(err)
	}
	// an employee assigned to that client shows under "Employees assigned to my client"
	client := s.Names().Client(me.ClientIDs[0])
	var emp *store.User
	es, _ := s.Users(store.UserFilter{Profile: "Basic", Statuses: []store.Status{store.Active}})
	emp = es[0]
	if _, err := s.Apply(store.LocalActor("t"), "assign", func(tx *store.Tx) error {
		return tx.AssignClients(emp.ID, 0, []string{client}, true)
	}); err != nil {
		t.Fatal(err)
	}
	app := newTestApp(t, s, &actor, 120, 40)
	v := viewOf(app)
	for _, want := range []string{"My access", me.Name(), "Roster", "Screens I may use", emp.Name() + "  ", " " + emp.Email} {
		if !strings.Contains(v, want) {
			t.Errorf("self view lacks %q:\n%s", want, v)
		}
	}
	for _, not := range []string{"Permissions", "Invitations", "Employees ("} {
		if strings.Contains(v, not) {
			t.Errorf("self view shows admin screen text %q", not)
		}
	}
	press(app, "2", "a", "?")
	if strings.Contains(viewOf(app), "add a user") {
		t.Error("help offers admin keys to a client user")
	}
	checkFits(t, viewOf(app), 120, 40)
}
