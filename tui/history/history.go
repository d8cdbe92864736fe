// Package history is the History screen: the audit log, filtered, and the
// change set of the highlighted entry.
package history

import (
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"github.com/gatehouse/gatehouse/store"
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
	*histLog

	q histFilters // the filters the entries are read for

	gen    uint64 // bumped by every reload: the log may have grown
	dirty  bool   // filters or gen changed since the last request
	small  bool   // the log is small enough to read on the spot
	hooked bool   // the console runs Work after every message (else reads happen on the spot)
	head   uint64 // entries in the log at the last reload

	vreq    uint64 // verification requests: every reload, and v
	rowsSeq uint64 // answer the cursor was placed for
	curSeq  uint64 // the highlighted entry (0: the top)

	filter  *filterPane
	list    *entriesPane
	changes *changePane
	panes   ui.Panes

	denied string // the actor may not read the audit log
}

// histLog is the screen's reads of the log, which its panes show: the
// jobs, and the answers taken from them in Update.
type histLog struct {
	entries ui.Job[histQuery, histPage]
	verify  ui.Job[uint64, verifyAnswer]
	batch   ui.Job[uint64, histBatch]

	page                       ui.JobAnswer[histQuery, histPage]
	verified                   ui.JobAnswer[uint64, verifyAnswer]
	shownBatch                 ui.JobAnswer[uint64, histBatch]
	paged, verifiedOK, batchOK bool
}

// loaded are the entries of the answer taken.
func (l *histLog) loaded() []store.AuditEntry {
	if l.paged {
		return l.page.Val.rows
	}
	return nil
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
	h := &Screen{host: host, Clock: host.Clock(), histLog: &histLog{}, q: histFilters{span: len(histSpans) - 1}}
	h.filter = newFilterPane(host, &h.q, h.cycleSpan, h.editActor)
	h.list = newEntriesPane(host, h.histLog)
	h.changes = &changePane{host: host, Clock: host.Clock(), log: h.histLog, entry: h.at}
	h.panes = ui.Panes{h.filter, h.list, h.changes}
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
		q := histQuery{gen: h.gen, fgen: h.list.list.Generation(), entity: h.q.entity, actor: h.q.actor}
		if d := histSpans[h.q.span].d; d > 0 {
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
		if h.list.take(a.Key.fgen, a.Val.rows, h.curSeq) {
			h.page, h.paged = *a, true
		}
	}
	if e := h.at(); e != nil {
		h.curSeq = e.Seq
		if e.Batch != h.batch.Want {
			h.changes.scroll.ByHand = false
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

// SetSize hands each pane its size.
func (h *Screen) SetSize(p [3]ui.PaneSize) { h.panes.SetSize(p) }

// Prepare takes the answers that came in and lays out the change pane.
func (h *Screen) Prepare() {
	if h.denied != "" {
		return
	}
	h.ensure()
	h.changes.prepare()
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

// at is the highlighted entry of the answer taken (nil: none).
func (h *Screen) at() *store.AuditEntry { return h.list.at() }

func (h *Screen) Pending() int { return 0 }
func (h *Screen) Discard()     {}

func (h *Screen) Filter() string { return h.q.entity }

// SetFilter is the "/" filter: the entity ("user:EMAIL", a kind, or part of a label).
func (h *Screen) SetFilter(q string) {
	q = strings.TrimSpace(q)
	if q != h.q.entity {
		h.q.entity = q
		h.refilter()
	}
}

// ShowEntity shows one record's history (the Users screen's "h"): every
// time, every actor.
func (h *Screen) ShowEntity(entity string) {
	h.q = histFilters{entity: strings.TrimSpace(entity), span: len(histSpans) - 1}
	h.refilter()
	h.ensure()
}

// refilter starts a read for the filters as they are now: an answer for
// those before is stale from here on.
func (h *Screen) refilter() {
	h.dirty = true
	h.list.list.StartFilter()
	h.list.list.SetCursor(0)
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
				h.q.entity = e.Entity.String()
				h.refilter()
			}
			return nil
		})).When(h.needEntry),
		ui.Bind(g, "w", "only the highlighted entry's actor (who)", h.also(func() tea.Cmd {
			if e := h.Current(); e != nil {
				h.q.actor = e.Actor
				h.refilter()
			}
			return nil
		})).When(h.needEntry),
		ui.Bind(g, "t", "time: last hour / day / week / all time", h.also(func() tea.Cmd { h.cycleSpan(1); return nil })),
		ui.Bind(g, "x", "clear every filter", h.also(func() tea.Cmd {
			h.q = histFilters{span: len(histSpans) - 1}
			h.refilter()
			return nil
		})).When(func() string {
			if h.q == (histFilters{span: len(histSpans) - 1}) {
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
	}, h.panes[h.host.Focus()].Bindings()...)
}

// Mouse: the pane's under it (a click highlights a filter or an entry;
// the wheel moves through them, or scrolls the change set), then the
// background work.
func (h *Screen) Mouse(msg tea.MouseMsg, pane, x, y int) tea.Cmd {
	h.panes.Mouse(msg, pane, x, y)
	return h.kick()
}

func (h *Screen) cycleSpan(d int) {
	h.q.span = (h.q.span + d + len(histSpans)) % len(histSpans)
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

// Key is the focused pane's (the Filter pane changes the highlighted
// filter; the list keys are bindings), then the background work.
func (h *Screen) Key(msg tea.KeyPressMsg, pane int) tea.Cmd {
	if cmd := h.panes.Key(msg, pane); cmd != nil {
		return tea.Batch(cmd, h.kick())
	}
	return h.kick()
}

func (h *Screen) editActor() tea.Cmd {
	shown := ui.Safe(h.q.actor) // the filter may hold an actor taken from an entry (w)
	v := shown
	m, cmd := ui.NewForm(h.host, "Actor", func() tea.Cmd {
		if v != shown {
			h.q.actor = strings.TrimSpace(v)
		}
		h.refilter()
		return h.kick()
	}, huh.NewGroup(huh.NewInput().Title("Entries whose actor contains").
		Description("an email, local: for the operator at the machine, or empty for everyone").Value(&v)))
	h.host.Open(m)
	return cmd
}

func (h *Screen) Header(w int) string {
	return fmt.Sprintf("entity %s · actor %s · %s · tab: filter", orAny(h.q.entity), orAny(h.q.actor), histSpans[h.q.span].label)
}

func orAny(s string) string {
	if s == "" {
		return "any"
	}
	return fmt.Sprintf("%q", s)
}

// Render draws a pane; one who may not read the log sees why, and nothing else.
func (h *Screen) Render(pane, w, ht int, focused bool) []string {
	if h.denied != "" {
		if pane == 1 {
			return ui.WrapLines(h.host.Theme().Bad.Render("you may not see the audit log: "+ui.Safe(h.denied)), w)
		}
		return nil
	}
	return h.panes.Render(pane, w, ht, focused)
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
