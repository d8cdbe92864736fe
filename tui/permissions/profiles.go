package permissions

import (
	"fmt"
	"strconv"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/gatehouse/gatehouse/store"
	"github.com/gatehouse/gatehouse/tui/list"
	"github.com/gatehouse/gatehouse/tui/ui"
)

// profilesPane is the left pane: the profiles, each on two or three lines,
// its marks the profiles shown side by side in the matrix.
type profilesPane struct {
	host  ui.Host
	data  *snapshot
	edits *edits
	// moved is the screen's: the matrix follows the highlighted profile
	moved func()

	list   *list.Model[uint64]
	per    int  // lines per profile: 3 when the facts need a line of their own
	legend bool // the pane has room for its legend
	w, h   int
}

const mxLegendLines = 4

func newProfilesPane(h ui.Host, d *snapshot, e *edits, moved func()) *profilesPane {
	p := &profilesPane{host: h, data: d, edits: e, moved: moved, list: list.New[uint64](), per: 2}
	p.list.SetTop(1) // below the column headings
	return p
}

func (p *profilesPane) title() string {
	if n := p.list.MarkCount(); n > 0 {
		return fmt.Sprintf("Profiles · %d shown", n)
	}
	return fmt.Sprintf("Profiles (%d)", len(p.data.profiles))
}

// reload follows a new snapshot, on the same profile.
func (p *profilesPane) reload() {
	p.list.PruneMarks(func(id uint64) bool { return p.data.byID[id] != nil })
	p.list.SetRows(profRows{p})
}

// highlighted is the profile under the cursor.
func (p *profilesPane) highlighted() *store.Profile {
	if c := p.list.Cursor(); c >= 0 && c < len(p.data.profiles) {
		return p.data.profiles[c]
	}
	return nil
}

// columns are the profiles the matrix shows: those side by side, or else
// the highlighted one.
func (p *profilesPane) columns() []*store.Profile {
	var out []*store.Profile
	for _, pr := range p.data.profiles {
		if p.list.Marked(pr.ID) {
			out = append(out, pr)
		}
	}
	if h := p.highlighted(); len(out) == 0 && h != nil {
		out = append(out, h)
	}
	return out
}

func (p *profilesPane) sideBySide() int { return p.list.MarkCount() }

func (p *profilesPane) Bindings() []*ui.Binding { return ui.ListNav(p.list, p.moved) }

func (p *profilesPane) SetSize(w, h int) {
	p.w, p.h = w, h
	p.layout()
}

// layout sizes the list: rows of 2 or 3 lines, the legend below them when
// there is room. Again after a reload, since the facts' widths change.
func (p *profilesPane) layout() {
	w, h := p.w, p.h
	p.per = 2 // lines per profile; 3 when the facts do not fit on one line
	for _, pr := range p.data.profiles {
		if 2+ansi.StringWidth(profileFacts(pr)) > w {
			p.per = 3
			break
		}
	}
	p.legend = len(p.data.profiles)*p.per+1+mxLegendLines <= h
	room := max((h-1)/p.per, 1)
	if p.legend {
		room = max((h-1-mxLegendLines)/p.per, 1)
	}
	p.list.SetRowLines(p.per)
	p.list.SetSize(w, room*p.per)
}

// Update: enter or → goes to the matrix; esc stops showing profiles side by
// side; a click highlights a profile.
func (p *profilesPane) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		switch msg.String() {
		case "enter", "right", "l":
			p.host.SetFocus(1)
		case "esc":
			if p.list.MarkCount() > 0 {
				p.list.ClearMarks()
				p.moved()
				p.host.Flash("side by side cleared: the highlighted profile is shown", false)
			}
		}
	case ui.PaneMouse:
		if p.list.Mouse(msg.MouseMsg, msg.Y) {
			p.moved()
		}
	}
	return nil
}

func (p *profilesPane) View(w, h int, focused bool) []string {
	th := p.host.Theme()
	out := make([]string, 0, h)
	out = append(out, th.Header.Render(ui.Fit(ui.Fit(" PROFILE", w-6)+" USERS", w)))
	out = p.list.AppendLines(out, focused)
	if p.legend {
		for len(out) < h-mxLegendLines {
			out = append(out, "")
		}
		out = append(out, "", th.Muted.Render(ui.Fit("● side by side (space)", w)), th.Muted.Render(ui.Fit("C copy · x delete", w)), th.Muted.Render(ui.Fit("S scope all/assigned", w)))
	}
	return out
}

// profRows are the profiles, each on per lines.
type profRows struct{ p *profilesPane }

func (r profRows) Len() int            { return len(r.p.data.profiles) }
func (r profRows) Key(i int) uint64    { return r.p.data.profiles[i].ID }
func (r profRows) Selectable(int) bool { return true }

func (r profRows) Render(i, w int, st list.State) string {
	pane, th, p := r.p, r.p.host.Theme(), r.p.data.profiles[i]
	cur, sel := " ", " "
	if st.Cursor {
		cur = "›"
	}
	if st.Marked {
		sel = "●"
	}
	name := ui.Safe(p.Name)
	if n := pane.edits.pendingOf(p.ID); n > 0 {
		name += fmt.Sprintf(" *%d", n)
	}
	count := strconv.Itoa(pane.data.holders[p.ID])
	line := ui.Fit(cur+sel+" "+name, w-len(count)-1) + " " + count
	switch {
	case st.Cursor && st.Focused:
		line = th.Cursor.Render(line)
	case st.Cursor:
		line = th.CursorBlurred.Render(line)
	case st.Marked:
		line = th.Selected.Render(line)
	}
	if pane.per == 2 {
		return line + "\n" + th.Muted.Render("  "+profileFacts(p))
	}
	b := "  custom"
	if p.Builtin {
		b = "  built-in"
	}
	return line + "\n" + th.Muted.Render(ui.Fit("  "+mxShortFacts(p, w-2), w)) + "\n" + th.Muted.Render(b)
}
