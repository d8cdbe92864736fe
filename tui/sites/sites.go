// Package sites is the Sites & teams screen: the sites, teams and clients
// of the users chosen on Users, moved between Available and Assigned.
package sites

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/gatehouse/gatehouse/store"
	"github.com/gatehouse/gatehouse/tui/list"
	"github.com/gatehouse/gatehouse/tui/ui"
)

// Screen: who | available sites, teams & clients | assigned.
//
// The seeds' drag and drop between two panels, from the keyboard (→ ← enter,
// space marks several) and the mouse (press on an item, release over the
// other list). Moves stay pending until ctrl+s saves them as one change set,
// carrying the versions of the users read when they were chosen, so a record
// changed under the open edit is refused by the store, never overwritten.
type Screen struct {
	host  ui.Host
	names store.Names

	items  []*siteItem // catalog order: group, site, then its teams
	byKey  map[itemKey]*siteItem
	groups []*siteGroup

	who       []*store.User
	base      map[uint64]uint64 // user id → the version the pending moves build on
	conflicts []*store.User     // who users changed since base while moves are pending
	nEmp      int               // employees among who
	nCU       map[uint64]int    // client users among who, per client

	pend  map[itemKey]bool // true: assign (→ Assigned); false: unassign (→ Available)
	q     string           // the "/" filter of Available
	lists [2]siteList      // the panes Available and Assigned
	drag  *siteDrag        // across the two lists, so the screen's
	panes ui.Panes
}

// itemKey names a site, a team or a client.
type itemKey struct {
	kind itemKind
	id   uint64
}

type itemKind uint8

const (
	siteKind itemKind = iota
	teamKind
	// a client whose data an employee sees (seed 002: "a user can be
	// assigned to one or more clients"): moved like a site, saved with the
	// sites in one change set
	clientKind
)

type siteItem struct {
	key    itemKey
	site   uint64 // the site (the item itself for sites)
	client uint64 // the site's client, 0 for the business's own; a client item's own id
	name   string // site or team name
	label  string // "Site", "Site/Team" or the client's name: what the store takes
	hay    string // lower(label, client name), for the filter
	teams  []*siteItem

	held     int // who users holding it (directly)
	eligHeld int // of them, those who may hold it
}

type siteGroup struct {
	client  uint64
	name    string
	sites   []*siteItem // or, for the clients group, the clients
	clients bool
}

// siteRow is one line of a list: a group header (it == nil) or an item.
type siteRow struct {
	head    string
	why     string // a blocked header: why nobody chosen may hold its items
	it      *siteItem
	blocked bool // nobody chosen may hold it: shown, never movable
	short   bool // a team under its own site's row: just the team name
}

// rowKey names a row of a list: an item, or a group header by its name.
type rowKey struct {
	head string
	it   itemKey
}

func itemRow(k itemKey) rowKey { return rowKey{it: k} }

// assignRows are a list's rows as the list component reads them.
type assignRows struct {
	s    *Screen
	li   int
	rows []siteRow
}

func (r assignRows) Len() int { return len(r.rows) }
func (r assignRows) Key(i int) rowKey {
	if it := r.rows[i].it; it != nil {
		return itemRow(it.key)
	}
	return rowKey{head: r.rows[i].head}
}
func (r assignRows) Selectable(i int) bool { return r.rows[i].it != nil }
func (r assignRows) Render(i, w int, st list.State) string {
	return r.s.renderRow(r.li, r.rows[i], w, st)
}

type siteDrag struct {
	from int // list index
	key  itemKey
}

const (
	siteAvail    = 0
	siteAssigned = 1
)

// New is the Sites & teams screen of a console.
func New(h ui.Host) ui.Screen {
	s := &Screen{host: h, base: map[uint64]uint64{}, pend: map[itemKey]bool{}, nCU: map[uint64]int{}}
	for i := range s.lists {
		s.lists[i] = siteList{s: s, li: i, Model: list.New[rowKey]()}
		s.lists[i].SetRows(assignRows{s, i, nil})
	}
	s.panes = ui.Panes{&whoPane{s: s}, &s.lists[siteAvail], &s.lists[siteAssigned]}
	return s
}

func (s *Screen) SetSize(p [3]ui.PaneSize) { s.panes.SetSize(p) }

func (s *Screen) Name() string { return "Sites & teams" }

