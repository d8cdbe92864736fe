package ui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/gatehouse/gatehouse/store"
)

// formModal embeds a huh form; done runs when it completes. When the store
// refuses what done submits, the form stays open with what was typed and
// the reason; leaving a form something was typed into asks first.
type Form struct {
	EditGuard
	title    string
	form     *huh.Form
	build    func() *huh.Form // the form again, on the same fields (after a refusal)
	keys     *huh.KeyMap      // the form's keys (esc quits, except in a select's filter)
	done     func() tea.Cmd
	refusal  string      // the store's reason for refusing the last submission
	at       store.Field // the field it is about ("": the form as a whole)
	typed    bool        // something was typed or pasted into it
	quitting bool        // asked whether to drop what was typed
}

// What names the form for a message that closes it.
func (m *Form) What() string { return m.title }

// NewForm is a form of these groups; done runs when it is submitted. The
// screen shows it with Host.Open.
func NewForm(h Host, title string, done func() tea.Cmd, groups ...*huh.Group) (*Form, tea.Cmd) {
	return NewFormAt(h, title, done, func(func(store.Field, string) string) []*huh.Group { return groups })
}

// NewFormAt is NewForm for a form whose fields the store may refuse one by
// one: groups builds the fields again after a refusal, each keyed by the
// store.Field it holds and described by note(field, its usual description),
// so the store's reason shows at the field it is about, and the cursor
// starts there.
func NewFormAt(h Host, title string, done func() tea.Cmd, groups func(note func(f store.Field, usual string) string) []*huh.Group) (*Form, tea.Cmd) {
	m := &Form{title: title, done: done}
	m.build = func() *huh.Form {
		km := huh.NewDefaultKeyMap()
		km.Quit = key.NewBinding(key.WithKeys("esc", "ctrl+c"), key.WithHelp("esc", "cancel"))
		m.keys = km
		w, _ := h.Size()
		return huh.NewForm(groups(m.note)...).WithKeyMap(km).WithShowHelp(true).WithTheme(formTheme(h.Theme())).WithWidth(min(w-6, 70))
	}
	m.form = m.build()
	return m, m.form.Init()
}

// note is a field's description: the store's reason when it refused that
// field, else its usual one.
func (m *Form) note(f store.Field, usual string) string {
	if m.refusal != "" && f == m.at {
		return "✗ " + m.refusal
	}
	return usual
}

// focusRefused moves the cursor of a new form to the field refused, if it
// is in the first group (a move past a group's end would submit it).
func (m *Form) focusRefused() tea.Cmd {
	cmd := m.form.Init()
	for range 32 {
		f := m.form.GetFocusedField()
		if m.at == "" || f == nil || f.GetKey() == string(m.at) {
			return cmd
		}
		m.form.NextField()
		if m.form.GetFocusedField() == f { // the group's last field: start over
			m.form = m.build()
			return m.form.Init()
		}
	}
	return cmd
}

func (m *Form) Update(msg tea.Msg, h Host) (tea.Cmd, bool) {
	k, isKey := msg.(tea.KeyPressMsg)
	if m.quitting && isKey { // the form's own messages (options loading) still reach it
		switch strings.ToLower(k.String()) {
		case "y", "enter":
			h.Flash(m.title+": cancelled, nothing saved", false)
			return nil, true
		case "n", "esc":
			m.quitting = false
		}
		return nil, false
	}
	if _, paste := msg.(tea.PasteMsg); paste && m.quitting {
		return nil, false // not into the form while it asks
	}
	if isKey && k.String() == "esc" && filtering(m.form) {
		// esc ends a select's "/" filter, as its help says: not the form
		m.keys.Quit.SetEnabled(false)
		defer m.keys.Quit.SetEnabled(true)
	} else if isKey && (k.String() == "esc" || k.String() == "ctrl+c") && m.typed {
		m.quitting = true
		return nil, false
	}
	if _, ok := msg.(tea.PasteMsg); ok || isKey && k.Text != "" && textField(m.form) {
		m.typed = true // text for a field; a select's filter is no one's data
	}
	var cmd tea.Cmd
	if dir := leaving(m.form, k, isKey); dir != 0 {
		cmd = m.leaveField(msg, dir)
	} else {
		f, c := m.form.Update(msg)
		if ff, ok := f.(*huh.Form); ok {
			m.form = ff
		}
		cmd = c
	}
	switch m.form.State {
	case huh.StateCompleted:
		h.TakeRefusal() // an older one is not this submission's
		next := m.done()
		if line, err := h.TakeRefusal(); err != nil {
			// refused: the form again from its first field, as it was
			// filled in (its fields hold what was typed), with the reason
			m.refusal, m.at = line, "" // as fail rendered it, with its fix
			if e, ok := store.StoreError(err); ok {
				m.at = e.Field
			}
			m.form = m.build()
			return tea.Batch(cmd, next, m.focusRefused()), false
		}
		return next, true
	case huh.StateAborted:
		h.Flash(m.title+": cancelled", false)
		return nil, true
	}
	return cmd, false
}

