// Package permissions is the Permissions screen: the profiles, the matrix
// of screens × levels (several profiles side by side for bulk edits), and a
// preview of what the pending change does.
package permissions

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/gatehouse/gatehouse/store"
	"github.com/gatehouse/gatehouse/tui/list"
	"github.com/gatehouse/gatehouse/tui/ui"
)

// Screen is "Permissions": profiles | the matrix of screens × levels,
// several profiles side by side | a preview of the unsaved change.
//
// Edits are pending until ctrl+s, which writes them all as one change set.
// Each pending cell remembers nothing but its target level; the version of its
// profile is captured at the profile's first pending edit and carried into
// every tx.Grant, so a profile changed meanwhile by someone else is refused
// (a conflict) and nothing is overwritten.
type Screen struct {
	host ui.Host

	profiles []*store.Profile
	byID     map[uint64]*store.Profile
	pIdx     map[uint64]int // profile id → position in profiles
	holders  map[uint64]int // profile id → users holding it
	screens  []*store.Screen
	scIdx    map[string]int // screen key → position in screens
	guard    bool           // the client guardrail is on
	labelW   int            // widest screen title

	// Profiles pane
	profList *list.Model[uint64] // its marks: the profiles shown side by side
	per      int                 // lines per profile: 3 when the facts need a line of their own
	legend   bool                // the pane has room for its legend

	// Matrix pane
	q       string
	rows    []mxRow
	rowList *list.Model[string] // the cell cursor's row (never a group row) and the window, by screen key
	shown   []*store.Profile    // the matrix's columns
	col     int                 // the cell cursor's column: index into shown
	colOff  int
	geo     mxGeometry
	marks   map[mxCell]bool
	anchor  mxCell // the last cell space marked (pid 0: none)
	size    [3]ui.PaneSize

	// Pending edits
	pend   map[mxCell]store.Level
	readAt map[uint64]uint64 // profile id → its version at its first pending edit
	gen    int               // bumps whenever pending edits or the data under them change

	pv       matrixPreview
	pvScroll ui.ScrollPane // the preview pane
	cells    mxCellCache
	pendOf   map[uint64]int // pending cells per profile, as of pendGen
	pendGen  int
}

// mxGeometry is where the matrix pane is laid out, for the mouse.
type mxGeometry struct {
	labelW, cellW int // matrix label column and cell widths
	heads         int // matrix header lines
	cols          int // matrix columns visible
}

// mxCell is one cell: a profile and a screen.
type mxCell struct {
	pid    uint64
	screen string
}

// mxRow is a matrix row: a screen, or the header of a group (sc nil).
type mxRow struct {
	group string
	sc    *store.Screen
}

// mxChange is one pending cell as the preview and the save see it.
type mxChange struct {
	p             *store.Profile
	sc            *store.Screen
	before, after store.Level
}

// matrixPreview is the dry run of the pending change, recomputed only when
// gen moves (an edit, a discard, a reload), never per frame.
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

// New is the Permissions screen of a console.
func New(h ui.Host) ui.Screen {
	m := &Screen{host: h, profList: list.New[uint64](), rowList: list.New[string](), per: 2,
		marks: map[mxCell]bool{}, pend: map[mxCell]store.Level{}, readAt: map[uint64]uint64{}}
	m.profList.SetTop(1) // below the column headings
	m.pv.gen, m.pendGen = -1, -1
	return m
}

func (m *Screen) Name() string { return "Permissions" }

func (m *Screen) Panes() [3]string {
	left := fmt.Sprintf("Profiles (%d)", len(m.profiles))
	if n := m.profList.MarkCount(); n > 0 {
		left = fmt.Sprintf("Profiles · %d shown", n)
	}
	mid := fmt.Sprintf("Matrix (%s × %s)", ui.Plural(m.screenCount(), "screen"), ui.Plural(len(m.shown), "profile"))
	if n := len(m.marks); n > 0 {
		mid += fmt.Sprintf(" · %d marked", n)
	}
	right := "Preview"
	if n := len(m.pend); n > 0 {
		right = fmt.Sprintf("Preview (%d pending)", n)
	}
	return [3]string{left, mid, right}
}

func (m *Screen) screenCount() int {
	n := 0
	for _, r := range m.rows {
		if r.sc != nil {
			n++
		}
	}
	return n
}

// ---- reading ----

// Reload re-reads profiles and screens. Pending edits stay; a profile that got
// a new version since its first pending edit shows as a conflict in the preview.
func (m *Screen) Reload() {
	s := m.host.Store()
	m.profiles = s.Profiles()
	m.byID = make(map[uint64]*store.Profile, len(m.profiles))
	m.pIdx = make(map[uint64]int, len(m.profiles))
	for i, p := range m.profiles {
		m.byID[p.ID], m.pIdx[p.ID] = p, i
	}
	m.holders = s.ProfileUsers()
	m.screens = s.Screens()
	m.scIdx = make(map[string]int, len(m.screens))
	m.labelW = 0
	for i, sc := range m.screens {
		m.scIdx[sc.Key] = i
		m.labelW = max(m.labelW, ansi.StringWidth(ui.Safe(sc.Title)))
	}
	m.guard = s.Settings().ClientGuardrail
	// forget what no longer exists
	m.profList.PruneMarks(func(id uint64) bool { return m.byID[id] != nil })
	for c := range m.pend {
		if _, ok := m.scIdx[c.screen]; !ok || m.byID[c.pid] == nil {
			delete(m.pend, c)
		}
	}
	m.tidyReadAt()
	m.profList.SetRows(profRows{m}) // stays on the same profile
	m.rebuildRows()
	m.recomputeShown()
	m.gen++
}

// Refresh follows one change event: only profiles, screens, settings (the
// guardrail) and users (who holds which profile) matter here.
func (m *Screen) Refresh(ev store.Event) {
	for _, r := range ev.Refs {
		switch r.Kind {
		case "profile", "screen", "settings", "user":
			m.Reload()
			return
		}
	}
}

