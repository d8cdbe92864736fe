package tui

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/gatehouse/gatehouse/store"
	"github.com/gatehouse/gatehouse/tui/internal/tuitest"
	"github.com/gatehouse/gatehouse/tui/ui"
)

// rightsConsole is a console open for an actor over a real store, its
// change events arriving through its own subscription, as in a session.
type rightsConsole struct {
	*tuitest.Live
	t   *testing.T
	app *App
}

func openRightsConsole(t *testing.T, s *store.Store, actor store.Actor) *rightsConsole {
	t.Helper()
	app := newTestApp(t, s, &actor, 120, 40)
	c := &rightsConsole{Live: &tuitest.Live{T: t, S: s, M: app, Wait: app.subscribe(), Events: ChangeEvents}, t: t, app: app}
	t.Cleanup(app.Close)
	return c
}

// change applies a change set as the local operator and lets the console
// take the event it publishes.
func (c *rightsConsole) change(what string, fn func(tx *store.Tx) error) {
	c.t.Helper()
	c.Change(what, fn)
}

// help is the help screen's text for the current screen.
func (c *rightsConsole) help() string {
	c.t.Helper()
	press(c.app, "?")
	v := viewOf(c.app)
	if _, ok := c.app.modal.(*help); !ok {
		c.t.Fatalf("? did not open the help:\n%s", v)
	}
	text := strings.Join(c.app.modal.(*help).lines, "\n")
	press(c.app, "esc")
	return text
}

// A Manager's console follows their rights as they change, without a new
// session: lowering the Manager profile's users level to view takes the
// editing keys away (help and keys both) and closes the form they had open;
// raising it gives them back; moving the manager to Basic turns the console
// into their own access alone, and back.
func TestConsoleFollowsTheActorsRights(t *testing.T) {
	s := newTestStore(t, 60)
	actor, mgr := aManager(t, s)
	c := openRightsConsole(t, s, actor)
	app := c.app
	const editKey = "edit the highlighted user"

	if h := c.help(); !strings.Contains(h, editKey) {
		t.Fatalf("a Manager's help lacks %q:\n%s", editKey, h)
	}
	press(app, "e")
	if _, ok := app.modal.(*ui.Form); !ok {
		t.Fatalf("e opened no form for a Manager:\n%s", viewOf(app))
	}

	// the profile's level on Users & permissions goes down to view
	c.change("Manager: users=view", func(tx *store.Tx) error { return tx.Grant("Manager", 0, "users", store.View) })
	if app.modal != nil {
		t.Fatalf("the edit form stayed open after the Manager profile lost maintain on users:\n%s", viewOf(app))
	}
	if v := viewOf(app); !strings.Contains(v, "closed, your access changed") {
		t.Fatalf("no word of why the form closed:\n%s", v)
	}
	if h := c.help(); strings.Contains(h, editKey) || !strings.Contains(h, "You may only view") {
		t.Fatalf("after the demotion the help still offers editing:\n%s", h)
	}
	press(app, "e")
	if app.modal != nil {
		t.Fatalf("e still opens a form after the demotion:\n%s", viewOf(app))
	}
	if v := viewOf(app); !strings.Contains(v, "view only") {
		t.Fatalf("the status line does not say view only:\n%s", v)
	}

	// and back up: the keys come back
	c.change("Manager: users=maintain", func(tx *store.Tx) error { return tx.Grant("Manager", 0, "users", store.Maintain) })
	if h := c.help(); !strings.Contains(h, editKey) {
		t.Fatalf("after maintain came back the help lacks %q:\n%s", editKey, h)
	}
	press(app, "e")
	if _, ok := app.modal.(*ui.Form); !ok {
		t.Fatalf("e opens no form once maintain is back:\n%s", viewOf(app))
	}

	// the manager is moved to Basic: no view on Users & permissions at all
	basic := "Basic"
	c.change("manager → Basic", func(tx *store.Tx) error {
		u, err := tx.UserByEmail(mgr.Email)
		if err != nil {
			return err
		}
		_, err = tx.EditUser(u.ID, u.Version, store.UserPatch{Profile: &basic})
		return err
	})
	v := viewOf(app)
	if !app.self || len(app.screens) != 1 || app.current().Name() != "My access" || app.modal != nil {
		t.Fatalf("a manager moved to Basic still has the admin console (%d screens, modal %v):\n%s", len(app.screens), app.modal != nil, v)
	}
	if !strings.Contains(v, "My access") || !strings.Contains(v, "you may now see only your own access") {
		t.Fatalf("the self-service view is not shown, or not explained:\n%s", v)
	}
	if h := c.help(); strings.Contains(h, editKey) || strings.Contains(h, "add a user") {
		t.Fatalf("the self-service help offers admin keys:\n%s", h)
	}
	press(app, "a")
	press(app, "2")
	if app.modal != nil || len(app.screens) != 1 {
		t.Fatalf("keys of the admin screens still act:\n%s", viewOf(app))
	}

	// and back to Manager: the admin screens return, with their keys
	manager := "Manager"
	c.change("back to Manager", func(tx *store.Tx) error {
		u, err := tx.UserByEmail(mgr.Email)
		if err != nil {
			return err
		}
		_, err = tx.EditUser(u.ID, u.Version, store.UserPatch{Profile: &manager})
		return err
	})
	if app.self || len(app.screens) != 7 || usersOf(app) == nil {
		t.Fatalf("back on Manager the console did not return to the admin screens (%d screens)", len(app.screens))
	}
	if h := c.help(); !strings.Contains(h, editKey) {
		t.Fatalf("back on Manager the help lacks %q:\n%s", editKey, h)
	}
}

