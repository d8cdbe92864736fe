package users

import (
	"fmt"
	"strings"
	"unicode/utf8"

	tea "charm.land/bubbletea/v2"

	"github.com/gatehouse/gatehouse/store"
	"github.com/gatehouse/gatehouse/tui/list"
	"github.com/gatehouse/gatehouse/tui/ui"
)

// listPane is the middle pane: the users the query lets through, from an
// index every console on the store shares (a quick start's first page
// until it is built); its marks are the selection.
type listPane struct {
	host ui.Host
	cat  *catalog
	q    *userQuery // the screen's, which the Filters pane and "/" change

	ix    *userIndex  // shared with every console on the store; never changed
	vis   *visibility // whom the actor may see (nil: everyone, the operator)
	prevQ userQuery
	rows  []*userRow
	list  *list.Model[uint64]

	hidden struct {
		key hiddenKey
		n   int
	}

	building   *buildingIndex // the full index, still building after a quick start
	indexLater bool           // a quick start whose index starts after the first frame
	quickTotal int            // how many users match, while rows is only the first page
	stale      bool           // rows predate ix: filter again before use
}

func newListPane(h ui.Host, cat *catalog, q *userQuery) *listPane {
	p := &listPane{host: h, cat: cat, q: q, list: list.New[uint64](), vis: newVisibility(h.Store(), h.Actor())}
	p.list.KeyMap.SetMarks(true)
	p.list.SetTop(1) // below the column headings
	return p
}

func (p *listPane) title() string {
	n := len(p.rows)
	if p.quick() {
		n = p.quickTotal
	}
	t := fmt.Sprintf("%s (%s)", typeChoices[p.q.typ], ui.Thousands(n))
	if n := p.list.MarkCount(); n > 0 {
		t += fmt.Sprintf(" · %d selected", n)
		if h := p.hidden.n; h > 0 { // counted by prepare
			t += fmt.Sprintf(", %d hidden", h)
		}
	}
	return t
}

// reload re-reads every user: the index another console built, a quick
// start's first page on a big database, or the current index.
func (p *listPane) reload() {
	if p.vis != nil {
		p.vis.reset() // the actor's rights, or what they reach, may have changed
	}
	shared := sharedFor(p.host.Store())
	if p.ix == nil && p.building == nil && p.q.text == "" && p.host.Store().UserCount() >= quickStartUsers {
		if ix := shared.fresh(p.host.Store()); ix != nil { // another console built it
			p.ix = ix
			p.refilter(true)
			return
		}
		// first load of a big database: the first page now, and the index
		// once the first frame is out (startIndexLater), so that frame has
		// the cores, and the allocator, to itself
		p.rows, p.quickTotal = quickFirstPage(p.host.Store(), *p.q, p.cat.names.TeamSite, p.vis.keep())
		p.list.SetRows(userRows{p, p.rows})
		p.indexLater = true
		return
	}
	p.Settle()
	p.ix = shared.current(p.host.Store())
	p.refilter(true)
}

// refresh follows the users a change event touched (rights: what the actor
// may see may have moved for everyone); the rows are filtered again once,
// when next drawn or used, so a burst of events costs one.
func (p *listPane) refresh(batch uint64, ids []uint64, rights bool) {
	if p.vis != nil {
		if rights {
			p.vis.reset()
		} else {
			p.vis.forget(ids)
		}
	}
	p.ix = sharedFor(p.host.Store()).follow(p.host.Store(), p.ix, batch, ids)
	p.stale = true
}

// selectUser highlights a user, widening the query if it hides them.
func (p *listPane) selectUser(id uint64) {
	p.Settle() // the rows a change just made stale: the user may be new
	r := p.ix.byID(id)
	if r == nil {
		return
	}
	if !p.q.match(r, p.cat.names.TeamSite) {
		*p.q = userQuery{typ: 2, status: len(statusChoices) - 1}
		p.refilter(true)
	}
	p.list.Select(id)
}

func (p *listPane) Bindings() []*ui.Binding { return ui.ListNav(p.list, nil) }

// SetSize: the list takes its pane less the column headings.
func (p *listPane) SetSize(w, h int) { p.list.SetSize(w, max(h-1, 1)) }

// prepare filters again if a change made the rows stale, and counts the
// selected users the filters hide.
func (p *listPane) prepare() {
	if p.stale && !p.quick() {
		p.refilter(true)
	}
	p.hiddenSelected()
}

// Update: a click highlights a user, the wheel moves through them.
func (p *listPane) Update(msg tea.Msg) tea.Cmd {
	if m, ok := msg.(ui.PaneMouse); ok {
		p.list.Mouse(m.MouseMsg, m.Y)
	}
	return nil
}

type hiddenKey struct {
	q      userQuery
	ix     *userIndex
	selGen uint64
}

