// Package history is the History screen: the audit log, filtered, and the
// change set of the highlighted entry.
package history

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"github.com/gatehouse/gatehouse/store"
	"github.com/gatehouse/gatehouse/tui/list"
	"github.com/gatehouse/gatehouse/tui/ui"
)

// Screen: filter | audit entries, newest first | the change set of the
// highlighted entry. The log may hold millions of entries: reads ask the store
// for the newest histLimit matches, and on a big log they (and the hash-chain
// verification, always) run in background jobs, never in View. Their answers
// are taken in Update (ensure), so a frame shows what the model holds.
type Screen struct {
	host ui.Host
	ui.Clock

	entity, actor string // the filters; span indexes histSpans
	span          int
	filters       *list.Model[int] // the Filter pane, one row per filter

	gen    uint64 // bumped by every reload: the log may have grown
	dirty  bool   // filters or gen changed since the last request
	small  bool   // the log is small enough to read on the spot
	hooked bool   // the console runs Work after every message (else reads happen on the spot)
	head   uint64 // entries in the log at the last reload

	entries ui.Job[histQuery, histPage]
	verify  ui.Job[uint64, verifyAnswer]
	batch   ui.Job[uint64, histBatch]

	vreq    uint64              // verification requests: every reload, and v
	rowsSeq uint64              // answer the cursor was placed for
	curSeq  uint64              // the highlighted entry (0: the top)
	list    *list.Model[uint64] // the entries, by seq; its generation is the filters'
	change  ui.ScrollPane       // the change set pane (byHand: scrolled by a key)
	size    [3]ui.PaneSize

	// the answers shown, taken from the jobs in Update
	page                       ui.JobAnswer[histQuery, histPage]
	verified                   ui.JobAnswer[uint64, verifyAnswer]
	shownBatch                 ui.JobAnswer[uint64, histBatch]
	paged, verifiedOK, batchOK bool
	chg                        changeView // the change pane as prepare laid it out

	denied string // the actor may not read the audit log
}

// changeView is the change pane laid out for an entry, a change set and a size.
type changeView struct {
	seq, batch uint64
	w, h       int
	th         *ui.Theme
	head, body []string
}

// histLimit bounds what one read returns: the newest this many matches.
const histLimit = 5000

// histSmall is the largest log read on the spot rather than in a job.
const histSmall = 5000

// changeLimit bounds the entries of one change set shown at once.
const changeLimit = 300

var histSpans = []struct {
	label string
	d     time.Duration
}{
	{"last hour", time.Hour},
	{"last day", 24 * time.Hour},
	{"last week", 7 * 24 * time.Hour},
	{"all time", 0},
}

const (
	histEntity = iota
	histActor
	histTime
	histRows
)

// histQuery is one read of the log: the filters, and the reload they follow.
type histQuery struct {
	gen           uint64 // the reload
	fgen          uint64 // the filters (the entry list's generation)
	entity, actor string
	since         time.Time
}

type histPage struct {
	rows []store.AuditEntry // newest first
	err  error
}

type verifyAnswer struct {
	r   store.VerifyResult
	err error
}

type histBatch struct {
	b       store.Batch
	found   bool
	entries []store.AuditEntry // oldest first; the newest changeLimit of the set
	err     error
}

// New is the History screen of a console.
func New(host ui.Host) ui.Screen {
	h := &Screen{host: host, Clock: host.Clock(), span: len(histSpans) - 1, filters: list.New[int](), list: list.New[uint64]()}
	h.filters.SetRows(histFilterRows{h})
	h.list.SetTop(2) // below the chain's state and the column headings
	s, actor := host.Store(), host.Actor()
	h.entries.Run = func(q histQuery) histPage {
		rows, err := s.AuditLogFor(actor, store.AuditFilter{Entity: q.entity, Actor: q.actor, Since: q.since, Limit: histLimit})
		for i, j := 0, len(rows)-1; i < j; i, j = i+1, j-1 {
			rows[i], rows[j] = rows[j], rows[i]
		}
		return histPage{rows: rows, err: err}
	}
	h.verify.Run = func(uint64) verifyAnswer {
		r, err := s.VerifyAudit()
		return verifyAnswer{r, err}
	}
	h.batch.Run = func(id uint64) histBatch { return readBatch(s, actor, id) }
	h.Reload()
	return h
}

