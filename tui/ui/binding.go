package ui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/gatehouse/gatehouse/tui/list"
)

// Binding is one key of the console, as a value: its keys and help text, why
// it cannot be used right now (empty: it can), whether it edits (editing keys
// are absent for actors who may only view), and what it does. Help screens
// and guards both come from these values.
type Binding struct {
	key.Binding
	group string
	edits bool
	why   func() string  // non-empty: disabled, and why
	run   func() tea.Cmd // the action
}

// Bind is a binding of keys (comma-separated: "x,delete") listed in help
// under group.
func Bind(group, keys, help string, run func() tea.Cmd) *Binding {
	ks := strings.Split(keys, ",")
	label := keys
	if len(ks) > 1 {
		label = strings.Join(ks, "/")
	}
	return &Binding{Binding: key.NewBinding(key.WithKeys(ks...), key.WithHelp(label, help)), group: group, run: run}
}

// BindKey wraps a key.Binding someone else declared (a list's KeyMap).
func BindKey(group string, kb key.Binding, run func() tea.Cmd) *Binding {
	return &Binding{Binding: kb, group: group, run: run}
}

// Described is kb with its help saying what the key does here.
func Described(kb key.Binding, desc string) key.Binding {
	kb.SetHelp(kb.Help().Key, desc)
	return kb
}

// NavGroup is where help lists the navigation keys.
const NavGroup = "Lists"

// NavBindings are the navigation keys of the focused pane: a list's, or
// those of a pane that only scrolls. after, if set, runs after each move
// (a pane that follows the list's cursor).
func NavBindings(km list.KeyMap, n list.Nav, after func()) []*Binding {
	move := func(f func()) func() tea.Cmd {
		return func() tea.Cmd {
			f()
			if after != nil {
				after()
			}
			return nil
		}
	}
	return []*Binding{
		BindKey(NavGroup, km.Up, move(n.Up)),
		BindKey(NavGroup, km.Down, move(n.Down)),
		BindKey(NavGroup, km.PageUp, move(n.PageUp)),
		BindKey(NavGroup, km.PageDown, move(n.PageDown)),
		BindKey(NavGroup, km.Home, move(n.Home)),
		BindKey(NavGroup, km.End, move(n.End)),
	}
}

// ListNav are a list's own navigation keys.
func ListNav[K comparable](l *list.Model[K], after func()) []*Binding {
	return NavBindings(l.KeyMap, l, after)
}

// NavKeys are the navigation keys of a pane that only scrolls: a list's.
var NavKeys = list.DefaultKeyMap()

// Editing marks a binding as an edit.
func (b *Binding) Editing() *Binding { b.edits = true; return b }

// When sets the reason the binding is disabled (checked at press time).
func (b *Binding) When(why func() string) *Binding { b.why = why; return b }

func (b *Binding) Disabled() string {
	if b.why == nil {
		return ""
	}
	return b.why()
}

// Visible filters out what a read-only actor must not see.
func Visible(bs []*Binding, readOnly bool) []*Binding {
	out := bs[:0:0]
	for _, b := range bs {
		if b != nil && !(b.edits && readOnly) {
			out = append(out, b)
		}
	}
	return out
}

// Group is where help lists the binding.
func (b *Binding) Group() string { return b.group }

// Edits says the binding changes something: it is absent for an actor who
// may only view.
func (b *Binding) Edits() bool { return b.edits }

// Run does what the binding does.
func (b *Binding) Run() tea.Cmd { return b.run() }
