package sites

import (
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/gatehouse/gatehouse/tui/internal/tuitest"
	"github.com/gatehouse/gatehouse/tui/ui"
)

// A list pane scrolls with the wheel within the window SetSize gave it, and
// esc clears its own marks only.
func TestSiteListPaneWheelAndEsc(t *testing.T) {
	s := newTestStore(t, 60)
	app := newTestApp(t, s, nil, 120, 40)
	press(app, "enter") // the highlighted user's sites
	avail, assigned := &sitesOf(app).lists[siteAvail], &sitesOf(app).lists[siteAssigned]
	const h = 4
	avail.SetSize(30, h)
	if len(avail.rows) <= h {
		t.Fatalf("%d rows: too few to scroll in %d", len(avail.rows), h)
	}
	wheel := func(b tea.MouseButton) ui.PaneMouse {
		return ui.PaneMouse{MouseMsg: tea.MouseWheelMsg{Button: b}}
	}
	for _, st := range []struct {
		button tea.MouseButton
		moved  bool
	}{
		{tea.MouseWheelUp, false}, // at the top already
		{tea.MouseWheelDown, true},
		{tea.MouseWheelUp, true},
	} {
		before := avail.Offset()
		avail.Update(wheel(st.button))
		if moved := avail.Offset() != before; moved != st.moved {
			t.Errorf("wheel %v from offset %d: moved %v", st.button, before, moved)
		}
		if v := avail.View(30, h, true); len(v) > h {
			t.Errorf("%d lines in %d", len(v), h)
		}
	}
	avail.Home()
	for _, r := range avail.rows {
		if r.it != nil && !r.blocked {
			avail.Mark(itemRow(r.it.key))
		}
	}
	for _, r := range assigned.rows {
		if r.it != nil {
			assigned.Mark(itemRow(r.it.key))
			break
		}
	}
	marked := assigned.MarkCount()
	avail.Update(tuitest.Key("esc"))
	if avail.MarkCount() != 0 || assigned.MarkCount() != marked {
		t.Errorf("esc in Available: %d marks left there, %d in Assigned (want 0, %d)", avail.MarkCount(), assigned.MarkCount(), marked)
	}
}