// readBatch reads one change set as the actor may: its record and its
// newest changeLimit entries they may see.
func readBatch(s *store.Store, actor store.Actor, id uint64) histBatch {
	var out histBatch
	newest, err := s.Batches(1)
	if err != nil || len(newest) == 0 {
		out.err = err
		return out
	}
	if id > newest[0].ID {
		return out
	}
	bs, err := s.Batches(int(newest[0].ID - id + 1))
	if err != nil {
		out.err = err
		return out
	}
	for _, b := range bs {
		if b.ID == id {
			out.b, out.found = b, true
		}
	}
	if !out.found {
		return out
	}
	n := int(out.b.LastSeq - out.b.FirstSeq + 1)
	out.entries, out.err = s.AuditLogFor(actor, store.AuditFilter{Batch: id, Limit: min(n, changeLimit)})
	if out.err == nil && len(out.entries) < min(n, changeLimit) {
		// some of it is about users the actor may not see: so may its words be
		out.b.Summary, out.b.Actor = "(a change set that also touched users outside your sites)", s.ActorNames(actor)(out.b.Actor)
	}
	return out
}

func (h *Screen) Name() string { return "History" }

func (h *Screen) Panes() [3]string {
	list := "Entries"
	if p := h.page.Val; h.paged && p.err == nil {
		n := len(p.rows)
		list = fmt.Sprintf("Entries (%s)", ui.Thousands(n))
		if n >= histLimit {
			list = fmt.Sprintf("Entries (newest %s)", ui.Thousands(n))
		}
	}
	return [3]string{"Filter", list, "Change"}
}

// Reload notes that the log changed; the read happens when the screen is
// next drawn or worked on, so a hidden History costs nothing per change.
func (h *Screen) Reload() {
	h.gen++
	h.dirty = true
	h.denied = ui.ErrText(h.host.Store().Capabilities(h.host.Actor()).May(store.ReadAudit))
	h.head = 0
	if b, err := h.host.Store().Batches(1); err == nil && len(b) > 0 {
		h.head = b[0].LastSeq
	}
	h.small = h.head <= histSmall
	h.vreq++
	h.verify.Request(h.vreq)
}

// ensure asks for the current filters' entries (answered on the spot when the log is small).
func (h *Screen) ensure() {
	if h.denied != "" {
		return
	}
	if h.dirty {
		h.dirty = false
		q := histQuery{gen: h.gen, fgen: h.list.Generation(), entity: h.entity, actor: h.actor}
		if d := histSpans[h.span].d; d > 0 {
			q.since = h.Now().Add(-d)
		}
		h.entries.Request(q)
		if h.small || !h.hooked {
			h.entries.Now()
		}
	}
	h.place()
}

// place takes a new answer (unless the filters changed since it was asked
// for: then it is stale, and dropped), keeps the cursor on its entry or goes
// to the top, and asks for the highlighted entry's change set.
func (h *Screen) place() {
	if a := h.entries.Last(); a != nil && a.Seq != h.rowsSeq {
		h.rowsSeq = a.Seq
		if h.list.SetFiltered(a.Key.fgen, entryRows{h, a.Val.rows}) {
			h.page, h.paged = *a, true
			if seq, ok := h.list.Current(); !ok || seq != h.curSeq {
				h.list.SetCursor(0)
			}
		}
	}
	if e := h.at(); e != nil {
		h.curSeq = e.Seq
		if e.Batch != h.batch.Want {
			h.change.ByHand = false
		}
		h.batch.Request(e.Batch)
		if h.small || !h.hooked {
			if _, _, fresh := h.batch.Answer(); !fresh {
				h.batch.Now()
			}
		}
	}
	if a := h.verify.Last(); a != nil {
		h.verified, h.verifiedOK = *a, true
	}
	if a := h.batch.Last(); a != nil {
		h.shownBatch, h.batchOK = *a, true
	}
}