// rebuildRows groups the screens the filter lets through, keeping the cursor
// on the same screen when it is still there.
func (m *Screen) rebuildRows() {
	var groups []string
	by := map[string][]*store.Screen{}
	for _, sc := range m.screens {
		if m.q != "" && !strings.Contains(strings.ToLower(sc.Key), m.q) && !strings.Contains(strings.ToLower(sc.Title), m.q) {
			continue
		}
		g := sc.Group
		if g == "" {
			g = "Other"
		}
		if _, ok := by[g]; !ok {
			groups = append(groups, g)
		}
		by[g] = append(by[g], sc)
	}
	rows := make([]mxRow, 0, len(m.screens)+len(groups))
	for _, g := range groups {
		rows = append(rows, mxRow{group: g})
		for _, sc := range by[g] {
			rows = append(rows, mxRow{group: g, sc: sc})
		}
	}
	m.rows = rows
	if !m.rowList.SetRows(mxRows{rows}) {
		m.rowList.SetCursor(0) // the first screen
	}
	m.pruneMarks()
}

// recomputeShown sets the matrix's columns: the selected profiles, or else the
// highlighted one. The cursor stays on the same profile when it can.
func (m *Screen) recomputeShown() {
	var keep uint64
	if p := m.curProfile(); p != nil {
		keep = p.ID
	}
	m.shown = m.shown[:0]
	for _, p := range m.profiles {
		if m.profList.Marked(p.ID) {
			m.shown = append(m.shown, p)
		}
	}
	if p := m.leftProfile(); len(m.shown) == 0 && p != nil {
		m.shown = append(m.shown, p)
	}
	m.col = max(min(m.col, len(m.shown)-1), 0)
	for i, p := range m.shown {
		if p.ID == keep {
			m.col = i
		}
	}
	m.pruneMarks()
}

// pruneMarks drops marks on cells no longer in view (a profile not shown, a screen filtered out).
func (m *Screen) pruneMarks() {
	if len(m.marks) == 0 {
		return
	}
	shown := map[uint64]bool{}
	for _, p := range m.shown {
		shown[p.ID] = true
	}
	inRows := map[string]bool{}
	for _, r := range m.rows {
		if r.sc != nil {
			inRows[r.sc.Key] = true
		}
	}
	for c := range m.marks {
		if !shown[c.pid] || !inRows[c.screen] {
			delete(m.marks, c)
		}
	}
}

func (m *Screen) curScreen() *store.Screen {
	if r := m.rowList.Cursor(); r >= 0 && r < len(m.rows) {
		return m.rows[r].sc
	}
	return nil
}

func (m *Screen) curProfile() *store.Profile {
	if m.col >= 0 && m.col < len(m.shown) {
		return m.shown[m.col]
	}
	return nil
}

func (m *Screen) leftProfile() *store.Profile {
	if c := m.profList.Cursor(); c >= 0 && c < len(m.profiles) {
		return m.profiles[c]
	}
	return nil
}

// SelectProfile highlights a profile in the Profiles pane: the matrix shows
// it, unless profiles are side by side.
func (m *Screen) SelectProfile(id uint64) {
	if i, ok := m.pIdx[id]; ok {
		m.profList.SetCursor(i)
		m.recomputeShown()
	}
}

// target is "the highlighted profile": the Profiles pane's cursor when that
// pane has focus, otherwise the profile under the cell cursor.
func (m *Screen) target() *store.Profile {
	if m.host.Focus() == 0 {
		return m.leftProfile()
	}
	if p := m.curProfile(); p != nil {
		return p
	}
	return m.leftProfile()
}

// levelAt is what a cell shows: the pending level if any, else the stored one.
func (m *Screen) levelAt(p *store.Profile, screen string) (store.Level, bool) {
	if len(m.pend) > 0 {
		if l, ok := m.pend[mxCell{p.ID, screen}]; ok {
			return l, true
		}
	}
	return p.Levels[screen], false
}

// ---- the screen interface ----

func (m *Screen) Pending() int { return len(m.pend) }

func (m *Screen) Discard() {
	clear(m.pend)
	clear(m.readAt)
	clear(m.marks)
	m.anchor = mxCell{}
	m.gen++
}

func (m *Screen) Filter() string { return m.q }

func (m *Screen) SetFilter(q string) {
	m.q = strings.ToLower(strings.TrimSpace(q))
	m.rebuildRows()
}

// Header folds the profile list into one line: the shown profiles first, in
// brackets, then the others (or how many there are, if they do not fit).
func (m *Screen) Header(w int) string {
	shown := map[uint64]bool{}
	var sh, others []string
	for _, p := range m.shown {
		shown[p.ID] = true
		sh = append(sh, "["+p.Name+"]")
	}
	for _, p := range m.profiles {
		if !shown[p.ID] {
			others = append(others, p.Name)
		}
	}
	head := "Profiles shown: " + strings.Join(sh, " ")
	tail := " · shift+tab: pick profiles"
	if len(others) == 0 {
		return head + tail
	}
	mid := " · also " + strings.Join(others, ", ")
	if ansi.StringWidth(head+mid+tail) > w {
		mid = fmt.Sprintf(" · %d more", len(others))
	}
	return head + mid + tail
}

// ---- keys ----

func (m *Screen) canEdit() string {
	return ui.ErrText(m.host.Store().Capabilities(m.host.Actor()).May(store.EditProfiles))
}

func (m *Screen) needCell() string {
	if why := m.canEdit(); why != "" {
		return why
	}
	if m.curScreen() == nil || m.curProfile() == nil {
		return "no screen is shown: change the filter (/)"
	}
	return ""
}

func (m *Screen) needProfile() string {
	if why := m.canEdit(); why != "" {
		return why
	}
	if m.target() == nil {
		return "no profile is highlighted"
	}
	return ""
}