// SetWho sets whose sites are edited: one user or the bulk selection. While
// moves are pending for others it refuses, so moves never land on people
// they were not made for.
func (s *Screen) SetWho(us []*store.User) {
	same := len(us) == len(s.who)
	for i := 0; same && i < len(us); i++ {
		same = us[i].ID == s.who[i].ID
	}
	if len(s.pend) > 0 && !same {
		s.host.Flash(fmt.Sprintf("%d pending move(s) for %s: save them (ctrl+s) or discard them (esc) before choosing others",
			len(s.pend), s.whoLabel()), true)
		return
	}
	s.who = slices.Clone(us)
	if len(s.pend) == 0 {
		s.base = make(map[uint64]uint64, len(us))
		for _, u := range us {
			s.base[u.ID] = u.Version
		}
	}
	if !same {
		for i := range s.lists {
			s.lists[i].ClearMarks()
			s.lists[i].SetCursor(0)
		}
	}
	s.checkConflicts()
	s.recount()
	s.rebuild()
}

// Reload re-reads the catalog and the who users by id (a change event, ctrl+r,
// or our own save). With moves pending, a who user whose version moved is
// flagged, not silently rebased.
func (s *Screen) Reload() {
	s.loadCatalog()
	if len(s.who) > 0 {
		fresh := make([]*store.User, 0, len(s.who))
		for _, u := range s.who {
			if nu, err := s.host.Store().UserByID(u.ID); err == nil {
				fresh = append(fresh, nu)
			} else {
				delete(s.base, u.ID)
			}
		}
		s.who = fresh
	}
	for k := range s.pend {
		if s.byKey[k] == nil {
			delete(s.pend, k)
		}
	}
	if len(s.pend) == 0 {
		s.rebase()
	}
	s.checkConflicts()
	s.recount()
	s.rebuild()
}

func (s *Screen) rebase() {
	s.base = make(map[uint64]uint64, len(s.who))
	for _, u := range s.who {
		s.base[u.ID] = u.Version
	}
}

func (s *Screen) checkConflicts() {
	s.conflicts = nil
	if len(s.pend) == 0 {
		return
	}
	for _, u := range s.who {
		if v, ok := s.base[u.ID]; ok && v != u.Version {
			s.conflicts = append(s.conflicts, u)
		}
	}
}

// clientsGroup heads the clients an employee may be given.
const clientsGroup = "Clients they see"

// loadCatalog builds the groups: the clients themselves, the business's own
// sites, then each client's.
func (s *Screen) loadCatalog() {
	s.names = s.host.Store().Names()
	clients := s.host.Store().Clients()
	own := &siteGroup{name: "Own sites"}
	cg := &siteGroup{name: clientsGroup, clients: true}
	s.groups = []*siteGroup{cg, own}
	byClient := map[uint64]*siteGroup{0: own}
	for _, c := range clients {
		g := &siteGroup{client: c.ID, name: c.Name}
		s.groups = append(s.groups, g)
		byClient[c.ID] = g
	}
	s.byKey = map[itemKey]*siteItem{}
	for _, c := range clients {
		it := &siteItem{key: itemKey{clientKind, c.ID}, client: c.ID, name: c.Name, label: c.Name}
		it.hay = strings.ToLower(c.Name + "\x00client")
		cg.sites = append(cg.sites, it)
		s.byKey[it.key] = it
	}
	sites := map[uint64]*siteItem{}
	for _, x := range s.host.Store().Sites() {
		it := &siteItem{key: itemKey{siteKind, x.ID}, site: x.ID, client: x.ClientID, name: x.Name, label: x.Name}
		it.hay = strings.ToLower(x.Name + "\x00" + s.names.Client(x.ClientID))
		sites[x.ID] = it
		s.byKey[it.key] = it
		if g := byClient[x.ClientID]; g != nil {
			g.sites = append(g.sites, it)
		}
	}
	for _, t := range s.host.Store().Teams() {
		p := sites[t.SiteID]
		if p == nil {
			continue
		}
		it := &siteItem{key: itemKey{teamKind, t.ID}, site: p.site, client: p.client, name: t.Name, label: p.name + "/" + t.Name}
		it.hay = strings.ToLower(it.label + "\x00" + s.names.Client(p.client))
		p.teams = append(p.teams, it)
		s.byKey[it.key] = it
	}
	s.items = s.items[:0]
	for _, g := range s.groups {
		for _, st := range g.sites {
			s.items = append(s.items, st)
			s.items = append(s.items, st.teams...)
		}
	}
}

