package sites

import (
	"slices"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/store"
	"github.com/gatehouse/gatehouse/tui"
)

// employeeRows highlights the first employee without clients on Users and
// returns it.
func firstEmployeeWithoutClients(t *testing.T, app *tui.App) *store.User {
	t.Helper()
	for _, u := range usersOf(app).Listed() {
		if u.Type == store.Employee && len(u.ClientIDs) == 0 {
			usersOf(app).Select(u.ID)
			return u
		}
	}
	t.Fatal("no employee without clients in the demo")
	return nil
}

// Assigning clients to an employee from the keyboard (seed 002: "a user can
// be assigned to one or more clients"): c opens Sites & teams at its
// Clients group; → makes a client pending, ctrl+s saves it, ← and ctrl+s
// take it away again; u undoes.
func TestAssignClientsAsAPaneBesideSites(t *testing.T) {
	s := newTestStore(t, 60)
	app := newTestApp(t, s, nil, 120, 40)
	emp := firstEmployeeWithoutClients(t, app)
	press(app, "c")
	if app.Shown() != 1 || app.Focus() != 1+siteAvail {
		t.Fatalf("c should open Sites & teams with Available focused; screen %d, focus %d", app.Shown(), app.Focus())
	}
	it := sitesOf(app).lists[siteAvail].current()
	if it == nil || !it.isClient() {
		t.Fatalf("the cursor should be on a client, is on %+v", it)
	}
	press(app, "right")
	if p := sitesOf(app).Pending(); p != 1 {
		t.Fatalf("→ on a client: %d pending, want 1 (%s)", p, app.Message())
	}
	if got, _ := s.UserByID(emp.ID); len(got.ClientIDs) != 0 {
		t.Fatal("a pending client was saved before ctrl+s")
	}
	v := viewOf(app)
	if !strings.Contains(v, "+ "+it.label) || !strings.Contains(v, "1 pending") {
		t.Fatalf("Assigned should show + %s pending:\n%s", it.label, v)
	}
	press(app, "ctrl+s")
	got, _ := s.UserByID(emp.ID)
	if !slices.Equal(got.ClientIDs, []uint64{it.client}) {
		t.Fatalf("ctrl+s did not give %s client %s: %v (%s)", emp.Email, it.label, got.ClientIDs, app.Message())
	}
	bs := sitesBatches(t, s)
	if last := bs[0]; !strings.Contains(last.Summary, "client "+it.label) {
		t.Errorf("the change set should name the client: %q", last.Summary)
	}

	// the client is in Assigned now: ← and ctrl+s take it away
	sitesCursorTo(t, app, siteAssigned, it.label)
	press(app, "left", "ctrl+s")
	if got, _ = s.UserByID(emp.ID); len(got.ClientIDs) != 0 {
		t.Fatalf("← and ctrl+s did not take the client away: %v (%s)", got.ClientIDs, app.Message())
	}
	press(app, "u") // undo the removal
	if got, _ = s.UserByID(emp.ID); !slices.Equal(got.ClientIDs, []uint64{it.client}) {
		t.Fatalf("u did not give the client back: %v (%s)", got.ClientIDs, app.Message())
	}
}

// Bulk: several employees and a client user chosen on Users get two marked
// clients in one change set; the client user keeps their one client, and the
// screen said they would.
func TestAssignClientsToABulkSelection(t *testing.T) {
	s := newTestStore(t, 60)
	app := newTestApp(t, s, nil, 120, 40)
	var emps []*store.User
	for _, u := range usersOf(app).Listed() {
		if u.Type == store.Employee && len(emps) < 3 {
			emps = append(emps, u)
		}
	}
	for _, u := range emps {
		usersOf(app).Select(u.ID)
		press(app, "space")
	}
	press(app, "t") // client users: the employees stay selected, hidden
	cu := usersOf(app).Current()
	if len(emps) < 3 || cu.Type != store.ClientUser {
		t.Fatalf("the demo lacks three employees and a client user (%d, %s)", len(emps), cu.Type)
	}
	press(app, "space")
	before := len(sitesBatches(t, s))
	press(app, "c")
	clients := s.Clients()
	for _, c := range clients[:2] {
		sitesCursorTo(t, app, siteAvail, c.Name)
		press(app, "space")
	}
	press(app, "right", "ctrl+s")
	if n := len(sitesBatches(t, s)) - before; n != 1 {
		t.Fatalf("%d change sets, want 1 (%s)", n, app.Message())
	}
	want := []uint64{clients[0].ID, clients[1].ID}
	for _, e := range emps {
		got, _ := s.UserByID(e.ID)
		for _, id := range want {
			if !slices.Contains(got.ClientIDs, id) {
				t.Errorf("%s lacks client %d: %v", e.Email, id, got.ClientIDs)
			}
		}
	}
	got, _ := s.UserByID(cu.ID)
	if !slices.Equal(got.ClientIDs, cu.ClientIDs) {
		t.Errorf("client user %s's one client changed: %v → %v", cu.Email, cu.ClientIDs, got.ClientIDs)
	}
}

// For a client user alone the clients cannot move, and the screen says why
// in one line instead of listing every client greyed.
func TestClientsAreNotForAClientUser(t *testing.T) {
	s := newTestStore(t, 60)
	app := newTestApp(t, s, nil, 120, 40)
	sitesChooseClientUser(t, app)
	for _, r := range sitesOf(app).lists[siteAvail].rows {
		if r.it != nil && r.it.isClient() {
			t.Fatalf("client %s listed for a client user", r.it.label)
		}
	}
	if v := viewOf(app); !strings.Contains(v, "Clients — not for client users") {
		t.Fatalf("the Clients line should say why:\n%s", v)
	}
}