func (m *Screen) Bindings() []*ui.Binding {
	g := "Permissions"
	return append(m.ownBindings(g), m.nav()...)
}

// nav: the profiles, the matrix's rows (its columns are ←/→), or the preview's lines.
func (m *Screen) nav() []*ui.Binding {
	switch m.host.Focus() {
	case 0:
		return ui.ListNav(m.profList, m.followProfile)
	case 1:
		return ui.ListNav(m.rowList, nil)
	}
	return ui.NavBindings(ui.NavKeys, &m.pvScroll, nil)
}

// followProfile: the highlighted profile is the matrix's column, or the
// column the cursor is in when it is one of those side by side.
func (m *Screen) followProfile() {
	if m.profList.MarkCount() == 0 {
		m.recomputeShown()
	} else if p := m.leftProfile(); p != nil && m.profList.Marked(p.ID) {
		m.col = slices.Index(m.shown, p)
	}
}

func (m *Screen) ownBindings(g string) []*ui.Binding {
	lv := func(l store.Level) func() tea.Cmd { return func() tea.Cmd { m.setCellOrMarks(l); return nil } }
	row := func(l store.Level) func() tea.Cmd { return func() tea.Cmd { m.setRow(l); return nil } }
	col := func(l store.Level) func() tea.Cmd { return func() tea.Cmd { m.setColumn(l); return nil } }
	return []*ui.Binding{
		ui.Bind(g, "n", "cell (or every marked cell): none", lv(store.None)).Editing().When(m.needCell),
		ui.Bind(g, "v", "cell (or every marked cell): view", lv(store.View)).Editing().When(m.needCell),
		ui.Bind(g, "m", "cell (or every marked cell): maintain", lv(store.Maintain)).Editing().When(m.needCell),
		ui.Bind(g, "N", "row: none for every profile shown", row(store.None)).Editing().When(m.needCell),
		ui.Bind(g, "V", "row: view for every profile shown", row(store.View)).Editing().When(m.needCell),
		ui.Bind(g, "M", "row: maintain for every profile shown", row(store.Maintain)).Editing().When(m.needCell),
		ui.Bind(g, "alt+n", "column: none on every screen shown", col(store.None)).Editing().When(m.needCell),
		ui.Bind(g, "alt+v", "column: view on every screen shown", col(store.View)).Editing().When(m.needCell),
		ui.Bind(g, "alt+m", "column: maintain on every screen shown", col(store.Maintain)).Editing().When(m.needCell),
		ui.Bind(g, "space", "Profiles: show side by side / not · Matrix: mark / unmark the cell", func() tea.Cmd { m.space(); return nil }).
			When(func() string {
				if m.host.Focus() == 0 {
					if m.leftProfile() == nil {
						return "no profile is highlighted"
					}
					return ""
				}
				return m.needCell()
			}),
		ui.Bind(g, "b", "mark the block from the last marked cell to the cursor", func() tea.Cmd { m.markBlock(); return nil }).Editing().
			When(func() string {
				if why := m.needCell(); why != "" {
					return why
				}
				if _, _, ok := m.anchorPos(); !ok {
					return "mark a first corner with space (in the matrix)"
				}
				return ""
			}),
		ui.Bind(g, "ctrl+s", "save every pending cell as one change set", func() tea.Cmd { return m.Save() }).Editing().
			When(func() string {
				if why := m.canEdit(); why != "" {
					return why
				}
				if len(m.pend) == 0 {
					return "nothing pending: n, v or m sets a cell first"
				}
				return ""
			}),
		ui.Bind(g, "w", "who can: everyone with at least the cell's level on its screen, and why", func() tea.Cmd { return m.whoCan() }).When(m.needCell),
		ui.Bind(g, "C", "create a profile by copying the highlighted one", func() tea.Cmd { return m.copyProfile() }).Editing().When(m.needProfile),
		ui.Bind(g, "x,delete", "delete the highlighted profile (not built-in or held ones)", func() tea.Cmd { return m.deleteProfile() }).Editing().When(m.needProfile),
		ui.Bind(g, "S", "scope of the highlighted profile: all sites / assigned sites", func() tea.Cmd { return m.toggleScope() }).Editing().When(m.needProfile),
	}
}

// Key moves the cursor of the focused pane.
func (m *Screen) Key(msg tea.KeyPressMsg, pane int) tea.Cmd {
	k := msg.String()
	if k == "esc" {
		switch {
		case len(m.marks) > 0:
			clear(m.marks)
			m.anchor = mxCell{}
			m.host.Flash("marks cleared", false)
		case pane == 0 && m.profList.MarkCount() > 0:
			m.profList.ClearMarks()
			m.recomputeShown()
			m.host.Flash("side by side cleared: the highlighted profile is shown", false)
		}
		return nil
	}
	switch pane {
	case 0:
		if k == "enter" || k == "right" || k == "l" {
			m.host.SetFocus(1)
		}
	case 1:
		switch k {
		case "left", "h":
			m.col = max(m.col-1, 0)
		case "right", "l":
			m.col = max(min(m.col+1, len(m.shown)-1), 0)
		}
	}
	return nil
}

// Mouse: a click highlights a profile or puts the cell cursor on a cell; the
// wheel moves through the screens.
func (m *Screen) Mouse(msg tea.MouseMsg, pane, x, y int) tea.Cmd {
	if pane < 0 {
		return nil
	}
	switch pane {
	case 0:
		if m.profList.Mouse(msg, y) {
			m.followProfile()
		}
	case 1:
		m.rowList.Mouse(msg, y)
		if c, ok := msg.(tea.MouseClickMsg); ok && c.Button == tea.MouseLeft && x >= m.geo.labelW && m.geo.cellW > 0 {
			if j := m.colOff + (x-m.geo.labelW)/m.geo.cellW; j < len(m.shown) && j < m.colOff+m.geo.cols {
				m.col = j
			}
		}
	}
	return nil
}

