package tui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/gatehouse/gatehouse/tui/list"
)

// binding is one key of the console, as a value: its keys and help text, why
// it cannot be used right now (empty: it can), whether it edits (editing keys
// are absent for actors who may only view), and what it does. Help screens
// and guards both come from these values.
type binding struct {
	key.Binding
	group string
	edits bool
	why   func() string  // non-empty: disabled, and why
	run   func() tea.Cmd // the action
}

func bind(group, keys, help string, run func() tea.Cmd) *binding {
	ks := strings.Split(keys, ",")
	label := keys
	if len(ks) > 1 {
		label = strings.Join(ks, "/")
	}
	return &binding{Binding: key.NewBinding(key.WithKeys(ks...), key.WithHelp(label, help)), group: group, run: run}
}

// bindKey wraps a key.Binding someone else declared (a list's KeyMap).
func bindKey(group string, kb key.Binding, run func() tea.Cmd) *binding {
	return &binding{Binding: kb, group: group, run: run}
}

// described is kb with its help saying what the key does here.
func described(kb key.Binding, desc string) key.Binding {
	kb.SetHelp(kb.Help().Key, desc)
	return kb
}

// navGroup is where help lists the navigation keys.
const navGroup = "Lists"

// navBindings are the navigation keys of the focused pane: a list's, or
// those of a pane that only scrolls. after, if set, runs after each move
// (a pane that follows the list's cursor).
func navBindings(km list.KeyMap, n list.Nav, after func()) []*binding {
	move := func(f func()) func() tea.Cmd {
		return func() tea.Cmd {
			f()
			if after != nil {
				after()
			}
			return nil
		}
	}
	return []*binding{
		bindKey(navGroup, km.Up, move(n.Up)),
		bindKey(navGroup, km.Down, move(n.Down)),
		bindKey(navGroup, km.PageUp, move(n.PageUp)),
		bindKey(navGroup, km.PageDown, move(n.PageDown)),
		bindKey(navGroup, km.Home, move(n.Home)),
		bindKey(navGroup, km.End, move(n.End)),
	}
}

// listNav are a list's own navigation keys.
func listNav[K comparable](l *list.Model[K], after func()) []*binding {
	return navBindings(l.KeyMap, l, after)
}

// navKeys are the navigation keys of a pane that only scrolls: a list's.
var navKeys = list.DefaultKeyMap()

// editing marks a binding as an edit.
func (b *binding) editing() *binding { b.edits = true; return b }

// when sets the reason the binding is disabled (checked at press time).
func (b *binding) when(why func() string) *binding { b.why = why; return b }

func (b *binding) disabled() string {
	if b.why == nil {
		return ""
	}
	return b.why()
}

// dispatch runs the first binding matching the key. A disabled binding
// reports why instead of running.
func dispatch(msg tea.KeyPressMsg, bs []*binding, a *App) (tea.Cmd, bool) {
	for _, b := range bs {
		if b == nil || !key.Matches(msg, b.Binding) {
			continue
		}
		if b.edits && a.readOnly {
			continue
		}
		if why := b.disabled(); why != "" {
			a.flash(b.Help().Key+": "+why, true)
			return nil, true
		}
		before := a.modal
		cmd := b.run()
		if g, ok := a.modal.(guarded); ok && b.edits && a.modal != before {
			// the dialog an editing key opened submits that edit: it stays
			// open only while the rule that let the key run still holds
			g.guard(b.disabled)
		}
		return cmd, true
	}
	return nil, false
}

// visible filters out what a read-only actor must not see.
func visible(bs []*binding, readOnly bool) []*binding {
	out := bs[:0:0]
	for _, b := range bs {
		if b != nil && !(b.edits && readOnly) {
			out = append(out, b)
		}
	}
	return out
}
