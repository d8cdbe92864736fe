package tui

import "github.com/gatehouse/gatehouse/tui/ui"

// The screens still in package tui, as package console lists them; each
// goes when its screen moves to a package of its own.

func NewUsersScreen(h ui.Host) ui.Screen { return newUsersScreen(h.(*App)) }
