package history

import (
	"fmt"

	tea "charm.land/bubbletea/v2"

	"github.com/gatehouse/gatehouse/store"
	"github.com/gatehouse/gatehouse/tui/list"
	"github.com/gatehouse/gatehouse/tui/ui"
)

// changePane is the right pane: the change set of the highlighted entry,
// its header kept, its entries scrolling with the highlighted one in view
// until a key or the wheel scrolls them.
type changePane struct {
	host ui.Host
	ui.Clock
	log *histLog // the screen's reads
	// entry is the entries' highlighted one (the screen's wiring)
	entry func() *store.AuditEntry

	scroll ui.ScrollPane // ByHand: scrolled by a key or the wheel
	chg    changeView    // as prepare laid it out
	w, h   int
}

// changeView is the change pane laid out for an entry, a change set and a size.
type changeView struct {
	seq, batch uint64
	w, h       int
	th         *ui.Theme
	head, body []string
}

func (p *changePane) Bindings() []*ui.Binding { return ui.NavBindings(ui.NavKeys, &p.scroll, nil) }

func (p *changePane) SetSize(w, h int) { p.w, p.h = w, h }

// Update: the wheel scrolls the change set.
func (p *changePane) Update(msg tea.Msg) tea.Cmd {
	if m, ok := msg.(ui.PaneMouse); ok {
		if w, ok := m.MouseMsg.(tea.MouseWheelMsg); ok {
			switch w.Button {
			case tea.MouseWheelUp:
				p.scroll.By(-list.WheelStep)
			case tea.MouseWheelDown:
				p.scroll.By(list.WheelStep)
			}
		}
	}
	return nil
}

// prepare lays out the change set of the highlighted entry for the pane's size.
func (p *changePane) prepare() {
	p.chg = changeView{}
	e, b := p.entry(), p.log.shownBatch
	if e == nil || !p.log.batchOK || b.Key != p.log.batch.Want || b.Val.err != nil {
		return
	}
	w, ht := p.w, p.h
	head, body, at := changeLines(p.host.Theme(), p.Clock, b.Val, e, w)
	// the change set's header stays; its entries scroll, the highlighted one in view
	room := max(ht-len(head), 1)
	if !p.scroll.ByHand {
		p.scroll.Off = max(at-room/3, 0)
	}
	p.scroll.Fit(len(body), room)
	p.chg = changeView{seq: e.Seq, batch: b.Seq, w: w, h: ht, th: p.host.Theme(), head: head, body: body}
}

// View draws the change pane as prepare laid it out (at another size, laid
// out anew here, changing nothing).
func (p *changePane) View(w, ht int, focused bool) []string {
	th := p.host.Theme()
	e := p.entry()
	if e == nil {
		return []string{th.Muted.Render("no entry highlighted")}
	}
	b := p.log.shownBatch
	if !p.log.batchOK || b.Key != p.log.batch.Want {
		return []string{th.Muted.Render(fmt.Sprintf("reading change set #%d…", e.Batch))}
	}
	if b.Val.err != nil {
		return ui.WrapLines(th.Bad.Render(ui.Unread(b.Val.err)), w)
	}
	c, off := p.chg, p.scroll.Off
	if c.seq != e.Seq || c.batch != b.Seq || c.w != w || c.h != ht || c.th != th {
		var at int
		c.head, c.body, at = changeLines(th, p.Clock, b.Val, e, w)
		room := max(ht-len(c.head), 1)
		if !p.scroll.ByHand {
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