// mayHold says whether a user may be given an item: a site or team of a
// client (rule 2, the store's), or a client, which only employees are given
// (a client user has exactly one: e on Users changes it).
func mayHold(u *store.User, it *siteItem) bool {
	if it.isClient() {
		return store.MayBeGivenClients(u)
	}
	return store.MayHoldSite(u, it.client)
}

// recount counts, per item, the who users holding it.
func (s *Screen) recount() {
	s.nEmp, s.nCU = 0, map[uint64]int{}
	for _, u := range s.who {
		if u.Type == store.ClientUser {
			if len(u.ClientIDs) == 1 {
				s.nCU[u.ClientIDs[0]]++
			}
		} else {
			s.nEmp++
		}
	}
	for _, it := range s.items {
		it.held, it.eligHeld = 0, 0
	}
	count := func(u *store.User, k itemKey) {
		if it := s.byKey[k]; it != nil {
			it.held++
			if mayHold(u, it) {
				it.eligHeld++
			}
		}
	}
	for _, u := range s.who {
		for _, id := range u.SiteIDs {
			count(u, itemKey{siteKind, id})
		}
		for _, id := range u.TeamIDs {
			count(u, itemKey{teamKind, id})
		}
		if store.MayBeGivenClients(u) { // a client user's one client is not given here
			for _, id := range u.ClientIDs {
				count(u, itemKey{clientKind, id})
			}
		}
	}
}

// elig is how many of the who may hold a site of this client.
func (s *Screen) elig(client uint64) int {
	if client == 0 {
		return s.nEmp
	}
	return s.nEmp + s.nCU[client]
}

// eligOf is how many of the who may be given the item.
func (s *Screen) eligOf(it *siteItem) int {
	if it.isClient() {
		return s.nEmp
	}
	return s.elig(it.client)
}

func (s *Screen) groupElig(g *siteGroup) int {
	if g.clients {
		return s.nEmp
	}
	return s.elig(g.client)
}

func (s *Screen) blocked(it *siteItem) bool { return len(s.who) > 0 && s.eligOf(it) == 0 }

// heldNow is how many of the who hold the item once the pending moves apply.
func (s *Screen) heldNow(it *siteItem) int {
	if add, ok := s.pend[it.key]; ok {
		if add {
			return it.held + s.eligOf(it) - it.eligHeld
		}
		return 0
	}
	return it.held
}

// addable is how many of the who could still be given the item.
func (s *Screen) addable(it *siteItem) int {
	if add, ok := s.pend[it.key]; ok {
		if add {
			return 0
		}
		return s.eligOf(it)
	}
	return s.eligOf(it) - it.eligHeld
}

func (s *Screen) inAvail(it *siteItem) bool {
	return len(s.who) == 0 || s.addable(it) > 0 || (!it.team() && s.blocked(it))
}

func (it *siteItem) team() bool { return it.key.kind == teamKind }

func (it *siteItem) isClient() bool { return it.key.kind == clientKind }

// shown is how messages name an item: a client is said to be one, so it is
// not taken for a site of the same name.
func (it *siteItem) shown() string {
	if it.isClient() {
		return "client " + it.label
	}
	return it.label
}

func (s *Screen) match(it *siteItem) bool { return s.q == "" || strings.Contains(it.hay, s.q) }

// rebuild recomputes both lists' rows, keeping each cursor on its item.
func (s *Screen) rebuild() {
	for li := range s.lists {
		l := &s.lists[li]
		l.rows, l.n = s.buildRows(li)
		l.SetRows(assignRows{s, li, l.rows}) // the cursor stays on its item
		shown := map[itemKey]bool{}
		for _, r := range l.rows {
			if r.it != nil {
				shown[r.it.key] = true
			}
		}
		l.PruneMarks(func(k rowKey) bool { return shown[k.it] })
	}
}

