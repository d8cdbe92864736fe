// Package users is the Users screen: filters, the user list (100,000
// users and more, from an index every console on the store shares), and
// the highlighted user's details and effective access. The forms that
// change users open from here.
package users

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/gatehouse/gatehouse/store"
	"github.com/gatehouse/gatehouse/tui/list"
	"github.com/gatehouse/gatehouse/tui/ui"
)

// Screen: filters | the user list | the highlighted user's details.
type Screen struct {
	host  ui.Host
	ix    *userIndex  // shared with every console on the store; never changed
	vis   *visibility // whom the actor may see (nil: everyone, the operator)
	names store.Names

	q, prevQ userQuery
	rows     []*userRow
	list     *list.Model[uint64] // the user list: its marks are the selection
	filters  *list.Model[int]    // the Filters pane, one row per filter

	hidden struct {
		key hiddenKey
		n   int
	}

	profiles []*store.Profile
	sites    []*store.Site

	detailW   int    // the Details pane's width
	detailKey string // id@version/width/theme the cached details were built for ("": none)
	detailOf  detailSlot
	detail    []string

	building   *buildingIndex // the full index, still building after a quick start
	indexLater bool           // a quick start whose index starts after the first frame
	quickTotal int            // how many users match, while rows is only the first page
	stale      bool           // rows predate ix: filter again before use
}

const (
	filterType = iota
	filterStatus
	filterProfile
	filterSite
	filterText
	filterRows
)

// New is the Users screen of a console.
func New(h ui.Host) ui.Screen {
	u := &Screen{host: h, list: list.New[uint64](), filters: list.New[int](), vis: newVisibility(h.Store(), h.Actor())}
	u.list.KeyMap.SetMarks(true)
	u.list.SetTop(1) // below the column headings
	u.filters.SetRows(filterList{u})
	u.Reload()
	return u
}

func (u *Screen) Name() string { return "Users" }

func (u *Screen) Panes() [3]string {
	n := len(u.rows)
	if u.quick() {
		n = u.quickTotal
	}
	list := fmt.Sprintf("%s (%s)", typeChoices[u.q.typ], ui.Thousands(n))
	if n := u.list.MarkCount(); n > 0 {
		list += fmt.Sprintf(" · %d selected", n)
		if h := u.hidden.n; h > 0 { // counted by prepare
			list += fmt.Sprintf(", %d hidden", h)
		}
	}
	return [3]string{"Filters", list, "Details"}
}

type hiddenKey struct {
	q      userQuery
	ix     *userIndex
	selGen uint64
}

// hiddenSelected counts the selected users the filters hide: a bulk action
// acts on them too, so the list says they are there.
func (u *Screen) hiddenSelected() int {
	k := hiddenKey{u.q, u.ix, u.list.MarkGen()}
	if k == u.hidden.key {
		return u.hidden.n
	}
	n := 0
	if u.ix != nil {
		u.list.EachMark(func(id uint64) {
			if r := u.ix.byID(id); r == nil || !u.q.match(r, u.names.TeamSite) {
				n++
			}
		})
	}
	u.hidden.key, u.hidden.n = k, n
	return n
}

// hiddenNote says, for an action on the selection, how many of its users
// the filters hide.
func (u *Screen) hiddenNote() string {
	if u.list.MarkCount() == 0 {
		return ""
	}
	if h := u.hiddenSelected(); h > 0 {
		return fmt.Sprintf(" (%d of them hidden by the filters)", h)
	}
	return ""
}

// Reload re-reads every user (startup, ctrl+r, and change events).
func (u *Screen) Reload() {
	u.detailKey = ""
	u.names = u.host.Store().Names()
	u.profiles = u.host.Store().Profiles()
	u.sites = u.host.Store().Sites()
	if u.vis != nil {
		u.vis.reset() // the actor's rights, or what they reach, may have changed
	}
	shared := sharedFor(u.host.Store())
	if u.ix == nil && u.building == nil && u.q.text == "" && u.host.Store().UserCount() >= quickStartUsers {
		if ix := shared.fresh(u.host.Store()); ix != nil { // another console built it
			u.ix = ix
			u.refilter(true)
			return
		}
		// first load of a big database: the first page now, and the index
		// once the first frame is out (startIndexLater), so that frame has
		// the cores, and the allocator, to itself
		u.rows, u.quickTotal = quickFirstPage(u.host.Store(), u.q, u.names.TeamSite, u.vis.keep())
		u.list.SetRows(userRows{u, u.rows})
		u.indexLater = true
		return
	}
	u.Settle()
	u.ix = shared.current(u.host.Store())
	u.refilter(true)
}

// Settle waits for the index of a quick start; every key, mouse event and
// change goes through it first (the console calls it), so only the first frames
// are drawn from the quick first page.
func (u *Screen) Settle() {
	u.startIndexLater()
	if u.building != nil {
		<-u.building.done
		u.ix = u.building.ix
		u.building = nil
		u.refilter(true)
	}
	if u.stale {
		u.refilter(true)
	}
}

// quick says the rows are only a quick start's first page.
func (u *Screen) quick() bool { return u.building != nil || u.indexLater }

// Deferring: a quick start's index waits for the first frame.
func (u *Screen) Deferring() bool { return u.indexLater }

// FrameOut starts the index a quick start put off, and says when it is built.
func (u *Screen) FrameOut() <-chan struct{} {
	u.startIndexLater()
	if u.building != nil {
		return u.building.done
	}
	return nil
}