func (m *Screen) space() {
	if m.host.Focus() == 0 {
		m.profList.ToggleMark()
		m.recomputeShown()
		return
	}
	c := mxCell{m.curProfile().ID, m.curScreen().Key}
	if m.marks[c] {
		delete(m.marks, c)
	} else {
		m.marks[c] = true
	}
	m.anchor = c
}

// anchorPos finds the last marked cell in the current rows and columns.
func (m *Screen) anchorPos() (int, int, bool) {
	if m.anchor.pid == 0 {
		return 0, 0, false
	}
	r, c := -1, -1
	for i, row := range m.rows {
		if row.sc != nil && row.sc.Key == m.anchor.screen {
			r = i
		}
	}
	for i, p := range m.shown {
		if p.ID == m.anchor.pid {
			c = i
		}
	}
	return r, c, r >= 0 && c >= 0
}

func (m *Screen) markBlock() {
	r0, c0, ok := m.anchorPos()
	if !ok {
		return
	}
	row := m.rowList.Cursor()
	for i := min(r0, row); i <= max(r0, row); i++ {
		if m.rows[i].sc == nil {
			continue
		}
		for j := min(c0, m.col); j <= max(c0, m.col); j++ {
			m.marks[mxCell{m.shown[j].ID, m.rows[i].sc.Key}] = true
		}
	}
	m.host.Flash(fmt.Sprintf("%d cells marked: n, v or m sets them all · esc clears", len(m.marks)), false)
}

// ---- edits ----

// setCells makes l the pending level of cells; a cell set back to its stored
// level is no longer pending.
func (m *Screen) setCells(cells []mxCell, l store.Level) int {
	changed := 0
	for _, c := range cells {
		p := m.byID[c.pid]
		if p == nil {
			continue
		}
		if p.Levels[c.screen] == l {
			if _, ok := m.pend[c]; ok {
				delete(m.pend, c)
				changed++
			}
			continue
		}
		if old, ok := m.pend[c]; ok && old == l {
			continue
		}
		if _, ok := m.readAt[c.pid]; !ok {
			m.readAt[c.pid] = p.Version
		}
		m.pend[c] = l
		changed++
	}
	m.tidyReadAt()
	if changed > 0 {
		m.gen++
	}
	return changed
}

// tidyReadAt forgets the version of profiles with no pending cell left, so a
// later first edit captures the version then.
func (m *Screen) tidyReadAt() {
	if len(m.readAt) == 0 {
		return
	}
	has := make(map[uint64]bool, len(m.readAt))
	for c := range m.pend {
		has[c.pid] = true
	}
	for id := range m.readAt {
		if !has[id] {
			delete(m.readAt, id)
		}
	}
}

func (m *Screen) setCellOrMarks(l store.Level) {
	if len(m.marks) > 0 {
		cells := make([]mxCell, 0, len(m.marks))
		for c := range m.marks {
			cells = append(cells, c)
		}
		n := len(cells)
		m.setCells(cells, l)
		clear(m.marks)
		m.anchor = mxCell{}
		m.host.Flash(fmt.Sprintf("%d marked cells → %s (pending; ctrl+s saves, esc discards)", n, l), false)
		return
	}
	m.setCells([]mxCell{{m.curProfile().ID, m.curScreen().Key}}, l)
}

func (m *Screen) setRow(l store.Level) {
	sc := m.curScreen()
	cells := make([]mxCell, 0, len(m.shown))
	for _, p := range m.shown {
		cells = append(cells, mxCell{p.ID, sc.Key})
	}
	m.setCells(cells, l)
	m.host.Flash(fmt.Sprintf("%s → %s for %d profile(s) (pending)", sc.Title, l, len(cells)), false)
}

func (m *Screen) setColumn(l store.Level) {
	p := m.curProfile()
	cells := make([]mxCell, 0, len(m.rows))
	for _, r := range m.rows {
		if r.sc != nil {
			cells = append(cells, mxCell{p.ID, r.sc.Key})
		}
	}
	m.setCells(cells, l)
	m.host.Flash(fmt.Sprintf("%s → %s on %d screen(s) (pending)", p.Name, l, len(cells)), false)
}

// changes lists the pending cells in profile, then catalog, order.
func (m *Screen) changes() []mxChange {
	out := make([]mxChange, 0, len(m.pend))
	for c, l := range m.pend {
		p, i := m.byID[c.pid], m.scIdx[c.screen]
		out = append(out, mxChange{p: p, sc: m.screens[i], before: p.Levels[c.screen], after: l})
	}
	slices.SortFunc(out, func(x, y mxChange) int {
		if d := m.pIdx[x.p.ID] - m.pIdx[y.p.ID]; d != 0 {
			return d
		}
		return m.scIdx[x.sc.Key] - m.scIdx[y.sc.Key]
	})
	return out
}

// grants is the change set: one tx.Grant per pending cell, each carrying the
// version its profile was read at. The preview runs exactly this.
func (m *Screen) grants(ch []mxChange) func(*store.Tx) error {
	readAt := make(map[uint64]uint64, len(m.readAt))
	for k, v := range m.readAt {
		readAt[k] = v
	}
	return func(tx *store.Tx) error {
		for _, c := range ch {
			if err := tx.Grant(c.p.Name, readAt[c.p.ID], c.sc.Key, c.after); err != nil {
				return err
			}
		}
		return nil
	}
}

func mxSummary(ch []mxChange) string {
	var names []string
	for _, c := range ch {
		if !slices.Contains(names, c.p.Name) {
			names = append(names, c.p.Name)
		}
	}
	who := strings.Join(names, ", ")
	if len(names) > 3 {
		who = fmt.Sprintf("%d profiles", len(names))
	}
	return fmt.Sprintf("permissions: %s of %s", ui.Plural(len(ch), "cell"), who)
}