// SetSize: the entries below the chain's state and their headings.
func (h *Screen) SetSize(p [3]ui.PaneSize) {
	h.size = p
	h.filters.SetSize(p[0].W, p[0].H)
	h.list.SetSize(p[1].W, max(p[1].H-2, 1))
}

// Prepare takes the answers that came in and lays out the change pane.
func (h *Screen) Prepare() {
	if h.denied != "" {
		return
	}
	h.ensure()
	h.chg = changeView{}
	e, b := h.at(), h.shownBatch
	if e == nil || !h.batchOK || b.Key != h.batch.Want || b.Val.err != nil {
		return
	}
	w, ht := h.size[2].W, h.size[2].H
	head, body, at := changeLines(h.host.Theme(), h.Clock, b.Val, e, w)
	// the change set's header stays; its entries scroll, the highlighted one in view
	room := max(ht-len(head), 1)
	if !h.change.ByHand {
		h.change.Off = max(at-room/3, 0)
	}
	h.change.Fit(len(body), room)
	h.chg = changeView{seq: e.Seq, batch: b.Seq, w: w, h: ht, th: h.host.Theme(), head: head, body: body}
}

// Work starts what is due in the background: the verification of the chain,
// and on a big log the entries and the change set. The console runs it
// after every message while History is current; until it does that,
// reads happen on the spot and keys pressed here start the verification.
func (h *Screen) Work() tea.Cmd {
	h.hooked = true
	return h.kick()
}

func (h *Screen) kick() tea.Cmd {
	if h.denied != "" {
		return nil
	}
	h.ensure()
	return tea.Batch(h.verify.Cmd(), h.entries.Cmd(), h.batch.Cmd())
}

// also runs an action, then the background work.
func (h *Screen) also(run func() tea.Cmd) func() tea.Cmd {
	return func() tea.Cmd { return tea.Batch(run(), h.kick()) }
}

// rows are the entries listed, newest first, read first if due.
func (h *Screen) rows() []store.AuditEntry {
	h.ensure()
	return h.loaded()
}

// Current is the highlighted entry, read first if due (nil: none).
func (h *Screen) Current() *store.AuditEntry {
	h.ensure()
	return h.at()
}

// loaded are the entries of the answer taken.
func (h *Screen) loaded() []store.AuditEntry {
	if h.paged {
		return h.page.Val.rows
	}
	return nil
}

func (h *Screen) at() *store.AuditEntry {
	rows := h.loaded()
	if c := h.list.Cursor(); c >= 0 && c < len(rows) {
		return &rows[c]
	}
	return nil
}

func (h *Screen) Pending() int { return 0 }
func (h *Screen) Discard()     {}

func (h *Screen) Filter() string { return h.entity }

// SetFilter is the "/" filter: the entity ("user:EMAIL", a kind, or part of a label).
func (h *Screen) SetFilter(q string) {
	q = strings.TrimSpace(q)
	if q != h.entity {
		h.entity = q
		h.refilter()
	}
}

// ShowEntity shows one record's history (the Users screen's "h"): every
// time, every actor.
func (h *Screen) ShowEntity(entity string) {
	h.entity, h.actor, h.span = strings.TrimSpace(entity), "", len(histSpans)-1
	h.refilter()
	h.ensure()
}

// refilter starts a read for the filters as they are now: an answer for
// those before is stale from here on.
func (h *Screen) refilter() {
	h.dirty = true
	h.list.StartFilter()
	h.list.SetCursor(0)
	h.curSeq = 0
}

func (h *Screen) needEntry() string {
	if h.denied != "" {
		return h.denied
	}
	if h.Current() == nil {
		return "no entry is highlighted"
	}
	return ""
}