// startIndexLater starts the index a quick start put off (FrameOut, once
// the first frame is out; Settle, before anything needs it).
func (u *Screen) startIndexLater() {
	if u.indexLater {
		u.indexLater = false
		u.building = startIndex(u.host.Store())
	}
}

// Refresh follows one change event: only the touched users move, unless the
// event touched the catalog (names, profiles) or very many users.
func (u *Screen) Refresh(ev store.Event) {
	u.Settle()
	var ids []uint64
	rights := false // what the actor may see may have moved for everyone
	for _, r := range ev.Refs {
		if r.Kind == "user" {
			ids = append(ids, r.ID)
			rights = rights || r.ID == u.host.Actor().UserID
		} else {
			// names of profiles, clients or sites may have changed
			u.names, u.profiles, u.sites = u.host.Store().Names(), u.host.Store().Profiles(), u.host.Store().Sites()
			rights = true
		}
	}
	if u.vis != nil {
		if rights {
			u.vis.reset()
		} else {
			u.vis.forget(ids)
		}
	}
	u.ix = sharedFor(u.host.Store()).follow(u.host.Store(), u.ix, ev.Batch, ids)
	u.detailKey = ""
	u.stale = true // filtered once, when next drawn or used: a burst of events costs one
}

// refilter recomputes the visible rows, keeping the cursor on the same user.
func (u *Screen) refilter(full bool) {
	u.stale = false
	if u.ix == nil {
		u.Settle() // a quick start's index: wait for it (settle filters again)
		return
	}
	prev := u.rows
	if full {
		prev = nil
	}
	gen := u.list.StartFilter()
	rows := u.vis.filter(u.ix.narrow(u.q, u.prevQ, prev, u.names.TeamSite))
	u.prevQ = u.q
	// the list stays on the same user; if the filters now hide them, at the same place
	if u.list.SetFiltered(gen, userRows{u, rows}) {
		u.rows = rows
	}
	u.list.PruneMarks(func(id uint64) bool {
		r := u.ix.byID(id)
		return r != nil && (u.vis == nil || u.vis.sees(r.u))
	})
}

func (u *Screen) current() *userRow {
	if c := u.list.Cursor(); c >= 0 && c < len(u.rows) {
		return u.rows[c]
	}
	return nil
}

// Current is the highlighted user (nil: none).
func (u *Screen) Current() *store.User {
	if r := u.current(); r != nil {
		return r.u
	}
	return nil
}

// Listed are the users the list shows, in its order.
func (u *Screen) Listed() []*store.User {
	u.Settle() // rows are filtered again lazily after a change event
	out := make([]*store.User, len(u.rows))
	for i, r := range u.rows {
		out[i] = r.u
	}
	return out
}

// targets are the selection, or else the highlighted user.
func (u *Screen) targets() []*store.User {
	if n := u.list.MarkCount(); n > 0 {
		out := make([]*store.User, 0, n)
		for _, r := range u.ix.all {
			if u.list.Marked(r.u.ID) {
				out = append(out, r.u)
			}
		}
		return out
	}
	if r := u.current(); r != nil {
		return []*store.User{r.u}
	}
	return nil
}

func (u *Screen) Pending() int { return 0 }
func (u *Screen) Discard()     {}
func (u *Screen) Filter() string {
	return u.q.text
}

func (u *Screen) SetFilter(q string) {
	u.q.text = strings.ToLower(strings.TrimSpace(q))
	u.refilter(false)
}

func (u *Screen) needTarget() string {
	if len(u.rows) == 0 && u.list.MarkCount() == 0 {
		return "no user is highlighted"
	}
	return ""
}

func (u *Screen) canEdit() string {
	if err := u.host.Store().Capabilities(u.host.Actor()).May(store.EditUsers); err != nil {
		return err.Error()
	}
	return u.needTarget()
}

