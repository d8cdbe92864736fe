package console

import (
	"testing"

	"github.com/gatehouse/gatehouse/store"
	"github.com/gatehouse/gatehouse/tui"
	"github.com/gatehouse/gatehouse/tui/internal/tuitest"
)

// The console's screens, in the order their number keys and the palette's
// jumps take them (the screens' own tests list the same, by hand).
func TestScreensInTabOrder(t *testing.T) {
	s := tuitest.Store(t, 20)
	app := New(s, store.LocalActor("test"), tui.Options{})
	want := []string{"Users", "Sites & teams", "Permissions", "History", "Clients & sites", "Invitations & outbox", "Settings"}
	if n := len(Screens.Admin); n != len(want) {
		t.Fatalf("%d admin screens, want %d", n, len(want))
	}
	for i, name := range want {
		if got := app.Screen(i).Name(); got != name {
			t.Errorf("screen %d is %s, want %s", i+1, got, name)
		}
	}
	cus, _ := s.Users(store.UserFilter{Profile: "Client"})
	actor, err := s.ActorFor(cus[0].Email)
	if err != nil {
		t.Fatal(err)
	}
	if got := New(s, actor, tui.Options{}).Screen(0).Name(); got != "My access" {
		t.Errorf("a client user's console shows %s, want My access", got)
	}
}
