package self

import (
	"testing"

	"github.com/gatehouse/gatehouse/store"
	"github.com/gatehouse/gatehouse/tui/ui"
)

func selfOf(t *testing.T, w, h int) *Screen {
	t.Helper()
	s, c := newClockedStore(t, 60)
	cus, _ := s.Users(store.UserFilter{Profile: "Client"})
	if len(cus) == 0 {
		t.Fatal("no client user in the demo")
	}
	actor, err := s.ActorFor(cus[0].Email)
	if err != nil {
		t.Fatal(err)
	}
	return newClockedApp(t, s, c, &actor, w, h).Screen(0).(*Screen)
}

// runNav runs the pane's navigation binding for key.
func runNav(t *testing.T, p ui.Pane, key string) {
	t.Helper()
	for _, b := range p.Bindings() {
		for _, k := range b.Keys() {
			if k == key {
				b.Run()
				return
			}
		}
	}
	t.Fatalf("no binding for %q", key)
}

// Each pane scrolls by its own navigation keys, within the limit SetSize
// gave it: never past its last line, and home goes back to the top.
func TestSelfPanesScrollWithinTheirSize(t *testing.T) {
	scr := selfOf(t, 120, 40)
	const w, h = 30, 4
	for _, c := range []struct {
		name  string
		pane  ui.Pane
		lines func(int) []string
		off   func() int
	}{
		{"me", scr.me, scr.me.lines, func() int { return scr.me.scroll.Off }},
		{"screens", scr.screens, scr.screens.lines, func() int { return scr.screens.scroll.Off }},
	} {
		t.Run(c.name, func(t *testing.T) {
			c.pane.SetSize(w, h)
			limit := len(c.lines(w)) - h
			if limit < 2 {
				t.Fatalf("%d lines: too few to scroll in %d", len(c.lines(w)), h)
			}
			top := c.pane.View(w, h, true)[0]
			for _, k := range []struct {
				key  string
				want int
			}{
				{"down", 1}, {"j", 2}, {"up", 1}, {"end", limit}, {"down", limit}, {"home", 0}, {"up", 0},
			} {
				runNav(t, c.pane, k.key)
				if got := c.off(); got != k.want {
					t.Fatalf("after %s: offset %d, want %d", k.key, got, k.want)
				}
			}
			runNav(t, c.pane, "G")
			if got := c.pane.View(w, h, true); len(got) != h {
				t.Errorf("at the end the pane shows %d lines, want %d", len(got), h)
			}
			runNav(t, c.pane, "g")
			if got := c.pane.View(w, h, true)[0]; got != top {
				t.Errorf("back home the first line is %q, want %q", got, top)
			}
		})
	}
}
