package store

import (
	"testing"
	"time"
)

// eventWait ends a test whose change event never comes. It is no measure of
// speed: a commit's event takes a fraction of it with the cores busy.
const eventWait = time.Minute

// nextEvent is the subscription's next change event.
func nextEvent(t testing.TB, ch <-chan Event) Event {
	t.Helper()
	select {
	case ev, ok := <-ch:
		if !ok {
			t.Fatal("the subscription closed")
		}
		return ev
	case <-time.After(eventWait):
		t.Fatalf("no change event in %v", eventWait)
	}
	return Event{}
}

// publishedNothing checks that nothing since ch was last read published a
// change event. A subscription delivers events in commit order, so the next
// one must be that of a marker change set committed now: a condition, where
// "no event within 50 ms" waited for a duration (and passed for an event
// that came later).
func (f *fx) publishedNothing(t *testing.T, ch <-chan Event, what string) {
	t.Helper()
	// a setting flipped: no record made, so no id taken from what follows
	flip := map[string]string{"on": "off", "off": "on"}[f.s.Settings().Value("mobile-app")]
	marker := f.apply("marker after "+what, func(tx *Tx) error { return tx.SetSetting("mobile-app", flip) })
	if ev := nextEvent(t, ch); ev.Batch != marker.Batch {
		t.Fatalf("%s published a change event: %+v", what, ev)
	}
}