// Save writes every pending cell as one change set.
func (m *Screen) Save() tea.Cmd {
	ch := m.changes()
	if len(ch) == 0 {
		m.host.Flash("nothing to save", false)
		return nil
	}
	what := mxSummary(ch)
	cs, err := m.host.Store().Apply(m.host.Actor(), what, m.grants(ch))
	if err != nil {
		m.host.Fail(err)
		if store.KindOf(err) == store.KindConflict {
			m.Reload() // show who changed what in the preview; the edits stay pending
		} else {
			m.gen++
		}
		return nil
	}
	clear(m.pend)
	clear(m.readAt)
	clear(m.marks)
	m.anchor = mxCell{}
	m.gen++
	m.host.Applied(cs, what) // follows the change set: this screen reloads, the others when shown
	return nil
}

// apply runs one immediate change (profile create, delete, scope).
func (m *Screen) apply(what string, fn func(*store.Tx) error) bool {
	cs, err := m.host.Store().Apply(m.host.Actor(), what, fn)
	if err != nil {
		m.host.Fail(err)
		return false
	}
	m.host.Applied(cs, what) // reloads this screen
	return true
}

func (m *Screen) copyProfile() tea.Cmd {
	src := m.target()
	name := ui.Safe(src.Name) + " copy" // what the field shows is what a new profile is named
	typ := src.Type.String()
	f, cmd := ui.NewForm(m.host, "Copy profile "+src.Name, func() tea.Cmd {
		t, err := store.ParseUserType(typ)
		if err != nil {
			m.host.Fail(err)
			return nil
		}
		var created *store.Profile
		if m.apply(fmt.Sprintf("create profile %s (copy of %s)", strings.TrimSpace(name), src.Name), func(tx *store.Tx) error {
			var err error
			created, err = tx.CreateProfile(name, t, src.Name)
			return err
		}) && created != nil {
			if m.profList.Select(created.ID) && m.profList.MarkCount() == 0 {
				m.recomputeShown()
			}
		}
		return nil
	}, huh.NewGroup(
		huh.NewInput().Title("Name").Description("a copy of "+ui.Safe(src.Name)+"'s levels and scope").Value(&name).
			Validate(func(s string) error {
				if strings.TrimSpace(s) == "" {
					return fmt.Errorf("a profile needs a name")
				}
				return nil
			}),
		huh.NewSelect[string]().Title("For").Options(huh.NewOption("Employees", "employee"), huh.NewOption("Client users", "client")).Value(&typ),
	))
	m.host.Open(f)
	return cmd
}

func (m *Screen) deleteProfile() tea.Cmd {
	p := m.target()
	do := func() tea.Cmd {
		m.apply("delete profile "+p.Name, func(tx *store.Tx) error { return tx.DeleteProfile(p.Name) })
		return nil
	}
	if p.Builtin || m.holders[p.ID] > 0 {
		return do() // the store refuses, with its reason; nothing to confirm
	}
	m.host.Open(&ui.Confirm{Question: fmt.Sprintf("Delete profile %s? No one holds it.", p.Name), Yes: do})
	return nil
}

func (m *Screen) toggleScope() tea.Cmd {
	p := m.target()
	to := store.ScopeAll
	if p.Scope == store.ScopeAll {
		to = store.ScopeAssigned
	}
	what := fmt.Sprintf("profile %s scope: %s", p.Name, mxScope(to))
	change := func(tx *store.Tx) error { return tx.SetProfileScope(p.Name, to) }
	// one key, every user of the profile: refused at once, else asked
	if _, err := m.host.Store().Preview(m.host.Actor(), what, change); err != nil {
		m.host.Fail(err)
		return nil
	}
	effect := "they see only their assigned sites"
	if to == store.ScopeAll {
		effect = "they see every site"
	}
	n := m.host.Store().ProfileUsers()[p.ID]
	m.host.Open(&ui.Confirm{Question: fmt.Sprintf("Profile %s: %s → %s. %s hold it: %s. Change it?", ui.Safe(p.Name), mxScope(p.Scope), mxScope(to), ui.Plural(n, "user"), effect), Yes: func() tea.Cmd {
		was := p.Version
		if m.apply(what, change) {
			// our own change: pending edits of this profile read it just before
			if v, ok := m.readAt[p.ID]; ok && v == was {
				if np := m.byID[p.ID]; np != nil {
					m.readAt[p.ID] = np.Version
					m.gen++
				}
			}
		}
		return nil
	}})
	return nil
}

// whoCan lists who holds the highlighted cell's screen at its level (view
// for a cell at none).
func (m *Screen) whoCan() tea.Cmd {
	sc, p := m.curScreen(), m.curProfile()
	lv := store.View
	if p != nil && p.Level(sc.Key) == store.Maintain {
		lv = store.Maintain
	}
	if err := m.host.WhoCan(store.WhoCanQuery{Screen: sc.Key, Level: lv}); err != nil {
		m.host.Fail(err)
	}
	return nil
}

func mxScope(s store.Scope) string {
	if s == store.ScopeAll {
		return "all sites"
	}
	return "assigned sites"
}

// ---- rendering ----

func (m *Screen) Render(pane, w, h int, focused bool) []string {
	switch pane {
	case 0:
		return m.renderProfiles(w, h, focused)
	case 1:
		return m.renderMatrix(w, h, focused)
	}
	return m.renderPreview(w, h)
}

func (m *Screen) profileFacts(p *store.Profile) string {
	s := p.Type.String() + " · " + mxScope(p.Scope)
	if p.Builtin {
		s += " · built-in"
	}
	return s
}

// mxShortFacts is type and scope in at most w cells where it can.
func mxShortFacts(p *store.Profile, w int) string {
	s := p.Type.String() + " · " + mxScope(p.Scope)
	if ansi.StringWidth(s) > w && p.Scope == store.ScopeAssigned {
		s = p.Type.String() + " · assigned"
	}
	return s
}

// SetSize lays the panes out for their new sizes.
func (m *Screen) SetSize(p [3]ui.PaneSize) {
	m.size = p
	m.layout()
}

