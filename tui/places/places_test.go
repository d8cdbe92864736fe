package places

import (
	"fmt"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/store"
	"github.com/gatehouse/gatehouse/tui"
)

func placesOf(app *tui.App) *Screen { return app.Screen(4).(*Screen) }

func TestPlacesScreenGolden(t *testing.T) {
	s, c := newClockedStore(t, 60)
	for _, sz := range sizes {
		t.Run(fmt.Sprintf("%dx%d", sz.w, sz.h), func(t *testing.T) {
			app := newClockedApp(t, s, c, nil, sz.w, sz.h)
			press(app, "5")
			v := viewOf(app)
			checkFits(t, v, sz.w, sz.h)
			golden(t, fmt.Sprintf("places_%dx%d", sz.w, sz.h), v)
		})
	}
}

// a adds by the focused pane: a client on the left, a site of the highlighted
// client in the middle, a team of the highlighted site on the right.
func TestPlacesAddClientSiteTeamByKeys(t *testing.T) {
	s, c := newClockedStore(t, 30)
	app := newClockedApp(t, s, c, nil, 120, 40)
	press(app, "5", "shift+tab") // the Clients pane
	press(app, "a")
	if app.Modal() == nil {
		t.Fatal("a opened no form")
	}
	typeQuick(app, "Zeta Works")
	press(app, "enter")
	if app.Modal() != nil {
		t.Fatalf("the client form is still open:\n%s", viewOf(app))
	}
	if cl := placesOf(app).client(); cl == nil || cl.Name != "Zeta Works" {
		t.Fatalf("the new client is not highlighted: %v (%s)", cl, app.Message())
	}

	press(app, "tab", "a") // the Sites pane: the client defaults to the highlighted one
	typeQuick(app, "Zeta North")
	press(app, "enter") // to the client select
	press(app, "enter") // submit
	if app.Modal() != nil {
		t.Fatalf("the site form is still open:\n%s", viewOf(app))
	}
	var site *store.Site
	for _, st := range s.Sites() {
		if st.Name == "Zeta North" {
			site = st
		}
	}
	if site == nil {
		t.Fatalf("no site Zeta North: %s", app.Message())
	}
	if got := s.Names().Client(site.ClientID); got != "Zeta Works" {
		t.Errorf("Zeta North belongs to %q, want Zeta Works", got)
	}
	if st := placesOf(app).site(); st == nil || st.ID != site.ID {
		t.Errorf("the new site is not highlighted")
	}

	press(app, "tab", "a") // the Teams pane: a team of the highlighted site
	typeQuick(app, "Early")
	press(app, "enter")
	var team *store.Team
	for _, tm := range s.Teams() {
		if tm.Name == "Early" {
			team = tm
		}
	}
	if team == nil || team.SiteID != site.ID {
		t.Fatalf("team Early: %+v (%s)", team, app.Message())
	}
	v := viewOf(app)
	for _, want := range []string{"Zeta Works", "Zeta North", "Early", "change set #"} {
		if !strings.Contains(v, want) {
			t.Errorf("view lacks %q:\n%s", want, v)
		}
	}
	// three change sets, each undoable
	press(app, "u")
	if len(s.Teams()) == 0 {
		t.Fatal("undo removed every team")
	}
}

// A duplicate is the store's refusal, shown in the status line; nothing added.
func TestPlacesRefusals(t *testing.T) {
	s, c := newClockedStore(t, 200)
	app := newClockedApp(t, s, c, nil, 120, 40)
	n := len(s.Clients())
	press(app, "5", "shift+tab", "a")
	typeQuick(app, "Acme Logistics")
	press(app, "enter")
	if len(s.Clients()) != n || !strings.Contains(app.Message(), "already exists") {
		t.Errorf("duplicate client: %d clients, status %q", len(s.Clients()), app.Message())
	}

	// a Manager views clients but may not add one: the key says why
	app = newClockedApp(t, s, c, managerActor(t, s), 120, 40)
	press(app, "5", "shift+tab", "a")
	if app.Modal() != nil || !strings.Contains(app.Message(), "needs maintain") {
		t.Errorf("a manager's a: modal %v, status %q", app.Modal() != nil, app.Message())
	}
}

// Counts: sites per client on the left, users per site in the middle; ←→ in
// the Sites pane steps through the clients (two-pane terminals hide the left).
func TestPlacesCountsAndClientStepping(t *testing.T) {
	s, c := newClockedStore(t, 60)
	app := newClockedApp(t, s, c, nil, 100, 30)
	press(app, "5")
	p := placesOf(app)
	if len(p.sites.rows) != len(s.Sites()) {
		t.Fatalf("all sites: %d rows, want %d", len(p.sites.rows), len(s.Sites()))
	}
	press(app, "right", "right") // all → own → first client
	cl := p.client()
	if cl == nil {
		t.Fatal("no client after two steps right")
	}
	for _, st := range p.sites.rows {
		if st.ClientID != cl.ID {
			t.Errorf("site %s of another client under %s", st.Name, cl.Name)
		}
	}
	if h := viewOf(app); !strings.Contains(h, "‹ "+cl.Name+" ›") {
		t.Errorf("the header does not name %s:\n%s", cl.Name, h)
	}
	// users per site, as the store counts them
	site := p.sites.rows[0]
	want := 0
	s.EachUser(func(u *store.User) {
		n := s.Names()
		seen := containsID(u.SiteIDs, site.ID)
		for _, tid := range u.TeamIDs {
			if n.Team(tid) != "" && strings.HasPrefix(n.Team(tid), site.Name+"/") {
				seen = true
			}
		}
		if seen {
			want++
		}
	})
	if got := p.data.count.sites[site.ID]; got != want {
		t.Errorf("%s: %d users counted, want %d", site.Name, got, want)
	}
	press(app, "/")
	typeQuick(app, "zzz")
	if len(p.sites.rows) != 0 || !strings.Contains(viewOf(app), "no site matches") {
		t.Errorf("filter zzz: %d rows", len(p.sites.rows))
	}
}
