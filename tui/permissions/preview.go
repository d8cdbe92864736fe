package permissions

import (
	"fmt"
	"slices"
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/gatehouse/gatehouse/store"
	"github.com/gatehouse/gatehouse/tui/ui"
)

// previewPane is the right pane: the dry run of the pending change, or,
// with nothing pending, the cell under the matrix's cursor and the keys.
type previewPane struct {
	host  ui.Host
	data  *snapshot
	edits *edits
	// cell is the matrix's cell cursor (the screen's wiring)
	cell func() (*store.Profile, *store.Screen)

	pv     matrixPreview
	scroll ui.ScrollPane
	w, h   int
}

// matrixPreview is the dry run of the pending change, recomputed only when
// the edits' gen moves (an edit, a discard, a reload), never per frame.
type matrixPreview struct {
	gen       int
	changes   []mxChange
	profiles  int
	users     int
	err       error // the store's refusal of the whole change set
	conflicts []string
	warnings  []string

	linesW, linesH int
	lines          []string
}

func newPreviewPane(h ui.Host, d *snapshot, e *edits, cell func() (*store.Profile, *store.Screen)) *previewPane {
	p := &previewPane{host: h, data: d, edits: e, cell: cell}
	p.pv.gen = -1
	return p
}

func (p *previewPane) title() string {
	if n := p.edits.len(); n > 0 {
		return fmt.Sprintf("Preview (%d pending)", n)
	}
	return "Preview"
}

func (p *previewPane) Bindings() []*ui.Binding { return ui.NavBindings(ui.NavKeys, &p.scroll, nil) }

func (p *previewPane) SetSize(w, h int) { p.w, p.h = w, h }

// Update: the pane only scrolls, by its bindings.
func (p *previewPane) Update(tea.Msg) tea.Cmd { return nil }

// prepare runs the dry run once per change of the pending edits, lays out
// its lines for the pane's size, and fits the scroll to them.
func (p *previewPane) prepare() {
	w, h := p.w, p.h
	pv := p.preview()
	lines := pv.lines
	if len(pv.changes) == 0 {
		lines = p.cursorInfo(w)
	} else if pv.linesW != w || pv.linesH != h || pv.lines == nil {
		pv.linesW, pv.linesH = w, h
		pv.lines = p.previewLines(pv, w, h)
		lines = pv.lines
	}
	p.scroll.Fit(len(lines), h)
}

// preview is the dry run of the pending edits, run again only when they
// changed since (in Update: prepare, or a test).
func (p *previewPane) preview() *matrixPreview {
	if p.pv.gen != p.edits.gen {
		p.pv = p.dryRun()
	}
	return &p.pv
}

// dryRun previews the pending edits: what changes, whom it touches, what the
// store would refuse and what the guardrail warns of.
func (p *previewPane) dryRun() matrixPreview {
	e, d := p.edits, p.data
	pv := matrixPreview{gen: e.gen}
	if e.len() > 0 {
		pv.changes = e.changes(d)
		seen := map[uint64]bool{}
		for _, c := range pv.changes {
			if !seen[c.p.ID] {
				seen[c.p.ID] = true
				pv.profiles++
				pv.users += d.holders[c.p.ID]
			}
			if c.p.Type == store.ClientUser && c.after != store.None && (c.sc.Sensitive || c.after > store.View) {
				why := "sensitive"
				if !c.sc.Sensitive {
					why = "above view"
				}
				pv.warnings = append(pv.warnings, fmt.Sprintf("%s · %s → %s (%s)", ui.Safe(c.p.Name), ui.Safe(c.sc.Title), c.after, why))
			}
		}
		ids := make([]uint64, 0, len(e.readAt))
		for id := range e.readAt {
			ids = append(ids, id)
		}
		slices.SortFunc(ids, func(x, y uint64) int { return d.pIdx[x] - d.pIdx[y] })
		for _, id := range ids {
			if pr := d.byID[id]; pr != nil && pr.Version != e.readAt[id] {
				pv.conflicts = append(pv.conflicts, fmt.Sprintf("profile %s was changed by %s at %s since you began; ctrl+s will refuse; esc discards",
					ui.Safe(pr.Name), ui.Safe(pr.UpdatedBy), pr.Updated.Local().Format("2006-01-02 15:04:05")))
			}
		}
		_, pv.err = p.host.Store().Preview(p.host.Actor(), "preview", e.grants(pv.changes))
	}
	return pv
}

// View draws the preview as prepare left it; at another size, or before
// prepare ran, it is worked out here without being kept.
func (p *previewPane) View(w, h int, focused bool) []string {
	pv := &p.pv
	if pv.gen != p.edits.gen {
		fresh := p.dryRun()
		pv = &fresh
	}
	var lines []string
	switch {
	case len(pv.changes) == 0:
		lines = p.cursorInfo(w)
	case pv.linesW == w && pv.linesH == h && pv.lines != nil:
		lines = pv.lines
	default:
		lines = p.previewLines(pv, w, h)
	}
	return lines[min(p.scroll.Off, max(len(lines)-h, 0)):]
}

// mxWrap word-wraps text to w cells, styling each line.
func mxWrap(st lipgloss.Style, text string, w int) []string {
	ls := strings.Split(ansi.Wrap(text, max(w, 8), ""), "\n")
	for i, l := range ls {
		ls[i] = st.Render(l)
	}
	return ls
}

