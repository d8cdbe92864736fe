package tui

import (
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/gatehouse/gatehouse/tui/ui"
)

// message shows the whole of the last status message.
type message struct {
	text string
	bad  bool
}

func (m *message) Update(msg tea.Msg, _ ui.Host) (tea.Cmd, bool) {
	if _, ok := msg.(tea.KeyPressMsg); ok {
		return nil, true
	}
	return nil, false
}

func (m *message) View(th *ui.Theme, w, h int) string {
	st := th.Good
	if m.bad {
		st = th.Bad
	}
	bw := min(w, 80)
	lines := []string{""}
	for _, l := range strings.Split(ansi.Wrap(m.text, bw-6, " "), "\n") {
		lines = append(lines, "  "+st.Render(l))
	}
	lines = append(lines, "", th.Muted.Render("  any key closes"), "")
	return th.Dialog("Message", lines, w, h, bw)
}
