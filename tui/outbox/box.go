package outbox

import (
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/gatehouse/gatehouse/store"
	"github.com/gatehouse/gatehouse/tui/list"
	"github.com/gatehouse/gatehouse/tui/ui"
)

// outboxPane is the middle pane: the messages of one state (or all),
// newest first.
type outboxPane struct {
	host ui.Host

	denied string          // why the actor may not read the outbox ("": they may)
	err    error           // why it could not be read
	all    []store.Message // newest first
	rows   []*store.Message
	state  int    // index into outboxStates
	q      string // the filter rows went through

	list *list.Model[uint64]
}

var outboxStates = []string{"all", "queued", "sent", "failed", "cancelled"}

func newOutboxPane(h ui.Host) *outboxPane {
	p := &outboxPane{host: h, list: list.New[uint64]()}
	p.list.SetTop(1) // below the column headings
	return p
}

func (p *outboxPane) title() string {
	if p.denied != "" {
		return "Outbox"
	}
	return fmt.Sprintf("Outbox: %s (%s)", outboxStates[p.state], ui.Thousands(len(p.rows)))
}

// refilter lists the messages of the state to or about q; the list stays
// on what it highlighted, or goes back to its top.
func (p *outboxPane) refilter(q string) {
	p.q = q
	q = strings.ToLower(q)
	var rows []*store.Message
	for i := range p.all {
		m := &p.all[i]
		if p.state != 0 && m.State != outboxStates[p.state] {
			continue
		}
		if q != "" && !strings.Contains(strings.ToLower(m.To), q) && !strings.Contains(strings.ToLower(m.Subject), q) {
			continue
		}
		rows = append(rows, m)
	}
	p.rows = rows
	if !p.list.SetRows(msgRows{p, rows}) {
		p.list.SetCursor(0)
	}
}

// nextState shows the next state's messages.
func (p *outboxPane) nextState() {
	p.state = (p.state + 1) % len(outboxStates)
	p.refilter(p.q)
}

// highlighted is the message under the cursor.
func (p *outboxPane) highlighted() *store.Message {
	if c := p.list.Cursor(); c >= 0 && c < len(p.rows) {
		return p.rows[c]
	}
	return nil
}

// toInvitation highlights the newest invitation message to email.
func (p *outboxPane) toInvitation(email string) {
	for i, m := range p.rows {
		if m.Kind == "invitation" && strings.EqualFold(m.To, email) {
			p.list.SetCursor(i)
			return
		}
	}
}

func (p *outboxPane) Bindings() []*ui.Binding { return ui.ListNav(p.list, nil) }

func (p *outboxPane) SetSize(w, h int) { p.list.SetSize(w, max(h-1, 1)) }

// Update: a click highlights a message, the wheel moves through them.
func (p *outboxPane) Update(msg tea.Msg) tea.Cmd {
	if m, ok := msg.(ui.PaneMouse); ok {
		p.list.Mouse(m.MouseMsg, m.Y)
	}
	return nil
}

func (p *outboxPane) View(w, h int, focused bool) []string {
	th := p.host.Theme()
	if p.denied != "" {
		return append([]string{th.Bad.Render("you may not read the outbox"), ""},
			ui.WrapLines(th.Muted.Render("It holds invitation tokens: only an all-sites user with maintain on Users & permissions reads it. "+ui.Safe(p.denied)), w)...)
	}
	c := layoutBoxCols(w)
	head := "  " + ui.Cell("ID", c.id) + ui.Cell("STATE", c.state) + ui.Cell("KIND", c.kind) + ui.Cell("TO", c.to) + ui.Cell("SUBJECT", c.subject) + ui.Cell("TRIES", c.tries) + ui.Cell("LAST ERROR", c.errs)
	out := []string{th.Header.Render(ui.Fit(head, w))}
	if p.err != nil { // not "empty": it may hold messages
		return append(out, ui.WrapLines(th.Bad.Render(ui.Unread(p.err)), w)...)
	}
	if len(p.rows) == 0 {
		msg := "  the outbox is empty"
		if p.state != 0 || p.q != "" {
			msg = "  no message matches; s changes the state, esc clears the filter"
		}
		return append(out, th.Muted.Render(msg))
	}
	return p.list.AppendLines(out, focused)
}

type boxCols struct{ id, state, kind, to, subject, tries, errs int }

func layoutBoxCols(w int) boxCols {
	c := boxCols{id: 6, state: 8}
	switch {
	case w >= 90:
		c.kind, c.tries = 17, 6
		rest := w - 2 - c.id - c.state - c.kind - c.tries
		c.to = rest * 42 / 100
		c.subject = rest * 33 / 100
		c.errs = rest - c.to - c.subject
	case w >= 56:
		c.kind = 11
		rest := w - 2 - c.id - c.state - c.kind
		c.to = rest * 55 / 100
		c.subject = rest - c.to
	default:
		c.to = w - 2 - c.id - c.state
	}
	return c
}

// msgRows are the outbox messages listed.
type msgRows struct {
	p    *outboxPane
	rows []*store.Message
}

func (r msgRows) Len() int            { return len(r.rows) }
func (r msgRows) Key(i int) uint64    { return r.rows[i].ID }
func (r msgRows) Selectable(int) bool { return true }

func (r msgRows) Render(i, w int, st list.State) string {
	th, m, c := r.p.host.Theme(), r.rows[i], layoutBoxCols(w)
	mark := " "
	if st.Cursor {
		mark = "›"
	}
	line := mark + " " + ui.Cell(fmt.Sprintf("#%d", m.ID), c.id) + ui.Cell(ui.Safe(m.State), c.state) + ui.Cell(ui.Safe(string(m.Kind)), c.kind) + ui.Cell(ui.Safe(m.To), c.to) + ui.Cell(ui.Safe(m.Subject), c.subject)
	if c.tries > 0 {
		line += ui.Cell(fmt.Sprint(m.Attempts), c.tries) + ui.Cell(ui.OrDash(ui.Safe(m.LastError)), c.errs)
	}
	line = ui.Fit(line, w)
	if !st.Cursor && m.State == "failed" {
		line = th.Bad.Render(line)
	}
	return ui.RowStyle(th, line, st.Cursor, st.Focused)
}