// mxWrapIndent word-wraps text to w cells with every line indented,
// styled by st (nil: plain).
func mxWrapIndent(st *lipgloss.Style, indent, text string, w int) []string {
	ls := strings.Split(ansi.Wrap(text, max(w-ansi.StringWidth(indent), 8), ""), "\n")
	for i, l := range ls {
		if st != nil {
			l = st.Render(l)
		}
		ls[i] = indent + l
	}
	return ls
}

func (p *previewPane) previewLines(pv *matrixPreview, w, h int) []string {
	th := p.host.Theme()
	of := ui.Plural(pv.profiles, "profile")
	if pv.profiles == 1 {
		of = ui.Safe(pv.changes[0].p.Name)
	}
	out := mxWrap(th.Bold, fmt.Sprintf("%s of %s · touches %s", ui.Plural(len(pv.changes), "cell"), of, ui.Plural(pv.users, "user")), w)
	switch {
	case len(pv.conflicts) > 0:
		out = append(out, "", th.Bad.Render("Conflict"))
		for _, c := range pv.conflicts {
			out = append(out, mxWrap(th.Bad, c, w)...)
		}
		if pv.err != nil && store.KindOf(pv.err) != store.KindConflict {
			out = append(out, mxWrap(th.Bad, "also refused: "+ui.SafeErr(pv.err), w)...)
		}
	case pv.err != nil:
		out = append(out, "")
		out = append(out, mxWrap(th.Bad, "Refused: ctrl+s would be refused (nothing is written):", w)...)
		out = append(out, mxWrap(th.Bad, ui.SafeErr(pv.err), w)...)
	default:
		out = append(out, mxWrap(th.Good, "the rules allow it: ctrl+s saves it as one change set", w)...)
	}
	if len(pv.warnings) > 0 {
		out = append(out, "")
		head := "Guardrail on: client profiles get at most view, and no sensitive screen"
		if !p.data.guard {
			head = "Guardrail off, so allowed (read-only clients are recommended):"
		}
		out = append(out, mxWrap(th.Warn, head, w)...)
		for _, s := range pv.warnings {
			out = append(out, mxWrap(th.Warn, "! "+s, w)...)
		}
	}
	out = append(out, "", th.Header.Render("Changes"))
	pw, sw := 0, 0
	for _, c := range pv.changes {
		pw = max(pw, ansi.StringWidth(ui.Safe(c.p.Name)))
		sw = max(sw, ansi.StringWidth(ui.Safe(c.sc.Title)))
	}
	oneLine := pw+sw+4+ansi.StringWidth("maintain → maintain") <= w
	per, named := 1, [][]string(nil) // lines per change; profile · screen, wrapped
	if !oneLine {
		named = make([][]string, len(pv.changes))
		for i, c := range pv.changes {
			title := ui.Safe(c.sc.Title)
			if c.sc.Sensitive {
				title = "!" + title
			}
			named[i] = mxWrapIndent(nil, "", ui.Safe(c.p.Name)+" · "+title, w)
			per = max(per, len(named[i])+1)
		}
	}
	footer := []string{"", th.Muted.Render(ui.Fit("ctrl+s save · esc discard", w))}
	room := max((h-len(out)-len(footer))/per, 1)
	for i, c := range pv.changes {
		if i == room-1 && len(pv.changes) > room {
			out = append(out, th.Muted.Render(fmt.Sprintf("… and %d more", len(pv.changes)-i)))
			break
		}
		arrow := fmt.Sprintf("%s → %s", c.before, c.after)
		if oneLine {
			sens := " "
			if c.sc.Sensitive {
				sens = "!"
			}
			out = append(out, ui.Fit(fmt.Sprintf("%-*s %s%-*s  %s", pw, ui.Safe(c.p.Name), sens, sw, ui.Safe(c.sc.Title), arrow), w))
		} else {
			out = append(append(out, named[i]...), "    "+arrow)
		}
	}
	return append(out, footer...)
}

// cursorInfo is the pane with nothing pending: the cursor's cell and the keys.
func (p *previewPane) cursorInfo(w int) []string {
	th := p.host.Theme()
	out := []string{th.Muted.Render("No unsaved changes."), ""}
	pr, sc := p.cell()
	if pr != nil && sc != nil {
		l := pr.Levels[sc.Key]
		facts := l.String()
		if sc.Sensitive {
			facts += " · sensitive screen"
		}
		// wrapped, not cut: at 80 columns the pane is 28 wide
		out = append(out, mxWrap(th.Bold, ui.Safe(pr.Name)+" on "+ui.Safe(sc.Title), w)...)
		out = append(out, mxWrapIndent(nil, "  ", facts, w)...)
		out = append(out, mxWrapIndent(&th.Muted, "  ", profileFacts(pr), w)...)
		out = append(out, mxWrapIndent(&th.Muted, "  ", "held by "+ui.Plural(p.data.holders[pr.ID], "user"), w)...)
		if pr.Type == store.ClientUser && p.data.guard {
			out = append(out, mxWrapIndent(&th.Muted, "  ", "guardrail on: at most view, no sensitive screen", w)...)
		}
		out = append(out, "")
	}
	if why := mayEdit(p.host); why != "" {
		return append(out, mxWrap(th.Warn, "You cannot edit profiles: "+ui.Safe(why), w)...)
	}
	k := func(key, what string) string { return ui.Fit(th.Key.Render(fmt.Sprintf("%-10s", key))+" "+what, w) }
	return append(out,
		k("n v m", "this cell"),
		k("N V M", "the whole row"),
		k("alt+n/v/m", "the whole column"),
		k("space", "mark · b: block"),
		k("ctrl+s", "save all"),
		th.Muted.Render(ui.Fit("? lists every key", w)))
}
