package tui

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/gatehouse/gatehouse/store"
	"github.com/gatehouse/gatehouse/tui/list"
)

// historyScreen: filter | audit entries, newest first | the change set of the
// highlighted entry. The log may hold millions of entries: reads ask the store
// for the newest histLimit matches, and on a big log they (and the hash-chain
// verification, always) run in background jobs, never in View. Their answers
// are taken in Update (ensure), so a frame shows what the model holds.
type historyScreen struct {
	a *App
	clock

	entity, actor string // the filters; span indexes histSpans
	span          int
	filters       *list.Model[int] // the Filter pane, one row per filter

	gen    uint64 // bumped by every reload: the log may have grown
	dirty  bool   // filters or gen changed since the last request
	small  bool   // the log is small enough to read on the spot
	hooked bool   // the App runs work() after every message (else reads happen on the spot)
	head   uint64 // entries in the log at the last reload

	entries job[histQuery, histPage]
	verify  job[uint64, verifyAnswer]
	batch   job[uint64, histBatch]

	vreq    uint64              // verification requests: every reload, and v
	rowsSeq uint64              // answer the cursor was placed for
	curSeq  uint64              // the highlighted entry (0: the top)
	list    *list.Model[uint64] // the entries, by seq; its generation is the filters'
	change  scrollPane          // the change set pane (byHand: scrolled by a key)
	size    [3]paneSize

	// the answers shown, taken from the jobs in Update
	page                       jobAnswer[histQuery, histPage]
	verified                   jobAnswer[uint64, verifyAnswer]
	shownBatch                 jobAnswer[uint64, histBatch]
	paged, verifiedOK, batchOK bool
	chg                        changeView // the change pane as prepare laid it out

	denied string // the actor may not read the audit log
}