func (s *Screen) buildRows(li int) ([]siteRow, int) {
	var rows []siteRow
	n := 0
	groups := s.groups
	if li == siteAvail && len(s.who) > 0 {
		// groups someone chosen may hold first; the others after, greyed
		groups = make([]*siteGroup, 0, len(s.groups))
		for _, g := range s.groups {
			if s.groupElig(g) > 0 {
				groups = append(groups, g)
			}
		}
		for _, g := range s.groups {
			if s.groupElig(g) == 0 {
				groups = append(groups, g)
			}
		}
	}
	for _, g := range groups {
		head := len(rows)
		blocked := li == siteAvail && len(s.who) > 0 && s.groupElig(g) == 0
		if g.clients && (blocked || len(g.sites) == 0) {
			if blocked && len(g.sites) > 0 { // one line says it: listing the clients would only repeat it
				rows = append(rows, siteRow{head: "Clients", why: "not for client users", blocked: true})
			}
			continue
		}
		for _, st := range g.sites {
			shown := false
			in := s.inAssigned
			if li == siteAvail {
				in = s.inAvail
			}
			if (li == siteAssigned || s.match(st)) && in(st) {
				rows = append(rows, siteRow{it: st, blocked: blocked})
				shown = true
			}
			if blocked {
				continue // the site row says it; its teams would only repeat it
			}
			for _, tm := range st.teams {
				if (li == siteAssigned || s.match(tm)) && in(tm) {
					rows = append(rows, siteRow{it: tm, short: shown})
				}
			}
		}
		if len(rows) > head {
			n += len(rows) - head
			hr := siteRow{head: g.name, blocked: blocked}
			if blocked {
				hr.why = "another client's"
				if g.client == 0 {
					hr.why = "not for client users"
				}
			}
			rows = slices.Insert(rows, head, hr)
		}
	}
	return rows, n
}

func (s *Screen) inAssigned(it *siteItem) bool { return s.heldNow(it) > 0 }

// ---- the screen interface ----

func (s *Screen) Pending() int { return len(s.pend) }

func (s *Screen) Discard() {
	s.pend = map[itemKey]bool{}
	for i := range s.lists {
		s.lists[i].ClearMarks()
	}
	s.drag = nil
	s.rebase()
	s.checkConflicts()
	s.rebuild()
}

func (s *Screen) Filter() string { return s.q }

func (s *Screen) SetFilter(q string) {
	s.q = strings.ToLower(strings.TrimSpace(q))
	s.rebuild()
}

func (s *Screen) Panes() [3]string {
	who := "Who"
	if len(s.who) > 1 {
		who = fmt.Sprintf("Who (%d)", len(s.who))
	}
	av, as := &s.lists[siteAvail], &s.lists[siteAssigned]
	avail := fmt.Sprintf("Available (%d)", av.n)
	if s.q != "" {
		avail = fmt.Sprintf("Available /%s (%d)", s.q, av.n)
	}
	if n := av.MarkCount(); n > 0 {
		avail += fmt.Sprintf(" · %d marked", n)
	}
	assigned := fmt.Sprintf("Assigned (%d)", as.n)
	if p := len(s.pend); p > 0 {
		assigned = fmt.Sprintf("Assigned (%d · %d pending)", as.n, p)
	}
	if n := as.MarkCount(); n > 0 {
		assigned += fmt.Sprintf(" · %d marked", n)
	}
	if s.drag != nil {
		if s.drag.from == siteAvail {
			assigned += " ← drop here"
		} else {
			avail += " ← drop here"
		}
	}
	return [3]string{who, avail, assigned}
}

// ---- keys ----

func (s *Screen) needWho() string {
	if len(s.who) == 0 {
		return "nobody chosen: pick users on screen 1 (space selects, enter opens here)"
	}
	return ""
}

// mayEdit is why the actor may not change assignments (empty: they may).
func (s *Screen) mayEdit() string {
	if r := s.needWho(); r != "" {
		return r
	}
	if s.host.ReadOnly() {
		return "read-only: you may only view"
	}
	return ui.ErrText(s.host.Store().Capabilities(s.host.Actor()).May(store.EditUsers))
}

// FocusClients puts the cursor of Available on its first client, or of
// Assigned when every client is given already.
func (s *Screen) FocusClients() {
	for _, li := range []int{siteAvail, siteAssigned} {
		l := &s.lists[li]
		for i, r := range l.rows {
			if r.it != nil && r.it.isClient() {
				s.host.SetFocus(li + 1)
				l.SetCursor(i) // its header shows with it
				return
			}
		}
	}
}

// focusList is the focused list (-1: the Who pane).
func (s *Screen) focusList() int { return s.host.Focus() - 1 }

var siteListNames = [2]string{"Available", "Assigned"}

