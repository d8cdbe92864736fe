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
	"github.com/gatehouse/gatehouse/tui/list"
	"github.com/gatehouse/gatehouse/tui/ui"
)

// Screen: every org setting | the highlighted one, what it means and when
// the settings last changed | each org feature with its employee overrides
// and the effective result. enter changes a setting.
type Screen struct {
	host ui.Host
	ui.Clock

	st       store.Settings
	features []featureCount
	denied   string

	keys  *list.Model[string] // store.SettingKeys
	feats *list.Model[int]    // the features (right pane), by index
}

// featureCount is one org feature over every employee.
type featureCount struct {
	f                       store.Feature
	allow, deny, on, people int
}

// New is the Settings screen of a console.
func New(h ui.Host) ui.Screen {
	s := &Screen{host: h, Clock: h.Clock(), keys: list.New[string](), feats: list.New[int]()}
	s.keys.SetRows(settingRows{s})
	return s
}

// SetSize: the settings take their pane; the features are few enough to
// show whole (a page is all of them).
func (s *Screen) SetSize(p [3]ui.PaneSize) {
	s.keys.SetSize(p[0].W, p[0].H)
	s.feats.SetSize(p[2].W, len(store.Features()))
}

func (s *Screen) Name() string { return "Settings" }

func (s *Screen) Panes() [3]string {
	return [3]string{"Settings", fmt.Sprintf("Setting %d of %d", s.keys.Cursor()+1, len(store.SettingKeys)), "Features"}
}

func (s *Screen) Reload() {
	s.denied = ui.ErrText(s.host.Store().Capabilities(s.host.Actor()).May(store.ReadSettings))
	s.st = s.host.Store().Settings()
	s.features = countFeatures(s.host.Store(), s.st)
	s.feats.SetRows(featureRows{s})
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

func (s *Screen) setting() string { return store.SettingKeys[s.keys.Cursor()] }

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
		parts = append(parts, k+" "+s.st.Value(k))
	}
	return strings.Join(parts, " · ")
}

// editKey is the setting enter would change: the highlighted feature's in
// the Features pane, else the highlighted setting.
func (s *Screen) editKey() string {
	if f := s.feats.Cursor(); s.host.Focus() == 2 && f < len(s.features) {
		return s.features[f].f.String()
	}
	return s.setting()
}

func (s *Screen) canEdit() string {
	if s.denied != "" {
		return s.denied
	}
	return ui.ErrText(s.host.Store().Capabilities(s.host.Actor()).May(store.EditSettings))
}

func (s *Screen) Bindings() []*ui.Binding {
	g := "Settings"
	return append([]*ui.Binding{
		ui.Bind(g, "enter", "change the highlighted setting (or feature)", func() tea.Cmd { return s.edit(s.editKey()) }).Editing().When(s.canEdit),
		ui.Bind(g, "t", "switch the highlighted on/off setting", func() tea.Cmd {
			k := s.editKey()
			v := "on"
			if s.st.Value(k) == "on" {
				v = "off"
			}
			s.set(k, v)
			return nil
		}).Editing().When(func() string {
			if why := s.canEdit(); why != "" {
				return why
			}
			if !isSwitch(s.st, s.editKey()) {
				return s.editKey() + " is not on/off: enter changes it"
			}
			return ""
		}),
		ui.Bind(g, "h", "history of the org settings", func() tea.Cmd {
			s.host.ShowHistory("settings:org")
			return nil
		}),
	}, s.nav()...)
}

// nav: the features in their pane, else the settings.
func (s *Screen) nav() []*ui.Binding {
	if s.host.Focus() == 2 {
		return ui.ListNav(s.feats, nil)
	}
	return ui.ListNav(s.keys, nil)
}

func (s *Screen) Key(msg tea.KeyPressMsg, pane int) tea.Cmd { return nil }

// Mouse: a click highlights a setting; the wheel moves through them.
func (s *Screen) Mouse(msg tea.MouseMsg, pane, x, y int) tea.Cmd {
	if pane == 0 {
		s.keys.Mouse(msg, y)
	}
	return nil
}

// set applies one setting; store refusals go to the status line.
func (s *Screen) set(key, value string) {
	what := fmt.Sprintf("settings set %s %s", key, strings.TrimSpace(value))
	before := s.st.Value(key)
	cs, err := s.host.Store().Apply(s.host.Actor(), what, func(tx *store.Tx) error { return tx.SetSetting(key, value) })
	if err != nil {
		s.host.Fail(err)
		return
	}
	s.host.Applied(cs, fmt.Sprintf("%s: %s → %s", key, before, s.host.Store().Settings().Value(key))) // reloads this screen
}

