// Package settings is the Settings screen: the org settings and the org
// features with their per-employee overrides.
package settings

import (
	"fmt"
	"strconv"
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"github.com/gatehouse/gatehouse/store"
	"github.com/gatehouse/gatehouse/tui/ui"
)

// Screen: every org setting | the highlighted one, what it means and when
// the settings last changed | each org feature with its employee overrides
// and the effective result. enter changes a setting.
//
// It composes its three panes and owns what they share: the settings as
// last read, with the features' counts. Its keys (enter, t, h) change the
// setting of the focused pane.
type Screen struct {
	host ui.Host
	org  *org

	keys     *keysPane
	detail   *settingPane
	features *featuresPane
	panes    ui.Panes
}

// org is what the panes show: the org settings, each feature counted over
// the employees, and why the actor may not see them ("": they may).
type org struct {
	host     ui.Host
	st       store.Settings
	features []featureCount
	denied   string
}

// featureCount is one org feature over every employee.
type featureCount struct {
	f                       store.Feature
	allow, deny, on, people int
}

// New is the Settings screen of a console.
func New(h ui.Host) ui.Screen {
	s := &Screen{host: h, org: &org{host: h}}
	s.keys = newKeysPane(h, s.org)
	s.detail = &settingPane{host: h, Clock: h.Clock(), org: s.org, key: s.setting, nav: s.keys.Bindings}
	s.features = newFeaturesPane(h, s.org)
	s.panes = ui.Panes{s.keys, s.detail, s.features}
	return s
}

// SetSize hands each pane its size.
func (s *Screen) SetSize(p [3]ui.PaneSize) { s.panes.SetSize(p) }

func (s *Screen) Name() string { return "Settings" }

func (s *Screen) Panes() [3]string {
	return [3]string{"Settings", fmt.Sprintf("Setting %d of %d", s.keys.list.Cursor()+1, len(store.SettingKeys)), "Features"}
}

func (s *Screen) Reload() {
	o := s.org
	o.denied = ui.ErrText(s.host.Store().Capabilities(s.host.Actor()).May(store.ReadSettings))
	o.st = s.host.Store().Settings()
	o.features = countFeatures(s.host.Store(), o.st)
	s.features.reload()
}

// countFeatures counts, per feature, the employees overriding it and those who have it.
func countFeatures(st *store.Store, set store.Settings) []featureCount {
	fs := store.Features()
	out := make([]featureCount, len(fs))
	for i, f := range fs {
		out[i].f = f
	}
	st.EachUser(func(u *store.User) {
		if !store.MayOverrideFeatures(u) {
			return // client users follow the org value
		}
		for i, f := range fs {
			c := &out[i]
			c.people++
			switch u.Features[f] {
			case store.Allow:
				c.allow++
			case store.Deny:
				c.deny++
			}
			if set.EffectiveFeature(u, f) {
				c.on++
			}
		}
	})
	return out
}

// setting is the highlighted setting's key.
func (s *Screen) setting() string { return s.keys.highlighted() }

func isSwitch(st store.Settings, key string) bool {
	v := st.Value(key)
	return v == "on" || v == "off"
}

func (s *Screen) Pending() int       { return 0 }
func (s *Screen) Discard()           {}
func (s *Screen) Filter() string     { return "" }
func (s *Screen) SetFilter(q string) {}

func (s *Screen) Header(w int) string {
	parts := make([]string, 0, len(store.SettingKeys))
	for _, k := range store.SettingKeys {
		parts = append(parts, k+" "+s.org.st.Value(k))
	}
	return strings.Join(parts, " · ")
}

// editKey is the setting enter would change: the highlighted feature's in
// the Features pane, else the highlighted setting.
func (s *Screen) editKey() string {
	if f := s.features.highlighted(); s.host.Focus() == 2 && f != "" {
		return f
	}
	return s.setting()
}

// canEdit is why the actor may not change settings ("": they may).
func (o *org) canEdit() string {
	if o.denied != "" {
		return o.denied
	}
	return ui.ErrText(o.host.Store().Capabilities(o.host.Actor()).May(store.EditSettings))
}

// Bindings are the screen's keys (they change the focused pane's setting),
// then the focused pane's.
func (s *Screen) Bindings() []*ui.Binding {
	g := "Settings"
	st := &s.org.st
	return append([]*ui.Binding{
		ui.Bind(g, "enter", "change the highlighted setting (or feature)", func() tea.Cmd { return s.edit(s.editKey()) }).Editing().When(s.org.canEdit),
		ui.Bind(g, "t", "switch the highlighted on/off setting", func() tea.Cmd {
			k := s.editKey()
			v := "on"
			if st.Value(k) == "on" {
				v = "off"
			}
			s.set(k, v)
			return nil
		}).Editing().When(func() string {
			if why := s.org.canEdit(); why != "" {
				return why
			}
			if !isSwitch(*st, s.editKey()) {
				return s.editKey() + " is not on/off: enter changes it"
			}
			return ""
		}),
		ui.Bind(g, "h", "history of the org settings", func() tea.Cmd {
			s.host.ShowHistory("settings:org")
			return nil
		}),
	}, s.panes[s.host.Focus()].Bindings()...)
}

func (s *Screen) Key(msg tea.KeyPressMsg, pane int) tea.Cmd { return s.panes.Key(msg, pane) }

// Mouse is the pane's under it (the settings take clicks and the wheel).
func (s *Screen) Mouse(msg tea.MouseMsg, pane, x, y int) tea.Cmd {
	return s.panes.Mouse(msg, pane, x, y)
}

func (s *Screen) Render(pane, w, h int, focused bool) []string {
	return s.panes.Render(pane, w, h, focused)
}

// set applies one setting; store refusals go to the status line.
func (s *Screen) set(key, value string) {
	what := fmt.Sprintf("settings set %s %s", key, strings.TrimSpace(value))
	before := s.org.st.Value(key)
	cs, err := s.host.Store().Apply(s.host.Actor(), what, func(tx *store.Tx) error { return tx.SetSetting(key, value) })
	if err != nil {
		s.host.Fail(err)
		return
	}
	s.host.Applied(cs, fmt.Sprintf("%s: %s → %s", key, before, s.host.Store().Settings().Value(key))) // reloads this screen
}

func (s *Screen) edit(key string) tea.Cmd {
	value := s.org.st.Value(key)
	title := "Setting " + key
	var field huh.Field
	switch {
	case isSwitch(s.org.st, key):
		field = huh.NewSelect[string]().Title(key).Description(store.SettingHelp[key]).
			Options(huh.NewOption("on", "on"), huh.NewOption("off", "off")).Value(&value)
	case key == "lockout-attempts":
		field = huh.NewInput().Title(key).Description(store.SettingHelp[key]).Value(&value).
			Validate(func(v string) error {
				if _, err := strconv.Atoi(strings.TrimSpace(v)); err != nil {
					return fmt.Errorf("a whole number, like 5")
				}
				return nil
			})
	default: // durations
		field = huh.NewInput().Title(key).Description(store.SettingHelp[key]).Value(&value).
			Validate(func(v string) error { _, err := store.ParseDuration(v); return err })
	}
	m, cmd := ui.NewForm(s.host, title, func() tea.Cmd {
		s.set(key, value)
		return nil
	}, huh.NewGroup(field))
	s.host.Open(m)
	return cmd
}