// Prepare lays the panes out for what they hold now, and works out what the
// next frame reads: the preview's dry run (once per change of the pending
// edits), its lines, the cells' strings and the pending count per profile.
func (m *Screen) Prepare() {
	m.layout()
	if m.pendGen != m.gen {
		m.pendOf, m.pendGen = map[uint64]int{}, m.gen
		for c := range m.pend {
			m.pendOf[c.pid]++
		}
	}
	w, h := m.size[2].W, m.size[2].H
	pv := m.preview()
	lines := pv.lines
	if len(pv.changes) == 0 {
		lines = m.cursorInfo(w)
	} else if pv.linesW != w || pv.linesH != h || pv.lines == nil {
		pv.linesW, pv.linesH = w, h
		pv.lines = m.previewLines(pv, w, h)
		lines = pv.lines
	}
	m.pvScroll.Fit(len(lines), h)
	if m.cells.cw != m.geo.cellW || m.cells.th != m.host.Theme() {
		m.cells = mxCellCache{cw: m.geo.cellW, th: m.host.Theme()}
		for l := range m.cells.s {
			for p := range m.cells.s[l] {
				for k := range m.cells.s[l][p] {
					for c := range m.cells.s[l][p][k] {
						m.cells.s[l][p][k][c] = m.cellText(store.Level(l), p == 1, k == 1, c, m.cells.cw)
					}
				}
			}
		}
	}
}

// layout sizes the Profiles pane's list (rows of 2 or 3 lines, the legend
// below them when there is room) and the matrix's window and columns.
func (m *Screen) layout() {
	w, h := m.size[0].W, m.size[0].H
	m.per = 2 // lines per profile; 3 when the facts do not fit on one line
	for _, p := range m.profiles {
		if 2+ansi.StringWidth(m.profileFacts(p)) > w {
			m.per = 3
			break
		}
	}
	m.legend = len(m.profiles)*m.per+1+mxLegendLines <= h
	room := max((h-1)/m.per, 1)
	if m.legend {
		room = max((h-1-mxLegendLines)/m.per, 1)
	}
	m.profList.SetRowLines(m.per)
	m.profList.SetSize(w, room*m.per)

	lay := m.matrixLayout(m.size[1].W, m.size[1].H)
	m.colOff = lay.colOff
	m.geo = mxGeometry{labelW: lay.lw, cellW: lay.cw, heads: lay.nHead, cols: lay.vis}
	m.rowList.SetTop(lay.nHead)
	m.rowList.SetSize(m.size[1].W, lay.listH)
}

const mxLegendLines = 4

// profRows are the profiles, each on per lines.
type profRows struct{ m *Screen }

func (r profRows) Len() int            { return len(r.m.profiles) }
func (r profRows) Key(i int) uint64    { return r.m.profiles[i].ID }
func (r profRows) Selectable(int) bool { return true }

func (r profRows) Render(i, w int, st list.State) string {
	m, th, p := r.m, r.m.host.Theme(), r.m.profiles[i]
	cur, sel := " ", " "
	if st.Cursor {
		cur = "›"
	}
	if st.Marked {
		sel = "●"
	}
	name := ui.Safe(p.Name)
	if n := m.pendingOf(p.ID); n > 0 {
		name += fmt.Sprintf(" *%d", n)
	}
	count := strconv.Itoa(m.holders[p.ID])
	line := ui.Fit(cur+sel+" "+name, w-len(count)-1) + " " + count
	switch {
	case st.Cursor && st.Focused:
		line = th.Cursor.Render(line)
	case st.Cursor:
		line = th.CursorBlurred.Render(line)
	case st.Marked:
		line = th.Selected.Render(line)
	}
	if m.per == 2 {
		return line + "\n" + th.Muted.Render("  "+m.profileFacts(p))
	}
	b := "  custom"
	if p.Builtin {
		b = "  built-in"
	}
	return line + "\n" + th.Muted.Render(ui.Fit("  "+mxShortFacts(p, w-2), w)) + "\n" + th.Muted.Render(b)
}

// pendingOf counts a profile's pending cells (prepare counts them once per edit).
func (m *Screen) pendingOf(pid uint64) int {
	if m.pendGen == m.gen {
		return m.pendOf[pid]
	}
	n := 0
	for c := range m.pend {
		if c.pid == pid {
			n++
		}
	}
	return n
}

func (m *Screen) renderProfiles(w, h int, focused bool) []string {
	th := m.host.Theme()
	out := make([]string, 0, h)
	out = append(out, th.Header.Render(ui.Fit(ui.Fit(" PROFILE", w-6)+" USERS", w)))
	out = m.profList.AppendLines(out, focused)
	if m.legend {
		for len(out) < h-mxLegendLines {
			out = append(out, "")
		}
		out = append(out, "", th.Muted.Render(ui.Fit("● side by side (space)", w)), th.Muted.Render(ui.Fit("C copy · x delete", w)), th.Muted.Render(ui.Fit("S scope all/assigned", w)))
	}
	return out
}

// mxCellCache holds the rendered cell strings for one column width: every cell
// is one of 3 levels × pending × marked × cursor state, so a frame renders
// none of them (prepare renders each once per width and theme).
type mxCellCache struct {
	cw int
	th *ui.Theme
	s  [3][2][2][3]string
}

var mxLevelWords = [3]string{"·", "view", "MAINT"}

// cell is one cell, cw wide, from the cache when it holds this width.
func (m *Screen) cell(l store.Level, pending, marked bool, cur, cw int) string {
	li := min(int(l), 2)
	if m.cells.cw == cw && m.cells.th == m.host.Theme() {
		return m.cells.s[li][mxBit(pending)][mxBit(marked)][cur]
	}
	return m.cellText(l, pending, marked, cur, cw)
}

func mxBit(b bool) int {
	if b {
		return 1
	}
	return 0
}

