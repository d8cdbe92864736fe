package outbox

import (
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/gatehouse/gatehouse/store"
	"github.com/gatehouse/gatehouse/tui/ui"
)

// messagePane is the right pane: the highlighted message whole. It has no
// cursor of its own: its keys move the outbox's (the screen's wiring, as
// are the message and why the outbox is not readable).
type messagePane struct {
	host ui.Host
	ui.Clock
	message func() *store.Message
	denied  func() string
	nav     func() []*ui.Binding
}

func (p *messagePane) Bindings() []*ui.Binding { return p.nav() }

func (p *messagePane) SetSize(w, h int) {}

// Update: the pane has no keys or clicks of its own.
func (p *messagePane) Update(tea.Msg) tea.Cmd { return nil }

func (p *messagePane) View(w, h int, focused bool) []string {
	th := p.host.Theme()
	if p.denied() != "" {
		return []string{th.Bad.Render("you may not read the outbox")}
	}
	m := p.message()
	if m == nil {
		return []string{th.Muted.Render("no message highlighted")}
	}
	kv := func(k, v string) string { return th.Muted.Render(fmt.Sprintf("%-8s", k)) + " " + v }
	state := ui.Safe(m.State)
	switch m.State {
	case "failed":
		state = th.Bad.Render(state)
	case "sent":
		state = th.Good.Render(state)
	default:
		state = th.Warn.Render(state)
	}
	out := []string{
		th.Bold.Render(fmt.Sprintf("#%d %s", m.ID, ui.Safe(m.Subject))),
		kv("To", ui.Safe(m.To)),
		kv("Kind", ui.Safe(string(m.Kind))),
		kv("State", state),
		kv("Tries", fmt.Sprint(m.Attempts)),
		kv("Queued", p.Stamp(m.Created)),
	}
	if m.LastError != "" {
		out = append(out, kv("Error", th.Bad.Render(ui.Safe(m.LastError))))
	}
	out = append(out, th.Muted.Render(strings.Repeat("─", w)))
	// the body keeps its lines; each is made safe (a \r in one would
	// otherwise return to the start of the line and paint over it)
	for _, l := range strings.Split(strings.TrimRight(m.Body, "\n"), "\n") {
		out = append(out, ui.WrapLines(ui.Safe(l), w)...)
	}
	return out
}
