package tui

import "github.com/gatehouse/gatehouse/tui/ui"

// Screens are what a console shows, each made for its Host: the admin
// screens in tab order (keys 1 to 7), and the one screen of someone who may
// see only their own access. The shell knows no screen by name: a screen
// reaches another through the Host (ShowHistory, AssignSites).
type Screens struct {
	Admin []func(ui.Host) ui.Screen
	Self  func(ui.Host) ui.Screen
}
