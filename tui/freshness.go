package tui

import (
	"time"

	tea "charm.land/bubbletea/v2"
)

// A store that other nodes share (etcd) can stop taking change sets (its
// cluster lost its quorum): the console then stays up, read-only, and says
// so on its status line, since when and how old what it shows is. It asks
// the store again every freshnessEvery; a console on one process's file
// never asks (it is always current).

const freshnessEvery = time.Second

// freshnessMsg is the time to ask the store again.
type freshnessMsg struct{}

// watchFreshness asks again in a while (nil: the store is never stale).
func (a *App) watchFreshness() tea.Cmd {
	if !a.s.Shared() {
		return nil
	}
	return tea.Tick(freshnessEvery, func(time.Time) tea.Msg { return freshnessMsg{} })
}

// noteFreshness keeps the store's note, and asks again later.
func (a *App) noteFreshness() tea.Cmd {
	a.freshness = a.s.Freshness().Note(time.Now())
	return a.watchFreshness()
}
