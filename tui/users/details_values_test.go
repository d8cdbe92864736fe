package users

import (
	"strings"
	"testing"
)

// At 120 columns the details pane shows every feature's value (a long
// label is cut, never the value); at 200 the values line up.
func TestDetailsShowEveryValue(t *testing.T) {
	s := newTestStore(t, 60)
	for _, w := range []int{120, 200} {
		app := newTestApp(t, s, nil, w, 40)
		e, err := s.EffectiveByID(usersOf(app).current().u.ID)
		if err != nil {
			t.Fatal(err)
		}
		lines := usersOf(app).details.View(w/3, 0, false)
		col := -1
		for _, f := range e.Features {
			want := "off"
			if f.Effective {
				want = "on"
			}
			found := false
			for _, l := range lines {
				if strings.HasPrefix(strings.TrimSpace(l), f.Title[:8]) {
					i := strings.LastIndex(l, " "+want)
					if i < 0 {
						t.Fatalf("%d columns: the value of %s is cut: %q", w, f.Title, l)
					}
					if col >= 0 && i != col && w == 200 {
						t.Fatalf("%d columns: values do not line up: %q at %d, want %d", w, l, i, col)
					}
					col, found = i, true
				}
			}
			if !found {
				t.Fatalf("%d columns: no line for %s in %q", w, f.Title, lines)
			}
		}
	}
}
