package tui

import (
	"fmt"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/store"
)

// A user added elsewhere (over SSH, say) shows in the list, and the pane's
// title counts them: the title and the rows agree in the next frame.
func TestPaneCountsFollowLiveChanges(t *testing.T) {
	s := newTestStore(t, 0)
	add := func(n int) *store.ChangeSet {
		cs, err := s.Apply(store.LocalActor("elsewhere"), "add", func(tx *store.Tx) error {
			_, err := tx.AddUser(store.NewUser{First: "Live", Last: fmt.Sprintf("User%d", n), Email: fmt.Sprintf("live%d@example.com", n), Type: store.Employee, Profile: "Basic"})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return cs
	}
	add(1)
	add(2)
	app := newTestApp(t, s, nil, 120, 40)
	wait := app.subscribe()
	t.Cleanup(app.Close)
	cs := add(3)
	for {
		msg, ok := wait().(eventMsg)
		if !ok {
			t.Fatal("the subscription ended")
		}
		app.Update(msg)
		wait = waitEvent(app.events, msg.ev.Time)
		if msg.ev.Batch == cs.Batch || len(msg.more) > 0 && msg.more[len(msg.more)-1].Batch == cs.Batch {
			break
		}
	}
	v := viewOf(app)
	rows := 0
	for _, l := range strings.Split(v, "\n") {
		if strings.Contains(l, "Live User") && strings.Contains(l, "Basic") {
			rows++
		}
	}
	if !strings.Contains(v, "Employees (3)") || rows != 3 {
		t.Fatalf("after a user added elsewhere the title and the rows disagree:\n%s", v)
	}
}
