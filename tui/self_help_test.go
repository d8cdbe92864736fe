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
