package tui

import (
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/gatehouse/gatehouse/store"
	"github.com/gatehouse/gatehouse/tui/history"
	"github.com/gatehouse/gatehouse/tui/internal/tuitest"
	"github.com/gatehouse/gatehouse/tui/outbox"
	"github.com/gatehouse/gatehouse/tui/permissions"
	"github.com/gatehouse/gatehouse/tui/places"
	"github.com/gatehouse/gatehouse/tui/self"
	"github.com/gatehouse/gatehouse/tui/settings"
	"github.com/gatehouse/gatehouse/tui/sites"
	"github.com/gatehouse/gatehouse/tui/ui"
	"github.com/gatehouse/gatehouse/tui/users"
)

// Shared by every tui test file; what the tests of every console package
// share is in internal/tuitest. Screen-specific helpers go in that screen's
// test file with the screen's name in theirs.

var (
	viewOf            = tuitest.View
	rawView           = tuitest.RawView
	newTestStore      = tuitest.Store
	keyMsg            = tuitest.Key
	runeKey           = tuitest.RuneKey
	press             = tuitest.Press
	typeText          = tuitest.Type
	typeQuick         = tuitest.TypeQuick
	drain             = tuitest.Drain
	runCmd            = tuitest.Run
	checkFits         = tuitest.CheckFits
	flat              = tuitest.Flat
	actorOnNewProfile = tuitest.ActorOnNewProfile
	aManager          = tuitest.AManager
)

var sizes = []struct{ w, h int }{{80, 24}, {120, 40}, {200, 60}}

// newTestApp builds a console for actor (local operator when nil) at w×h.
func newTestApp(t testing.TB, s *store.Store, actor *store.Actor, w, h int) *App {
	t.Helper()
	a := store.LocalActor("test")
	if actor != nil {
		a = *actor
	}
	app := New(s, a, testScreens, Options{DBPath: "test.db"})
	app.modal = nil // no welcome screen in tests unless a test sets it
	app.Update(tea.WindowSizeMsg{Width: w, Height: h})
	return app
}

// newTestAppWith builds a console for the local operator with opts at w×h.
func newTestAppWith(t testing.TB, s *store.Store, opts Options, w, h int) *App {
	t.Helper()
	app := New(s, store.LocalActor("test"), testScreens, opts)
	app.modal = nil
	app.Update(tea.WindowSizeMsg{Width: w, Height: h})
	return app
}

// testScreens are the console's screens (console.Screens, which imports this package).
var testScreens = Screens{
	Admin: []func(ui.Host) ui.Screen{users.New, sites.New, permissions.New, history.New, places.New, outbox.New, settings.New},
	Self:  self.New,
}

// settleWork runs the shown screen's background work (History's reads), as
// the App would after each message, until it starts none.
func settleWork(t *testing.T, app *App) {
	t.Helper()
	for range 100 {
		_, cmd := app.Update(ui.JobDoneMsg{})
		if cmd == nil {
			return
		}
		runCmd(app, cmd)
	}
	t.Fatal("the screen still starts work after 100 rounds of it")
}

// usersOf is the Users screen (nil when the console shows only the actor's
// own access).
func usersOf(app *App) *users.Screen {
	u, _ := app.screens[0].(*users.Screen)
	return u
}
