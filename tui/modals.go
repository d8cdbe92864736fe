package tui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/gatehouse/gatehouse/store"
)

// help lists every key of the current screen and the global ones, generated
// from the same bindings that drive them; a key that cannot be used now says why.
type help struct {
	lines  []string
	offset int
}

func newHelp(a *App) *help {
	h := &help{}
	scr := a.current()
	var own, nav []*binding
	for _, b := range visible(scr.bindings(), a.readOnly) {
		if b.group == navGroup {
			nav = append(nav, b)
		} else {
			own = append(own, b)
		}
	}
	groups := []struct {
		title string
		bs    []*binding
	}{{scr.name(), own}, {navGroup, nav}, {"Everywhere", visible(a.globals(), a.readOnly)}}
	for _, g := range groups {
		if len(g.bs) == 0 && g.title == navGroup {
			continue
		}
		h.lines = append(h.lines, a.th.header.Render(g.title), "")
		for _, b := range g.bs {
			k := fmt.Sprintf("%-14s", b.Help().Key)
			line := a.th.key.Render(k) + " " + b.Help().Desc
			if why := b.disabled(); why != "" { // often a store error, naming records
				line = a.th.muted.Render(k+" "+b.Help().Desc) + a.th.warn.Render("  — not now: "+safe(why))
			}
			h.lines = append(h.lines, line)
		}
		h.lines = append(h.lines, "")
	}
	if len(nav) == 0 { // a screen whose lists do not declare their keys yet
		h.lines = append(h.lines, a.th.muted.Render("Lists: ↑/↓ or j/k move · pgup/pgdn page · home/end · esc discards pending changes"))
	} else {
		h.lines = append(h.lines, a.th.muted.Render("esc discards pending changes"))
	}
	if a.readOnly {
		h.lines = append(h.lines, a.th.warn.Render("You may only view: editing keys are not shown."))
	}
	h.lines = append(h.lines, "", a.th.muted.Render("esc or ? closes this help"))
	return h
}

func (h *help) update(msg tea.Msg, a *App) (tea.Cmd, bool) {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		switch k.String() {
		case "esc", "?", "q", "enter":
			return nil, true
		case "down", "j":
			h.offset = min(h.offset+1, max(len(h.wrapped(a.w))-(a.bodyHeight()-2), 0))
		case "up", "k":
			h.offset = max(h.offset-1, 0)
		case "ctrl+c":
			return a.quit(), true
		}
	}
	return nil, false
}

// wrapped is every line whole, in a box w wide: a long one (a "not now"
// reason) goes on under its description, not off the edge.
func (h *help) wrapped(w int) []string {
	lines := make([]string, 0, len(h.lines))
	for _, l := range h.lines {
		lines = append(lines, wrapIndented(l, w-2, 15)...)
	}
	return lines
}

func (h *help) view(th *theme, w, ht int) string {
	lines := h.wrapped(w)
	off := min(h.offset, max(len(lines)-(ht-2), 0)) // a resize may have left less to scroll
	return th.box("Help — ↑/↓ scroll, esc close", lines[off:], w, ht, true)
}

// wrapIndented wraps a styled line to width cells, its continuation lines
// indented.
func wrapIndented(line string, width, indent int) []string {
	if ansi.StringWidth(line) <= width || width <= indent+10 {
		return []string{line}
	}
	first := strings.Split(ansi.Wrap(line, width, " "), "\n")
	out := []string{first[0]}
	rest := strings.Join(first[1:], " ")
	pad := strings.Repeat(" ", indent)
	for _, l := range strings.Split(ansi.Wrap(rest, width-indent, " "), "\n") {
		out = append(out, pad+l)
	}
	return out
}

// guarded is a dialog that submits a change: App.followRights closes it
// once the actor may no longer make it.
type guarded interface {
	guard(why func() string)
	closedBecause(a *App) string // "" while it may stay open
	what() string
}

// editGuard is the rights check a dialog re-runs when rights may have
// changed: the check of the editing key that opened it.
type editGuard struct{ why func() string }

func (g *editGuard) guard(why func() string) { g.why = why }

func (g *editGuard) closedBecause(a *App) string {
	switch {
	case g.why == nil: // not an edit (a filter, quitting)
		return ""
	case a.readOnly:
		return "you may only view now"
	}
	return g.why()
}

// confirm asks a yes/no question.
type confirm struct {
	editGuard
	question string
	yes      func() tea.Cmd
}

func (c *confirm) what() string { return "the question" }

func (c *confirm) update(msg tea.Msg, a *App) (tea.Cmd, bool) {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		switch strings.ToLower(k.String()) {
		case "y", "enter":
			return c.yes(), true
		case "n", "esc", "q":
			return nil, true
		}
	}
	return nil, false
}

func (c *confirm) view(th *theme, w, h int) string {
	q := safe(c.question) // questions name what they are about
	bw := min(w, max(60, ansi.StringWidth(q)+6))
	lines := []string{""}
	for _, l := range strings.Split(ansi.Wrap(q, bw-6, " "), "\n") {
		lines = append(lines, "  "+l) // the whole question, wrapped
	}
	lines = append(lines, "", "  y / enter: yes      n / esc: no", "")
	return th.dialog("Confirm", lines, w, h, bw)
}

// message shows the whole of the last status message.
type message struct {
	text string
	bad  bool
}

func (m *message) update(msg tea.Msg, a *App) (tea.Cmd, bool) {
	if _, ok := msg.(tea.KeyPressMsg); ok {
		return nil, true
	}
	return nil, false
}