func (u *Screen) Bindings() []*ui.Binding {
	g := "Users"
	km := u.list.KeyMap
	return append([]*ui.Binding{
		ui.Bind(g, "a", "add a user (an invitation is queued)", func() tea.Cmd { return u.addUser() }).Editing().
			When(func() string { return ui.ErrText(u.host.Store().Capabilities(u.host.Actor()).May(store.EditUsers)) }),
		ui.Bind(g, "e", "edit the highlighted user", func() tea.Cmd { return u.editUser() }).Editing().When(u.canEdit),
		ui.Bind(g, "p", "change profile (role) of the highlighted or selected users", func() tea.Cmd { return u.changeProfile() }).Editing().When(u.canEdit),
		ui.Bind(g, "P", "set password (a notice is queued)", func() tea.Cmd { return u.setPassword() }).Editing().When(u.canEdit),
		ui.Bind(g, "i", "resend the invitation", func() tea.Cmd { return u.resendInvite() }).Editing().When(u.canEdit),
		ui.Bind(g, "K", "SSH keys of the highlighted user: add or remove", func() tea.Cmd { return u.manageKeys() }).Editing().When(u.canEdit),
		ui.Bind(g, "d", "disable / enable the highlighted or selected users", func() tea.Cmd { return u.toggleDisabled() }).Editing().When(u.canEdit),
		ui.Bind(g, "x,delete", "delete (refused once a user has records: disable instead)", func() tea.Cmd { return u.deleteUsers() }).Editing().When(u.canEdit),
		ui.Bind(g, "enter", "assign sites & teams to the highlighted or selected users", func() tea.Cmd { return u.openSites() }).When(u.needTarget),
		ui.Bind(g, "h", "history of the highlighted user", func() tea.Cmd { return u.openHistory() }).When(u.needTarget),
		ui.Bind(g, "c", "clients whose data the highlighted or selected employees see: opens Sites & teams at its Clients group", u.openClients).When(u.needTarget),
		ui.Bind(g, "f", "feature overrides (allow / deny / inherit) of the highlighted or selected employees", func() tea.Cmd { return u.featureOverrides() }).Editing().When(u.needTarget),
		ui.BindKey(g, ui.Described(km.Mark, "select / unselect the highlighted user"), func() tea.Cmd { u.toggleSel(); return nil }).When(u.needTarget),
		ui.BindKey(g, ui.Described(km.MarkRange, "select the range from the last selected to here"), func() tea.Cmd { u.selectRange(); return nil }).
			When(func() string {
				if _, ok := u.list.Anchor(); !ok {
					return "select a first user with space"
				}
				if _, ok := u.list.AnchorIndex(); !ok {
					return "the user last selected with space is not listed now: select a first user with space"
				}
				return u.needTarget()
			}),
		ui.BindKey(g, ui.Described(km.MarkAll, "select every user the filters show (again: none)"), func() tea.Cmd { u.selectAll(); return nil }).When(u.needTarget),
		ui.BindKey(g, ui.Described(km.ClearMarks, "clear the selection"), func() tea.Cmd { u.clearSel(); return nil }),
		ui.Bind(g, "t", "employees / client users / everyone", func() tea.Cmd { u.cycle(filterType, 1); return nil }),
		ui.Bind(g, "s", "status filter: active+invited / active / invited / disabled / all", func() tea.Cmd { u.cycle(filterStatus, 1); return nil }),
	}, u.nav()...)
}

// nav are the navigation keys of the focused pane: the filters, or the
// user list (from the Details pane too).
func (u *Screen) nav() []*ui.Binding {
	if u.host.Focus() == 0 {
		return ui.ListNav(u.filters, nil)
	}
	return ui.ListNav(u.list, nil)
}

// Key changes the highlighted filter (the list keys are bindings).
func (u *Screen) Key(msg tea.KeyPressMsg, pane int) tea.Cmd {
	if pane != 0 {
		return nil
	}
	row := u.filters.Cursor()
	switch msg.String() {
	case "left":
		u.cycle(row, -1)
	case "right", "enter":
		if row == filterText {
			return u.host.StartFilter()
		}
		u.cycle(row, 1)
	}
	return nil
}

// Mouse: a click highlights a filter or a user, the wheel moves through them.
func (u *Screen) Mouse(msg tea.MouseMsg, pane, x, y int) tea.Cmd {
	switch pane {
	case 0:
		u.filters.Mouse(msg, y)
	case 1:
		u.list.Mouse(msg, y)
	}
	return nil
}

func (u *Screen) cycle(row, d int) {
	switch row {
	case filterType:
		u.q.typ = (u.q.typ + d + len(typeChoices)) % len(typeChoices)
	case filterStatus:
		u.q.status = (u.q.status + d + len(statusChoices)) % len(statusChoices)
	case filterProfile:
		u.q.profile = cycleID(u.q.profile, d, len(u.profiles), func(i int) uint64 { return u.profiles[i].ID })
	case filterSite:
		u.q.site = cycleID(u.q.site, d, len(u.sites), func(i int) uint64 { return u.sites[i].ID })
	}
	u.refilter(true)
}

// cycleID steps through "any" (0) and n ids.
func cycleID(cur uint64, d, n int, id func(int) uint64) uint64 {
	pos := 0 // 0 = any, i+1 = id(i)
	for i := 0; i < n; i++ {
		if id(i) == cur {
			pos = i + 1
		}
	}
	pos = (pos + d + n + 1) % (n + 1)
	if pos == 0 {
		return 0
	}
	return id(pos - 1)
}

// toggleSel selects or unselects the highlighted user and moves on to the next.
func (u *Screen) toggleSel() {
	if u.list.ToggleMark() {
		u.list.Down()
	}
}

func (u *Screen) selectRange() {
	u.list.MarkRange()
	u.host.Flash(fmt.Sprintf("%d selected", u.list.MarkCount()), false)
}

func (u *Screen) selectAll() {
	if !u.list.MarkAll() {
		u.host.Flash("selection cleared", false)
		return
	}
	u.host.Flash(fmt.Sprintf("%d selected (every user the filters show)", u.list.MarkCount()), false)
}

func (u *Screen) clearSel() {
	if u.list.ClearMarks() > 0 {
		u.host.Flash("selection cleared", false)
	}
}

// Header is the Filters pane folded into one line (two-pane layout): the
// filters that narrow the list, then where to change them. Those left at
// "any" are named only where the line has room, so the hint never goes.
func (u *Screen) Header(w int) string {
	parts := []string{typeChoices[u.q.typ], "status " + statusChoices[u.q.status].label}
	var idle []string
	if u.q.profile != 0 {
		parts = append(parts, "profile "+u.profileLabel())
	} else {
		idle = append(idle, "profile any")
	}
	if u.q.site != 0 {
		parts = append(parts, "site "+u.siteLabel())
	} else {
		idle = append(idle, "site any")
	}
	if u.q.text != "" {
		parts = append(parts, fmt.Sprintf("search %q", u.q.text))
	}
	const hint = "tab: filters"
	for _, p := range idle {
		if ansi.StringWidth(strings.Join(append(append(parts, p), hint), " · ")) <= w {
			parts = append(parts, p)
		}
	}
	return strings.Join(append(parts, hint), " · ")
}

