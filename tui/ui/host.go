package ui

import (
	tea "charm.land/bubbletea/v2"

	"github.com/gatehouse/gatehouse/store"
)

// Host is what a screen reaches of the console that shows it (the App):
// the store as its actor sees it, the look, the status line, dialogs, and
// the other screens, which it never imports. Like soft-serve's common
// context, one value shared by every screen of a console.
type Host interface {
	Store() *store.Store
	Actor() store.Actor
	Theme() *Theme // asked at each draw: it changes when the terminal says its background is light
	Clock() Clock
	// ReadOnly: the actor may change nothing the console edits (editing
	// keys are not offered).
	ReadOnly() bool
	// Size is the terminal's, in cells (a dialog sizes itself from it).
	Size() (w, h int)

	// Focus is the focused pane (0-2) of the screen shown.
	Focus() int
	SetFocus(pane int)

	// Flash shows a message in the status line, made safe there.
	Flash(msg string, bad bool)
	// Fail shows a store error with the console's fix; a form that
	// submitted what was refused stays open with it (TakeRefusal).
	Fail(err error)
	// TakeRefusal is the status line Fail wrote since the last call, and
	// the error it showed, and forgets them.
	TakeRefusal() (line string, err error)
	// Applied records a committed change set for undo, follows it on
	// every screen and reports it.
	Applied(cs *store.ChangeSet, what string)

	// Open shows a dialog over the panes until it closes (nil: none).
	Open(m Modal)
	// StartFilter opens the "/" line on the focused list.
	StartFilter() tea.Cmd

	// The jumps to another screen.
	ShowHistory(entity string)                   // History, filtered to one record
	AssignSites(who []*store.User, clients bool) // Sites & teams for these users (at its Clients group)
	WhoCan(q store.WhoCanQuery) error            // who passes a check, and why
}
