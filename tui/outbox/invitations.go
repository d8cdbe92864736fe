package outbox

import (
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/gatehouse/gatehouse/store"
	"github.com/gatehouse/gatehouse/tui/list"
	"github.com/gatehouse/gatehouse/tui/ui"
)

// invitationsPane is the left pane: the invitations the actor may see,
// newest first, and in a narrow pane the highlighted one's dates below them.
type invitationsPane struct {
	host ui.Host
	ui.Clock
	// moved is the screen's: the outbox follows the highlighted invitation
	moved func()

	denied string // why the actor may not see invitations ("": they may)
	err    error  // what the last read could not read (shown above the list)
	all    []invRow
	rows   []invRow // filtered

	list *list.Model[invKey]
	w, h int
}

type invRow struct {
	store.Invitation
	invited bool // the user is still invited (a resend makes sense)
}

// invKey names an invitation: a user's, made at a time.
type invKey struct {
	email   string
	created int64
}

func (r *invRow) key() invKey { return invKey{r.Email, r.Created.UnixNano()} }

func newInvitationsPane(h ui.Host, moved func()) *invitationsPane {
	return &invitationsPane{host: h, Clock: h.Clock(), moved: moved, list: list.New[invKey]()}
}

// refilter lists the invitations to an email containing q; the list stays
// on what it highlighted, or goes back to its top.
func (p *invitationsPane) refilter(q string) {
	q = strings.ToLower(q)
	var rows []invRow
	for _, r := range p.all {
		if q == "" || strings.Contains(strings.ToLower(r.Email), q) {
			rows = append(rows, r)
		}
	}
	p.rows = rows
	if !p.list.SetRows(invRows{p, rows}) {
		p.list.SetCursor(0)
	}
}

// highlighted is the invitation under the cursor.
func (p *invitationsPane) highlighted() *invRow {
	if c := p.list.Cursor(); c >= 0 && c < len(p.rows) {
		return &p.rows[c]
	}
	return nil
}

// state is open, used, revoked or expired.
func (p *invitationsPane) state(r *invRow) string {
	switch {
	case !r.Used.IsZero():
		return "used"
	case r.Revoked:
		return "revoked"
	case !p.Now().Before(r.Expires):
		return "expired"
	}
	return "open"
}

func (p *invitationsPane) Bindings() []*ui.Binding { return ui.ListNav(p.list, p.followMoved()) }

// followMoved follows the invitation highlighted, when a move changed it.
func (p *invitationsPane) followMoved() func() {
	was := p.list.Cursor()
	return func() {
		if p.list.Cursor() != was {
			p.moved()
		}
	}
}

func (p *invitationsPane) SetSize(w, h int) {
	p.w, p.h = w, h
	p.layout()
}

// layout fits the invitations below their headings and the error, and above
// the highlighted one's dates (a narrow pane has no columns for them).
func (p *invitationsPane) layout() {
	w, h := p.w, p.h
	detail := 0
	if w < 60 {
		detail = 4
	}
	top := 1 + len(p.errLines(w))
	p.list.SetTop(top)
	p.list.SetSize(w, max(h-top-detail, 1))
}

func (p *invitationsPane) errLines(w int) []string {
	if p.err == nil {
		return nil
	}
	return ui.WrapLines(p.host.Theme().Bad.Render(ui.Unread(p.err)), w)
}

// Update: a click highlights an invitation, the wheel moves through them;
// the outbox follows.
func (p *invitationsPane) Update(msg tea.Msg) tea.Cmd {
	if m, ok := msg.(ui.PaneMouse); ok {
		after := p.followMoved()
		p.list.Mouse(m.MouseMsg, m.Y)
		after()
	}
	return nil
}

func (p *invitationsPane) View(w, h int, focused bool) []string {
	th := p.host.Theme()
	if p.denied != "" {
		return ui.WrapLines(th.Bad.Render("you may not see invitations: "+ui.Safe(p.denied)), w)
	}
	wide, ec, tc, st := invCols(w)
	head := " " + ui.Cell("EMAIL", ec) + ui.Cell("STATE", st)
	if wide {
		head = " " + ui.Cell("EMAIL", ec) + ui.Cell("CREATED", tc) + ui.Cell("EXPIRES", tc) + ui.Cell("STATE", st)
	}
	out := append([]string{th.Header.Render(ui.Fit(head, w))}, p.errLines(w)...)
	if len(p.rows) == 0 {
		return append(out, th.Muted.Render(" no invitations"))
	}
	detail := 0
	if !wide {
		detail = 4 // created / expires of the highlighted one, below the list
	}
	out = p.list.AppendLines(out, focused)
	if r := p.highlighted(); r != nil && !wide {
		for len(out) < h-detail {
			out = append(out, "")
		}
		stamp := p.Stamp
		if w < 26 {
			stamp = p.Short
		}
		kv := func(k string, t time.Time) string { return th.Muted.Render(fmt.Sprintf("%-8s", k)) + " " + stamp(t) }
		out = append(out, th.Muted.Render(strings.Repeat("─", w)), kv("Created", r.Created), kv("Expires", r.Expires))
		if !r.Used.IsZero() {
			out = append(out, kv("Used", r.Used))
		} else {
			out = append(out, th.Muted.Render("r resends · h history"))
		}
	}
	return out
}

// invCols are the invitation columns at a width: email, the two times
// when wide, the state.
func invCols(w int) (wide bool, email, times, state int) {
	wide, times, state = w >= 60, 17, 8
	if !wide {
		return false, w - 1 - state, 0, state
	}
	return true, w - 1 - 2*times - state, times, state
}

// invRows are the invitations listed.
type invRows struct {
	p    *invitationsPane
	rows []invRow
}

func (r invRows) Len() int            { return len(r.rows) }
func (r invRows) Key(i int) invKey    { return r.rows[i].key() }
func (r invRows) Selectable(int) bool { return true }

func (r invRows) Render(i, w int, st list.State) string {
	p, inv := r.p, &r.rows[i]
	wide, ec, tc, sc := invCols(w)
	mark := " "
	if st.Cursor {
		mark = "›"
	}
	line := mark + ui.Cell(ui.Safe(inv.Email), ec)
	if wide {
		line += ui.Cell(p.Stamp(inv.Created), tc) + ui.Cell(p.Stamp(inv.Expires), tc)
	}
	state := p.state(inv)
	line = ui.Fit(line+ui.Cell(state, sc), w)
	if !st.Cursor && state != "open" {
		line = p.host.Theme().Muted.Render(line)
	}
	return ui.RowStyle(p.host.Theme(), line, st.Cursor, st.Focused)
}
