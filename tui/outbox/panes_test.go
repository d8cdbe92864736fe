package outbox

import (
	"slices"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/gatehouse/gatehouse/store"
	"github.com/gatehouse/gatehouse/tui/list"
	"github.com/gatehouse/gatehouse/tui/ui"
)

// The outbox pane's state and the screen's filter narrow it together: s
// steps through the states keeping the filter, and the cursor stays on its
// message while it is listed.
func TestOutboxPaneStatesAndFilter(t *testing.T) {
	p := &outboxPane{list: list.New[uint64]()}
	p.list.SetSize(60, 10)
	p.all = []store.Message{
		{ID: 4, State: "failed", To: "ann@example.com", Kind: "invitation"},
		{ID: 3, State: "queued", To: "bob@example.com", Kind: "invitation"},
		{ID: 2, State: "queued", To: "ann@example.com", Kind: "reset"},
		{ID: 1, State: "sent", To: "cy@example.com", Subject: "for ann"},
	}
	p.refilter("")
	for _, c := range []struct {
		step   func()
		state  string
		ids    []uint64
		cursor uint64 // the highlighted message (0: none)
	}{
		{func() {}, "all", []uint64{4, 3, 2, 1}, 4},
		{func() { p.list.SetCursor(2) }, "all", []uint64{4, 3, 2, 1}, 2},
		{p.nextState, "queued", []uint64{3, 2}, 2}, // still listed: stays on it
		{func() { p.refilter("ANN") }, "queued", []uint64{2}, 2},
		{p.nextState, "sent", []uint64{1}, 1}, // a subject matches too
		{p.nextState, "failed", []uint64{4}, 4},
		{p.nextState, "cancelled", nil, 0},
		{p.nextState, "all", []uint64{4, 2, 1}, 4},
		{func() { p.toInvitation("ANN@example.com") }, "all", []uint64{4, 2, 1}, 4},
		{func() { p.refilter(""); p.toInvitation("bob@example.com") }, "all", []uint64{4, 3, 2, 1}, 3},
	} {
		c.step()
		var ids []uint64
		for _, m := range p.rows {
			ids = append(ids, m.ID)
		}
		if outboxStates[p.state] != c.state || !slices.Equal(ids, c.ids) {
			t.Fatalf("state %s, rows %v; want %s, %v", outboxStates[p.state], ids, c.state, c.ids)
		}
		var cur uint64
		if m := p.highlighted(); m != nil {
			cur = m.ID
		}
		if cur != c.cursor {
			t.Fatalf("state %s: on #%d, want #%d", c.state, cur, c.cursor)
		}
	}
}

// The invitations pane tells the screen when its highlighted invitation
// changed (by a key or a click), and only then; its states follow its clock.
func TestInvitationsPaneFollowsAndStates(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	moved := 0
	p := &invitationsPane{Clock: ui.Clock{Now: func() time.Time { return now }, Loc: time.UTC}, moved: func() { moved++ }, list: list.New[invKey]()}
	p.all = []invRow{
		{Invitation: store.Invitation{Email: "a@x", Created: now.Add(-time.Hour), Expires: now.Add(time.Hour)}, invited: true},
		{Invitation: store.Invitation{Email: "b@x", Created: now.Add(-2 * time.Hour), Expires: now.Add(-time.Minute)}},
		{Invitation: store.Invitation{Email: "c@x", Created: now.Add(-3 * time.Hour), Expires: now.Add(time.Hour), Revoked: true}},
		{Invitation: store.Invitation{Email: "d@x", Created: now.Add(-4 * time.Hour), Expires: now.Add(time.Hour), Used: now}},
	}
	p.SetSize(80, 10)
	p.refilter("")
	for i, want := range []string{"open", "expired", "revoked", "used"} {
		if got := p.state(&p.rows[i]); got != want {
			t.Errorf("%s: %s, want %s", p.rows[i].Email, got, want)
		}
	}
	run := func(key string) {
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
	for _, c := range []struct {
		step  func()
		moved int
		email string
	}{
		{func() { run("up") }, 0, "a@x"}, // at the top already: nothing to follow
		{func() { run("down") }, 1, "b@x"},
		{func() { run("end") }, 2, "d@x"},
		{func() { p.Update(ui.PaneMouse{MouseMsg: tea.MouseClickMsg{Button: tea.MouseLeft}, Y: 2}) }, 3, "b@x"}, // below the heading
		{func() { p.Update(ui.PaneMouse{MouseMsg: tea.MouseClickMsg{Button: tea.MouseLeft}, Y: 2}) }, 3, "b@x"},
		{func() { p.refilter("C@") }, 3, "c@x"},
	} {
		c.step()
		if moved != c.moved || p.highlighted() == nil || p.highlighted().Email != c.email {
			t.Fatalf("on %v after %d follows; want %s after %d", p.highlighted(), moved, c.email, c.moved)
		}
	}
}