// hiddenSelected counts the selected users the filters hide: a bulk action
// acts on them too, so the list says they are there.
func (p *listPane) hiddenSelected() int {
	k := hiddenKey{*p.q, p.ix, p.list.MarkGen()}
	if k == p.hidden.key {
		return p.hidden.n
	}
	n := 0
	if p.ix != nil {
		p.list.EachMark(func(id uint64) {
			if r := p.ix.byID(id); r == nil || !p.q.match(r, p.cat.names.TeamSite) {
				n++
			}
		})
	}
	p.hidden.key, p.hidden.n = k, n
	return n
}

// hiddenNote says, for an action on the selection, how many of its users
// the filters hide.
func (p *listPane) hiddenNote() string {
	if p.list.MarkCount() == 0 {
		return ""
	}
	if h := p.hiddenSelected(); h > 0 {
		return fmt.Sprintf(" (%d of them hidden by the filters)", h)
	}
	return ""
}

// Settle waits for the index of a quick start; every key, mouse event and
// change goes through it first (the console calls it), so only the first frames
// are drawn from the quick first page.
func (p *listPane) Settle() {
	p.startIndexLater()
	if p.building != nil {
		<-p.building.done
		p.ix = p.building.ix
		p.building = nil
		p.refilter(true)
	}
	if p.stale {
		p.refilter(true)
	}
}

// quick says the rows are only a quick start's first page.
func (p *listPane) quick() bool { return p.building != nil || p.indexLater }

// Deferring: a quick start's index waits for the first frame.
func (p *listPane) Deferring() bool { return p.indexLater }

// FrameOut starts the index a quick start put off, and says when it is built.
func (p *listPane) FrameOut() <-chan struct{} {
	p.startIndexLater()
	if p.building != nil {
		return p.building.done
	}
	return nil
}

// startIndexLater starts the index a quick start put off (FrameOut, once
// the first frame is out; Settle, before anything needs it).
func (p *listPane) startIndexLater() {
	if p.indexLater {
		p.indexLater = false
		p.building = startIndex(p.host.Store())
	}
}

// refilter recomputes the visible rows, keeping the cursor on the same user.
func (p *listPane) refilter(full bool) {
	p.stale = false
	if p.ix == nil {
		p.Settle() // a quick start's index: wait for it (settle filters again)
		return
	}
	prev := p.rows
	if full {
		prev = nil
	}
	gen := p.list.StartFilter()
	rows := p.vis.filter(p.ix.narrow(*p.q, p.prevQ, prev, p.cat.names.TeamSite))
	p.prevQ = *p.q
	// the list stays on the same user; if the filters now hide them, at the same place
	if p.list.SetFiltered(gen, userRows{p, rows}) {
		p.rows = rows
	}
	p.list.PruneMarks(func(id uint64) bool {
		r := p.ix.byID(id)
		return r != nil && (p.vis == nil || p.vis.sees(r.u))
	})
}

func (p *listPane) current() *userRow {
	if c := p.list.Cursor(); c >= 0 && c < len(p.rows) {
		return p.rows[c]
	}
	return nil
}

// Current is the highlighted user (nil: none).
func (p *listPane) Current() *store.User {
	if r := p.current(); r != nil {
		return r.u
	}
	return nil
}

// Listed are the users the list shows, in its order.
func (p *listPane) Listed() []*store.User {
	p.Settle() // rows are filtered again lazily after a change event
	out := make([]*store.User, len(p.rows))
	for i, r := range p.rows {
		out[i] = r.u
	}
	return out
}

// targets are the selection, or else the highlighted user.
func (p *listPane) targets() []*store.User {
	if n := p.list.MarkCount(); n > 0 {
		out := make([]*store.User, 0, n)
		for _, r := range p.ix.all {
			if p.list.Marked(r.u.ID) {
				out = append(out, r.u)
			}
		}
		return out
	}
	if r := p.current(); r != nil {
		return []*store.User{r.u}
	}
	return nil
}

// toggleSel selects or unselects the highlighted user and moves on to the next.
func (p *listPane) toggleSel() {
	if p.list.ToggleMark() {
		p.list.Down()
	}
}

func (p *listPane) selectRange() {
	p.list.MarkRange()
	p.host.Flash(fmt.Sprintf("%d selected", p.list.MarkCount()), false)
}

func (p *listPane) selectAll() {
	if !p.list.MarkAll() {
		p.host.Flash("selection cleared", false)
		return
	}
	p.host.Flash(fmt.Sprintf("%d selected (every user the filters show)", p.list.MarkCount()), false)
}

func (p *listPane) clearSel() {
	if p.list.ClearMarks() > 0 {
		p.host.Flash("selection cleared", false)
	}
}

type userCols struct{ name, email, role, status, sites int }

func layoutUserCols(w int) userCols {
	c := userCols{status: 9}
	rest := w - 3 - c.status
	switch {
	case w >= 90:
		c.name, c.email, c.role = rest*20/100, rest*34/100, rest*14/100
		c.sites = rest - c.name - c.email - c.role
	case w >= 56:
		c.name, c.email = rest*35/100, rest*42/100
		c.role = rest - c.name - c.email
	default:
		c.name = rest * 55 / 100
		c.role = rest - c.name
	}
	return c
}