func (s *Screen) edit(key string) tea.Cmd {
	value := s.st.Value(key)
	title := "Setting " + key
	var field huh.Field
	switch {
	case isSwitch(s.st, key):
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

func (s *Screen) Render(pane, w, h int, focused bool) []string {
	th := s.host.Theme()
	if s.denied != "" {
		if pane == 1 {
			return ui.WrapLines(th.Bad.Render("you may not see the settings: "+ui.Safe(s.denied)), w)
		}
		return nil
	}
	switch pane {
	case 0:
		return s.renderList(w, focused)
	case 1:
		return s.renderSetting(w)
	}
	return s.renderFeatures(w, focused)
}

// settingRows are the org settings, each with its value.
type settingRows struct{ s *Screen }

func (r settingRows) Len() int            { return len(store.SettingKeys) }
func (r settingRows) Key(i int) string    { return store.SettingKeys[i] }
func (r settingRows) Selectable(int) bool { return true }

func (r settingRows) Render(i, w int, st list.State) string {
	vw, kw := 0, 0 // the widest value; the widest key, as far as the values leave room
	for _, k := range store.SettingKeys {
		vw = max(vw, len(r.s.st.Value(k))+1)
		kw = max(kw, len(k)+2)
	}
	kw = min(kw, w-1-vw)
	mark := " "
	if st.Cursor {
		mark = "›"
	}
	k := store.SettingKeys[i]
	return ui.RowStyle(r.s.host.Theme(), ui.Fit(mark+ui.Cell(k, kw)+r.s.st.Value(k), w), st.Cursor, st.Focused)
}

// featureRows are the org features; their pane draws them itself, on
// several lines each.
type featureRows struct{ s *Screen }

func (r featureRows) Len() int                              { return len(r.s.features) }
func (r featureRows) Key(i int) int                         { return i }
func (r featureRows) Selectable(int) bool                   { return true }
func (r featureRows) Render(i, w int, st list.State) string { return r.s.features[i].f.Title() }

func (s *Screen) renderList(w int, focused bool) []string {
	th := s.host.Theme()
	out := s.keys.Lines(focused)
	if s.canEdit() == "" {
		out = append(out, "", th.Muted.Render("enter or t changes"))
	}
	return out
}

func (s *Screen) renderSetting(w int) []string {
	th := s.host.Theme()
	k := s.setting()
	kv := func(k, v string) string { return th.Muted.Render(fmt.Sprintf("%-8s", k)) + " " + v }
	out := []string{th.Bold.Render(k), kv("Value", th.Bold.Render(s.st.Value(k))), ""}
	out = append(out, ui.WrapLines(store.SettingHelp[k], w)...)
	if f, err := store.ParseFeature(k); err == nil {
		for _, c := range s.features {
			if c.f == f {
				out = append(out, "", fmt.Sprintf("%s: org default for employees; %d allow and %d deny it themselves; %d of %d have it.",
					f.Title(), c.allow, c.deny, c.on, c.people))
				out = append(out[:len(out)-1], ui.WrapLines(out[len(out)-1], w)...)
			}
		}
	}
	out = append(out, "")
	if s.st.UpdatedBy == "" {
		out = append(out, th.Muted.Render("The settings were never changed: these are the defaults."))
	} else {
		out = append(out, ui.WrapLines(th.Muted.Render(fmt.Sprintf("The settings last changed %s by %s (version %d).", s.Stamp(s.st.Updated), ui.Safe(s.st.UpdatedBy), s.st.Version)), w)...)
	}
	if why := s.canEdit(); why != "" {
		out = append(out, "")
		out = append(out, ui.WrapLines(th.Warn.Render("You may not change settings: "+ui.Safe(why)), w)...)
	} else {
		out = append(out, "", th.Muted.Render("enter changes it · h: history of the settings"))
	}
	return out
}

func (s *Screen) renderFeatures(w int, focused bool) []string {
	th := s.host.Theme()
	var out []string
	for i, c := range s.features {
		if focused && i == s.feats.Cursor() {
			out = append(out, th.Cursor.Render(ui.Fit("› "+c.f.Title(), w)))
		} else {
			for _, l := range ui.WrapLines(c.f.Title(), w) {
				out = append(out, th.Bold.Render(l))
			}
		}
		out = append(out,
			fmt.Sprintf("  org %s · allow %d · deny %d", s.st.Value(c.f.String()), c.allow, c.deny),
			fmt.Sprintf("  on for %d of %d employees", c.on, c.people),
			"")
	}
	for _, l := range ui.WrapLines("Client users follow the org value.", w) {
		out = append(out, th.Muted.Render(l))
	}
	return out
}
