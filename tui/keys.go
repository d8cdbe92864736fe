package tui

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/gatehouse/gatehouse/tui/ui"
)

// dispatch runs the first binding matching the key. A disabled binding
// reports why instead of running.
func dispatch(msg tea.KeyPressMsg, bs []*ui.Binding, a *App) (tea.Cmd, bool) {
	for _, b := range bs {
		if b == nil || !key.Matches(msg, b.Binding) {
			continue
		}
		if b.Edits() && a.readOnly {
			continue
		}
		if why := a.disabled(b); why != "" {
			a.Flash(b.Help().Key+": "+why, true)
			return nil, true
		}
		before := a.modal
		cmd := b.Run()
		if g, ok := a.modal.(ui.Guarded); ok && b.Edits() && a.modal != before {
			// the dialog an editing key opened submits that edit: it stays
			// open only while the rule that let the key run still holds
			g.Guard(b.Disabled)
		}
		return cmd, true
	}
	return nil, false
}