func (s *Screen) canMove(li int) string {
	if r := s.mayEdit(); r != "" {
		return r
	}
	if s.focusList() != li {
		arrow := "→"
		if li == siteAssigned {
			arrow = "←"
		}
		return fmt.Sprintf("focus %s (tab): %s moves from there", siteListNames[li], arrow)
	}
	if len(s.lists[li].targets()) == 0 {
		return "no item highlighted in " + siteListNames[li]
	}
	return ""
}

func (s *Screen) canMark() string {
	if r := s.mayEdit(); r != "" {
		return r
	}
	li := s.focusList()
	if li < 0 {
		return "focus Available or Assigned (tab) to mark items"
	}
	if s.lists[li].current() == nil {
		return "no item highlighted in " + siteListNames[li]
	}
	return ""
}

func (s *Screen) Bindings() []*ui.Binding {
	g := "Sites & teams"
	return append([]*ui.Binding{
		ui.Bind(g, "right,l,>", "assign: move the highlighted (or marked) items from Available to Assigned — pending until ctrl+s",
			func() tea.Cmd { s.move(siteAvail, s.lists[siteAvail].targets()); return nil }).Editing().
			When(func() string { return s.canMove(siteAvail) }),
		ui.Bind(g, "left,h,<", "unassign: move the highlighted (or marked) items from Assigned back to Available",
			func() tea.Cmd { s.move(siteAssigned, s.lists[siteAssigned].targets()); return nil }).Editing().
			When(func() string { return s.canMove(siteAssigned) }),
		ui.Bind(g, "enter", "move the highlighted (or marked) items across to the other list",
			func() tea.Cmd { li := s.focusList(); s.move(li, s.lists[li].targets()); return nil }).Editing().
			When(func() string {
				li := s.focusList()
				if li < 0 {
					if r := s.mayEdit(); r != "" {
						return r
					}
					return "focus Available or Assigned (tab) first"
				}
				return s.canMove(li)
			}),
		ui.Bind(g, "space", "mark / unmark the highlighted item (a move takes every marked item)",
			func() tea.Cmd { s.toggleMark(); return nil }).Editing().When(s.canMark),
		ui.Bind(g, "ctrl+a", "mark every movable item the focused list shows (again: none)",
			func() tea.Cmd { s.markAll(); return nil }).Editing().When(s.canMark),
		ui.Bind(g, "ctrl+s", "save every pending move as one change set (u undoes it)",
			func() tea.Cmd { s.save(); return nil }).Editing().
			When(func() string {
				if r := s.needWho(); r != "" {
					return r
				}
				if len(s.pend) == 0 {
					return "nothing pending: move sites or teams first (→ / ←, or drag them)"
				}
				return s.mayEdit()
			}),
	}, s.panes[s.host.Focus()].Bindings()...)
}

// Key: the focused pane's (a list's esc clears its marks; its moves are
// bindings).
func (s *Screen) Key(msg tea.KeyPressMsg, pane int) tea.Cmd { return s.panes.Key(msg, pane) }

func (s *Screen) toggleMark() {
	l := &s.lists[s.focusList()]
	it := l.current()
	if it == nil {
		return
	}
	if l.marked(it) {
		l.Unmark(itemRow(it.key))
	} else if s.focusList() == siteAvail && s.blocked(it) {
		s.host.Flash(s.whyBlocked(it), true)
		return
	} else {
		l.Mark(itemRow(it.key))
	}
	l.Down()
}

func (s *Screen) markAll() {
	li := s.focusList()
	l := &s.lists[li]
	all := true
	for _, r := range l.rows {
		if r.it != nil && !r.blocked && !l.marked(r.it) {
			all = false
			break
		}
	}
	if all {
		l.ClearMarks()
		s.host.Flash("marks cleared", false)
		return
	}
	for _, r := range l.rows { // blocked rows are selectable, never marked
		if r.it != nil && !r.blocked {
			l.Mark(itemRow(r.it.key))
		}
	}
	s.host.Flash(fmt.Sprintf("%d marked in %s — %s moves them", l.MarkCount(), siteListNames[li], [2]string{"→", "←"}[li]), false)
}