func (h *Screen) Bindings() []*ui.Binding {
	g := "History"
	return append([]*ui.Binding{
		ui.Bind(g, "e", "only the highlighted entry's record", h.also(func() tea.Cmd {
			if e := h.Current(); e != nil {
				h.entity = e.Entity.String()
				h.refilter()
			}
			return nil
		})).When(h.needEntry),
		ui.Bind(g, "w", "only the highlighted entry's actor (who)", h.also(func() tea.Cmd {
			if e := h.Current(); e != nil {
				h.actor = e.Actor
				h.refilter()
			}
			return nil
		})).When(h.needEntry),
		ui.Bind(g, "t", "time: last hour / day / week / all time", h.also(func() tea.Cmd { h.cycleSpan(1); return nil })),
		ui.Bind(g, "x", "clear every filter", h.also(func() tea.Cmd {
			h.entity, h.actor, h.span = "", "", len(histSpans)-1
			h.refilter()
			return nil
		})).When(func() string {
			if h.entity == "" && h.actor == "" && h.span == len(histSpans)-1 {
				return "no filter is set"
			}
			return ""
		}),
		ui.Bind(g, "v", "verify the audit chain again (audit verify)", func() tea.Cmd {
			h.vreq++
			h.verify.Request(h.vreq)
			return h.kick()
		}).When(func() string {
			if h.denied != "" {
				return h.denied
			}
			if h.verify.Running() {
				return "a verification is running"
			}
			return ""
		}),
		ui.Bind(g, "U", "undo the highlighted change set (as a new change set)", h.also(func() tea.Cmd { return h.undoBatch() })).Editing().When(h.needEntry),
	}, h.nav()...)
}

// nav: the filters, the entries, or the change set's lines.
func (h *Screen) nav() []*ui.Binding {
	switch h.host.Focus() {
	case 0:
		return ui.ListNav(h.filters, nil)
	case 1:
		return ui.ListNav(h.list, nil)
	}
	return ui.NavBindings(ui.NavKeys, &h.change, nil)
}

// Mouse: a click highlights a filter or an entry; the wheel moves through
// them, or scrolls the change set.
func (h *Screen) Mouse(msg tea.MouseMsg, pane, x, y int) tea.Cmd {
	switch pane {
	case 0:
		h.filters.Mouse(msg, y)
	case 1:
		h.list.Mouse(msg, y)
	case 2:
		if w, ok := msg.(tea.MouseWheelMsg); ok {
			switch w.Button {
			case tea.MouseWheelUp:
				h.change.By(-list.WheelStep)
			case tea.MouseWheelDown:
				h.change.By(list.WheelStep)
			}
		}
	}
	return h.kick()
}

func (h *Screen) cycleSpan(d int) {
	h.span = (h.span + d + len(histSpans)) % len(histSpans)
	h.refilter()
}

func (h *Screen) undoBatch() tea.Cmd {
	e := h.Current()
	if e == nil {
		return nil
	}
	id := e.Batch
	h.host.Open(&ui.Confirm{Question: fmt.Sprintf("Undo change set #%d as a new change set?", id), Yes: func() tea.Cmd {
		cs, err := h.host.Store().Undo(h.host.Actor(), id)
		if err != nil {
			h.host.Fail(err)
			return nil
		}
		h.host.Applied(cs, fmt.Sprintf("undid change set #%d", id))
		return nil
	}})
	return nil
}

// Key changes the highlighted filter (the list keys are bindings).
func (h *Screen) Key(msg tea.KeyPressMsg, pane int) tea.Cmd {
	if k := msg.String(); pane == 0 && (k == "left" || k == "right" || k == "enter") {
		d := 1
		if k == "left" {
			d = -1
		}
		switch h.filters.Cursor() {
		case histEntity:
			if k == "enter" {
				return tea.Batch(h.host.StartFilter(), h.kick())
			}
		case histActor:
			if k == "enter" {
				return tea.Batch(h.editActor(), h.kick())
			}
		case histTime:
			h.cycleSpan(d)
		}
	}
	return h.kick()
}

func (h *Screen) editActor() tea.Cmd {
	shown := ui.Safe(h.actor) // the filter may hold an actor taken from an entry (w)
	v := shown
	m, cmd := ui.NewForm(h.host, "Actor", func() tea.Cmd {
		if v != shown {
			h.actor = strings.TrimSpace(v)
		}
		h.refilter()
		return h.kick()
	}, huh.NewGroup(huh.NewInput().Title("Entries whose actor contains").
		Description("an email, local: for the operator at the machine, or empty for everyone").Value(&v)))
	h.host.Open(m)
	return cmd
}

