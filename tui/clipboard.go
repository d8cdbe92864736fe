package tui

import (
	"fmt"

	tea "charm.land/bubbletea/v2"
)

// Copying goes through the terminal (OSC 52), so it works over SSH too, into
// the clipboard of the machine the admin sits at. What is copied is the
// escaped text the screen shows: a hidden character in an old record is
// copied as its escape, never raw.

// copier is a screen with something highlighted worth copying.
type copier interface {
	// copyText is what y copies, and what to call it ("" : nothing).
	copyText() (what, text string)
}

func (a *App) copyBindings() []*binding {
	return []*binding{
		bind("Everywhere", "y", "copy the highlighted item to the clipboard (Users: the email; History: the entry)", func() tea.Cmd {
			what, text := a.current().(copier).copyText()
			return a.copyOut(what, text)
		}).when(func() string {
			c, ok := a.current().(copier)
			if !ok {
				return "nothing to copy on this screen; Y copies the last message"
			}
			if what, _ := c.copyText(); what == "" {
				return "nothing highlighted to copy"
			}
			return ""
		}),
		bind("Everywhere", "Y", "copy the whole last message (a check's reason, a refusal) to the clipboard", func() tea.Cmd {
			return a.copyOut("the last message", a.lastMsg)
		}).when(func() string {
			if a.lastMsg == "" {
				return "no message to copy"
			}
			return ""
		}),
	}
}

func (a *App) copyOut(what, text string) tea.Cmd {
	a.flash("copied "+what+" to the clipboard", false)
	return tea.SetClipboard(safe(text))
}

func (u *usersScreen) copyText() (string, string) {
	r := u.current()
	if r == nil {
		return "", ""
	}
	return "the email " + r.u.Email, r.u.Email
}

func (h *historyScreen) copyText() (string, string) {
	e := h.current()
	if e == nil {
		return "", ""
	}
	line := fmt.Sprintf("%s #%d change set %d by %s: %s %s: %q → %q",
		e.Time.UTC().Format("2006-01-02 15:04:05Z"), e.Seq, e.Batch, e.Actor, e.Entity, e.Field, e.Before, e.After)
	return fmt.Sprintf("audit entry #%d", e.Seq), line
}
