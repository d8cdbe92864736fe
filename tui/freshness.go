package tui

import (
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/gatehouse/gatehouse/tui/ui"
)

// A store that other nodes share (etcd) can stop taking change sets (its
// cluster lost its quorum): the console then stays up, read-only, and says
// so on its status line, since when and how old what it shows is; its
// editing keys say why not (pending changes stay, for once it is back). It
// asks the store again every freshnessEvery; a console on one process's
// file never asks (it is always current).

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

// noteFreshness keeps what the store says of its freshness, and asks again
// later.
func (a *App) noteFreshness() tea.Cmd {
	wasDown := !a.freshAt.IsZero() && !a.fresh.Writable
	a.fresh, a.freshAt = a.s.Freshness(), time.Now()
	if wasDown && a.fresh.Writable {
		// what the screens could not read while it was down
		a.reloadAll()
		a.Flash("the store has its quorum again: edits can be saved", false)
	}
	return a.watchFreshness()
}

// freshness is the store's note when what the console shows may be old, and
// its brief form ("" when current).
func (a *App) freshness() (note, brief string) {
	if a.freshAt.IsZero() {
		return "", ""
	}
	return a.fresh.Note(a.freshAt), a.fresh.Brief(a.freshAt)
}

// refusesEdits is why no editing key works now: the store takes no change
// sets ("" when it does).
func (a *App) refusesEdits() string {
	if a.freshAt.IsZero() {
		return ""
	}
	return a.fresh.Refusal()
}

// disabled is why b cannot be used now ("" when it can): its own reason, or
// the store's for an editing key.
func (a *App) disabled(b *ui.Binding) string {
	if b.Edits() {
		if why := a.refusesEdits(); why != "" {
			return why
		}
	}
	return b.Disabled()
}