// textField says whether the focused field takes text.
func textField(f *huh.Form) bool {
	switch f.GetFocusedField().(type) {
	case *huh.Input, *huh.Text:
		return true
	}
	return false
}

// filtering says whether the focused field is a select being filtered
// ("/" typed in it).
func filtering(f *huh.Form) bool {
	sel, ok := f.GetFocusedField().(interface{ GetFiltering() bool })
	return ok && sel.GetFiltering()
}

// leaving says whether a key leaves the field it is typed in: 1 forward
// (enter, tab), -1 back (shift+tab), 0 not. Text fields and selects (the
// only kinds our forms use; every select holds strings); another kind
// keeps huh's own move.
func leaving(f *huh.Form, k tea.KeyPressMsg, isKey bool) int {
	if !isKey {
		return 0
	}
	switch field := f.GetFocusedField().(type) {
	case *huh.Input:
	case *huh.Select[string]:
		if _, ok := field.Hovered(); !ok {
			return 0 // nothing to choose (a filter matching none): huh stays too
		}
	default:
		return 0
	}
	switch k.String() {
	case "enter", "tab":
		return 1
	case "shift+tab":
		return -1
	}
	return 0
}

// leaveField moves the cursor out of a field here and now. huh moves it by
// a message of its own, which comes after keys typed ahead (a paste, a fast
// typist, an SSH link's latency): those went into the field left
// ("Jane⏎Doe" gave "JaneD" and "oe"; "⏎↓" on User type chose Employee,
// then Client). The field still checks its value first and keeps the
// cursor when it refuses it.
func (m *Form) leaveField(msg tea.Msg, dir int) tea.Cmd {
	field := m.form.GetFocusedField()
	f, _ := m.form.Update(msg) // the move it asks for by message is made below
	m.form = f.(*huh.Form)
	if field.Error() != nil {
		return nil // refused: the field says why
	}
	step, group := m.form.NextField, m.form.NextGroup
	if dir < 0 {
		step, group = m.form.PrevField, m.form.PrevGroup
	}
	cmd := step()
	if m.form.GetFocusedField() == field { // the group's edge: the next group (or submit)
		cmd = group()
	}
	return cmd
}

func (m *Form) View(th *Theme, w, h int) string {
	lines := strings.Split(strings.TrimRight(m.form.View(), "\n"), "\n")
	for i := range lines {
		lines[i] = " " + lines[i]
	}
	if m.refusal != "" {
		// the whole reason, wrapped: it says what to do
		text := Safe(m.refusal) + " — change it and submit again, or esc"
		if m.at != "" && strings.Contains(m.form.View(), "✗ ") { // said at the field
			text = "refused: the field marked ✗ says why — change it and submit again, or esc"
		}
		for _, l := range strings.Split(ansi.Wrap(text, min(w-8, 72), " "), "\n") {
			lines = append(lines, " "+th.Bad.Render(l))
		}
	}
	if m.quitting {
		lines = append(lines, "", " "+th.Warn.Render("Drop what you typed? y / enter: yes      n / esc: back to the form"))
	}
	return th.Dialog(Safe(m.title)+" — esc cancels", append(append([]string{""}, lines...), ""), w, h, 76)
}

// Title is the form's title.
func (m *Form) Title() string { return m.title }

// RefusedField is the field the store refused the last submission at ("":
// none, or the form as a whole).
func (m *Form) RefusedField() store.Field { return m.at }

// Asking says the form asks whether to drop what was typed.
func (m *Form) Asking() bool { return m.quitting }

// Filtering says the focused field is a select being filtered.
func (m *Form) Filtering() bool { return filtering(m.form) }

// Huh is the huh form inside.
func (m *Form) Huh() *huh.Form { return m.form }