// changeView is the change pane laid out for an entry, a change set and a size.
type changeView struct {
	seq, batch uint64
	w, h       int
	th         *theme
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

func newHistoryScreen(a *App) screen {
	h := &historyScreen{a: a, clock: newClock(), span: len(histSpans) - 1, filters: list.New[int](), list: list.New[uint64]()}
	h.filters.SetRows(histFilterRows{h})
	h.list.SetTop(2) // below the chain's state and the column headings
	s := a.s
	h.entries.run = func(q histQuery) histPage {
		rows, err := s.AuditLogFor(a.actor, store.AuditFilter{Entity: q.entity, Actor: q.actor, Since: q.since, Limit: histLimit})
		for i, j := 0, len(rows)-1; i < j; i, j = i+1, j-1 {
			rows[i], rows[j] = rows[j], rows[i]
		}
		return histPage{rows: rows, err: err}
	}
	h.verify.run = func(uint64) verifyAnswer {
		r, err := s.VerifyAudit()
		return verifyAnswer{r, err}
	}
	h.batch.run = func(id uint64) histBatch { return readBatch(s, a.actor, id) }
	h.reload()
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

func (h *historyScreen) name() string { return "History" }

func (h *historyScreen) panes() [3]string {
	list := "Entries"
	if p := h.page.val; h.paged && p.err == nil {
		n := len(p.rows)
		list = fmt.Sprintf("Entries (%s)", thousands(n))
		if n >= histLimit {
			list = fmt.Sprintf("Entries (newest %s)", thousands(n))
		}
	}
	return [3]string{"Filter", list, "Change"}
}

// reload notes that the log changed; the read happens when the screen is
// next drawn or worked on, so a hidden History costs nothing per change.
func (h *historyScreen) reload() {
	h.gen++
	h.dirty = true
	h.denied = errText(h.a.s.Capabilities(h.a.actor).May(store.ReadAudit))
	h.head = 0
	if b, err := h.a.s.Batches(1); err == nil && len(b) > 0 {
		h.head = b[0].LastSeq
	}
	h.small = h.head <= histSmall
	h.vreq++
	h.verify.request(h.vreq)
}

// ensure asks for the current filters' entries (answered on the spot when the log is small).
func (h *historyScreen) ensure() {
	if h.denied != "" {
		return
	}
	if h.dirty {
		h.dirty = false
		q := histQuery{gen: h.gen, fgen: h.list.Generation(), entity: h.entity, actor: h.actor}
		if d := histSpans[h.span].d; d > 0 {
			q.since = h.now().Add(-d)
		}
		h.entries.request(q)
		if h.small || !h.hooked {
			h.entries.now()
		}
	}
	h.place()
}

// place takes a new answer (unless the filters changed since it was asked
// for: then it is stale, and dropped), keeps the cursor on its entry or goes
// to the top, and asks for the highlighted entry's change set.
func (h *historyScreen) place() {
	if a := h.entries.last(); a != nil && a.seq != h.rowsSeq {
		h.rowsSeq = a.seq
		if h.list.SetFiltered(a.key.fgen, entryRows{h, a.val.rows}) {
			h.page, h.paged = *a, true
			if seq, ok := h.list.Current(); !ok || seq != h.curSeq {
				h.list.SetCursor(0)
			}
		}
	}
	if e := h.at(); e != nil {
		h.curSeq = e.Seq
		if e.Batch != h.batch.want {
			h.change.byHand = false
		}
		h.batch.request(e.Batch)
		if h.small || !h.hooked {
			if _, _, fresh := h.batch.answer(); !fresh {
				h.batch.now()
			}
		}
	}
	if a := h.verify.last(); a != nil {
		h.verified, h.verifiedOK = *a, true
	}
	if a := h.batch.last(); a != nil {
		h.shownBatch, h.batchOK = *a, true
	}
}

// setSize: the entries below the chain's state and their headings.
func (h *historyScreen) setSize(p [3]paneSize) {
	h.size = p
	h.filters.SetSize(p[0].w, p[0].h)
	h.list.SetSize(p[1].w, max(p[1].h-2, 1))
}

// prepare takes the answers that came in and lays out the change pane.
func (h *historyScreen) prepare() {
	if h.denied != "" {
		return
	}
	h.ensure()
	h.chg = changeView{}
	e, b := h.at(), h.shownBatch
	if e == nil || !h.batchOK || b.key != h.batch.want || b.val.err != nil {
		return
	}
	w, ht := h.size[2].w, h.size[2].h
	head, body, at := changeLines(h.a.th, h.clock, b.val, e, w)
	// the change set's header stays; its entries scroll, the highlighted one in view
	room := max(ht-len(head), 1)
	if !h.change.byHand {
		h.change.off = max(at-room/3, 0)
	}
	h.change.fit(len(body), room)
	h.chg = changeView{seq: e.Seq, batch: b.seq, w: w, h: ht, th: h.a.th, head: head, body: body}
}

// work starts what is due in the background: the verification of the chain,
// and on a big log the entries and the change set. The App runs it after
// every message while History is current; until the App does that,
// reads happen on the spot and keys pressed here start the verification.
func (h *historyScreen) work() tea.Cmd {
	h.hooked = true
	return h.kick()
}

func (h *historyScreen) kick() tea.Cmd {
	if h.denied != "" {
		return nil
	}
	h.ensure()
	return tea.Batch(h.verify.cmd(), h.entries.cmd(), h.batch.cmd())
}

// also runs an action, then the background work.
func (h *historyScreen) also(run func() tea.Cmd) func() tea.Cmd {
	return func() tea.Cmd { return tea.Batch(run(), h.kick()) }
}

// rows are the entries listed, newest first, read first if due.
func (h *historyScreen) rows() []store.AuditEntry {
	h.ensure()
	return h.loaded()
}

// current is the highlighted entry, read first if due.
func (h *historyScreen) current() *store.AuditEntry {
	h.ensure()
	return h.at()
}

// loaded are the entries of the answer taken.
func (h *historyScreen) loaded() []store.AuditEntry {
	if h.paged {
		return h.page.val.rows
	}
	return nil
}

func (h *historyScreen) at() *store.AuditEntry {
	rows := h.loaded()
	if c := h.list.Cursor(); c >= 0 && c < len(rows) {
		return &rows[c]
	}
	return nil
}

func (h *historyScreen) pending() int { return 0 }
func (h *historyScreen) discard()     {}

func (h *historyScreen) filter() string { return h.entity }

// setFilter is the "/" filter: the entity ("user:EMAIL", a kind, or part of a label).
func (h *historyScreen) setFilter(q string) {
	q = strings.TrimSpace(q)
	if q != h.entity {
		h.entity = q
		h.refilter()
	}
}

// showEntity shows one record's history (the Users screen's "h"): every
// time, every actor.
func (h *historyScreen) showEntity(entity string) {
	h.entity, h.actor, h.span = strings.TrimSpace(entity), "", len(histSpans)-1
	h.refilter()
	h.ensure()
}

// refilter starts a read for the filters as they are now: an answer for
// those before is stale from here on.
func (h *historyScreen) refilter() {
	h.dirty = true
	h.list.StartFilter()
	h.list.SetCursor(0)
	h.curSeq = 0
}

func (h *historyScreen) needEntry() string {
	if h.denied != "" {
		return h.denied
	}
	if h.current() == nil {
		return "no entry is highlighted"
	}
	return ""
}

func (h *historyScreen) bindings() []*binding {
	g := "History"
	return append([]*binding{
		bind(g, "e", "only the highlighted entry's record", h.also(func() tea.Cmd {
			if e := h.current(); e != nil {
				h.entity = e.Entity.String()
				h.refilter()
			}
			return nil
		})).when(h.needEntry),
		bind(g, "w", "only the highlighted entry's actor (who)", h.also(func() tea.Cmd {
			if e := h.current(); e != nil {
				h.actor = e.Actor
				h.refilter()
			}
			return nil
		})).when(h.needEntry),
		bind(g, "t", "time: last hour / day / week / all time", h.also(func() tea.Cmd { h.cycleSpan(1); return nil })),
		bind(g, "x", "clear every filter", h.also(func() tea.Cmd {
			h.entity, h.actor, h.span = "", "", len(histSpans)-1
			h.refilter()
			return nil
		})).when(func() string {
			if h.entity == "" && h.actor == "" && h.span == len(histSpans)-1 {
				return "no filter is set"
			}
			return ""
		}),
		bind(g, "v", "verify the audit chain again (audit verify)", func() tea.Cmd {
			h.vreq++
			h.verify.request(h.vreq)
			return h.kick()
		}).when(func() string {
			if h.denied != "" {
				return h.denied
			}
			if h.verify.running() {
				return "a verification is running"
			}
			return ""
		}),
		bind(g, "U", "undo the highlighted change set (as a new change set)", h.also(func() tea.Cmd { return h.undoBatch() })).editing().when(h.needEntry),
	}, h.nav()...)
}

// nav: the filters, the entries, or the change set's lines.
func (h *historyScreen) nav() []*binding {
	switch h.a.focus[h.a.cur] {
	case 0:
		return listNav(h.filters, nil)
	case 1:
		return listNav(h.list, nil)
	}
	return navBindings(navKeys, &h.change, nil)
}

// mouse: a click highlights a filter or an entry; the wheel moves through
// them, or scrolls the change set.
func (h *historyScreen) mouse(msg tea.MouseMsg, pane, x, y int) tea.Cmd {
	switch pane {
	case 0:
		h.filters.Mouse(msg, y)
	case 1:
		h.list.Mouse(msg, y)
	case 2:
		if w, ok := msg.(tea.MouseWheelMsg); ok {
			switch w.Button {
			case tea.MouseWheelUp:
				h.change.by(-list.WheelStep)
			case tea.MouseWheelDown:
				h.change.by(list.WheelStep)
			}
		}
	}
	return h.kick()
}

func (h *historyScreen) cycleSpan(d int) {
	h.span = (h.span + d + len(histSpans)) % len(histSpans)
	h.refilter()
}

func (h *historyScreen) undoBatch() tea.Cmd {
	e := h.current()
	if e == nil {
		return nil
	}
	id := e.Batch
	h.a.modal = &confirm{question: fmt.Sprintf("Undo change set #%d as a new change set?", id), yes: func() tea.Cmd {
		cs, err := h.a.s.Undo(h.a.actor, id)
		if err != nil {
			h.a.fail(err)
			return nil
		}
		h.a.applied(cs, fmt.Sprintf("undid change set #%d", id))
		return nil
	}}
	return nil
}

// key changes the highlighted filter (the list keys are bindings).
func (h *historyScreen) key(msg tea.KeyPressMsg, pane int) tea.Cmd {
	if k := msg.String(); pane == 0 && (k == "left" || k == "right" || k == "enter") {
		d := 1
		if k == "left" {
			d = -1
		}
		switch h.filters.Cursor() {
		case histEntity:
			if k == "enter" {
				return tea.Batch(h.a.startInput(inputFilter), h.kick())
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

func (h *historyScreen) editActor() tea.Cmd {
	shown := safe(h.actor) // the filter may hold an actor taken from an entry (w)
	v := shown
	m, cmd := newForm(h.a, "Actor", func() tea.Cmd {
		if v != shown {
			h.actor = strings.TrimSpace(v)
		}
		h.refilter()
		return h.kick()
	}, huh.NewGroup(huh.NewInput().Title("Entries whose actor contains").
		Description("an email, local: for the operator at the machine, or empty for everyone").Value(&v)))
	h.a.modal = m
	return cmd
}

func (h *historyScreen) header(w int) string {
	return fmt.Sprintf("entity %s · actor %s · %s · tab: filter", orAny(h.entity), orAny(h.actor), histSpans[h.span].label)
}

func orAny(s string) string {
	if s == "" {
		return "any"
	}
	return fmt.Sprintf("%q", s)
}

func (h *historyScreen) render(pane, w, ht int, focused bool) []string {
	if h.denied != "" {
		if pane == 1 {
			return wrapLines(h.a.th.bad.Render("you may not see the audit log: "+safe(h.denied)), w)
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
type histFilterRows struct{ h *historyScreen }

func (f histFilterRows) Len() int            { return histRows }
func (f histFilterRows) Key(i int) int       { return i }
func (f histFilterRows) Selectable(int) bool { return true }

func (f histFilterRows) Render(i, w int, st list.State) string {
	h := f.h
	vals := [histRows]struct{ k, v, how string }{
		{"Entity", safe(h.entity), "/"},
		{"Actor", safe(h.actor), "/"},
		{"Time", "‹ " + histSpans[h.span].label + " ›", ""},
	}
	line := fmt.Sprintf(" %-6s %s", vals[i].k, vals[i].v)
	if vals[i].how != "" {
		line = fmt.Sprintf(" %-6s / %s", vals[i].k, vals[i].v)
	}
	if st.Focused && st.Cursor {
		line = h.a.th.cursor.Render(fit("›"+line[1:], w))
	}
	return line
}

func (h *historyScreen) renderFilter(focused bool) []string {
	th := h.a.th
	out := h.filters.Lines(focused)
	for _, l := range []string{"", "↑↓ pick · ←→ change", "enter edits", "x clears all", "", "Entity: user:EMAIL,", "a kind (user, site)", "or part of a label"} {
		out = append(out, th.muted.Render(l))
	}
	return out
}

// verifyText is the state of the hash chain: verifying, intact, or the first problem.
func (h *historyScreen) verifyText() string {
	th := h.a.th
	v, ok, fresh := h.verified.val, h.verifiedOK, h.verified.key == h.verify.want
	switch {
	case !ok:
		return th.muted.Render("audit: verifying…")
	case v.err != nil:
		return th.bad.Render("audit: cannot verify: " + safeErr(v.err))
	}
	return verifyLine(th, v.r, fresh)
}

// verifyLine renders what `audit verify` found.
func verifyLine(th *theme, r store.VerifyResult, fresh bool) string {
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
		return th.bad.Render("audit: NOT intact: "+safe(p)+extra) + th.muted.Render(more)
	}
	return th.good.Render(fmt.Sprintf("audit: chain intact (%s entries)", thousands(int(r.Entries)))) + th.muted.Render(more)
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

func (h *historyScreen) renderList(w int, focused bool) []string {
	th := h.a.th
	out := []string{fit(h.verifyText(), w)}
	p, fresh := h.page.val, h.page.key == h.entries.want
	if !h.paged {
		return append(out, th.muted.Render("reading the log…"))
	}
	if p.err != nil {
		return append(out, th.bad.Render(safeErr(p.err)))
	}
	c := layoutHistCols(w)
	head := "  " + cell("TIME", c.time) + cell("SET", c.set) + cell("ACTOR", c.actor) + cell("RECORD", c.entity) + cell("FIELD", c.field)
	if !fresh {
		head = "  " + "reading…"
	}
	out = append(out, th.header.Render(fit(head, w)))
	if len(p.rows) == 0 {
		return append(out, th.muted.Render("  no entries match; x clears the filters"))
	}
	return h.list.AppendLines(out, focused)
}

// entryRows are the entries of one answer, newest first.
type entryRows struct {
	h    *historyScreen
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
	h, th, e, c := r.h, r.h.a.th, &r.rows[i], layoutHistCols(w)
	mark := " "
	if st.Cursor {
		mark = "›"
	}
	ts := h.stamp(e.Time)
	if c.time < 17 {
		ts = h.short(e.Time)
	}
	line := mark + " " + cell(ts, c.time)
	if c.set > 0 {
		line += cell(fmt.Sprintf("#%d", e.Batch), c.set)
	}
	line += cell(safe(e.Actor), c.actor) + cell(safe(e.Entity.String()), c.entity) + cell(safe(e.Field), c.field)
	line = fit(line, w)
	switch {
	case st.Cursor && st.Focused:
		line = th.cursor.Render(line)
	case st.Cursor:
		line = th.cursorBlurred.Render(line)
	}
	return line
}

// renderChange draws the change pane as prepare laid it out (at another
// size, laid out anew here, changing nothing).
func (h *historyScreen) renderChange(w, ht int) []string {
	th := h.a.th
	e := h.at()
	if e == nil {
		return []string{th.muted.Render("no entry highlighted")}
	}
	b := h.shownBatch
	if !h.batchOK || b.key != h.batch.want {
		return []string{th.muted.Render(fmt.Sprintf("reading change set #%d…", e.Batch))}
	}
	if b.val.err != nil {
		return wrapLines(th.bad.Render(safeErr(b.val.err)), w)
	}
	c, off := h.chg, h.change.off
	if c.seq != e.Seq || c.batch != b.seq || c.w != w || c.h != ht || c.th != th {
		var at int
		c.head, c.body, at = changeLines(th, h.clock, b.val, e, w)
		room := max(ht-len(c.head), 1)
		if !h.change.byHand {
			off = max(at-room/3, 0)
		}
		off = max(min(off, len(c.body)-room), 0)
	}
	out := append(make([]string, 0, len(c.head)+len(c.body)), c.head...)
	if off > 0 && len(c.body) > off {
		return append(append(out, th.muted.Render(fmt.Sprintf("  ↑ %d more lines", off+1))), c.body[off+1:]...)
	}
	return append(out, c.body[off:]...)
}

// changeLines renders a change set: a header (what, who, when, how many),
// then its entries field by field, grouped by record, with the highlighted
// entry marked; at is that entry's line in body.
func changeLines(th *theme, c clock, b histBatch, cur *store.AuditEntry, w int) (head, body []string, at int) {
	kv := func(k, v string) string { return th.muted.Render(fmt.Sprintf("%-8s", k)) + " " + v }
	if !b.found {
		head = append(head, th.bold.Render(fmt.Sprintf("Change set #%d", cur.Batch)))
		head = append(head, kv("By", safe(cur.Actor)), kv("At", c.stamp(cur.Time)))
	} else {
		head = append(head, th.bold.Render(fmt.Sprintf("Change set #%d", b.b.ID)))
		head = append(head, wrapLines(safe(b.b.Summary), w)...)
		head = append(head, kv("By", safe(b.b.Actor)), kv("At", c.stamp(b.b.Time)))
		n := int(b.b.LastSeq - b.b.FirstSeq + 1)
		count := thousands(n)
		if n > len(b.entries) {
			count += fmt.Sprintf(" (the last %s shown)", thousands(len(b.entries)))
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
			body = append(body, "", th.header.Render(fit(safe(e.Entity.String()), w)))
			last = e.Entity
		}
		mark := "  "
		field := safe(e.Field)
		if e.Seq == cur.Seq {
			mark = "› "
			at = len(body)
			field = th.bold.Render(field)
		}
		body = append(body, mark+field)
		change := orDash(safe(e.Before)) + " → " + orDash(safe(e.After))
		for _, l := range wrapLines(change, w-4) {
			body = append(body, "    "+l)
		}
	}
	return head, body, at
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// wrapLines wraps text to w cells, breaking long words.
func wrapLines(s string, w int) []string {
	if w <= 0 {
		return nil
	}
	return strings.Split(ansi.Wrap(s, w, ""), "\n")
}

// ---- shared by the History, Clients & sites, Outbox and Settings screens

// clock is how a screen tells time: now (for spans and expiry) and the zone
// times are shown in. Tests fix both.
type clock struct {
	now func() time.Time
	loc *time.Location
}

func newClock() clock { return clock{now: time.Now, loc: time.Local} }

func (c clock) stamp(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.In(c.loc).Format("2006-01-02 15:04")
}

func (c clock) short(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.In(c.loc).Format("01-02 15:04")
}

// job runs one kind of store read off the Update goroutine, one at a time;
// the newest request wins. Its answer lands in an atomic slot, so the message
// the command returns only wakes the view: the App need not route it.
// Requests and answer are made and read on the Update goroutine; run must
// touch nothing but its key and the store.
type job[K comparable, R any] struct {
	run  func(K) R
	seq  uint64 // requests made
	want K
	busy atomic.Bool
	slot atomic.Pointer[jobAnswer[K, R]]
}

type jobAnswer[K comparable, R any] struct {
	seq uint64
	key K
	val R
}

// jobDoneMsg wakes the view after a background read.
type jobDoneMsg struct{}

// request asks for k (nothing new if k is already wanted).
func (j *job[K, R]) request(k K) {
	if j.seq > 0 && k == j.want {
		return
	}
	j.seq++
	j.want = k
}

// answer is the newest answer, whether there is one, and whether it answers
// what is wanted now.
func (j *job[K, R]) answer() (R, bool, bool) {
	r := j.slot.Load()
	if r == nil {
		var zero R
		return zero, false, false
	}
	return r.val, true, r.key == j.want
}

// last is the newest answer, with the request it answers.
func (j *job[K, R]) last() *jobAnswer[K, R] { return j.slot.Load() }

func (j *job[K, R]) running() bool { return j.busy.Load() }

// keep stores an answer unless a newer request's answer is already there.
func (j *job[K, R]) keep(a *jobAnswer[K, R]) {
	for {
		old := j.slot.Load()
		if old != nil && old.seq >= a.seq {
			return
		}
		if j.slot.CompareAndSwap(old, a) {
			return
		}
	}
}

// now answers the newest request on the spot (small reads).
func (j *job[K, R]) now() {
	if j.seq == 0 {
		return
	}
	j.keep(&jobAnswer[K, R]{seq: j.seq, key: j.want, val: j.run(j.want)})
}

// cmd starts the newest request unless it is answered or a read is running.
func (j *job[K, R]) cmd() tea.Cmd {
	if j.seq == 0 {
		return nil
	}
	if r := j.slot.Load(); r != nil && r.key == j.want {
		return nil
	}
	if !j.busy.CompareAndSwap(false, true) {
		return nil
	}
	seq, k := j.seq, j.want
	return func() tea.Msg {
		defer j.busy.Store(false)
		j.keep(&jobAnswer[K, R]{seq: seq, key: k, val: j.run(k)})
		return jobDoneMsg{}
	}
}
