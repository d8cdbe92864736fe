package history

import (
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/gatehouse/gatehouse/store"
	"github.com/gatehouse/gatehouse/tui/ui"
)

// The Filter pane changes the filter under its cursor: ←/→ step the time
// through its spans (and back round), enter on the entity opens the / line
// and on the actor the screen's form; other keys and rows do nothing.
func TestFilterPaneChangesItsFilter(t *testing.T) {
	s, c := newClockedStore(t, 30)
	app := newClockedApp(t, s, c, nil, 120, 40)
	press(app, "4")
	settleHistory(t, app)
	h := historyOf(app)
	f := h.filter
	asked := 0
	f.actor = func() tea.Cmd { asked++; return nil }
	last := len(histSpans) - 1
	for _, st := range []struct {
		row   int
		key   string
		span  int
		asked int
		cmd   bool // a command comes back (the / line)
	}{
		{histTime, "right", 0, 0, false},
		{histTime, "right", 1, 0, false},
		{histTime, "left", 0, 0, false},
		{histTime, "left", last, 0, false},
		{histTime, "enter", 0, 0, false},
		{histTime, "up", 0, 0, false}, // a binding's key: not the pane's
		{histEntity, "left", 0, 0, false},
		{histEntity, "enter", 0, 0, true},
		{histActor, "right", 0, 0, false},
		{histActor, "enter", 0, 1, false},
	} {
		f.list.SetCursor(st.row)
		cmd := f.Update(keyMsg(st.key))
		if h.q.span != st.span || asked != st.asked || (cmd != nil) != st.cmd {
			t.Fatalf("row %d, %s: span %d, actor asked %d, cmd %v; want %d, %d, %v", st.row, st.key, h.q.span, asked, cmd != nil, st.span, st.asked, st.cmd)
		}
	}
	if got := f.View(30, 20, true); len(got) <= histRows {
		t.Errorf("the Filter pane drew %d lines", len(got))
	}
}

// The entries pane drops an answer for filters changed since it was asked
// for, and keeps its cursor on the entry it was on when the answer has it.
func TestEntriesPaneTakesOnlyFreshAnswers(t *testing.T) {
	s, c := newClockedStore(t, 30)
	app := newClockedApp(t, s, c, nil, 120, 40)
	press(app, "4")
	settleHistory(t, app)
	p := historyOf(app).list
	rows := append([]store.AuditEntry(nil), p.log.loaded()...)
	if len(rows) < 3 {
		t.Fatalf("%d entries: too few", len(rows))
	}
	gen := p.list.Generation()
	p.list.SetCursor(2)
	if !p.take(gen, rows, rows[2].Seq) || p.at().Seq != rows[2].Seq {
		t.Fatalf("a fresh answer with the entry: on %v, want #%d", p.at(), rows[2].Seq)
	}
	if !p.take(gen, rows[1:], 0) || p.list.Cursor() != 0 {
		t.Errorf("an answer without the entry: the cursor on %d, want the top", p.list.Cursor())
	}
	p.list.StartFilter() // the filters changed: answers for the old ones are stale
	if p.take(gen, rows[:1], 0) {
		t.Error("a stale answer was taken")
	}
}

// The change pane scrolls by the wheel (and then stays where it was put)
// within the limit prepare set.
func TestChangePaneWheelScrollsByHand(t *testing.T) {
	s, c := newClockedStore(t, 30)
	app := newClockedApp(t, s, c, nil, 120, 40)
	press(app, "4")
	settleHistory(t, app)
	p := historyOf(app).changes
	p.SetSize(50, 6) // a short pane: the change set scrolls
	p.prepare()
	if len(p.chg.body) <= 6 {
		t.Fatalf("%d lines of change set: too few to scroll", len(p.chg.body))
	}
	wheel := func(b tea.MouseButton) ui.PaneMouse { return ui.PaneMouse{MouseMsg: tea.MouseWheelMsg{Button: b}} }
	p.scroll.Home()
	p.Update(wheel(tea.MouseWheelDown))
	if !p.scroll.ByHand || p.scroll.Off == 0 {
		t.Fatalf("the wheel did not scroll: offset %d, by hand %v", p.scroll.Off, p.scroll.ByHand)
	}
	off := p.scroll.Off
	p.prepare() // by hand: prepare keeps the place
	if p.scroll.Off != off {
		t.Errorf("prepare moved a pane scrolled by hand from %d to %d", off, p.scroll.Off)
	}
	for range 100 {
		p.Update(wheel(tea.MouseWheelDown))
	}
	if limit := max(len(p.chg.body)-max(6-len(p.chg.head), 1), 0); p.scroll.Off != limit {
		t.Errorf("the wheel took the offset to %d, want the end, %d", p.scroll.Off, limit)
	}
}
