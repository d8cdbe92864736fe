package self

import (
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/gatehouse/gatehouse/store"
	"github.com/gatehouse/gatehouse/tui"
	"github.com/gatehouse/gatehouse/tui/history"
	"github.com/gatehouse/gatehouse/tui/internal/tuitest"
	"github.com/gatehouse/gatehouse/tui/outbox"
	"github.com/gatehouse/gatehouse/tui/permissions"
	"github.com/gatehouse/gatehouse/tui/places"
	"github.com/gatehouse/gatehouse/tui/settings"
	"github.com/gatehouse/gatehouse/tui/sites"
	"github.com/gatehouse/gatehouse/tui/ui"
	"github.com/gatehouse/gatehouse/tui/users"
)

// This screen's tests open whole consoles, with the screens package console
// lists (which they cannot import: it imports this package).
var screens = tui.Screens{
	Admin: []func(ui.Host) ui.Screen{users.New, sites.New, permissions.New, history.New, places.New, outbox.New, settings.New},
	Self:  New,
}

var (
	viewOf          = tuitest.View
	newClockedStore = tuitest.ClockedStore
	checkFits       = tuitest.CheckFits
)

// golden compares a settled screen with tui/testdata/NAME.golden, where
// every screen's whole-console goldens are (-update rewrites).
func golden(t *testing.T, name, got string) {
	t.Helper()
	tuitest.Golden(t, "../testdata", name, got)
}

var sizes = []struct{ w, h int }{{80, 24}, {120, 40}, {200, 60}}

// newClockedApp builds a console for actor (local operator when nil) at
// w×h, telling time by c in UTC.
func newClockedApp(t testing.TB, s *store.Store, c *tuitest.Clock, actor *store.Actor, w, h int) *tui.App {
	t.Helper()
	return openApp(s, actor, tui.Options{DBPath: "test.db", Clock: ui.Clock{Now: c.Now, Loc: time.UTC}}, w, h)
}

func openApp(s *store.Store, actor *store.Actor, opts tui.Options, w, h int) *tui.App {
	a := store.LocalActor("test")
	if actor != nil {
		a = *actor
	}
	app := tui.New(s, a, screens, opts)
	app.Open(nil) // no welcome screen in tests unless a test opens it
	app.Update(tea.WindowSizeMsg{Width: w, Height: h})
	return app
}
