package users

import (
	"strings"
	"testing"
)

// A bulk selection the filter hides is still there, and acted on: the list
// says so, and so does what acts on it.
func TestHiddenSelectionIsShown(t *testing.T) {
	s := newTestStore(t, 200)
	app := newTestApp(t, s, nil, 120, 40)
	press(app, "space", "down", "space", "down", "space")
	if v := viewOf(app); !strings.Contains(v, "3 selected") || strings.Contains(v, "hidden") {
		t.Fatalf("three selected, none hidden:\n%s", v)
	}
	press(app, "/")
	typeText(app, "nobody-matches-this")
	press(app, "enter")
	if v := viewOf(app); !strings.Contains(v, "3 selected, 3 hidden") {
		t.Fatalf("the filter hides the selection, and the list does not say so:\n%s", v)
	}
	press(app, "d")
	if v := viewOf(app); !strings.Contains(v, "Disable 3 users (3 of them hidden by the filters)?") {
		t.Fatalf("the bulk disable does not say its users are hidden:\n%s", v)
	}
}