func (h *Screen) Header(w int) string {
	return fmt.Sprintf("entity %s · actor %s · %s · tab: filter", orAny(h.entity), orAny(h.actor), histSpans[h.span].label)
}

func orAny(s string) string {
	if s == "" {
		return "any"
	}
	return fmt.Sprintf("%q", s)
}

func (h *Screen) Render(pane, w, ht int, focused bool) []string {
	if h.denied != "" {
		if pane == 1 {
			return ui.WrapLines(h.host.Theme().Bad.Render("you may not see the audit log: "+ui.Safe(h.denied)), w)
		}
		return nil
	}
	switch pane {
	case 0:
		return h.renderFilter(focused)
	case 1:
		return h.renderList(w, focused)
	}
	return h.renderChange(w, ht)
}

// histFilterRows are the Filter pane's rows.
type histFilterRows struct{ h *Screen }

func (f histFilterRows) Len() int            { return histRows }
func (f histFilterRows) Key(i int) int       { return i }
func (f histFilterRows) Selectable(int) bool { return true }

func (f histFilterRows) Render(i, w int, st list.State) string {
	h := f.h
	vals := [histRows]struct{ k, v, how string }{
		{"Entity", ui.Safe(h.entity), "/"},
		{"Actor", ui.Safe(h.actor), "/"},
		{"Time", "‹ " + histSpans[h.span].label + " ›", ""},
	}
	line := fmt.Sprintf(" %-6s %s", vals[i].k, vals[i].v)
	if vals[i].how != "" {
		line = fmt.Sprintf(" %-6s / %s", vals[i].k, vals[i].v)
	}
	if st.Focused && st.Cursor {
		line = h.host.Theme().Cursor.Render(ui.Fit("›"+line[1:], w))
	}
	return line
}

func (h *Screen) renderFilter(focused bool) []string {
	th := h.host.Theme()
	out := h.filters.Lines(focused)
	for _, l := range []string{"", "↑↓ pick · ←→ change", "enter edits", "x clears all", "", "Entity: user:EMAIL,", "a kind (user, site)", "or part of a label"} {
		out = append(out, th.Muted.Render(l))
	}
	return out
}

