package places

import (
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/gatehouse/gatehouse/tui/internal/tuitest"
	"github.com/gatehouse/gatehouse/tui/ui"
)

// runNav runs the pane's navigation binding for key.
func runNav(t *testing.T, p ui.Pane, key string) {
	t.Helper()
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

// Each pane follows the one before it: a move in the Clients pane (a key
// or a click) shows that row's sites from the first and their first site's
// teams; ←/→ in the Sites pane step through the clients; a move in the
// Sites pane shows the new site's teams from the first; the Teams pane
// moves only itself.
func TestPlacesPanesFollowEachOther(t *testing.T) {
	s, c := newClockedStore(t, 60)
	app := newClockedApp(t, s, c, nil, 120, 40)
	press(app, "5")
	p := placesOf(app)
	if len(p.data.clients) < 2 {
		t.Fatalf("%d clients in the demo: too few", len(p.data.clients))
	}
	click := func(y int) func() {
		return func() { p.clients.Update(ui.PaneMouse{MouseMsg: tea.MouseClickMsg{Button: tea.MouseLeft}, Y: y}) }
	}
	for _, st := range []struct {
		name string
		step func()
		row  int // the Clients pane's row after the step
	}{
		{"down to own", func() { runNav(t, p.clients, "down") }, placesOwn},
		{"down to a client", func() { runNav(t, p.clients, "j") }, placesFirstClient},
		{"right in Sites", func() { p.sites.Update(tuitest.Key("right")) }, placesFirstClient + 1},
		{"left in Sites", func() { p.sites.Update(tuitest.Key("left")) }, placesFirstClient},
		{"left past own", func() { p.sites.Update(tuitest.Key("left")); p.sites.Update(tuitest.Key("left")) }, placesAll},
		{"left wraps", func() { p.sites.Update(tuitest.Key("left")) }, placesFirstClient + len(p.data.clients) - 1},
		{"a click on own", click(1 + placesOwn), placesOwn}, // below the heading
		{"home", func() { runNav(t, p.clients, "home") }, placesAll},
	} {
		p.sites.list.SetCursor(len(p.sites.rows) - 1) // away from the first, to see it reset
		st.step()
		if got := p.clients.row(); got != st.row {
			t.Fatalf("%s: Clients on row %d, want %d", st.name, got, st.row)
		}
		_, cl := p.leftRow()
		for _, site := range p.sites.rows {
			if cl != nil && site.ClientID != cl.ID || st.row == placesOwn && site.ClientID != 0 {
				t.Fatalf("%s: site %s of client %d listed", st.name, site.Name, site.ClientID)
			}
		}
		if len(p.sites.rows) > 1 && p.sites.list.Cursor() != 0 {
			t.Errorf("%s: the sites' cursor stayed on %d", st.name, p.sites.list.Cursor())
		}
	}
	// a site with two teams or more: a move in Sites resets the teams' cursor
	site := -1
	for i, r := range p.sites.rows {
		if len(p.data.teams[r.ID]) > 1 && i > 0 {
			site = i
			break
		}
	}
	if site < 0 {
		t.Fatal("no site with two teams below the first")
	}
	p.sites.list.SetCursor(site - 1)
	p.teams.follow(true)
	runNav(t, p.sites, "down")
	runNav(t, p.teams, "down")
	if p.teams.list.Cursor() != 1 || p.team() != p.data.teams[p.sites.rows[site].ID][1] {
		t.Fatalf("the Teams pane moved to %d", p.teams.list.Cursor())
	}
	runNav(t, p.sites, "up")
	runNav(t, p.sites, "down")
	if p.teams.list.Cursor() != 0 || p.site() != p.sites.rows[site] {
		t.Errorf("back on the site: teams' cursor %d, want the first", p.teams.list.Cursor())
	}
	if v := p.teams.View(40, 20, true); len(v) < placesTeamTop+1 {
		t.Errorf("the Teams pane drew %d lines", len(v))
	}
}