func (m *message) view(th *theme, w, h int) string {
	st := th.good
	if m.bad {
		st = th.bad
	}
	bw := min(w, 80)
	lines := []string{""}
	for _, l := range strings.Split(ansi.Wrap(m.text, bw-6, " "), "\n") {
		lines = append(lines, "  "+st.Render(l))
	}
	lines = append(lines, "", th.muted.Render("  any key closes"), "")
	return th.dialog("Message", lines, w, h, bw)
}

// welcome greets the operator of a new, empty database.
type welcome struct{}

func (welcome) update(msg tea.Msg, a *App) (tea.Cmd, bool) {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil, false
	}
	switch k.String() {
	case "d":
		r, err := a.s.Demo(a.actor, store.DemoOptions{Users: 200})
		if err != nil {
			a.fail(err)
			return nil, true
		}
		a.reloadAll()
		a.flash(fmt.Sprintf("demo data loaded: %d clients, %d sites, %d teams, %d users — press ? for help", r.Clients, r.Sites, r.Teams, r.Users), false)
		return nil, true
	case "enter", "esc", "e":
		a.flash("empty database: press a to add a user, 5 for clients & sites, ? for help", false)
		return nil, true
	case "q", "ctrl+c":
		return tea.Quit, true
	}
	return nil, false
}

func (welcome) view(th *theme, w, h int) string {
	lines := []string{
		"",
		"  Welcome to gatehouse.",
		"",
		"  This database is new and empty. gatehouse decides who may see which",
		"  sites and which screens: users, their sites and teams, and the",
		"  permission matrix of each profile.",
		"",
		"  d      load demo data (3 clients, their sites and teams, 200 users)",
		"  enter  start empty",
		"  q      quit",
		"",
		"  Anywhere later: ? shows every key, : opens the command palette.",
	}
	return th.dialog("Welcome", append(lines, ""), w, h, 76)
}

// formModal embeds a huh form; done runs when it completes. When the store
// refuses what done submits, the form stays open with what was typed and
// the reason; leaving a form something was typed into asks first.
type formModal struct {
	editGuard
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

func (m *formModal) what() string { return m.title }

func newForm(a *App, title string, done func() tea.Cmd, groups ...*huh.Group) (*formModal, tea.Cmd) {
	return newFormAt(a, title, done, func(func(store.Field, string) string) []*huh.Group { return groups })
}

// newFormAt is newForm for a form whose fields the store may refuse one by
// one: groups builds the fields again after a refusal, each keyed by the
// store.Field it holds and described by note(field, its usual description),
// so the store's reason shows at the field it is about, and the cursor
// starts there.
func newFormAt(a *App, title string, done func() tea.Cmd, groups func(note func(f store.Field, usual string) string) []*huh.Group) (*formModal, tea.Cmd) {
	m := &formModal{title: title, done: done}
	m.build = func() *huh.Form {
		km := huh.NewDefaultKeyMap()
		km.Quit = key.NewBinding(key.WithKeys("esc", "ctrl+c"), key.WithHelp("esc", "cancel"))
		m.keys = km
		return huh.NewForm(groups(m.note)...).WithKeyMap(km).WithShowHelp(true).WithTheme(formTheme(a.th)).WithWidth(min(a.w-6, 70))
	}
	m.form = m.build()
	return m, m.form.Init()
}

// note is a field's description: the store's reason when it refused that
// field, else its usual one.
func (m *formModal) note(f store.Field, usual string) string {
	if m.refusal != "" && f == m.at {
		return "✗ " + m.refusal
	}
	return usual
}

// focusRefused moves the cursor of a new form to the field refused, if it
// is in the first group (a move past a group's end would submit it).
func (m *formModal) focusRefused() tea.Cmd {
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

func (m *formModal) update(msg tea.Msg, a *App) (tea.Cmd, bool) {
	k, isKey := msg.(tea.KeyPressMsg)
	if m.quitting && isKey { // the form's own messages (options loading) still reach it
		switch strings.ToLower(k.String()) {
		case "y", "enter":
			a.flash(m.title+": cancelled, nothing saved", false)
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
		a.refusal = nil
		next := m.done()
		if a.refusal != nil {
			// refused: the form again from its first field, as it was
			// filled in (its fields hold what was typed), with the reason
			m.refusal, m.at = a.msg, "" // as fail rendered it, with its fix
			if e, ok := store.StoreError(a.refusal); ok {
				m.at = e.Field
			}
			a.refusal = nil
			m.form = m.build()
			return tea.Batch(cmd, next, m.focusRefused()), false
		}
		return next, true
	case huh.StateAborted:
		a.flash(m.title+": cancelled", false)
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
func (m *formModal) leaveField(msg tea.Msg, dir int) tea.Cmd {
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

func (m *formModal) view(th *theme, w, h int) string {
	lines := strings.Split(strings.TrimRight(m.form.View(), "\n"), "\n")
	for i := range lines {
		lines[i] = " " + lines[i]
	}
	if m.refusal != "" {
		// the whole reason, wrapped: it says what to do
		text := safe(m.refusal) + " — change it and submit again, or esc"
		if m.at != "" && strings.Contains(m.form.View(), "✗ ") { // said at the field
			text = "refused: the field marked ✗ says why — change it and submit again, or esc"
		}
		for _, l := range strings.Split(ansi.Wrap(text, min(w-8, 72), " "), "\n") {
			lines = append(lines, " "+th.bad.Render(l))
		}
	}
	if m.quitting {
		lines = append(lines, "", " "+th.warn.Render("Drop what you typed? y / enter: yes      n / esc: back to the form"))
	}
	return th.dialog(safe(m.title)+" — esc cancels", append(append([]string{""}, lines...), ""), w, h, 76)
}