func (u *Screen) profileLabel() string {
	if u.q.profile == 0 {
		return "any"
	}
	return u.names.Profile(u.q.profile)
}

func (u *Screen) siteLabel() string {
	if u.q.site == 0 {
		return "any"
	}
	return u.names.Site(u.q.site)
}

// SetSize: the list takes its pane less the column headings.
func (u *Screen) SetSize(p [3]ui.PaneSize) {
	u.filters.SetSize(p[0].W, p[0].H)
	u.list.SetSize(p[1].W, max(p[1].H-1, 1))
	u.detailW = p[2].W
}

// Prepare filters again if a change made the rows stale, and counts and
// builds what the next frame shows.
func (u *Screen) Prepare() {
	if u.stale && !u.quick() {
		u.refilter(true)
	}
	u.hiddenSelected()
	if r := u.current(); r != nil {
		if key := fmt.Sprintf("%d@%d/%d/%p", r.u.ID, r.u.Version, u.detailW, u.host.Theme()); key != u.detailKey {
			u.detailKey, u.detail = key, u.buildDetail(r.u, u.detailW)
		}
		u.detailOf = detailSlot{r.u, u.detailW, u.host.Theme()} // the same version may be a new record
	}
}

// detailSlot is what the cached details show: a user record, at a width, in a theme.
type detailSlot struct {
	u  *store.User
	w  int
	th *ui.Theme
}

func (u *Screen) Render(pane, w, h int, focused bool) []string {
	switch pane {
	case 0:
		return u.renderFilters(w, focused)
	case 1:
		return u.renderList(w, focused)
	}
	return u.renderDetail(w)
}

// filterList is the Filters pane's rows.
type filterList struct{ u *Screen }

func (f filterList) Len() int            { return filterRows }
func (f filterList) Key(i int) int       { return i }
func (f filterList) Selectable(int) bool { return true }

func (f filterList) Render(i, w int, st list.State) string {
	u := f.u
	var label, value string
	switch i {
	case filterType:
		label, value = "Show", typeChoices[u.q.typ]
	case filterStatus:
		label, value = "Status", statusChoices[u.q.status].label
	case filterProfile:
		label, value = "Profile", ui.Safe(u.profileLabel())
	case filterSite:
		label, value = "Site", ui.Safe(u.siteLabel())
	default:
		label, value = "Search", "/"+ui.Safe(u.q.text)
	}
	// the labels line up where there is room; in a narrow pane the value
	// keeps its end and the label's padding goes first
	lw := max(min(7, w-2-ansi.StringWidth(value)), len(label))
	line := fmt.Sprintf(" %-*s %s", lw, label, value)
	if st.Focused && st.Cursor {
		line = u.host.Theme().Cursor.Render(ui.Fit("›"+line[1:], w))
	}
	return line
}

