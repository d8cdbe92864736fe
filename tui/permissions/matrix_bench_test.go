package permissions

import (
	"fmt"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/gatehouse/gatehouse/store"
	"github.com/gatehouse/gatehouse/tui"
)

// matrixBigStore is the demo data with 200 screens (184 added to the 16
// seeded, in 8 groups, some sensitive) and 10 profiles (4 copies of Manager).
func matrixBigStore(tb testing.TB) *store.Store {
	tb.Helper()
	s := newTestStore(tb, 200)
	_, err := s.Apply(store.LocalActor("bench"), "200 screens, 10 profiles", func(tx *store.Tx) error {
		for i := 0; i < 184; i++ {
			if _, err := tx.AddScreen(fmt.Sprintf("extra-%03d", i), fmt.Sprintf("Extra screen %03d", i), fmt.Sprintf("Extra group %d", i%8), i%10 == 0); err != nil {
				return err
			}
		}
		for i := 1; i <= 4; i++ {
			if _, err := tx.CreateProfile(fmt.Sprintf("Manager copy %d", i), store.Employee, "Manager"); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	if n, p := len(s.Screens()), len(s.Profiles()); n != 200 || p != 10 {
		tb.Fatalf("%d screens, %d profiles; want 200, 10", n, p)
	}
	return s
}

// matrixShowAll puts every profile side by side and focuses the matrix.
func matrixShowAll(app *tui.App) {
	m := matrixOf(app)
	press(app, "shift+tab", "home")
	for range m.data.profiles {
		press(app, "space", "down")
	}
	press(app, "tab")
}

// BenchmarkMatrixToggle: 200 screens × 10 profiles side by side at 200×60;
// each iteration is one cell-change key through App.Update (which re-runs the
// store's dry run of the pending change on the next View) and one App.View.
func BenchmarkMatrixToggle(b *testing.B) {
	s := matrixBigStore(b)
	app := newTestApp(b, s, nil, 200, 60)
	press(app, "3")
	matrixShowAll(app)
	m := matrixOf(app)
	if len(m.matrix.shown) != 10 {
		b.Fatalf("%d profiles shown, want 10", len(m.matrix.shown))
	}
	press(app, "right", "right") // Supervisor on Dashboard: none, so v and m both stay pending
	keys := []tea.KeyPressMsg{keyMsg("v"), keyMsg("m")}
	_ = viewOf(app)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		app.Update(keys[i%2])
		_ = app.View() // the frame as the program gets it (viewOf would add the tests' ansi.Strip)
	}
	b.StopTimer()
	if m.Pending() != 1 {
		b.Fatalf("%d pending, want 1", m.Pending())
	}
}