// whyBlocked names the client that keeps an item from everyone chosen.
func (s *Screen) whyBlocked(it *siteItem) string {
	if it.isClient() {
		if len(s.who) == 1 {
			return fmt.Sprintf("client user %s has exactly one client (e on Users changes it): clients are given to employees", s.who[0].Email)
		}
		return "clients are given to employees, and everyone chosen is a client user (each has exactly one client: e on Users changes it)"
	}
	owner := "is one of the business's own sites"
	if it.client != 0 {
		owner = "belongs to " + s.names.Client(it.client)
	}
	if len(s.who) == 1 {
		u := s.who[0]
		return fmt.Sprintf("%s %s, not to %s: client user %s sees only their own client's sites",
			it.label, owner, s.names.Client(siteFirstClient(u)), u.Email)
	}
	return fmt.Sprintf("nobody chosen may hold %s: it %s, and client users see only their own client's sites", it.label, owner)
}

func siteFirstClient(u *store.User) uint64 {
	if len(u.ClientIDs) > 0 {
		return u.ClientIDs[0]
	}
	return 0
}

// move makes the items of list `from` pending for the other list. Moving an
// item that is pending the other way just cancels that.
func (s *Screen) move(from int, its []*siteItem) {
	if from < 0 || len(its) == 0 {
		return
	}
	var moved []string
	var refused string
	for _, it := range its {
		op, isPend := s.pend[it.key]
		switch {
		case from == siteAvail && s.blocked(it):
			if refused == "" {
				refused = s.whyBlocked(it)
			}
			continue
		case isPend && op == (from == siteAssigned): // pending the other way: cancel it
			delete(s.pend, it.key)
		default:
			s.pend[it.key] = from == siteAvail
		}
		moved = append(moved, it.shown())
	}
	s.lists[from].ClearMarks()
	s.drag = nil
	s.checkConflicts()
	s.rebuild()
	switch {
	case len(moved) == 0:
		s.host.Flash(refused, true)
	case refused != "":
		s.host.Flash(fmt.Sprintf("%d moved; refused: %s", len(moved), refused), true)
	default:
		what := moved[0]
		if len(moved) > 1 {
			what = fmt.Sprintf("%d items", len(moved))
		}
		s.host.Flash(fmt.Sprintf("%s → %s (pending: ctrl+s saves, esc discards)", what, siteListNames[1-from]), false)
	}
}