// A confirmation of an edit closes too when the rule that allowed it stops
// holding; one that edits nothing (quitting) stays.
func TestConsoleClosesAConfirmationTheActorMayNoLongerGive(t *testing.T) {
	s := newTestStore(t, 400) // the manager has colleagues at their sites
	actor, _ := aManager(t, s)
	c := openRightsConsole(t, s, actor)
	app := c.app
	// two users the manager may change (the list also shows users above
	// them: a disable of those is refused at once)
	picked := 0
	names := s.Names()
	for _, u := range usersOf(app).Listed() {
		if p := names.Profile(u.ProfileID); picked < 2 && (p == "User" || p == "Basic") {
			usersOf(app).Select(u.ID)
			press(app, "space")
			picked++
		}
	}
	if picked < 2 {
		t.Fatalf("the manager sees %d users they may disable, want 2", picked)
	}
	press(app, "d") // disable two users: asks first
	if _, ok := app.modal.(*ui.Confirm); !ok {
		t.Fatalf("disabling two users asked nothing (%s):\n%s", app.msg, viewOf(app))
	}
	c.change("Manager: users=view", func(tx *store.Tx) error { return tx.Grant("Manager", 0, "users", store.View) })
	if app.modal != nil {
		t.Fatalf("the confirmation stayed open after the demotion:\n%s", viewOf(app))
	}
	app.modal = &ui.Confirm{Question: "Quit anyway?", Yes: func() tea.Cmd { return nil }}
	c.change("Manager: reports=none", func(tx *store.Tx) error { return tx.Grant("Manager", 0, "reports", store.None) })
	if _, ok := app.modal.(*ui.Confirm); !ok {
		t.Fatalf("a question that edits nothing was closed")
	}
}

// Another's change is flashed by name and summary only to those who may
// read the audit log: a summary names users and profiles the others may not
// see. A change to their own record is still told, without the summary.
func TestChangeFlashesNeedTheAuditLog(t *testing.T) {
	s := newTestStore(t, 60)
	actor, mgr := aManager(t, s) // the Manager profile has no view on the audit log
	c := openRightsConsole(t, s, actor)
	secret := "add client Secret Partner Ltd"
	c.change(secret, func(tx *store.Tx) error {
		_, err := tx.AddClient("Secret Partner Ltd")
		return err
	})
	if v := viewOf(c.app); strings.Contains(v, "Secret Partner") {
		t.Fatalf("a Manager's console told another's change summary:\n%s", v)
	}
	c.change("feature for "+mgr.Email, func(tx *store.Tx) error {
		u, err := tx.UserByEmail(mgr.Email)
		if err != nil {
			return err
		}
		return tx.SetFeature(u.ID, u.Version, store.FeatureMobileApp, store.Deny)
	})
	if v := viewOf(c.app); !strings.Contains(v, "your record was changed") {
		t.Fatalf("a change to the Manager's own record was not told:\n%s", v)
	}

	// one who may read the audit log is told, by name and summary
	auditor := actorOnNewProfile(t, s, "Auditing manager", "Manager", map[string]store.Level{"audit": store.View})
	a := openRightsConsole(t, s, auditor)
	a.change(secret+" 2", func(tx *store.Tx) error {
		_, err := tx.AddClient("Secret Partner 2")
		return err
	})
	if v := viewOf(a.app); !strings.Contains(v, "local:admin changed: add client Secret Partner Ltd 2") {
		t.Fatalf("one who may read the audit log was not told:\n%s", v)
	}
}