func (u *Screen) renderFilters(w int, focused bool) []string {
	th := u.host.Theme()
	out := u.filters.Lines(focused)
	n := u.list.MarkCount()
	out = append(out, "", th.Muted.Render(" ↑↓ pick · ←→ change"))
	out = append(out, "", fmt.Sprintf("Selected  %d", n))
	if n > 0 {
		out = append(out, th.Muted.Render("esc (in the list) clears"))
	}
	return out
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

func (u *Screen) roleOf(us *store.User) string {
	if us.Type == store.ClientUser && len(us.ClientIDs) > 0 {
		return u.names.Client(us.ClientIDs[0]) // the client stands where the role does
	}
	return u.names.Profile(us.ProfileID)
}

// userRows are the user list's rows: one filter's result.
type userRows struct {
	u    *Screen
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
	u, th := r.u, r.u.host.Theme()
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
	line := mark + changed + " " + ui.Cell(name, c.name) + ui.Cell(ui.Safe(us.Email), c.email) + ui.Cell(ui.Safe(u.roleOf(us)), c.role) + ui.Cell(us.Status().String(), c.status)
	if c.sites > 0 {
		line += ui.Cell(ui.SafeJoin(u.names.Sites(us.SiteIDs), ", "), c.sites)
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

func (u *Screen) renderList(w int, focused bool) []string {
	th := u.host.Theme()
	c := layoutUserCols(w)
	role := "PROFILE"
	if u.q.typ == 1 {
		role = "CLIENT"
	} else if u.q.typ == 2 {
		role = "PROFILE/CLIENT"
	}
	head := "   " + ui.Cell("NAME", c.name) + ui.Cell("EMAIL", c.email) + ui.Cell(role, c.role) + ui.Cell("STATUS", c.status) + ui.Cell("SITES", c.sites)
	if len(u.rows) == 0 {
		return append([]string{th.Header.Render(ui.Fit(head, w))}, ui.WrapStyled(th.Muted, "  no users match; change the filters (tab) or press a to add one", w, " ")...)
	}
	return u.list.AppendLines([]string{th.Header.Render(ui.Fit(head, w))}, focused)
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

// renderDetail shows the highlighted user, as prepare built it (View runs
// after every message); at a width prepare did not build for, built anew.
func (u *Screen) renderDetail(w int) []string {
	r := u.current()
	if r == nil {
		return []string{u.host.Theme().Muted.Render("no user highlighted")}
	}
	if u.detailKey != "" && u.detailOf == (detailSlot{r.u, w, u.host.Theme()}) {
		return u.detail
	}
	return u.buildDetail(r.u, w)
}

func (u *Screen) buildDetail(us *store.User, w int) []string {
	th := u.host.Theme()
	n := u.names
	// a value too long for the pane goes on under itself: none loses its end
	kv := func(k, v string) string {
		lines := strings.Split(ansi.Wrap(v, max(w-11, 10), ","), "\n")
		for i := 1; i < len(lines); i++ {
			lines[i] = strings.Repeat(" ", 11) + strings.TrimLeft(lines[i], " ")
		}
		return th.Muted.Render(fmt.Sprintf("%-10s", k)) + " " + strings.Join(lines, "\n")
	}
	out := []string{th.Bold.Render(ui.Safe(us.Name())), ui.Safe(us.Email), ""}
	// each grant that ends by itself says when, as users show does
	ending := func(g store.Grant, ids []uint64, name func(uint64) string) string {
		parts := make([]string, len(ids))
		for i, id := range ids {
			parts[i] = ui.Safe(name(id))
			if at := us.Until(g, id); !at.IsZero() {
				parts[i] += th.Warn.Render(" (until " + store.UntilText(at) + ")")
			}
		}
		return strings.Join(parts, ", ")
	}
	out = append(out, kv("Type", us.Type.String()))
	if us.Type == store.ClientUser {
		out = append(out, kv("Client", ui.SafeJoin(n.Clients(us.ClientIDs), ", ")))
	} else if len(us.ClientIDs) > 0 {
		out = append(out, kv("Clients", ending(store.GrantClient, us.ClientIDs, n.Client)))
	}
	profile := ui.Safe(n.Profile(us.ProfileID))
	for _, x := range us.Expiries {
		if x.Grant == store.GrantProfile {
			profile += th.Warn.Render(" (until " + store.UntilText(x.At) + ", then " + ui.Safe(n.Profile(x.Back)) + ")")
		}
	}
	out = append(out, kv("Profile", profile))
	st := us.Status().String()
	switch us.Status() {
	case store.Disabled:
		st = th.Bad.Render(st)
	case store.Invited:
		st = th.Warn.Render(st)
	default:
		st = th.Good.Render(st)
	}
	out = append(out, kv("Status", st))
	out = append(out, kv("Sites", ui.OrNone(ending(store.GrantSite, us.SiteIDs, n.Site))))
	if len(us.TeamIDs) > 0 {
		out = append(out, kv("Teams", ending(store.GrantTeam, us.TeamIDs, n.Team)))
	}
	if us.DefaultSiteID != 0 {
		out = append(out, kv("Default", ui.Safe(n.Site(us.DefaultSiteID))))
	}
	if us.HasRecords() {
		out = append(out, kv("Records", "yes — can be disabled, not deleted"))
	}
	if keys, err := u.host.Store().KeysOf(us.ID); err == nil && len(keys) > 0 {
		out = append(out, kv("SSH keys", fmt.Sprintf("%d (K manages them)", len(keys))))
		for _, k := range keys {
			out = append(out, "           "+ui.Safe(k.Fingerprint))
		}
	}
	if us.Changed() {
		out = append(out, kv("Changed", fmt.Sprintf("v%d by %s, %s (h: history)", us.Version, ui.Safe(us.UpdatedBy), us.Updated.Local().Format("2006-01-02 15:04"))))
	}
	if e, err := u.host.Store().EffectiveByID(us.ID); err == nil {
		out = append(out, "", th.Header.Render("Effective access"))
		var labels, values, marks []string
		for _, l := range e.Levels {
			if l.Level == "none" {
				continue
			}
			mark := " "
			if l.Sensitive {
				mark = th.Warn.Render("!")
			}
			labels, values, marks = append(labels, ui.Safe(l.Title)), append(values, ui.Safe(l.Level)), append(marks, mark)
		}
		for i, row := range ui.ValueRows("   ", labels, values, w) {
			out = append(out, " "+marks[i]+row[2:])
		}
		if len(labels) == 0 {
			out = append(out, th.Muted.Render(" no screens"))
		}
		for _, note := range e.Notes {
			out = append(out, th.Muted.Render(" "+ui.Safe(note)))
		}
		out = append(out, "", th.Header.Render("Features"))
		labels, values = make([]string, len(e.Features)), make([]string, len(e.Features))
		for i, f := range e.Features {
			v := "off"
			if f.Effective {
				v = "on"
			}
			if f.Override != "inherit" {
				v += " (" + f.Override + ")"
			}
			labels[i], values[i] = ui.Safe(f.Title), v
		}
		out = append(out, ui.ValueRows("   ", labels, values, w)...)
	}
	var lines []string
	for _, l := range out {
		lines = append(lines, strings.Split(l, "\n")...)
	}
	return lines
}

// openClients opens Sites & teams at its Clients group: the clients whose
// data an employee sees (seed 002: "a user can be assigned to one or more
// clients") move between Available and Assigned like sites, pending until
// ctrl+s saves them with any site moves as one change set.
func (u *Screen) openClients() tea.Cmd {
	u.host.AssignSites(u.targets(), true)
	return nil
}

// featureOverrides sets, per feature, whether the highlighted or selected
// employees follow the org (inherit) or are let in or kept out whatever it
// says; for several users a feature may be left as each has it. Client
// users follow the org: they are left out, and the form says so.
func (u *Screen) featureOverrides() tea.Cmd {
	var emps []*store.User
	skipped := 0
	for _, us := range u.targets() {
		if store.MayOverrideFeatures(us) {
			emps = append(emps, us)
		} else {
			skipped++
		}
	}
	if len(emps) == 0 {
		u.host.Flash("feature overrides are for employees; client users follow the org's settings", true)
		return nil
	}
	org := u.host.Store().Settings()
	const keep = "keep"
	choices := make([]string, len(store.Features()))
	var fields []huh.Field
	for i, f := range store.Features() {
		var opts []huh.Option[string]
		cur := ""
		if len(emps) == 1 {
			cur = emps[0].Features[f].String()
		} else {
			opts = append(opts, huh.NewOption("keep each user's own", keep))
			cur = keep
		}
		for _, o := range []store.Override{store.Inherit, store.Allow, store.Deny} {
			label := map[store.Override]string{
				store.Inherit: "inherit: follow the org (now " + org.Value(f.String()) + ")",
				store.Allow:   "allow, whatever the org says",
				store.Deny:    "deny, whatever the org says",
			}[o]
			opts = append(opts, huh.NewOption(nowMark(label, o.String() == cur), o.String()))
		}
		choices[i] = cur
		fields = append(fields, huh.NewSelect[string]().Title(f.Title()).Options(opts...).Value(&choices[i]))
	}
	title := "Features of " + ui.Safe(emps[0].Email)
	if len(emps) > 1 {
		title = fmt.Sprintf("Features of %d employees%s", len(emps), u.hiddenNote())
	}
	if skipped > 0 {
		title += fmt.Sprintf(" (%s left out: they follow the org)", ui.Plural(skipped, "client user"))
	}
	m, cmd := ui.NewForm(u.host, title, func() tea.Cmd {
		u.apply(fmt.Sprintf("feature overrides of %s", ui.Plural(len(emps), "employee")), func(tx *store.Tx) error {
			for _, us := range emps {
				version := us.Version // checked at the first feature: the user as shown
				for i, f := range store.Features() {
					if choices[i] == keep {
						continue
					}
					o, err := store.ParseOverride(choices[i])
					if err != nil {
						return err
					}
					if err := tx.SetFeature(us.ID, version, f, o); err != nil {
						return err
					}
					version = 0
				}
			}
			return nil
		})
		return nil
	}, huh.NewGroup(fields...))
	u.host.Open(m)
	return cmd
}

// nowMark marks the option a select holds now, so it shows without colour.
func nowMark(label string, now bool) string {
	if now {
		return label + "  ← now"
	}
	return label
}

// ---- actions ----

func (u *Screen) apply(what string, fn func(tx *store.Tx) error) {
	cs, err := u.host.Store().Apply(u.host.Actor(), what, fn)
	if err != nil {
		u.host.Fail(err)
		return
	}
	u.host.Applied(cs, what) // follows the change set: only touched rows move
}

func (u *Screen) addUser() tea.Cmd {
	var first, last, email, typ, profile, client string
	typ = "employee"
	profileOpts := func() []huh.Option[string] {
		var o []huh.Option[string]
		ps := u.host.Store().Profiles()
		store.SortByPower(ps) // the least powerful first, and so the one offered
		for _, p := range ps {
			if p.Type.String() == typ {
				o = append(o, huh.NewOption(ui.Safe(p.Name), p.Name))
			}
		}
		return o
	}
	var clientOpts []huh.Option[string]
	for _, c := range u.host.Store().Clients() {
		clientOpts = append(clientOpts, huh.NewOption(ui.Safe(c.Name), c.Name))
	}
	groups := func(note func(store.Field, string) string) []*huh.Group {
		return []*huh.Group{
			huh.NewGroup(
				huh.NewInput().Key(string(store.FieldFirstName)).Title("First name").Description(note(store.FieldFirstName, "")).Value(&first).Validate(func(s string) error { _, err := store.ValidateName("first", s); return err }),
				huh.NewInput().Key(string(store.FieldLastName)).Title("Last name").Description(note(store.FieldLastName, "")).Value(&last).Validate(func(s string) error { _, err := store.ValidateName("last", s); return err }),
				huh.NewInput().Key(string(store.FieldEmail)).Title("Email").Description(note(store.FieldEmail, "")).Value(&email).Validate(func(s string) error { _, err := store.ValidateEmail(s); return err }),
				huh.NewSelect[string]().Title("User type").Options(huh.NewOption("Employee", "employee"), huh.NewOption("Client", "client")).Value(&typ),
			),
			huh.NewGroup(
				huh.NewSelect[string]().Key(string(store.FieldClient)).Title("Client").Description(note(store.FieldClient, "a client user belongs to exactly one client")).Options(clientOpts...).Value(&client),
			).WithHideFunc(func() bool { return typ != "client" || len(clientOpts) == 0 }),
			huh.NewGroup(
				huh.NewSelect[string]().Title("Profile").OptionsFunc(profileOpts, &typ).Value(&profile),
			),
		}
	}
	m, cmd := ui.NewFormAt(u.host, "Add user", func() tea.Cmd {
		t, _ := store.ParseUserType(typ)
		nu := store.NewUser{First: first, Last: last, Email: email, Type: t, Profile: profile}
		if t == store.ClientUser && client != "" {
			nu.Clients = []string{client}
		}
		var created *store.User
		u.apply("add user "+email, func(tx *store.Tx) error {
			var err error
			created, err = tx.AddUser(nu)
			return err
		})
		if created != nil {
			u.Select(created.ID)
			u.host.Flash(fmt.Sprintf("added %s; invitation queued — enter assigns sites", created.Email), false)
		}
		return nil
	}, groups)
	u.host.Open(m)
	return cmd
}

// Select highlights a user in the list, widening the filters if needed.
func (u *Screen) Select(id uint64) {
	u.Settle() // the rows a change just made stale: the user may be new
	r := u.ix.byID(id)
	if r == nil {
		return
	}
	if !u.q.match(r, u.names.TeamSite) {
		u.q = userQuery{typ: 2, status: len(statusChoices) - 1}
		u.refilter(true)
	}
	u.list.Select(id)
}

func (u *Screen) editUser() tea.Cmd {
	r := u.current()
	if r == nil {
		return nil
	}
	us := r.u
	// the fields show what is stored, made safe; a field is sent only when
	// it was changed from what it showed, so a name holding controls (an
	// old file) is never rewritten as its escaped text unless someone types
	// a new one
	shown := [3]string{ui.Safe(us.First), ui.Safe(us.Last), ui.Safe(us.Email)}
	first, last, email := shown[0], shown[1], shown[2]
	def := u.names.Site(us.DefaultSiteID)
	// the sites this user may hold (a client user: their client's), the
	// current one marked and the list open at it
	siteOpts := []huh.Option[string]{huh.NewOption(nowMark("(none)", def == ""), "")}
	for _, s := range u.sites {
		if store.MayHoldSite(us, s.ClientID) {
			siteOpts = append(siteOpts, huh.NewOption(nowMark(ui.Safe(s.Name), s.Name == def), s.Name))
		}
	}
	version := us.Version
	m, cmd := ui.NewFormAt(u.host, "Edit "+us.Email, func() tea.Cmd {
		p := store.UserPatch{DefaultSite: &def}
		if first != shown[0] {
			p.First = &first
		}
		if last != shown[1] {
			p.Last = &last
		}
		if email != shown[2] {
			p.Email = &email
		}
		u.apply("edit "+us.Email, func(tx *store.Tx) error {
			_, err := tx.EditUser(us.ID, version, p)
			return err
		})
		return nil
	}, func(note func(store.Field, string) string) []*huh.Group {
		return []*huh.Group{huh.NewGroup(
			huh.NewInput().Key(string(store.FieldFirstName)).Title("First name").Description(note(store.FieldFirstName, "")).Value(&first),
			huh.NewInput().Key(string(store.FieldLastName)).Title("Last name").Description(note(store.FieldLastName, "")).Value(&last),
			huh.NewInput().Key(string(store.FieldEmail)).Title("Email").Description(note(store.FieldEmail, "")).Value(&email),
			huh.NewSelect[string]().Key(string(store.FieldDefaultSite)).Title("Default location").Description(note(store.FieldDefaultSite, "")).Options(siteOpts...).Value(&def).Height(8),
		)}
	})
	u.host.Open(m)
	return cmd
}

func (u *Screen) changeProfile() tea.Cmd {
	ts := u.targets()
	if len(ts) == 0 {
		return nil
	}
	var profile, client string
	var opts []huh.Option[string]
	current := ""
	if len(ts) == 1 {
		current = u.names.Profile(ts[0].ProfileID)
	}
	ps := slices.Clone(u.profiles)
	store.SortByPower(ps)
	for _, p := range ps {
		opts = append(opts, huh.NewOption(nowMark(fmt.Sprintf("%s (%s)", ui.Safe(p.Name), p.Type), p.Name == current), p.Name))
	}
	var clientOpts []huh.Option[string]
	for _, c := range u.host.Store().Clients() {
		clientOpts = append(clientOpts, huh.NewOption(ui.Safe(c.Name), c.Name))
	}
	title := fmt.Sprintf("Profile of %s%s", ui.Plural(len(ts), "user"), u.hiddenNote())
	if len(ts) == 1 {
		title = "Profile of " + ts[0].Email
		profile = u.names.Profile(ts[0].ProfileID)
	}
	isClient := func() bool {
		p, err := u.host.Store().Profile(profile)
		return err == nil && p.Type == store.ClientUser
	}
	m, cmd := ui.NewForm(u.host, title, func() tea.Cmd {
		u.apply(fmt.Sprintf("profile %s for %s", profile, ui.Plural(len(ts), "user")), func(tx *store.Tx) error {
			for _, us := range ts {
				p := store.UserPatch{Profile: &profile}
				if client != "" && us.Type == store.Employee && isClient() {
					p.Client = &client
				}
				if _, err := tx.EditUser(us.ID, us.Version, p); err != nil {
					return err
				}
			}
			return nil
		})
		return nil
	}, huh.NewGroup(huh.NewSelect[string]().Title("Profile").Description("a client profile makes employees client users (they need a client); an employee profile makes client users employees").Options(opts...).Value(&profile).Height(min(len(opts), 10)+3)),
		huh.NewGroup(huh.NewSelect[string]().Title("Client (for users who become client users)").Options(clientOpts...).Value(&client)).
			WithHideFunc(func() bool { return !isClient() || len(clientOpts) == 0 }),
	)
	u.host.Open(m)
	return cmd
}

func (u *Screen) setPassword() tea.Cmd {
	r := u.current()
	if r == nil {
		return nil
	}
	us := r.u
	var pw, again string
	m, cmd := ui.NewForm(u.host, "Password of "+us.Email, func() tea.Cmd {
		u.apply("set password of "+us.Email, func(tx *store.Tx) error { return tx.SetPassword(us.ID, us.Version, pw) })
		return nil
	}, huh.NewGroup(
		huh.NewInput().Title("New password").EchoMode(huh.EchoModePassword).Value(&pw).Validate(func(pw string) error { return store.ValidatePasswordFor(us, pw) }),
		huh.NewInput().Title("Again").EchoMode(huh.EchoModePassword).Value(&again).Validate(func(s string) error {
			if s != pw {
				return fmt.Errorf("the two passwords differ")
			}
			return nil
		}),
	))
	u.host.Open(m)
	return cmd
}

// manageKeys adds a public key (pasted as an authorized_keys line) or removes one.
func (u *Screen) manageKeys() tea.Cmd {
	r := u.current()
	if r == nil {
		return nil
	}
	us := r.u
	keys, err := u.host.Store().KeysOf(us.ID)
	if err != nil {
		u.host.Fail(err)
		return nil
	}
	action, line := "add", ""
	opts := []huh.Option[string]{huh.NewOption("Add a key", "add")}
	for _, k := range keys {
		label := "Remove " + ui.Safe(k.Fingerprint)
		if k.Comment != "" {
			label += " (" + ui.Safe(k.Comment) + ")"
		}
		opts = append(opts, huh.NewOption(label, k.Fingerprint))
	}
	m, cmd := ui.NewForm(u.host, "SSH keys of "+us.Email, func() tea.Cmd {
		if action == "add" {
			u.apply("add a key for "+us.Email, func(tx *store.Tx) error {
				_, err := tx.AddKey(us.ID, line)
				return err
			})
			return nil
		}
		u.apply("remove a key of "+us.Email, func(tx *store.Tx) error { return tx.RemoveKey(us.ID, action) })
		return nil
	}, huh.NewGroup(huh.NewSelect[string]().Title(ui.Plural(len(keys), "key")).Options(opts...).Value(&action)),
		huh.NewGroup(huh.NewInput().Title("Public key").Description("one line as in ~/.ssh/id_ed25519.pub").Value(&line).
			Validate(func(s string) error { _, _, err := store.ParsePublicKey(s); return err })).
			WithHideFunc(func() bool { return action != "add" }),
	)
	u.host.Open(m)
	return cmd
}

func (u *Screen) resendInvite() tea.Cmd {
	ts := u.targets()
	u.apply("resend invitation to "+ui.Plural(len(ts), "user"), func(tx *store.Tx) error {
		for _, us := range ts {
			if err := tx.ResendInvite(us.ID); err != nil {
				return err
			}
		}
		return nil
	})
	return nil
}

func (u *Screen) toggleDisabled() tea.Cmd {
	ts := u.targets()
	disable := slices.ContainsFunc(ts, func(us *store.User) bool { return !us.Disabled })
	verb := "enable"
	if disable {
		verb = "disable"
	}
	what := verb + " " + ui.Plural(len(ts), "user")
	change := func(tx *store.Tx) error {
		for _, us := range ts {
			if err := tx.SetDisabled(us.ID, us.Version, disable); err != nil {
				return err
			}
		}
		return nil
	}
	// refused at once, not after a question
	if _, err := u.host.Store().Preview(u.host.Actor(), what, change); err != nil {
		u.host.Fail(err)
		return nil
	}
	do := func() tea.Cmd { u.apply(what, change); return nil }
	effect := "they can sign in again"
	if disable {
		effect = "they lose access at once: their open sessions end, their invitations are revoked"
	}
	who := fmt.Sprintf("%d users%s", len(ts), u.hiddenNote())
	if len(ts) == 1 {
		who = ui.Safe(ts[0].Email)
	}
	u.host.Open(&ui.Confirm{Question: fmt.Sprintf("%s %s? %s. (one change set; u undoes)", strings.ToUpper(verb[:1])+verb[1:], who, strings.ToUpper(effect[:1])+effect[1:]), Yes: do})
	return nil
}

func (u *Screen) deleteUsers() tea.Cmd {
	ts := u.targets()
	label := ts[0].Email
	if len(ts) > 1 {
		label = fmt.Sprintf("%d users", len(ts))
	}
	change := func(tx *store.Tx) error {
		for _, us := range ts {
			if err := tx.DeleteUser(us.ID, us.Version); err != nil {
				return err
			}
		}
		return nil
	}
	// a delete the store will refuse (a user with records) says so now
	if _, err := u.host.Store().Preview(u.host.Actor(), "delete "+label, change); err != nil {
		u.host.Fail(err)
		return nil
	}
	u.host.Open(&ui.Confirm{Question: "Delete " + ui.Safe(label) + u.hiddenNote() + "? (one change set; u undoes)", Yes: func() tea.Cmd {
		u.apply("delete "+label, change)
		for _, us := range ts {
			u.list.Unmark(us.ID)
		}
		return nil
	}})
	return nil
}

func (u *Screen) openSites() tea.Cmd {
	u.host.AssignSites(u.targets(), false)
	return nil
}

func (u *Screen) openHistory() tea.Cmd {
	r := u.current()
	if r == nil {
		return nil
	}
	u.host.ShowHistory("user:" + r.u.Email)
	return nil
}

func (u *Screen) CopyText() (string, string) {
	r := u.current()
	if r == nil {
		return "", ""
	}
	return "the email " + r.u.Email, r.u.Email
}
