package tui

import (
	tea "charm.land/bubbletea/v2"
	"github.com/gatehouse/gatehouse/tui/ui"
)

// Copying goes through the terminal (OSC 52), so it works over SSH too, into
// the clipboard of the machine the admin sits at. What is copied is the
// escaped text the screen shows: a hidden character in an old record is
// copied as its escape, never raw.

func (a *App) copyBindings() []*ui.Binding {
	return []*ui.Binding{
		ui.Bind("Everywhere", "y", "copy the highlighted item to the clipboard (Users: the email; History: the entry)", func() tea.Cmd {
			what, text := a.current().(ui.Copier).CopyText()
			return a.copyOut(what, text)
		}).When(func() string {
			c, ok := a.current().(ui.Copier)
			if !ok {
				return "nothing to copy on this screen; Y copies the last message"
			}
			if what, _ := c.CopyText(); what == "" {
				return "nothing highlighted to copy"
			}
			return ""
		}),
		ui.Bind("Everywhere", "Y", "copy the whole last message (a check's reason, a refusal) to the clipboard", func() tea.Cmd {
			return a.copyOut("the last message", a.lastMsg)
		}).When(func() string {
			if a.lastMsg == "" {
				return "no message to copy"
			}
			return ""
		}),
	}
}

func (a *App) copyOut(what, text string) tea.Cmd {
	a.Flash("copied "+what+" to the clipboard", false)
	return tea.SetClipboard(ui.Safe(text))
}