// cellText renders one cell, cw wide: "·", "view" or "MAINT"; "*" after a
// pending level, "+" before a marked one, [brackets] round the cursor — all
// readable without colour.
func (m *Screen) cellText(l store.Level, pending, marked bool, cur, cw int) string {
	th := m.host.Theme()
	li := min(int(l), 2)
	t := mxLevelWords[li]
	if pending {
		t += "*"
	}
	if marked {
		t = "+" + t
	}
	core := " " + t + " "
	if cur != 0 {
		core = "[" + t + "]"
	}
	st := lipgloss.Style{}
	styled := false
	switch {
	case cur == 1:
		st, styled = th.Cursor, true
	case cur == 2:
		st, styled = th.CursorBlurred, true
	case pending:
		st, styled = th.Pending, true
	case marked:
		st, styled = th.Selected, true
	case li == 0:
		st, styled = th.Muted, true
	}
	pad := max(cw-ansi.StringWidth(core), 0)
	if styled {
		core = st.Render(core)
	}
	return core + strings.Repeat(" ", pad)
}

// mxRows are the matrix's rows for the list: screens, and their groups'
// headers, which the cursor skips. The matrix pane draws them itself.
type mxRows struct{ rows []mxRow }

func (r mxRows) Len() int              { return len(r.rows) }
func (r mxRows) Selectable(i int) bool { return r.rows[i].sc != nil }

func (r mxRows) Key(i int) string {
	if sc := r.rows[i].sc; sc != nil {
		return sc.Key
	}
	return "\x00" + r.rows[i].group // no screen key holds a NUL
}

func (r mxRows) Render(i, w int, st list.State) string { return ui.Safe(r.rows[i].group) }

// mxLayout is the matrix pane at a size: the label and cell widths, the
// columns in view, the header's lines, the footer, the rows' room.
type mxLayout struct {
	lw, cw, vis    int
	colOff, endCol int
	nHead, listH   int
	two, footer    bool
	// the footer on two lines (where the window is, then what the marks
	// mean) when both do not fit on one: no line of it loses its end
	footer2 bool
}

// mxLegend says what the marks in the matrix mean.
const mxLegend = "* unsaved · ! sensitive · + marked"

func (m *Screen) matrixLayout(w, h int) mxLayout {
	var l mxLayout
	l.lw = min(m.labelW+4, max(w/2, 12))
	nc := max(len(m.shown), 1)
	l.cw = 10
	if avail := w - l.lw; avail/nc > l.cw {
		l.cw = min(avail/nc, 16)
	}
	l.vis = max((w-l.lw)/l.cw, 1)
	l.colOff = clip(m.col, m.colOff, len(m.shown), l.vis)
	l.endCol = min(l.colOff+l.vis, len(m.shown))
	for j := l.colOff; j < l.endCol; j++ {
		l.two = l.two || ansi.StringWidth(ui.Safe(m.shown[j].Name)) > l.cw-2 // the name on two lines
	}
	l.nHead = 1
	if l.two {
		l.nHead = 2
	}
	// the last line: where the window is, and what the marks mean
	l.footer = h > l.nHead+2
	l.listH = max(h-l.nHead, 1)
	if l.footer {
		l.listH--
		// the longest the window's place can be beside the legend
		where := fmt.Sprintf("screens %d–%d of %d", len(m.rows), len(m.rows), len(m.rows))
		if len(m.shown) > l.vis {
			where += fmt.Sprintf(" · profiles %d–%d of %d (←/→)", len(m.shown), len(m.shown), len(m.shown))
		}
		if ansi.StringWidth(where+" · "+mxLegend) > w && h > l.nHead+4 {
			l.footer2 = true
			l.listH--
		}
	}
	if len(m.rows) == 0 {
		l.listH = 1
	}
	return l
}

func (m *Screen) renderMatrix(w, h int, focused bool) []string {
	th := m.host.Theme()
	if len(m.rows) == 0 {
		return []string{th.Muted.Render(fmt.Sprintf("no screen matches %q; / changes the filter", m.q))}
	}
	lay := m.matrixLayout(w, h)
	lw, cw, endCol := lay.lw, lay.cw, lay.endCol
	colsOver := len(m.shown) > lay.vis
	// column headers: the profile names, on two lines when one is too long
	heads := [2]strings.Builder{}
	heads[0].WriteString(ui.Fit(" SCREEN", lw))
	heads[1].WriteString(strings.Repeat(" ", lw))
	for j := lay.colOff; j < endCol; j++ {
		name := ui.Safe(m.shown[j].Name)
		if ansi.StringWidth(name) > cw-2 {
			parts := strings.SplitN(ansi.Wrap(name, cw-2, ""), "\n", 2)
			heads[0].WriteString(ui.Fit(" "+parts[0], cw))
			heads[1].WriteString(ui.Fit(" "+strings.ReplaceAll(parts[1], "\n", " "), cw))
			continue
		}
		heads[0].WriteString(ui.Fit(" "+name, cw))
		heads[1].WriteString(strings.Repeat(" ", cw))
	}

	out := make([]string, 0, lay.listH+3)
	if lay.two {
		out = append(out, th.Bold.Render(ui.Fit(heads[0].String(), w)))
		out = append(out, th.Header.Render(ui.Fit(heads[1].String(), w)))
	} else {
		out = append(out, th.Header.Render(ui.Fit(heads[0].String(), w)))
	}

	curState := 2
	if focused {
		curState = 1
	}
	row, rowOff := m.rowList.Cursor(), m.rowList.Offset()
	var b strings.Builder
	end := min(rowOff+lay.listH, len(m.rows))
	for i := rowOff; i < end; i++ {
		r := m.rows[i]
		if r.sc == nil {
			group := ui.Safe(r.group)
			g := th.Bold.Render(group)
			rest := w - ansi.StringWidth(group) - 1
			out = append(out, g+" "+th.Muted.Render(strings.Repeat("─", max(rest, 0))))
			continue
		}
		b.Reset()
		mark, sens := " ", " "
		if i == row {
			mark = "›"
		}
		if r.sc.Sensitive {
			sens = th.Warn.Render("!")
		}
		label := ui.Fit(mark+sens+" "+ui.Safe(r.sc.Title), lw-1) + " "
		if i == row && focused {
			label = th.Bold.Render(label)
		}
		b.WriteString(label)
		for j := lay.colOff; j < endCol; j++ {
			p := m.shown[j]
			l, pend := m.levelAt(p, r.sc.Key)
			marked := len(m.marks) > 0 && m.marks[mxCell{p.ID, r.sc.Key}]
			cur := 0
			if i == row && j == m.col {
				cur = curState
			}
			b.WriteString(m.cell(l, pend, marked, cur, cw))
		}
		out = append(out, b.String())
	}
	if lay.footer {
		for len(out) < lay.listH+lay.nHead {
			out = append(out, "")
		}
		var f []string
		if n := m.screenCount(); end-rowOff < len(m.rows) {
			before, last := 0, 0 // screens above the window; the last one in it
			for i := 0; i < end; i++ {
				if m.rows[i].sc != nil {
					last++
					if i < rowOff {
						before++
					}
				}
			}
			first := min(before+1, last)
			f = append(f, fmt.Sprintf("screens %d–%d of %d", first, last, n))
		}
		if colsOver {
			f = append(f, fmt.Sprintf("profiles %d–%d of %d (←/→)", lay.colOff+1, endCol, len(m.shown)))
		}
		switch {
		case lay.footer2 && len(f) > 0:
			out = append(out, th.Muted.Render(ui.Fit(strings.Join(f, " · "), w)), th.Muted.Render(ui.Fit(mxLegend, w)))
		case lay.footer2:
			out = append(out, "", th.Muted.Render(ui.Fit(mxLegend, w)))
		default:
			out = append(out, th.Muted.Render(ui.Fit(strings.Join(append(f, mxLegend), " · "), w)))
		}
	}
	return out
}

