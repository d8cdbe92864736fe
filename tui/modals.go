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
	done     func() tea.Cmd
	refusal  string // the store's reason for refusing the last submission
	typed    bool   // something was typed or pasted into it
	quitting bool   // asked whether to drop what was typed
}

func (m *formModal) what() string { return m.title }

func newForm(a *App, title string, done func() tea.Cmd, groups ...*huh.Group) (*formModal, tea.Cmd) {
	build := func() *huh.Form {
		km := huh.NewDefaultKeyMap()
		km.Quit = key.NewBinding(key.WithKeys("esc", "ctrl+c"), key.WithHelp("esc", "cancel"))
		return huh.NewForm(groups...).WithKeyMap(km).WithShowHelp(true).WithTheme(formTheme(a.th)).WithWidth(min(a.w-6, 70))
	}
	m := &formModal{title: title, form: build(), build: build, done: done}
	return m, m.form.Init()
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
	if isKey && (k.String() == "esc" || k.String() == "ctrl+c") && m.typed {
		m.quitting = true
		return nil, false
	}
	if _, ok := msg.(tea.PasteMsg); ok || isKey && k.Text != "" {
		m.typed = true
	}
	f, cmd := m.form.Update(msg)
	if ff, ok := f.(*huh.Form); ok {
		m.form = ff
	}
	switch m.form.State {
	case huh.StateCompleted:
		a.refusal = nil
		next := m.done()
		if a.refusal != nil {
			// refused: the form again from its first field, as it was
			// filled in (its fields hold what was typed), with the reason
			m.refusal = a.msg // as fail rendered it, with its fix
			a.refusal = nil
			m.form = m.build()
			return tea.Batch(cmd, next, m.form.Init()), false
		}
		return next, true
	case huh.StateAborted:
		a.flash(m.title+": cancelled", false)
		return nil, true
	}
	return cmd, false
}

func (m *formModal) view(th *theme, w, h int) string {
	lines := strings.Split(strings.TrimRight(m.form.View(), "\n"), "\n")
	for i := range lines {
		lines[i] = " " + lines[i]
	}
	if m.refusal != "" {
		// the whole reason, wrapped: it says what to do
		for _, l := range strings.Split(ansi.Wrap(safe(m.refusal)+" — change it and submit again, or esc", min(w-8, 72), " "), "\n") {
			lines = append(lines, " "+th.bad.Render(l))
		}
	}
	if m.quitting {
		lines = append(lines, "", " "+th.warn.Render("Drop what you typed? y / enter: yes      n / esc: back to the form"))
	}
	return th.dialog(safe(m.title)+" — esc cancels", append(append([]string{""}, lines...), ""), w, h, 76)
}
