package ui

import (
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// Confirm asks a yes/no question.
type Confirm struct {
	EditGuard
	Question string
	Yes      func() tea.Cmd
}

func (c *Confirm) What() string { return "the question" }

func (c *Confirm) Update(msg tea.Msg, h Host) (tea.Cmd, bool) {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		switch strings.ToLower(k.String()) {
		case "y", "enter":
			return c.Yes(), true
		case "n", "esc", "q":
			return nil, true
		}
	}
	return nil, false
}

func (c *Confirm) View(th *Theme, w, h int) string {
	q := Safe(c.Question) // questions name what they are about
	bw := min(w, max(60, ansi.StringWidth(q)+6))
	lines := []string{""}
	for _, l := range strings.Split(ansi.Wrap(q, bw-6, " "), "\n") {
		lines = append(lines, "  "+l) // the whole question, wrapped
	}
	lines = append(lines, "", "  y / enter: yes      n / esc: no", "")
	return th.Dialog("Confirm", lines, w, h, bw)
}
