package tui

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/gatehouse/gatehouse/store"
	"github.com/gatehouse/gatehouse/tui/list"
)

// outboxScreen: invitations | the outbox | the highlighted message. The
// outbox holds invitation tokens, so only an all-sites actor with maintain on
// Users & permissions reads it (as `gatehouse outbox list`); invitations show
// to whoever may view users, limited to the users they may see.
type outboxScreen struct {
	a *App
	clock

	invDenied, boxDenied string

	allInv []invRow
	allMsg []store.Message // newest first
	inv    []invRow        // filtered
	msgs   []*store.Message

	invList *list.Model[invKey]
	msgList *list.Model[uint64]
	invSize paneSize // the Invitations pane, for its layout

	state int    // index into outboxStates
	q     string // the "/" filter: part of an email (or subject)
	err   error
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

var outboxStates = []string{"all", "queued", "sent", "failed", "cancelled"}

func newOutboxScreen(a *App) screen {
	o := &outboxScreen{a: a, clock: newClock(), invList: list.New[invKey](), msgList: list.New[uint64]()}
	o.msgList.SetTop(1) // below the column headings
	return o
}

func (o *outboxScreen) name() string { return "Invitations & outbox" }

func (o *outboxScreen) panes() [3]string {
	box := "Outbox"
	if o.boxDenied == "" {
		box = fmt.Sprintf("Outbox: %s (%s)", outboxStates[o.state], thousands(len(o.msgs)))
	}
	return [3]string{fmt.Sprintf("Invitations (%s)", thousands(len(o.inv))), box, "Message"}
}

func (o *outboxScreen) setSize(p [3]paneSize) {
	o.invSize = p[0]
	o.msgList.SetSize(p[1].w, max(p[1].h-1, 1))
	o.layout()
}

// layout fits the invitations below their headings and the error, and above
// the highlighted one's dates (a narrow pane has no columns for them).
func (o *outboxScreen) layout() {
	w, h := o.invSize.w, o.invSize.h
	detail := 0
	if w < 60 {
		detail = 4
	}
	top := 1 + len(o.errLines(w))
	o.invList.SetTop(top)
	o.invList.SetSize(w, max(h-top-detail, 1))
}

func (o *outboxScreen) errLines(w int) []string {
	if o.err == nil {
		return nil
	}
	return wrapLines(o.a.th.bad.Render(safeErr(o.err)), w)
}

func (o *outboxScreen) reload() {
	s, actor := o.a.s, o.a.actor
	o.err = nil
	o.invDenied = errText(s.Capabilities(actor).May(store.ReadUsers))
	o.boxDenied = errText(s.Capabilities(actor).May(store.ReadOutbox))
	o.allInv, o.allMsg = nil, nil
	if o.invDenied == "" {
		invs, err := s.Invitations()
		if err != nil {
			o.err = err
		}
		visible := s.Visible(actor)
		for _, inv := range invs {
			u, err := s.UserByID(inv.UserID)
			if err != nil {
				if o.boxDenied != "" {
					continue // a deleted user: only for those who see everything
				}
			} else if !visible(u) {
				continue
			}
			o.allInv = append(o.allInv, invRow{Invitation: inv, invited: err == nil && u.Status() == store.Invited})
		}
		slices.SortFunc(o.allInv, func(a, b invRow) int {
			if c := b.Created.Compare(a.Created); c != 0 {
				return c
			}
			return cmp.Compare(b.UserID, a.UserID) // newer users first, as the outbox
		})
	}
	if o.boxDenied == "" {
		msgs, err := s.OutboxFor(actor) // never the token of a user above the actor
		if err != nil {
			o.err = err
		}
		slices.Reverse(msgs)
		o.allMsg = msgs
	}
	o.refilter()
	o.layout()
}

// refilter lists what the filter and the state let through; each list
// stays on what it highlighted, or goes back to its top.
func (o *outboxScreen) refilter() {
	q := strings.ToLower(o.q)
	var inv []invRow
	for _, r := range o.allInv {
		if q == "" || strings.Contains(strings.ToLower(r.Email), q) {
			inv = append(inv, r)
		}
	}
	var msgs []*store.Message
	for i := range o.allMsg {
		m := &o.allMsg[i]
		if o.state != 0 && m.State != outboxStates[o.state] {
			continue
		}
		if q != "" && !strings.Contains(strings.ToLower(m.To), q) && !strings.Contains(strings.ToLower(m.Subject), q) {
			continue
		}
		msgs = append(msgs, m)
	}
	o.inv, o.msgs = inv, msgs
	if !o.invList.SetRows(invRows{o, inv}) {
		o.invList.SetCursor(0)
	}
	if !o.msgList.SetRows(msgRows{o, msgs}) {
		o.msgList.SetCursor(0)
	}
}

func (o *outboxScreen) invitation() *invRow {
	if c := o.invList.Cursor(); c >= 0 && c < len(o.inv) {
		return &o.inv[c]
	}
	return nil
}

func (o *outboxScreen) message() *store.Message {
	if c := o.msgList.Cursor(); c >= 0 && c < len(o.msgs) {
		return o.msgs[c]
	}
	return nil
}

// invState is open, used, revoked or expired.
func (o *outboxScreen) invState(r *invRow) string {
	switch {
	case !r.Used.IsZero():
		return "used"
	case r.Revoked:
		return "revoked"
	case !o.now().Before(r.Expires):
		return "expired"
	}
	return "open"
}

func (o *outboxScreen) pending() int   { return 0 }
func (o *outboxScreen) discard()       {}
func (o *outboxScreen) filter() string { return o.q }

// setFilter narrows both lists to an email (or, in the outbox, a subject).
func (o *outboxScreen) setFilter(q string) {
	o.q = strings.TrimSpace(q)
	o.refilter()
}

func (o *outboxScreen) header(w int) string {
	n := map[string]int{}
	for i := range o.allInv {
		n[o.invState(&o.allInv[i])]++
	}
	return fmt.Sprintf("Invitations: %d open · %d used · %d expired · %d revoked · tab: list", n["open"], n["used"], n["expired"], n["revoked"])
}

func (o *outboxScreen) canResend() string {
	if err := o.a.s.Capabilities(o.a.actor).May(store.EditUsers); err != nil {
		return err.Error()
	}
	r := o.invitation()
	switch {
	case r == nil:
		return "no invitation is highlighted"
	case !r.invited:
		return r.Email + " is not invited any more"
	}
	return ""
}

func (o *outboxScreen) bindings() []*binding {
	g := "Invitations & outbox"
	return append([]*binding{
		bind(g, "r", "resend the highlighted invitation (a new token; the old one ends)", func() tea.Cmd { return o.resend() }).editing().when(o.canResend),
		bind(g, "s", "outbox state: all / queued / sent / failed", func() tea.Cmd {
			o.state = (o.state + 1) % len(outboxStates)
			o.refilter()
			return nil
		}).when(func() string { return o.boxDenied }),
		bind(g, "h", "history of the highlighted invitation's user", func() tea.Cmd {
			if hs, ok := o.a.screens[3].(interface{ showEntity(string) }); ok {
				hs.showEntity("user:" + o.invitation().Email)
			}
			o.a.switchTo(3)
			return nil
		}).when(func() string {
			if o.invitation() == nil {
				return "no invitation is highlighted"
			}
			return ""
		}),
	}, o.nav()...)
}

func (o *outboxScreen) resend() tea.Cmd {
	r := o.invitation()
	if r == nil {
		return nil
	}
	email, id := r.Email, r.UserID
	cs, err := o.a.s.Apply(o.a.actor, "resend invitation to "+email, func(tx *store.Tx) error { return tx.ResendInvite(id) })
	if err != nil {
		o.a.fail(err)
		return nil
	}
	o.a.applied(cs, "resent the invitation to "+email)
	o.follow()
	return nil
}

func (o *outboxScreen) key(msg tea.KeyPressMsg, pane int) tea.Cmd { return nil }

// nav: the invitations, or the outbox (from the Message pane too).
func (o *outboxScreen) nav() []*binding {
	if o.a.focus[o.a.cur] == 0 {
		return listNav(o.invList, o.followMoved())
	}
	return listNav(o.msgList, nil)
}

// followMoved follows the invitation highlighted, when a move changed it.
func (o *outboxScreen) followMoved() func() {
	was := o.invList.Cursor()
	return func() {
		if o.invList.Cursor() != was {
			o.follow()
		}
	}
}

// mouse: a click highlights an invitation or a message, the wheel moves through them.
func (o *outboxScreen) mouse(msg tea.MouseMsg, pane, x, y int) tea.Cmd {
	switch pane {
	case 0:
		after := o.followMoved()
		o.invList.Mouse(msg, y)
		after()
	case 1:
		o.msgList.Mouse(msg, y)
	}
	return nil
}

// follow highlights the newest invitation message to the highlighted invitation's user.
func (o *outboxScreen) follow() {
	r := o.invitation()
	if r == nil {
		return
	}
	for i, m := range o.msgs {
		if m.Kind == "invitation" && strings.EqualFold(m.To, r.Email) {
			o.msgList.SetCursor(i)
			return
		}
	}
}

func (o *outboxScreen) render(pane, w, h int, focused bool) []string {
	th := o.a.th
	switch pane {
	case 0:
		if o.invDenied != "" {
			return wrapLines(th.bad.Render("you may not see invitations: "+safe(o.invDenied)), w)
		}
		return o.renderInvitations(w, h, focused)
	case 1:
		if o.boxDenied != "" {
			return append([]string{th.bad.Render("you may not read the outbox"), ""},
				wrapLines(th.muted.Render("It holds invitation tokens: only an all-sites user with maintain on Users & permissions reads it. "+safe(o.boxDenied)), w)...)
		}
		return o.renderOutbox(w, h, focused)
	}
	if o.boxDenied != "" {
		return []string{th.bad.Render("you may not read the outbox")}
	}
	return o.renderMessage(w)
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
	o    *outboxScreen
	rows []invRow
}

func (r invRows) Len() int            { return len(r.rows) }
func (r invRows) Key(i int) invKey    { return r.rows[i].key() }
func (r invRows) Selectable(int) bool { return true }

func (r invRows) Render(i, w int, st list.State) string {
	o, inv := r.o, &r.rows[i]
	wide, ec, tc, sc := invCols(w)
	mark := " "
	if st.Cursor {
		mark = "›"
	}
	line := mark + cell(safe(inv.Email), ec)
	if wide {
		line += cell(o.stamp(inv.Created), tc) + cell(o.stamp(inv.Expires), tc)
	}
	state := o.invState(inv)
	line = fit(line+cell(state, sc), w)
	if !st.Cursor && state != "open" {
		line = o.a.th.muted.Render(line)
	}
	return rowStyle(o.a.th, line, st.Cursor, st.Focused)
}

func (o *outboxScreen) renderInvitations(w, h int, focused bool) []string {
	th := o.a.th
	wide, ec, tc, st := invCols(w)
	head := " " + cell("EMAIL", ec) + cell("STATE", st)
	if wide {
		head = " " + cell("EMAIL", ec) + cell("CREATED", tc) + cell("EXPIRES", tc) + cell("STATE", st)
	}
	out := append([]string{th.header.Render(fit(head, w))}, o.errLines(w)...)
	if len(o.inv) == 0 {
		return append(out, th.muted.Render(" no invitations"))
	}
	detail := 0
	if !wide {
		detail = 4 // created / expires of the highlighted one, below the list
	}
	out = o.invList.AppendLines(out, focused)
	if r := o.invitation(); r != nil && !wide {
		for len(out) < h-detail {
			out = append(out, "")
		}
		stamp := o.stamp
		if w < 26 {
			stamp = o.short
		}
		kv := func(k string, t time.Time) string { return th.muted.Render(fmt.Sprintf("%-8s", k)) + " " + stamp(t) }
		out = append(out, th.muted.Render(strings.Repeat("─", w)), kv("Created", r.Created), kv("Expires", r.Expires))
		if !r.Used.IsZero() {
			out = append(out, kv("Used", r.Used))
		} else {
			out = append(out, th.muted.Render("r resends · h history"))
		}
	}
	return out
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

func (o *outboxScreen) renderOutbox(w, h int, focused bool) []string {
	th := o.a.th
	c := layoutBoxCols(w)
	head := "  " + cell("ID", c.id) + cell("STATE", c.state) + cell("KIND", c.kind) + cell("TO", c.to) + cell("SUBJECT", c.subject) + cell("TRIES", c.tries) + cell("LAST ERROR", c.errs)
	out := []string{th.header.Render(fit(head, w))}
	if len(o.msgs) == 0 {
		msg := "  the outbox is empty"
		if o.state != 0 || o.q != "" {
			msg = "  no message matches; s changes the state, esc clears the filter"
		}
		return append(out, th.muted.Render(msg))
	}
	return o.msgList.AppendLines(out, focused)
}

// msgRows are the outbox messages listed.
type msgRows struct {
	o    *outboxScreen
	rows []*store.Message
}

func (r msgRows) Len() int            { return len(r.rows) }
func (r msgRows) Key(i int) uint64    { return r.rows[i].ID }
func (r msgRows) Selectable(int) bool { return true }

func (r msgRows) Render(i, w int, st list.State) string {
	th, m, c := r.o.a.th, r.rows[i], layoutBoxCols(w)
	mark := " "
	if st.Cursor {
		mark = "›"
	}
	line := mark + " " + cell(fmt.Sprintf("#%d", m.ID), c.id) + cell(safe(m.State), c.state) + cell(safe(string(m.Kind)), c.kind) + cell(safe(m.To), c.to) + cell(safe(m.Subject), c.subject)
	if c.tries > 0 {
		line += cell(fmt.Sprint(m.Attempts), c.tries) + cell(orDash(safe(m.LastError)), c.errs)
	}
	line = fit(line, w)
	if !st.Cursor && m.State == "failed" {
		line = th.bad.Render(line)
	}
	return rowStyle(th, line, st.Cursor, st.Focused)
}

func (o *outboxScreen) renderMessage(w int) []string {
	th := o.a.th
	m := o.message()
	if m == nil {
		return []string{th.muted.Render("no message highlighted")}
	}
	kv := func(k, v string) string { return th.muted.Render(fmt.Sprintf("%-8s", k)) + " " + v }
	state := safe(m.State)
	switch m.State {
	case "failed":
		state = th.bad.Render(state)
	case "sent":
		state = th.good.Render(state)
	default:
		state = th.warn.Render(state)
	}
	out := []string{
		th.bold.Render(fmt.Sprintf("#%d %s", m.ID, safe(m.Subject))),
		kv("To", safe(m.To)),
		kv("Kind", safe(string(m.Kind))),
		kv("State", state),
		kv("Tries", fmt.Sprint(m.Attempts)),
		kv("Queued", o.stamp(m.Created)),
	}
	if m.LastError != "" {
		out = append(out, kv("Error", th.bad.Render(safe(m.LastError))))
	}
	out = append(out, th.muted.Render(strings.Repeat("─", w)))
	// the body keeps its lines; each is made safe (a \r in one would
	// otherwise return to the start of the line and paint over it)
	for _, l := range strings.Split(strings.TrimRight(m.Body, "\n"), "\n") {
		out = append(out, wrapLines(safe(l), w)...)
	}
	return out
}
