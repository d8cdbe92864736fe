package ui

import tea "charm.land/bubbletea/v2"

// Modal is an overlay that takes every key until it closes.
type Modal interface {
	Update(msg tea.Msg, h Host) (tea.Cmd, bool) // bool: closed
	View(th *Theme, w, h int) string
}

// Guarded is a dialog that submits a change: the console closes it once
// the actor may no longer make it (their rights change under it).
type Guarded interface {
	Guard(why func() string)
	ClosedBecause(h Host) string // "" while it may stay open
	What() string
}

// EditGuard is the rights check a dialog re-runs when rights may have
// changed: the check of the editing key that opened it.
type EditGuard struct{ why func() string }

func (g *EditGuard) Guard(why func() string) { g.why = why }

func (g *EditGuard) ClosedBecause(h Host) string {
	switch {
	case g.why == nil: // not an edit (a filter, quitting)
		return ""
	case h.ReadOnly():
		return "you may only view now"
	}
	return g.why()
}
