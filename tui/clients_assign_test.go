package tui

import (
	"slices"
	"testing"

	"github.com/gatehouse/gatehouse/store"
)

// Assigning clients to an employee from the keyboard (seed 002): c ticks
// the clients they see, opens with the ones they have ticked, and an
// untick takes one away; one change set each time.
func TestAssignClientsFromTheKeyboard(t *testing.T) {
	s := newTestStore(t, 60)
	app := newTestApp(t, s, nil, 120, 40)
	var emp *store.User
	for i, r := range app.users.rows {
		if r.u.Type == store.Employee && len(r.u.ClientIDs) == 0 {
			app.users.list.SetCursor(i)
			emp = r.u
			break
		}
	}
	if emp == nil {
		t.Fatal("no employee without clients in the demo")
	}
	first := s.Clients()[0]
	press(app, "c", "space", "enter") // the first client ticked
	got, _ := s.UserByID(emp.ID)
	if !slices.Contains(got.ClientIDs, first.ID) {
		t.Fatalf("c, space, enter did not give %s client %s: %v (%s)", emp.Email, first.Name, got.ClientIDs, app.msg)
	}
	press(app, "c", "space", "enter") // opens with it ticked: untick it
	got, _ = s.UserByID(emp.ID)
	if len(got.ClientIDs) != 0 {
		t.Fatalf("unticking did not take the client away: %v (%s)", got.ClientIDs, app.msg)
	}
}
