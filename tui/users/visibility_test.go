package users

import (
	"slices"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/store"
	"github.com/gatehouse/gatehouse/tui"
	"github.com/gatehouse/gatehouse/tui/internal/tuitest"
	"github.com/gatehouse/gatehouse/tui/ui"
)

// rightsConsole is a console open for an actor over a real store, its
// change events arriving through its own subscription, as in a session.
type rightsConsole struct {
	*tuitest.Live
	app *tui.App
}

func openRightsConsole(t *testing.T, s *store.Store, actor store.Actor) *rightsConsole {
	t.Helper()
	app := newTestApp(t, s, &actor, 120, 40)
	c := &rightsConsole{Live: &tuitest.Live{T: t, S: s, M: app, Wait: app.Subscribe(), Events: tui.ChangeEvents}, app: app}
	t.Cleanup(app.Close)
	return c
}

// change applies a change set as the local operator and lets the console
// take the event it publishes.
func (c *rightsConsole) change(what string, fn func(tx *store.Tx) error) {
	c.T.Helper()
	c.Change(what, fn)
}

// listedIDs are the users the Users screen lists, with every filter open.
func listedIDs(app *tui.App) []uint64 {
	u := usersOf(app)
	u.q = userQuery{typ: 2, status: len(statusChoices) - 1}
	u.users.refilter(true)
	var ids []uint64
	for _, r := range u.users.rows {
		ids = append(ids, r.u.ID)
	}
	slices.Sort(ids)
	return ids
}

// visibleIDs are the users store.Visible lets actor see.
func visibleIDs(s *store.Store, actor store.Actor) []uint64 {
	see := s.Visible(actor)
	var ids []uint64
	s.EachUser(func(u *store.User) {
		if see(u) {
			ids = append(ids, u.ID)
		}
	})
	slices.Sort(ids)
	return ids
}

// A Manager (profile scoped to assigned sites) is listed exactly the users
// the store lets them see — as `users list` does — not every user, and the
// list follows changes to what they reach: a site given to them brings its
// users in, taken away takes them out again, without a new session.
func TestUsersScreenListsOnlyWhomTheActorMaySee(t *testing.T) {
	s := newTestStore(t, 200)
	actor, mgr := aManager(t, s)
	c := openRightsConsole(t, s, actor)
	app := c.app
	got, want := listedIDs(app), visibleIDs(s, actor)
	if len(want) == 0 || len(want) == s.UserCount() {
		t.Fatalf("the demo Manager sees %d of %d users: not a scoped test", len(want), s.UserCount())
	}
	if !slices.Equal(got, want) {
		t.Fatalf("the Manager's console lists %d users, the store lets them see %d", len(got), len(want))
	}
	if v := viewOf(app); !strings.Contains(v, "Everyone (") || strings.Contains(v, ui.Thousands(s.UserCount())+")") {
		t.Fatalf("the list's count is not the visible one:\n%s", v)
	}

	// another site for the manager: its users come into view
	var other *store.Site
	mine := map[uint64]bool{}
	for _, id := range mgr.SiteIDs {
		mine[id] = true
	}
	for _, st := range s.Sites() {
		if !mine[st.ID] && st.ClientID == 0 {
			other = st
			break
		}
	}
	if other == nil {
		t.Skip("no own site outside the manager's")
	}
	c.change("give the manager "+other.Name, func(tx *store.Tx) error {
		u, err := tx.UserByEmail(mgr.Email)
		if err != nil {
			return err
		}
		return tx.AssignSites(u.ID, u.Version, []string{other.Name}, nil, true)
	})
	wider := visibleIDs(s, actor)
	if len(wider) <= len(want) {
		t.Fatalf("a new site brought no one into view (%d → %d): pick another fixture", len(want), len(wider))
	}
	if got := listedIDs(app); !slices.Equal(got, wider) {
		t.Fatalf("after the new site the console lists %d users, the store lets them see %d", len(got), len(wider))
	}
	c.change("take it back", func(tx *store.Tx) error {
		u, err := tx.UserByEmail(mgr.Email)
		if err != nil {
			return err
		}
		return tx.AssignSites(u.ID, u.Version, []string{other.Name}, nil, false)
	})
	if got := listedIDs(app); !slices.Equal(got, want) {
		t.Fatalf("after the site was taken back the console lists %d users, want %d", len(got), len(want))
	}
}

// The quick start's first page (big databases) keeps only whom the actor
// may see, and counts only them.
func TestUsersQuickStartKeepsOnlyTheVisible(t *testing.T) {
	s := newTestStore(t, 400)
	actor, _ := aManager(t, s)
	want := visibleIDs(s, actor)
	v := newVisibility(s, actor)
	rows, total := quickFirstPage(s, userQuery{typ: 2, status: len(statusChoices) - 1}, s.Names().TeamSite, v.keep())
	if total != len(want) || len(rows) != min(len(want), quickRows) {
		t.Fatalf("quick first page: %d rows of %d, want %d visible", len(rows), total, len(want))
	}
	for _, r := range rows {
		if _, ok := slices.BinarySearch(want, r.u.ID); !ok {
			t.Fatalf("the quick first page shows %s, whom the Manager may not see", r.u.Email)
		}
	}
	if newVisibility(s, store.LocalActor("op")) != nil {
		t.Fatal("the operator's console filters its list")
	}
}
