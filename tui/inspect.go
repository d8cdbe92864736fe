package tui

import (
	tea "charm.land/bubbletea/v2"

	"github.com/gatehouse/gatehouse/store"
	"github.com/gatehouse/gatehouse/tui/ui"
)

// What a console holds now, read by the programs and tests that drive one
// through its messages (a screen's tests open a whole console).

// Message is the status line's message ("" for none).
func (a *App) Message() string { return a.msg }

// MessageBad says the message is bad news (a refusal, an error).
func (a *App) MessageBad() bool { return a.msgBad }

// Modal is the dialog open over the panes (nil: none).
func (a *App) Modal() ui.Modal { return a.modal }

// Shown is the index of the screen shown.
func (a *App) Shown() int { return a.cur }

// Screen is the i-th screen, in tab order.
func (a *App) Screen(i int) ui.Screen { return a.screens[i] }

// SwitchTo shows the i-th screen, as its number key does.
func (a *App) SwitchTo(i int) { a.switchTo(i) }

// Undoable is how many change sets made here u would undo, one by one.
func (a *App) Undoable() int { return len(a.undoStack) }

// Pending is the unsaved changes of every screen.
func (a *App) Pending() int { return a.pendingTotal() }

// Reload re-reads the store, as ctrl+r does.
func (a *App) Reload() { a.reloadAll() }

// Subscribe starts the store's change events, as Init does, and returns
// the wait for the next.
func (a *App) Subscribe() tea.Cmd { return a.subscribe() }

// ChangeEvent is the message a console gets for a change event: its
// subscription delivers them; a program or test feeding one its own gives it
// this.
func ChangeEvent(ev store.Event) tea.Msg { return eventMsg{ev: ev} }

// ChangeEvents are the change events a message brings (ok: it brings some),
// the first and those that queued up behind it.
func ChangeEvents(msg tea.Msg) ([]store.Event, bool) {
	m, ok := msg.(eventMsg)
	if !ok {
		return nil, false
	}
	return append([]store.Event{m.ev}, m.more...), true
}
