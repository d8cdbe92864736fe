package history

import (
	"cmp"
	"fmt"
	"slices"

	tea "charm.land/bubbletea/v2"

	"github.com/gatehouse/gatehouse/store"
	"github.com/gatehouse/gatehouse/tui/list"
	"github.com/gatehouse/gatehouse/tui/ui"
)

// entriesPane is the middle pane: the state of the hash chain, then the
// entries of the answer taken, newest first.
type entriesPane struct {
	host ui.Host
	ui.Clock
	log *histLog // the screen's reads

	list *list.Model[uint64] // the entries, by seq; its generation is the filters'
}

func newEntriesPane(h ui.Host, log *histLog) *entriesPane {
	p := &entriesPane{host: h, Clock: h.Clock(), log: log, list: list.New[uint64]()}
	p.list.SetTop(2) // below the chain's state and the column headings
	return p
}

// at is the highlighted entry of the answer taken (nil: none).
func (p *entriesPane) at() *store.AuditEntry {
	rows := p.log.loaded()
	if c := p.list.Cursor(); c >= 0 && c < len(rows) {
		return &rows[c]
	}
	return nil
}

// take lists a new answer's entries, unless the filters changed since it
// was asked for (then it is stale: false); the cursor stays on seq, or goes
// to the top.
func (p *entriesPane) take(fgen uint64, rows []store.AuditEntry, seq uint64) bool {
	if !p.list.SetFiltered(fgen, entryRows{p, rows}) {
		return false
	}
	if cur, ok := p.list.Current(); !ok || cur != seq {
		p.list.SetCursor(0)
	}
	return true
}

func (p *entriesPane) Bindings() []*ui.Binding { return ui.ListNav(p.list, nil) }

// SetSize: the entries below the chain's state and their headings.
func (p *entriesPane) SetSize(w, h int) { p.list.SetSize(w, max(h-2, 1)) }

// Update: a click highlights an entry, the wheel moves through them.
func (p *entriesPane) Update(msg tea.Msg) tea.Cmd {
	if m, ok := msg.(ui.PaneMouse); ok {
		p.list.Mouse(m.MouseMsg, m.Y)
	}
	return nil
}

func (p *entriesPane) View(w, h int, focused bool) []string {
	th := p.host.Theme()
	out := []string{ui.Fit(p.verifyText(), w)}
	lg := p.log
	pg, fresh := lg.page.Val, lg.page.Key == lg.entries.Want
	if !lg.paged {
		return append(out, th.Muted.Render("reading the log…"))
	}
	if pg.err != nil {
		return append(out, ui.WrapLines(th.Bad.Render(ui.Unread(pg.err)), w)...)
	}
	c := layoutHistCols(w)
	head := "  " + ui.Cell("TIME", c.time) + ui.Cell("SET", c.set) + ui.Cell("ACTOR", c.actor) + ui.Cell("RECORD", c.entity) + ui.Cell("FIELD", c.field)
	if !fresh {
		head = "  " + "reading…"
	}
	out = append(out, th.Header.Render(ui.Fit(head, w)))
	if len(pg.rows) == 0 {
		return append(out, th.Muted.Render("  no entries match; x clears the filters"))
	}
	return p.list.AppendLines(out, focused)
}

// verifyText is the state of the hash chain: verifying, intact, or the first problem.
func (p *entriesPane) verifyText() string {
	th, lg := p.host.Theme(), p.log
	v, ok, fresh := lg.verified.Val, lg.verifiedOK, lg.verified.Key == lg.verify.Want
	switch {
	case !ok:
		return th.Muted.Render("audit: verifying…")
	case v.err != nil:
		return th.Bad.Render("audit: cannot verify: " + ui.Unread(v.err))
	}
	return verifyLine(th, v.r, fresh)
}

// verifyLine renders what `audit verify` found.
func verifyLine(th *ui.Theme, r store.VerifyResult, fresh bool) string {
	more := ""
	if !fresh {
		more = " · checking new entries…"
	}
	if !r.OK {
		p := "altered"
		if len(r.Problems) > 0 {
			p = r.Problems[0]
		}
		extra := ""
		if n := len(r.Problems) - 1; n > 0 {
			extra = fmt.Sprintf(" (+%d more: gatehouse audit verify)", n)
		}
		return th.Bad.Render("audit: NOT intact: "+ui.Safe(p)+extra) + th.Muted.Render(more)
	}
	return th.Good.Render(fmt.Sprintf("audit: chain intact (%s entries)", ui.Thousands(int(r.Entries)))) + th.Muted.Render(more)
}

type histCols struct{ time, set, actor, entity, field int }

func layoutHistCols(w int) histCols {
	c := histCols{time: 17}
	if w < 70 {
		c.time = 12
	}
	if w >= 90 {
		c.set = 7
	}
	rest := w - 2 - c.time - c.set
	switch {
	case w >= 50:
		c.actor = rest * 25 / 100
		c.entity = rest * 48 / 100
		c.field = rest - c.actor - c.entity
	case w >= 40: // the list at 80 columns: who made a change still shows
		c.actor = rest / 3        // local:NAME whole at 80 columns, a longer one cut
		c.field = rest * 31 / 100 // most fields whole
		c.entity = rest - c.actor - c.field
	default:
		c.entity = rest * 60 / 100
		c.field = rest - c.entity
	}
	return c
}

// entryRows are the entries of one answer, newest first.
type entryRows struct {
	p    *entriesPane
	rows []store.AuditEntry
}

func (r entryRows) Len() int            { return len(r.rows) }
func (r entryRows) Key(i int) uint64    { return r.rows[i].Seq }
func (r entryRows) Selectable(int) bool { return true }

// Find: the rows run newest first, seq descending.
func (r entryRows) Find(seq uint64) (int, bool) {
	i, _ := slices.BinarySearchFunc(r.rows, seq, func(e store.AuditEntry, seq uint64) int { return cmp.Compare(seq, e.Seq) })
	return i, i < len(r.rows) && r.rows[i].Seq == seq
}

func (r entryRows) Render(i, w int, st list.State) string {
	p, th, e, c := r.p, r.p.host.Theme(), &r.rows[i], layoutHistCols(w)
	mark := " "
	if st.Cursor {
		mark = "›"
	}
	ts := p.Stamp(e.Time)
	if c.time < 17 {
		ts = p.Short(e.Time)
	}
	line := mark + " " + ui.Cell(ts, c.time)
	if c.set > 0 {
		line += ui.Cell(fmt.Sprintf("#%d", e.Batch), c.set)
	}
	line += ui.Cell(ui.Safe(e.Actor), c.actor) + ui.Cell(ui.Safe(e.Entity.String()), c.entity) + ui.Cell(ui.Safe(e.Field), c.field)
	line = ui.Fit(line, w)
	switch {
	case st.Cursor && st.Focused:
		line = th.Cursor.Render(line)
	case st.Cursor:
		line = th.CursorBlurred.Render(line)
	}
	return line
}
