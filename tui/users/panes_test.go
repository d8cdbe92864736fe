package users

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/gatehouse/gatehouse/tui/ui"
)

// The Filters pane changes the screen's query in place, and the list follows
// at once: ←/→ step a filter through its choices, and back.
func TestFiltersPaneCyclesTheQuery(t *testing.T) {
	s := newTestStore(t, 60)
	app := newTestApp(t, s, nil, 120, 40)
	u := usersOf(app)
	f := u.filters
	all := len(u.users.rows)
	for _, c := range []struct {
		row   int
		key   string
		query func() bool // the query after the key
	}{
		{filterType, "right", func() bool { return u.q.typ == 1 }},
		{filterType, "left", func() bool { return u.q.typ == 0 }},
		{filterStatus, "right", func() bool { return u.q.status == 1 }},
		{filterStatus, "left", func() bool { return u.q.status == 0 }},
		{filterProfile, "enter", func() bool { return u.q.profile == u.cat.profiles[0].ID }},
		{filterProfile, "left", func() bool { return u.q.profile == 0 }},
		{filterSite, "right", func() bool { return u.q.site == u.cat.sites[0].ID }},
		{filterSite, "left", func() bool { return u.q.site == 0 }},
	} {
		f.list.SetCursor(c.row)
		f.Update(keyMsg(c.key))
		if !c.query() {
			t.Errorf("row %d, %s: query %+v", c.row, c.key, u.q)
		}
	}
	if len(u.users.rows) != all {
		t.Errorf("every filter back at its start: %d rows, want %d", len(u.users.rows), all)
	}
	f.list.SetCursor(filterText)
	if cmd := f.Update(keyMsg("enter")); cmd == nil {
		t.Error("enter on Search did not open the / line")
	}
}

// The details pane builds its lines once per user version, width and theme
// (prepare); View at another width builds them anew and keeps nothing.
func TestDetailsPaneCachesItsLines(t *testing.T) {
	s := newTestStore(t, 20)
	app := newTestApp(t, s, nil, 120, 40)
	d := usersOf(app).details
	d.SetSize(40, 30)
	d.prepare()
	key, lines := d.key, d.lines
	if key == "" || len(lines) == 0 {
		t.Fatalf("prepare built nothing: %q", key)
	}
	if v := d.View(40, 30, false); &v[0] != &lines[0] {
		t.Error("View at the prepared width did not draw the prepared lines")
	}
	wide := d.View(90, 30, false)
	if d.key != key || &d.lines[0] != &lines[0] || &wide[0] == &lines[0] {
		t.Error("View at another width changed the cache or drew from it")
	}
	d.prepare()
	if &d.lines[0] != &lines[0] {
		t.Error("prepare built the same lines again")
	}
	if got := ansi.Strip(strings.Join(d.View(40, 30, false), "\n")); !strings.Contains(got, "Effective access") {
		t.Errorf("details:\n%s", got)
	}
}

// The list pane takes its window from SetSize: its height less the column
// headings, and a click at a row's line highlights it.
func TestListPaneSizeAndMouse(t *testing.T) {
	s := newTestStore(t, 60)
	app := newTestApp(t, s, nil, 120, 40)
	l := usersOf(app).users
	for _, h := range []int{5, 12, 30} {
		l.SetSize(80, h)
		if l.list.Visible() != h-1 {
			t.Errorf("height %d: %d rows in view, want %d", h, l.list.Visible(), h-1)
		}
		if v := l.View(80, h, true); len(v) > h {
			t.Errorf("height %d: %d lines", h, len(v))
		}
	}
	l.Update(ui.PaneMouse{MouseMsg: tea.MouseClickMsg{Button: tea.MouseLeft}, Y: 3})
	if l.list.Cursor() != 2 {
		t.Errorf("a click at line 3 (below the headings) highlighted row %d, want 2", l.list.Cursor())
	}
}