// verifyText is the state of the hash chain: verifying, intact, or the first problem.
func (h *Screen) verifyText() string {
	th := h.host.Theme()
	v, ok, fresh := h.verified.Val, h.verifiedOK, h.verified.Key == h.verify.Want
	switch {
	case !ok:
		return th.Muted.Render("audit: verifying…")
	case v.err != nil:
		return th.Bad.Render("audit: cannot verify: " + ui.SafeErr(v.err))
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

func (h *Screen) renderList(w int, focused bool) []string {
	th := h.host.Theme()
	out := []string{ui.Fit(h.verifyText(), w)}
	p, fresh := h.page.Val, h.page.Key == h.entries.Want
	if !h.paged {
		return append(out, th.Muted.Render("reading the log…"))
	}
	if p.err != nil {
		return append(out, th.Bad.Render(ui.SafeErr(p.err)))
	}
	c := layoutHistCols(w)
	head := "  " + ui.Cell("TIME", c.time) + ui.Cell("SET", c.set) + ui.Cell("ACTOR", c.actor) + ui.Cell("RECORD", c.entity) + ui.Cell("FIELD", c.field)
	if !fresh {
		head = "  " + "reading…"
	}
	out = append(out, th.Header.Render(ui.Fit(head, w)))
	if len(p.rows) == 0 {
		return append(out, th.Muted.Render("  no entries match; x clears the filters"))
	}
	return h.list.AppendLines(out, focused)
}

// entryRows are the entries of one answer, newest first.
type entryRows struct {
	h    *Screen
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
	h, th, e, c := r.h, r.h.host.Theme(), &r.rows[i], layoutHistCols(w)
	mark := " "
	if st.Cursor {
		mark = "›"
	}
	ts := h.Stamp(e.Time)
	if c.time < 17 {
		ts = h.Short(e.Time)
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

// renderChange draws the change pane as prepare laid it out (at another
// size, laid out anew here, changing nothing).
func (h *Screen) renderChange(w, ht int) []string {
	th := h.host.Theme()
	e := h.at()
	if e == nil {
		return []string{th.Muted.Render("no entry highlighted")}
	}
	b := h.shownBatch
	if !h.batchOK || b.Key != h.batch.Want {
		return []string{th.Muted.Render(fmt.Sprintf("reading change set #%d…", e.Batch))}
	}
	if b.Val.err != nil {
		return ui.WrapLines(th.Bad.Render(ui.SafeErr(b.Val.err)), w)
	}
	c, off := h.chg, h.change.Off
	if c.seq != e.Seq || c.batch != b.Seq || c.w != w || c.h != ht || c.th != th {
		var at int
		c.head, c.body, at = changeLines(th, h.Clock, b.Val, e, w)
		room := max(ht-len(c.head), 1)
		if !h.change.ByHand {
			off = max(at-room/3, 0)
		}
		off = max(min(off, len(c.body)-room), 0)
	}
	out := append(make([]string, 0, len(c.head)+len(c.body)), c.head...)
	if off > 0 && len(c.body) > off {
		return append(append(out, th.Muted.Render(fmt.Sprintf("  ↑ %d more lines", off+1))), c.body[off+1:]...)
	}
	return append(out, c.body[off:]...)
}

// changeLines renders a change set: a header (what, who, when, how many),
// then its entries field by field, grouped by record, with the highlighted
// entry marked; at is that entry's line in body.
func changeLines(th *ui.Theme, c ui.Clock, b histBatch, cur *store.AuditEntry, w int) (head, body []string, at int) {
	kv := func(k, v string) string { return th.Muted.Render(fmt.Sprintf("%-8s", k)) + " " + v }
	if !b.found {
		head = append(head, th.Bold.Render(fmt.Sprintf("Change set #%d", cur.Batch)))
		head = append(head, kv("By", ui.Safe(cur.Actor)), kv("At", c.Stamp(cur.Time)))
	} else {
		head = append(head, th.Bold.Render(fmt.Sprintf("Change set #%d", b.b.ID)))
		head = append(head, ui.WrapLines(ui.Safe(b.b.Summary), w)...)
		head = append(head, kv("By", ui.Safe(b.b.Actor)), kv("At", c.Stamp(b.b.Time)))
		n := int(b.b.LastSeq - b.b.FirstSeq + 1)
		count := ui.Thousands(n)
		if n > len(b.entries) {
			count += fmt.Sprintf(" (the last %s shown)", ui.Thousands(len(b.entries)))
		}
		head = append(head, kv("Changes", count))
	}
	entries := b.entries
	found := false
	for i := range entries {
		if entries[i].Seq == cur.Seq {
			found = true
		}
	}
	if !found { // an older entry of a big change set: show it first
		entries = append([]store.AuditEntry{*cur}, entries...)
	}
	var last store.Ref
	for i := range entries {
		e := &entries[i]
		if i == 0 || e.Entity.Kind != last.Kind || e.Entity.ID != last.ID {
			body = append(body, "", th.Header.Render(ui.Fit(ui.Safe(e.Entity.String()), w)))
			last = e.Entity
		}
		mark := "  "
		field := ui.Safe(e.Field)
		if e.Seq == cur.Seq {
			mark = "› "
			at = len(body)
			field = th.Bold.Render(field)
		}
		body = append(body, mark+field)
		change := ui.OrDash(ui.Safe(e.Before)) + " → " + ui.OrDash(ui.Safe(e.After))
		for _, l := range ui.WrapLines(change, w-4) {
			body = append(body, "    "+l)
		}
	}
	return head, body, at
}

// ---- shared by the History, Clients & sites, Outbox and Settings screens

func (h *Screen) CopyText() (string, string) {
	e := h.Current()
	if e == nil {
		return "", ""
	}
	line := fmt.Sprintf("%s #%d change set %d by %s: %s %s: %q → %q",
		e.Time.UTC().Format("2006-01-02 15:04:05Z"), e.Seq, e.Batch, e.Actor, e.Entity, e.Field, e.Before, e.After)
	return fmt.Sprintf("audit entry #%d", e.Seq), line
}