// save applies every pending move, for every who user, as one change set.
func (s *Screen) save() {
	type plan struct {
		id, version                        uint64
		addS, addT, delS, delT, addC, delC []string
	}
	var plans []plan
	for _, u := range s.who {
		p := plan{id: u.ID, version: s.base[u.ID]}
		for _, it := range s.items {
			add, ok := s.pend[it.key]
			if !ok {
				continue
			}
			held, addTo, delFrom := u.SiteIDs, &p.addS, &p.delS
			switch it.key.kind {
			case teamKind:
				held, addTo, delFrom = u.TeamIDs, &p.addT, &p.delT
			case clientKind:
				held, addTo, delFrom = u.ClientIDs, &p.addC, &p.delC
			}
			has := slices.Contains(held, it.key.id)
			switch {
			case add && !has && mayHold(u, it):
				*addTo = append(*addTo, it.label)
			case !add && has && mayHold(u, it): // a client user's own client stays
				*delFrom = append(*delFrom, it.label)
			}
		}
		if len(p.addS)+len(p.addT)+len(p.delS)+len(p.delT)+len(p.addC)+len(p.delC) > 0 {
			plans = append(plans, p)
		}
	}
	summary := s.summary()
	cs, err := s.host.Store().Apply(s.host.Actor(), summary, func(tx *store.Tx) error {
		for _, p := range plans {
			if len(p.addS)+len(p.addT) > 0 {
				if err := tx.AssignSites(p.id, p.version, p.addS, p.addT, true); err != nil {
					return err
				}
			}
			if len(p.delS)+len(p.delT) > 0 {
				if err := tx.AssignSites(p.id, p.version, p.delS, p.delT, false); err != nil {
					return err
				}
			}
			// clients after sites: a site of a client being taken away goes first
			if len(p.delC) > 0 {
				if err := tx.AssignClients(p.id, p.version, p.delC, false); err != nil {
					return err
				}
			}
			if len(p.addC) > 0 {
				if err := tx.AssignClients(p.id, p.version, p.addC, true); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		var ce *store.ConflictError
		if errors.As(err, &ce) {
			s.Reload() // flags who changed in the Who pane; the moves stay pending
			s.host.Flash(err.Error()+" — nothing saved; esc discards your moves so you can redo them", true)
			return
		}
		s.host.Fail(err)
		return
	}
	s.pend = map[itemKey]bool{}
	for i := range s.lists {
		s.lists[i].ClearMarks()
	}
	s.host.Applied(cs, summary) // follows the change set: this screen reloads, the others when shown
}

// summary names the change set: whose, and what moved.
func (s *Screen) summary() string {
	var parts []string
	adds, dels := 0, 0
	for _, it := range s.items {
		add, ok := s.pend[it.key]
		if !ok {
			continue
		}
		if add {
			adds++
			parts = append(parts, "+"+it.shown())
		} else {
			dels++
			parts = append(parts, "-"+it.shown())
		}
	}
	whom := fmt.Sprintf("%d users", len(s.who))
	if len(s.who) == 1 {
		whom = s.who[0].Email
	}
	what := "sites & teams"
	for k := range s.pend {
		if k.kind == clientKind {
			what = "sites, teams & clients"
			break
		}
	}
	if len(parts) > 4 {
		return fmt.Sprintf("%s of %s: %d assigned, %d unassigned", what, whom, adds, dels)
	}
	return fmt.Sprintf("%s of %s: %s", what, whom, strings.Join(parts, ", "))
}

// ---- mouse: drag & drop between the lists (the screen's: it spans two
// panes); the wheel is the pane's ----

func (s *Screen) Mouse(msg tea.MouseMsg, pane, x, y int) tea.Cmd {
	li := pane - 1
	switch msg := msg.(type) {
	case tea.MouseWheelMsg:
		return s.panes.Mouse(msg, pane, x, y)
	case tea.MouseClickMsg:
		if msg.Button != tea.MouseLeft {
			return nil
		}
		s.drag = nil
		if li < 0 || li > 1 {
			return nil
		}
		l := &s.lists[li]
		i, ok := l.RowAt(y)
		if !ok || l.rows[i].it == nil {
			return nil
		}
		l.SetCursor(i)
		s.drag = &siteDrag{from: li, key: l.rows[i].it.key}
	case tea.MouseMotionMsg:
		if msg.Button == tea.MouseNone {
			s.drag = nil // the button came up somewhere we were not told of
		}
	case tea.MouseReleaseMsg:
		d := s.drag
		s.drag = nil
		if d == nil || li < 0 || li > 1 || li == d.from {
			return nil // a click: the press highlighted the item
		}
		if why := s.mayEdit(); why != "" {
			s.host.Flash("drop: "+why, true)
			return nil
		}
		it := s.byKey[d.key]
		if it == nil {
			return nil
		}
		its := []*siteItem{it}
		if l := &s.lists[d.from]; l.marked(it) {
			its = l.targets() // dragging a marked item carries every marked one
		}
		s.move(d.from, its)
	}
	return nil
}

// ---- rendering ----

func (s *Screen) Render(pane, w, h int, focused bool) []string {
	return s.panes.Render(pane, w, h, focused)
}

func (s *Screen) whoLabel() string {
	switch len(s.who) {
	case 0:
		return "nobody"
	case 1:
		return s.who[0].Email
	}
	return fmt.Sprintf("%d users", len(s.who))
}

func (s *Screen) typeLine(u *store.User) string {
	if u.Type == store.ClientUser {
		return "client user of " + ui.OrNone(ui.Safe(s.names.Client(siteFirstClient(u))))
	}
	line := "employee"
	if len(u.ClientIDs) > 0 {
		line += " · clients " + ui.SafeJoin(s.names.Clients(u.ClientIDs), ", ")
	}
	return line
}

func (s *Screen) conflictText() string {
	if len(s.conflicts) == 0 {
		return ""
	}
	u := s.conflicts[0]
	who := ""
	switch {
	case len(s.who) == 1: // named just above
	case len(s.conflicts) == 1:
		who = ui.Safe(u.Email) + " "
	default:
		who = fmt.Sprintf("%s and %d more ", ui.Safe(u.Email), len(s.conflicts)-1)
	}
	return fmt.Sprintf("⚠ %schanged by %s at %s since you started — ctrl+s will refuse; esc to discard",
		who, ui.Safe(u.UpdatedBy), u.Updated.Local().Format("15:04:05"))
}

// Header is the Who pane folded into one line (two-pane layout).
func (s *Screen) Header(w int) string {
	var parts []string
	switch len(s.who) {
	case 0:
		return "Who: nobody chosen — pick users on screen 1 (space selects, enter opens here)"
	case 1:
		u := s.who[0]
		parts = append(parts, fmt.Sprintf("Who: %s <%s>", u.Name(), u.Email), s.typeLine(u))
	default:
		names := make([]string, 0, 3)
		for _, u := range s.who[:min(3, len(s.who))] {
			names = append(names, u.Name())
		}
		if len(s.who) > 3 {
			names = append(names, "…")
		}
		parts = append(parts, fmt.Sprintf("Who: %d users (%s)", len(s.who), strings.Join(names, ", ")), s.mixLine())
	}
	if c := s.conflictText(); c != "" {
		parts = append([]string{c}, parts...)
	}
	if p := len(s.pend); p > 0 {
		parts = append(parts, fmt.Sprintf("%d pending", p))
	}
	line := strings.Join(parts, " · ")
	if len(s.who) == 1 && ansi.StringWidth(line) > w {
		// narrow: the email goes first, the rest stays readable
		u := s.who[0]
		line = strings.Replace(line, fmt.Sprintf("%s <%s>", u.Name(), u.Email), u.Name(), 1)
	}
	return line
}

// mixLine says what a bulk selection is made of.
func (s *Screen) mixLine() string {
	cu := len(s.who) - s.nEmp
	var parts []string
	if s.nEmp > 0 {
		parts = append(parts, ui.Plural(s.nEmp, "employee"))
	}
	if cu > 0 {
		parts = append(parts, ui.Plural(cu, "client user"))
	}
	return strings.Join(parts, ", ")
}

func (s *Screen) renderRow(li int, r siteRow, w int, st list.State) string {
	th := s.host.Theme()
	if r.it == nil {
		if r.blocked {
			return ui.Fit(th.Muted.Render(ui.Safe(r.head)+" — "+r.why), w)
		}
		return ui.Fit(th.Header.Render(ui.Safe(r.head)), w)
	}
	it := r.it
	mark := " "
	if st.Cursor {
		mark = "›" // the cursor shows without colour too
	}
	if st.Marked {
		mark = "●"
	}
	pend := "  "
	add, isPend := s.pend[it.key]
	switch {
	case r.blocked:
		pend = "✗ "
	case isPend && add:
		pend = "+ "
	case isPend:
		pend = "− "
	}
	name := ui.Safe(it.label)
	if it.team() {
		if r.short {
			name = ui.Safe(it.name)
		}
		name = "  " + name
	}
	left := mark + pend + name
	note, isPendNote := s.annotation(li, it)
	ann := note
	if isPendNote {
		ann = strings.TrimPrefix(note+" · pending", " · ")
		// the "pending" word only where it fits beside the whole name: the
		// +/− prefix and the pane title say it too
		if ansi.StringWidth(left)+1+ansi.StringWidth(ann) > w {
			ann = note
		}
	}
	line := ui.Fit(left, w)
	if ann != "" && w >= ansi.StringWidth(ann)+12 {
		line = ui.Fit(left, w-ansi.StringWidth(ann)-1) + " " + ann
	}
	switch {
	case st.Cursor && st.Focused:
		return th.Cursor.Render(line)
	case st.Cursor:
		return th.CursorBlurred.Render(line)
	case st.Marked:
		return th.Selected.Render(line)
	case r.blocked:
		return th.Muted.Render(line)
	case isPend:
		return th.Pending.Render(line)
	}
	return line
}

// annotation is the right-hand note of an item row: how many of a bulk
// selection hold it, or that its site already gives it; and whether a move
// of it is pending.
func (s *Screen) annotation(li int, it *siteItem) (string, bool) {
	n := len(s.who)
	held := s.heldNow(it)
	var note string
	if n > 1 {
		switch {
		case li == siteAssigned && held == n:
			note = "all"
		case li == siteAssigned || held > 0:
			note = fmt.Sprintf("some (%d/%d)", held, n)
		}
	}
	if li == siteAvail && note == "" && it.team() && n > 0 {
		if st := s.byKey[itemKey{siteKind, it.site}]; st != nil && s.heldNow(st) == n {
			note = "site assigned" // the team adds nothing the site does not give
		}
	}
	_, isPend := s.pend[it.key]
	return note, isPend
}
