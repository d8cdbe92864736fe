package tui

import (
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/gatehouse/gatehouse/tui/ui"
)

// help lists every key of the current screen and the global ones, generated
// from the same bindings that drive them; a key that cannot be used now says why.
type help struct {
	a      *App
	lines  []string
	offset int
}

func newHelp(a *App) *help {
	h := &help{a: a}
	scr := a.current()
	var own, nav []*ui.Binding
	for _, b := range ui.Visible(scr.Bindings(), a.readOnly) {
		if b.Group() == ui.NavGroup {
			nav = append(nav, b)
		} else {
			own = append(own, b)
		}
	}
	groups := []struct {
		title string
		bs    []*ui.Binding
	}{{scr.Name(), own}, {ui.NavGroup, nav}, {"Everywhere", ui.Visible(a.globals(), a.readOnly)}}
	for _, g := range groups {
		if len(g.bs) == 0 && g.title == ui.NavGroup {
			continue
		}
		h.lines = append(h.lines, a.th.Header.Render(g.title), "")
		for _, b := range g.bs {
			k := fmt.Sprintf("%-14s", b.Help().Key)
			line := a.th.Key.Render(k) + " " + b.Help().Desc
			if why := a.disabled(b); why != "" { // often a store error, naming records
				line = a.th.Muted.Render(k+" "+b.Help().Desc) + a.th.Warn.Render("  — not now: "+ui.Safe(why))
			}
			h.lines = append(h.lines, line)
		}
		h.lines = append(h.lines, "")
	}
	if len(nav) == 0 { // a screen whose lists do not declare their keys yet
		h.lines = append(h.lines, a.th.Muted.Render("Lists: ↑/↓ or j/k move · pgup/pgdn page · home/end · esc discards pending changes"))
	} else {
		h.lines = append(h.lines, a.th.Muted.Render("esc discards pending changes"))
	}
	if a.readOnly {
		h.lines = append(h.lines, a.th.Warn.Render("You may only view: editing keys are not shown."))
	}
	h.lines = append(h.lines, "", a.th.Muted.Render("esc or ? closes this help"))
	return h
}

func (h *help) Update(msg tea.Msg, _ ui.Host) (tea.Cmd, bool) {
	a := h.a
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

func (h *help) View(th *ui.Theme, w, ht int) string {
	lines := h.wrapped(w)
	off := min(h.offset, max(len(lines)-(ht-2), 0)) // a resize may have left less to scroll
	return th.Box("Help — ↑/↓ scroll, esc close", lines[off:], w, ht, true)
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
