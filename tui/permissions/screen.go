// Package permissions is the Permissions screen: the profiles, the matrix
// of screens × levels (several profiles side by side for bulk edits), and a
// preview of what the pending change does.
package permissions

import (
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/gatehouse/gatehouse/store"
	"github.com/gatehouse/gatehouse/tui/ui"
)

// Screen is "Permissions": profiles | the matrix of screens × levels,
// several profiles side by side | a preview of the unsaved change.
//
// It composes its three panes and owns what they share: the store's
// snapshot and the pending edits, which ctrl+s writes as one change set.
type Screen struct {
	host  ui.Host
	data  *snapshot
	edits *edits

	profiles *profilesPane
	matrix   *matrixPane
	preview  *previewPane
	panes    ui.Panes
}

// New is the Permissions screen of a console.
func New(h ui.Host) ui.Screen {
	m := &Screen{host: h, data: &snapshot{}, edits: newEdits()}
	m.profiles = newProfilesPane(h, m.data, m.edits, m.followProfile)
	m.matrix = newMatrixPane(h, m.data, m.edits)
	m.preview = newPreviewPane(h, m.data, m.edits, func() (*store.Profile, *store.Screen) {
		return m.matrix.curProfile(), m.matrix.curScreen()
	})
	m.panes = ui.Panes{m.profiles, m.matrix, m.preview}
	return m
}

func (m *Screen) Name() string { return "Permissions" }

func (m *Screen) Panes() [3]string {
	return [3]string{m.profiles.title(), m.matrix.title(), m.preview.title()}
}

// ---- reading ----

// Reload re-reads profiles and screens. Pending edits stay; a profile that got
// a new version since its first pending edit shows as a conflict in the preview.
func (m *Screen) Reload() {
	m.data.load(m.host.Store())
	m.edits.prune(m.data) // forget what no longer exists
	m.profiles.reload()   // stays on the same profile
	m.matrix.rebuildRows()
	m.showColumns()
	m.edits.changed()
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

// showColumns: the matrix shows the profiles side by side, or else the
// highlighted one.
func (m *Screen) showColumns() { m.matrix.setColumns(m.profiles.columns()) }

// followProfile: the highlighted profile is the matrix's column, or the
// column the cursor is in when it is one of those side by side.
func (m *Screen) followProfile() {
	if m.profiles.sideBySide() == 0 {
		m.showColumns()
	} else if p := m.profiles.highlighted(); p != nil && m.profiles.list.Marked(p.ID) {
		m.matrix.toProfile(p)
	}
}

// SelectProfile highlights a profile in the Profiles pane: the matrix shows
// it, unless profiles are side by side.
func (m *Screen) SelectProfile(id uint64) {
	if i, ok := m.data.pIdx[id]; ok {
		m.profiles.list.SetCursor(i)
		m.showColumns()
	}
}

func (m *Screen) curScreen() *store.Screen   { return m.matrix.curScreen() }
func (m *Screen) curProfile() *store.Profile { return m.matrix.curProfile() }
func (m *Screen) leftProfile() *store.Profile {
	return m.profiles.highlighted()
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

// ---- the screen interface ----

func (m *Screen) Pending() int { return m.edits.len() }

func (m *Screen) Discard() {
	m.edits.clear()
	m.matrix.clearMarks()
}

func (m *Screen) Filter() string { return m.matrix.q }

func (m *Screen) SetFilter(q string) { m.matrix.setFilter(q) }

// Header folds the profile list into one line: the shown profiles first, in
// brackets, then the others (or how many there are, if they do not fit).
func (m *Screen) Header(w int) string {
	shown := map[uint64]bool{}
	var sh, others []string
	for _, p := range m.matrix.shown {
		shown[p.ID] = true
		sh = append(sh, "["+p.Name+"]")
	}
	for _, p := range m.data.profiles {
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

// Bindings are the screen's own keys (its edits, which act on the matrix's
// cell wherever the focus is), then the focused pane's.
func (m *Screen) Bindings() []*ui.Binding {
	return append(m.editBindings("Permissions"), m.panes[m.host.Focus()].Bindings()...)
}

// Key: esc unmarks the matrix's cells wherever the focus is; anything else
// is the focused pane's.
func (m *Screen) Key(msg tea.KeyPressMsg, pane int) tea.Cmd {
	if msg.String() == "esc" && m.matrix.clearMarks() {
		m.host.Flash("marks cleared", false)
		return nil
	}
	return m.panes.Key(msg, pane)
}

func (m *Screen) Mouse(msg tea.MouseMsg, pane, x, y int) tea.Cmd {
	return m.panes.Mouse(msg, pane, x, y)
}

func (m *Screen) Render(pane, w, h int, focused bool) []string {
	return m.panes.Render(pane, w, h, focused)
}

// SetSize lays the panes out for their new sizes.
func (m *Screen) SetSize(p [3]ui.PaneSize) { m.panes.SetSize(p) }

// Prepare lays the panes out for what they hold now, and works out what the
// next frame reads: the pending count per profile, the preview's dry run
// (once per change of the pending edits) and its lines, the cells' strings.
func (m *Screen) Prepare() {
	m.profiles.layout()
	m.matrix.layout()
	m.edits.count()
	m.preview.prepare()
	m.matrix.prepareCells()
}
