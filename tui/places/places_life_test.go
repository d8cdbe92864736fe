package places

import (
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/store"
	"github.com/gatehouse/gatehouse/tui/ui"
)

// Whole lives from the keyboard: rename a site (r), end a client's
// contract (R: previewed, users touched, one change set, undone with u).
func TestPlacesRenameAndRetire(t *testing.T) {
	s := newTestStore(t, 60)
	app := newTestApp(t, s, nil, 120, 40)
	press(app, "5")
	app.SetFocus(1) // the sites
	p := app.Screen(app.Shown()).(*Screen)
	old := p.site().Name
	press(app, "r")
	for range len(old) {
		press(app, "backspace")
	}
	typeText(app, "Renamed Depot")
	press(app, "enter")
	renamed := false
	for _, st := range s.Sites() {
		renamed = renamed || st.Name == "Renamed Depot"
	}
	if !renamed {
		t.Fatalf("r did not rename %s: %s", old, app.Message())
	}
	// a client: its contract ends
	app.SetFocus(0)
	press(app, "down", "down") // past "all sites" and "own sites" to the first client
	c := p.client()
	if c == nil {
		t.Fatalf("no client highlighted:\n%s", viewOf(app))
	}
	press(app, "R")
	cf, ok := app.Modal().(*ui.Confirm)
	if !ok || !strings.Contains(cf.Question, "the contract ends") || !strings.Contains(cf.Question, "users touched") {
		t.Fatalf("R asked %#v, want a preview of the contract's end", app.Modal())
	}
	press(app, "y")
	if got := clientNamed(s, c.Name); got == nil || !got.IsRetired() {
		t.Fatalf("R, y did not end %s's contract: %s", c.Name, app.Message())
	}
	press(app, "u")
	if got := clientNamed(s, c.Name); got == nil || got.IsRetired() {
		t.Fatalf("u did not undo the contract's end: %s", app.Message())
	}
}

func clientNamed(s *store.Store, name string) *store.Client {
	for _, c := range s.AllClients() {
		if c.Name == name {
			return c
		}
	}
	return nil
}
