package tuitest

import (
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/gatehouse/gatehouse/store"
)

// Live is a console open over a real store, its change events arriving
// through its own subscription, as in a session.
type Live struct {
	T      testing.TB
	S      *store.Store
	M      tea.Model
	Wait   tea.Cmd                             // the subscription's next delivery
	Events func(tea.Msg) ([]store.Event, bool) // what a delivery brings (tui.ChangeEvents)
}

// Change applies a change set as the local operator (someone else, at the
// machine) and lets the console take the events up to the one it publishes.
func (c *Live) Change(what string, fn func(tx *store.Tx) error) {
	c.T.Helper()
	cs, err := c.S.Apply(store.LocalActor("admin"), what, fn)
	if err != nil {
		c.T.Fatal(err)
	}
	for {
		msg := c.Wait() // blocks until the subscription delivers
		evs, ok := c.Events(msg)
		if !ok {
			c.T.Fatalf("%s: the subscription ended", what)
		}
		_, c.Wait = c.M.Update(msg)
		if evs[len(evs)-1].Batch == cs.Batch || evs[0].Batch == cs.Batch {
			return
		}
	}
}