// preview is the dry run of the pending edits, run again only when they
// changed since (in Update: prepare, or a test).
func (m *Screen) preview() *matrixPreview {
	if m.pv.gen != m.gen {
		m.pv = m.dryRun()
	}
	return &m.pv
}

// dryRun previews the pending edits: what changes, whom it touches, what the
// store would refuse and what the guardrail warns of.
func (m *Screen) dryRun() matrixPreview {
	pv := matrixPreview{gen: m.gen}
	if len(m.pend) > 0 {
		pv.changes = m.changes()
		seen := map[uint64]bool{}
		for _, c := range pv.changes {
			if !seen[c.p.ID] {
				seen[c.p.ID] = true
				pv.profiles++
				pv.users += m.holders[c.p.ID]
			}
			if c.p.Type == store.ClientUser && c.after != store.None && (c.sc.Sensitive || c.after > store.View) {
				why := "sensitive"
				if !c.sc.Sensitive {
					why = "above view"
				}
				pv.warnings = append(pv.warnings, fmt.Sprintf("%s · %s → %s (%s)", ui.Safe(c.p.Name), ui.Safe(c.sc.Title), c.after, why))
			}
		}
		ids := make([]uint64, 0, len(m.readAt))
		for id := range m.readAt {
			ids = append(ids, id)
		}
		slices.SortFunc(ids, func(x, y uint64) int { return m.pIdx[x] - m.pIdx[y] })
		for _, id := range ids {
			if p := m.byID[id]; p != nil && p.Version != m.readAt[id] {
				pv.conflicts = append(pv.conflicts, fmt.Sprintf("profile %s was changed by %s at %s since you began; ctrl+s will refuse; esc discards",
					ui.Safe(p.Name), ui.Safe(p.UpdatedBy), p.Updated.Local().Format("2006-01-02 15:04:05")))
			}
		}
		_, pv.err = m.host.Store().Preview(m.host.Actor(), "preview", m.grants(pv.changes))
	}
	return pv
}

// renderPreview draws the preview as prepare left it; at another size, or
// before prepare ran, it is worked out here without being kept.
func (m *Screen) renderPreview(w, h int) []string {
	pv := &m.pv
	if pv.gen != m.gen {
		fresh := m.dryRun()
		pv = &fresh
	}
	var lines []string
	switch {
	case len(pv.changes) == 0:
		lines = m.cursorInfo(w)
	case pv.linesW == w && pv.linesH == h && pv.lines != nil:
		lines = pv.lines
	default:
		lines = m.previewLines(pv, w, h)
	}
	return lines[min(m.pvScroll.Off, max(len(lines)-h, 0)):]
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

func (m *Screen) previewLines(pv *matrixPreview, w, h int) []string {
	th := m.host.Theme()
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
		if !m.guard {
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

// cursorInfo is the preview pane with nothing pending: the cursor's cell and the keys.
func (m *Screen) cursorInfo(w int) []string {
	th := m.host.Theme()
	out := []string{th.Muted.Render("No unsaved changes."), ""}
	p, sc := m.curProfile(), m.curScreen()
	if p != nil && sc != nil {
		l := p.Levels[sc.Key]
		facts := l.String()
		if sc.Sensitive {
			facts += " · sensitive screen"
		}
		// wrapped, not cut: at 80 columns the pane is 28 wide
		out = append(out, mxWrap(th.Bold, ui.Safe(p.Name)+" on "+ui.Safe(sc.Title), w)...)
		out = append(out, mxWrapIndent(nil, "  ", facts, w)...)
		out = append(out, mxWrapIndent(&th.Muted, "  ", m.profileFacts(p), w)...)
		out = append(out, mxWrapIndent(&th.Muted, "  ", "held by "+ui.Plural(m.holders[p.ID], "user"), w)...)
		if p.Type == store.ClientUser && m.guard {
			out = append(out, mxWrapIndent(&th.Muted, "  ", "guardrail on: at most view, no sensitive screen", w)...)
		}
		out = append(out, "")
	}
	if why := m.canEdit(); why != "" {
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