func (p *listPane) roleOf(us *store.User) string {
	if us.Type == store.ClientUser && len(us.ClientIDs) > 0 {
		return p.cat.names.Client(us.ClientIDs[0]) // the client stands where the role does
	}
	return p.cat.names.Profile(us.ProfileID)
}

// userRows are the user list's rows: one filter's result.
type userRows struct {
	p    *listPane
	rows []*userRow
}

func (r userRows) Len() int            { return len(r.rows) }
func (r userRows) Key(i int) uint64    { return r.rows[i].u.ID }
func (r userRows) Selectable(int) bool { return true }

func (r userRows) Find(id uint64) (int, bool) {
	for i, row := range r.rows {
		if row.u.ID == id {
			return i, true
		}
	}
	return 0, false
}

func (r userRows) Render(i, w int, st list.State) string {
	p, th := r.p, r.p.host.Theme()
	c := layoutUserCols(w)
	us := r.rows[i].u
	mark := " "
	if st.Cursor {
		mark = "›" // the cursor shows without colour too
	}
	if st.Marked {
		mark = "●"
	}
	changed := " "
	if us.Changed() {
		changed = "✎"
	}
	name := ui.Safe(us.Name())
	if c.email == 0 { // no email column: tell apart those who share a name
		name += sameNameHint(r.rows, i)
	}
	line := mark + changed + " " + ui.Cell(name, c.name) + ui.Cell(ui.Safe(us.Email), c.email) + ui.Cell(ui.Safe(p.roleOf(us)), c.role) + ui.Cell(us.Status().String(), c.status)
	if c.sites > 0 {
		line += ui.Cell(ui.SafeJoin(p.cat.names.Sites(us.SiteIDs), ", "), c.sites)
	}
	line = ui.Fit(line, w)
	switch {
	case st.Cursor && st.Focused:
		line = th.Cursor.Render(line)
	case st.Cursor:
		line = th.CursorBlurred.Render(line)
	case st.Marked:
		line = th.Selected.Render(line)
	case us.Disabled:
		line = th.Muted.Render(line)
	}
	return line
}

func (p *listPane) View(w, h int, focused bool) []string {
	th := p.host.Theme()
	c := layoutUserCols(w)
	role := "PROFILE"
	if p.q.typ == 1 {
		role = "CLIENT"
	} else if p.q.typ == 2 {
		role = "PROFILE/CLIENT"
	}
	head := "   " + ui.Cell("NAME", c.name) + ui.Cell("EMAIL", c.email) + ui.Cell(role, c.role) + ui.Cell("STATUS", c.status) + ui.Cell("SITES", c.sites)
	if len(p.rows) == 0 {
		return append([]string{th.Header.Render(ui.Fit(head, w))}, ui.WrapStyled(th.Muted, "  no users match; change the filters (tab) or press a to add one", w, " ")...)
	}
	return p.list.AppendLines([]string{th.Header.Render(ui.Fit(head, w))}, focused)
}

// sameNameHint is, for a row whose user shares their name with a row beside
// it, the end of their email that tells them apart (" …171" for
// emeka.baker.171@… beside emeka.baker.32@…); "" for a name of its own.
func sameNameHint(rows []*userRow, i int) string {
	us := rows[i].u
	hint := ""
	for _, j := range []int{i - 1, i + 1} {
		if j < 0 || j >= len(rows) || !strings.EqualFold(rows[j].u.Name(), us.Name()) {
			continue
		}
		if h := distinguishing(us.Email, rows[j].u.Email); len(h) > len(hint) {
			hint = h
		}
	}
	if hint == "" {
		return ""
	}
	return " …" + ui.Safe(hint)
}

// distinguishing is the shortest end of a's local part that b's does not
// share, or a's domain (its first label where that is enough) when the
// local parts are the same.
func distinguishing(a, b string) string {
	la, da, _ := strings.Cut(strings.ToLower(a), "@")
	lb, db, _ := strings.Cut(strings.ToLower(b), "@")
	if la == lb {
		// the domain's first label, where that differs ("@acme")
		if fa, _, _ := strings.Cut(da, "."); fa != "" && !strings.HasPrefix(db, fa+".") && db != fa {
			return "@" + fa
		}
		return "@" + da
	}
	for n := 1; n <= len(la); n++ {
		if !strings.HasSuffix(lb, la[len(la)-n:]) {
			// whole characters, and from a separator where there is one near
			start := len(la) - n
			for start > 0 && !utf8.RuneStart(la[start]) {
				start--
			}
			if k := strings.LastIndexAny(la[:start], ".-_+"); k >= 0 && start-k <= 3 {
				start = k + 1
			}
			return la[start:]
		}
	}
	return la
}
