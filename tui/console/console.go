// Package console is gatehouse's console as it ships: the shell of package
// tui with its screens, each a package of its own. The shell imports no
// screen, so a screen's tests can open a whole console.
package console

import (
	"github.com/gatehouse/gatehouse/store"
	"github.com/gatehouse/gatehouse/tui"
	"github.com/gatehouse/gatehouse/tui/history"
	"github.com/gatehouse/gatehouse/tui/outbox"
	"github.com/gatehouse/gatehouse/tui/permissions"
	"github.com/gatehouse/gatehouse/tui/places"
	"github.com/gatehouse/gatehouse/tui/self"
	"github.com/gatehouse/gatehouse/tui/settings"
	"github.com/gatehouse/gatehouse/tui/sites"
	"github.com/gatehouse/gatehouse/tui/ui"
	"github.com/gatehouse/gatehouse/tui/users"
)

// Screens are the console's screens, in tab order.
var Screens = tui.Screens{
	Admin: []func(ui.Host) ui.Screen{
		users.New,
		sites.New,
		permissions.New,
		history.New,
		places.New,
		outbox.New,
		settings.New,
	},
	Self: self.New,
}

// New builds a console for an actor (tui.New with the console's screens).
func New(s *store.Store, actor store.Actor, opts tui.Options) *tui.App {
	return tui.New(s, actor, Screens, opts)
}

// Run opens the console in this terminal until the operator quits.
func Run(s *store.Store, actor store.Actor, opts tui.Options) error {
	return tui.Run(s, actor, Screens, opts)
}
