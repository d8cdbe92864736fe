package permissions

import (
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"github.com/gatehouse/gatehouse/store"
	"github.com/gatehouse/gatehouse/tui/ui"
)

// The screen's own keys: they change the pending edits (from the matrix's
// cell cursor or marks) or the profiles themselves, whichever pane has focus.

func (m *Screen) canEdit() string { return mayEdit(m.host) }

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

func (m *Screen) editBindings(g string) []*ui.Binding {
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
		ui.Bind(g, "b", "mark the block from the last marked cell to the cursor", func() tea.Cmd { m.matrix.markBlock(); return nil }).Editing().
			When(func() string {
				if why := m.needCell(); why != "" {
					return why
				}
				if _, _, ok := m.matrix.anchorPos(); !ok {
					return "mark a first corner with space (in the matrix)"
				}
				return ""
			}),
		ui.Bind(g, "ctrl+s", "save every pending cell as one change set", func() tea.Cmd { return m.Save() }).Editing().
			When(func() string {
				if why := m.canEdit(); why != "" {
					return why
				}
				if m.edits.len() == 0 {
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

// space: in the Profiles pane, shows the profile side by side (or not);
// elsewhere marks the matrix's cell.
func (m *Screen) space() {
	if m.host.Focus() == 0 {
		m.profiles.list.ToggleMark()
		m.showColumns()
		return
	}
	m.matrix.toggleMark()
}

// ---- edits ----

func (m *Screen) setCellOrMarks(l store.Level) {
	if len(m.matrix.marks) > 0 {
		cells := m.matrix.takeMarks()
		m.edits.set(m.data, cells, l)
		m.host.Flash(fmt.Sprintf("%d marked cells → %s (pending; ctrl+s saves, esc discards)", len(cells), l), false)
		return
	}
	m.edits.set(m.data, []mxCell{{m.curProfile().ID, m.curScreen().Key}}, l)
}

func (m *Screen) setRow(l store.Level) {
	cells := m.matrix.rowCells()
	m.edits.set(m.data, cells, l)
	m.host.Flash(fmt.Sprintf("%s → %s for %d profile(s) (pending)", m.curScreen().Title, l, len(cells)), false)
}

func (m *Screen) setColumn(l store.Level) {
	cells := m.matrix.columnCells()
	m.edits.set(m.data, cells, l)
	m.host.Flash(fmt.Sprintf("%s → %s on %d screen(s) (pending)", m.curProfile().Name, l, len(cells)), false)
}

// Save writes every pending cell as one change set.
func (m *Screen) Save() tea.Cmd {
	ch := m.edits.changes(m.data)
	if len(ch) == 0 {
		m.host.Flash("nothing to save", false)
		return nil
	}
	what := mxSummary(ch)
	cs, err := m.host.Store().Apply(m.host.Actor(), what, m.edits.grants(ch))
	if err != nil {
		m.host.Fail(err)
		if store.KindOf(err) == store.KindConflict {
			m.Reload() // show who changed what in the preview; the edits stay pending
		} else {
			m.edits.changed()
		}
		return nil
	}
	m.edits.clear()
	m.matrix.clearMarks()
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
			if m.profiles.list.Select(created.ID) && m.profiles.sideBySide() == 0 {
				m.showColumns()
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
	if p.Builtin || m.data.holders[p.ID] > 0 {
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
			if v, ok := m.edits.readAt[p.ID]; ok && v == was {
				if np := m.data.byID[p.ID]; np != nil {
					m.edits.readAt[p.ID] = np.Version
					m.edits.changed()
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
