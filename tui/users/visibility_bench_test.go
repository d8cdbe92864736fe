package users

import (
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/gatehouse/gatehouse/store"
	"github.com/gatehouse/gatehouse/tui"
)

// BenchmarkUsersKeystrokeManager is BenchmarkUsersKeystroke for a Manager
// (a profile scoped to assigned sites) over SSH: the list holds only whom
// they may see, on 100k users.
func BenchmarkUsersKeystrokeManager(b *testing.B) {
	s := benchStore(b)
	ms, err := s.Users(store.UserFilter{Profile: "Manager", Statuses: []store.Status{store.Active, store.Invited}})
	if err != nil || len(ms) == 0 {
		b.Fatal("no Manager", err)
	}
	actor, err := s.ActorFor(ms[0].Email)
	if err != nil {
		b.Fatal(err)
	}
	app := newTestApp(b, s, &actor, 200, 60)
	usersOf(app).q.typ = 2
	usersOf(app).q.status = len(statusChoices) - 1
	usersOf(app).users.refilter(true)
	all := len(usersOf(app).users.rows)
	press(app, "/")
	typeText(app, "adam") // the operator's benchmark's queries: "adams", "adam"
	keys := []string{"s", "backspace"}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		app.Update(keyMsg(keys[i%2]))
		_ = app.View() // the frame as the program gets it (viewOf would add the tests' ansi.Strip)
	}
	b.StopTimer()
	if all == 0 || all >= s.UserCount() || len(usersOf(app).users.rows) >= all {
		b.Fatalf("the Manager's list holds %d of %d users, %d after the filter", all, s.UserCount(), len(usersOf(app).users.rows))
	}
	b.ReportMetric(float64(all), "visible-users")
}

// BenchmarkConsoleOpenAdmin is BenchmarkConsoleOpen for an all-sites
// administrator signed in over SSH (not the operator): their list is
// filtered too, to no effect.
func BenchmarkConsoleOpenAdmin(b *testing.B) {
	s := newTestStore(b, 2000)
	newTestApp(b, s, nil, 140, 40).View()
	if _, err := s.Apply(store.LocalActor("bench"), "admin", func(tx *store.Tx) error {
		_, err := tx.AddUser(store.NewUser{First: "Ada", Last: "Admin", Email: "ada.bench@staff.test", Type: store.Employee, Profile: "Administrator"})
		return err
	}); err != nil {
		b.Fatal(err)
	}
	admin, err := s.ActorFor("ada.bench@staff.test")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		app := tui.New(s, admin, screens, tui.Options{})
		app.Update(tea.WindowSizeMsg{Width: 140, Height: 40})
		if len(viewOf(app)) == 0 {
			b.Fatal("no frame")
		}
		app.Close()
	}
}
