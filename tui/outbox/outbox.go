// Package outbox is the Invitations & outbox screen: the invitations, the
// messages waiting to be sent, and one message whole.
package outbox

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/gatehouse/gatehouse/store"
	"github.com/gatehouse/gatehouse/tui/ui"
)

// Screen: invitations | the outbox | the highlighted message. The
// outbox holds invitation tokens, so only an all-sites actor with maintain on
// Users & permissions reads it (as `gatehouse outbox list`); invitations show
// to whoever may view users, limited to the users they may see.
//
// It composes its three panes and owns what they share: the "/" filter,
// which narrows both lists, and the keys that act across them (a resend
// highlights its new message).
type Screen struct {
	host ui.Host

	invs  *invitationsPane
	box   *outboxPane
	msg   *messagePane
	panes ui.Panes

	q string // the "/" filter: part of an email (or subject)
}

// New is the Invitations & outbox screen of a console.
func New(h ui.Host) ui.Screen {
	o := &Screen{host: h}
	o.invs = newInvitationsPane(h, o.follow)
	o.box = newOutboxPane(h)
	o.msg = &messagePane{host: h, Clock: h.Clock(), message: o.box.highlighted, denied: func() string { return o.box.denied }, nav: o.box.Bindings}
	o.panes = ui.Panes{o.invs, o.box, o.msg}
	return o
}

func (o *Screen) Name() string { return "Invitations & outbox" }

func (o *Screen) Panes() [3]string {
	return [3]string{fmt.Sprintf("Invitations (%s)", ui.Thousands(len(o.invs.rows))), o.box.title(), "Message"}
}

// SetSize hands each pane its size.
func (o *Screen) SetSize(p [3]ui.PaneSize) { o.panes.SetSize(p) }

func (o *Screen) Reload() {
	s, actor := o.host.Store(), o.host.Actor()
	var invErr, boxErr error
	invDenied := ui.ErrText(s.Capabilities(actor).May(store.ReadUsers))
	boxDenied := ui.ErrText(s.Capabilities(actor).May(store.ReadOutbox))
	var allInv []invRow
	var allMsg []store.Message
	if invDenied == "" {
		invs, err := s.Invitations()
		if err != nil {
			invErr = err
		}
		visible := s.Visible(actor)
		for _, inv := range invs {
			u, err := s.UserByID(inv.UserID)
			if err != nil {
				if boxDenied != "" {
					continue // a deleted user: only for those who see everything
				}
			} else if !visible(u) {
				continue
			}
			allInv = append(allInv, invRow{Invitation: inv, invited: err == nil && u.Status() == store.Invited})
		}
		slices.SortFunc(allInv, func(a, b invRow) int {
			if c := b.Created.Compare(a.Created); c != 0 {
				return c
			}
			return cmp.Compare(b.UserID, a.UserID) // newer users first, as the outbox
		})
	}
	if boxDenied == "" {
		msgs, err := s.OutboxFor(actor) // never the token of a user above the actor
		if err != nil {
			boxErr = err
		}
		slices.Reverse(msgs)
		allMsg = msgs
	}
	o.invs.all, o.invs.denied, o.invs.err = allInv, invDenied, invErr
	o.box.all, o.box.denied, o.box.err = allMsg, boxDenied, boxErr
	o.refilter()
	o.invs.layout()
}

// refilter narrows both lists to the filter; each stays on what it
// highlighted, or goes back to its top.
func (o *Screen) refilter() {
	o.invs.refilter(o.q)
	o.box.refilter(o.q)
}

func (o *Screen) invitation() *invRow { return o.invs.highlighted() }
func (o *Screen) Pending() int        { return 0 }
func (o *Screen) Discard()            {}
func (o *Screen) Filter() string      { return o.q }

// SetFilter narrows both lists to an email (or, in the outbox, a subject).
func (o *Screen) SetFilter(q string) {
	o.q = strings.TrimSpace(q)
	o.refilter()
}

func (o *Screen) Header(w int) string {
	n := map[string]int{}
	for i := range o.invs.all {
		n[o.invs.state(&o.invs.all[i])]++
	}
	return fmt.Sprintf("Invitations: %d open · %d used · %d expired · %d revoked · tab: list", n["open"], n["used"], n["expired"], n["revoked"])
}

func (o *Screen) canResend() string {
	if err := o.host.Store().Capabilities(o.host.Actor()).May(store.EditUsers); err != nil {
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

// Bindings are the screen's keys, then the focused pane's (the Message
// pane's move the outbox).
func (o *Screen) Bindings() []*ui.Binding {
	g := "Invitations & outbox"
	return append([]*ui.Binding{
		ui.Bind(g, "r", "resend the highlighted invitation (a new token; the old one ends)", func() tea.Cmd { return o.resend() }).Editing().When(o.canResend),
		ui.Bind(g, "s", "outbox state: all / queued / sent / failed", func() tea.Cmd {
			o.box.nextState()
			return nil
		}).When(func() string { return o.box.denied }),
		ui.Bind(g, "h", "history of the highlighted invitation's user", func() tea.Cmd {
			o.host.ShowHistory("user:" + o.invitation().Email)
			return nil
		}).When(func() string {
			if o.invitation() == nil {
				return "no invitation is highlighted"
			}
			return ""
		}),
	}, o.panes[o.host.Focus()].Bindings()...)
}

func (o *Screen) resend() tea.Cmd {
	r := o.invitation()
	if r == nil {
		return nil
	}
	email, id := r.Email, r.UserID
	cs, err := o.host.Store().Apply(o.host.Actor(), "resend invitation to "+email, func(tx *store.Tx) error { return tx.ResendInvite(id) })
	if err != nil {
		o.host.Fail(err)
		return nil
	}
	o.host.Applied(cs, "resent the invitation to "+email)
	o.follow()
	return nil
}

func (o *Screen) Key(msg tea.KeyPressMsg, pane int) tea.Cmd { return o.panes.Key(msg, pane) }

// Mouse is the pane's under it.
func (o *Screen) Mouse(msg tea.MouseMsg, pane, x, y int) tea.Cmd {
	return o.panes.Mouse(msg, pane, x, y)
}

// follow highlights the newest invitation message to the highlighted invitation's user.
func (o *Screen) follow() {
	if r := o.invitation(); r != nil {
		o.box.toInvitation(r.Email)
	}
}

func (o *Screen) Render(pane, w, h int, focused bool) []string {
	return o.panes.Render(pane, w, h, focused)
}
