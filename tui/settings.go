package tui

import (
	"fmt"
	"strconv"
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"github.com/gatehouse/gatehouse/store"
	"github.com/gatehouse/gatehouse/tui/list"
)

// settingsScreen: every org setting | the highlighted one, what it means and
// when the settings last changed | each org feature with its employee
// overrides and the effective result. enter changes a setting.
type settingsScreen struct {
	a *App
	clock

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

func newSettingsScreen(a *App) screen {
	s := &settingsScreen{a: a, clock: newClock(), keys: list.New[string](), feats: list.New[int]()}
	s.keys.SetRows(settingRows{s})
	return s
}

// setSize: the settings take their pane; the features are few enough to
// show whole (a page is all of them).
func (s *settingsScreen) setSize(p [3]paneSize) {
	s.keys.SetSize(p[0].w, p[0].h)
	s.feats.SetSize(p[2].w, len(store.Features()))
}

func (s *settingsScreen) name() string { return "Settings" }

func (s *settingsScreen) panes() [3]string {
	return [3]string{"Settings", fmt.Sprintf("Setting %d of %d", s.keys.Cursor()+1, len(store.SettingKeys)), "Features"}
}

func (s *settingsScreen) reload() {
	s.denied = errText(s.a.s.Capabilities(s.a.actor).May(store.ReadSettings))
	s.st = s.a.s.Settings()
	s.features = countFeatures(s.a.s, s.st)
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

func (s *settingsScreen) setting() string { return store.SettingKeys[s.keys.Cursor()] }

func isSwitch(st store.Settings, key string) bool {
	v := st.Value(key)
	return v == "on" || v == "off"
}

func (s *settingsScreen) pending() int       { return 0 }
func (s *settingsScreen) discard()           {}
func (s *settingsScreen) filter() string     { return "" }
func (s *settingsScreen) setFilter(q string) {}

func (s *settingsScreen) header(w int) string {
	parts := make([]string, 0, len(store.SettingKeys))
	for _, k := range store.SettingKeys {
		parts = append(parts, k+" "+s.st.Value(k))
	}
	return strings.Join(parts, " · ")
}

// editKey is the setting enter would change: the highlighted feature's in
// the Features pane, else the highlighted setting.
func (s *settingsScreen) editKey() string {
	if f := s.feats.Cursor(); s.a.focus[s.a.cur] == 2 && f < len(s.features) {
		return s.features[f].f.String()
	}
	return s.setting()
}

func (s *settingsScreen) canEdit() string {
	if s.denied != "" {
		return s.denied
	}
	return errText(s.a.s.Capabilities(s.a.actor).May(store.EditSettings))
}

func (s *settingsScreen) bindings() []*binding {
	g := "Settings"
	return append([]*binding{
		bind(g, "enter", "change the highlighted setting (or feature)", func() tea.Cmd { return s.edit(s.editKey()) }).editing().when(s.canEdit),
		bind(g, "t", "switch the highlighted on/off setting", func() tea.Cmd {
			k := s.editKey()
			v := "on"
			if s.st.Value(k) == "on" {
				v = "off"
			}
			s.set(k, v)
			return nil
		}).editing().when(func() string {
			if why := s.canEdit(); why != "" {
				return why
			}
			if !isSwitch(s.st, s.editKey()) {
				return s.editKey() + " is not on/off: enter changes it"
			}
			return ""
		}),
		bind(g, "h", "history of the org settings", func() tea.Cmd {
			if h, ok := s.a.screens[3].(interface{ showEntity(string) }); ok {
				h.showEntity("settings:org")
			}
			s.a.switchTo(3)
			return nil
		}),
	}, s.nav()...)
}

// nav: the features in their pane, else the settings.
func (s *settingsScreen) nav() []*binding {
	if s.a.focus[s.a.cur] == 2 {
		return listNav(s.feats, nil)
	}
	return listNav(s.keys, nil)
}

func (s *settingsScreen) key(msg tea.KeyPressMsg, pane int) tea.Cmd { return nil }

// mouse: a click highlights a setting; the wheel moves through them.
func (s *settingsScreen) mouse(msg tea.MouseMsg, pane, x, y int) tea.Cmd {
	if pane == 0 {
		s.keys.Mouse(msg, y)
	}
	return nil
}

// set applies one setting; store refusals go to the status line.
func (s *settingsScreen) set(key, value string) {
	what := fmt.Sprintf("settings set %s %s", key, strings.TrimSpace(value))
	before := s.st.Value(key)
	cs, err := s.a.s.Apply(s.a.actor, what, func(tx *store.Tx) error { return tx.SetSetting(key, value) })
	if err != nil {
		s.a.fail(err)
		return
	}
	s.a.applied(cs, fmt.Sprintf("%s: %s → %s", key, before, s.a.s.Settings().Value(key))) // reloads this screen
}

func (s *settingsScreen) edit(key string) tea.Cmd {
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
	m, cmd := newForm(s.a, title, func() tea.Cmd {
		s.set(key, value)
		return nil
	}, huh.NewGroup(field))
	s.a.modal = m
	return cmd
}

func (s *settingsScreen) render(pane, w, h int, focused bool) []string {
	th := s.a.th
	if s.denied != "" {
		if pane == 1 {
			return wrapLines(th.bad.Render("you may not see the settings: "+safe(s.denied)), w)
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
type settingRows struct{ s *settingsScreen }

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
	return rowStyle(r.s.a.th, fit(mark+cell(k, kw)+r.s.st.Value(k), w), st.Cursor, st.Focused)
}

// featureRows are the org features; their pane draws them itself, on
// several lines each.
type featureRows struct{ s *settingsScreen }

func (r featureRows) Len() int                              { return len(r.s.features) }
func (r featureRows) Key(i int) int                         { return i }
func (r featureRows) Selectable(int) bool                   { return true }
func (r featureRows) Render(i, w int, st list.State) string { return r.s.features[i].f.Title() }

func (s *settingsScreen) renderList(w int, focused bool) []string {
	th := s.a.th
	out := s.keys.Lines(focused)
	if s.canEdit() == "" {
		out = append(out, "", th.muted.Render("enter or t changes"))
	}
	return out
}

func (s *settingsScreen) renderSetting(w int) []string {
	th := s.a.th
	k := s.setting()
	kv := func(k, v string) string { return th.muted.Render(fmt.Sprintf("%-8s", k)) + " " + v }
	out := []string{th.bold.Render(k), kv("Value", th.bold.Render(s.st.Value(k))), ""}
	out = append(out, wrapLines(store.SettingHelp[k], w)...)
	if f, err := store.ParseFeature(k); err == nil {
		for _, c := range s.features {
			if c.f == f {
				out = append(out, "", fmt.Sprintf("%s: org default for employees; %d allow and %d deny it themselves; %d of %d have it.",
					f.Title(), c.allow, c.deny, c.on, c.people))
				out = append(out[:len(out)-1], wrapLines(out[len(out)-1], w)...)
			}
		}
	}
	out = append(out, "")
	if s.st.UpdatedBy == "" {
		out = append(out, th.muted.Render("The settings were never changed: these are the defaults."))
	} else {
		out = append(out, wrapLines(th.muted.Render(fmt.Sprintf("The settings last changed %s by %s (version %d).", s.stamp(s.st.Updated), safe(s.st.UpdatedBy), s.st.Version)), w)...)
	}
	if why := s.canEdit(); why != "" {
		out = append(out, "")
		out = append(out, wrapLines(th.warn.Render("You may not change settings: "+safe(why)), w)...)
	} else {
		out = append(out, "", th.muted.Render("enter changes it · h: history of the settings"))
	}
	return out
}

func (s *settingsScreen) renderFeatures(w int, focused bool) []string {
	th := s.a.th
	var out []string
	for i, c := range s.features {
		if focused && i == s.feats.Cursor() {
			out = append(out, th.cursor.Render(fit("› "+c.f.Title(), w)))
		} else {
			for _, l := range wrapLines(c.f.Title(), w) {
				out = append(out, th.bold.Render(l))
			}
		}
		out = append(out,
			fmt.Sprintf("  org %s · allow %d · deny %d", s.st.Value(c.f.String()), c.allow, c.deny),
			fmt.Sprintf("  on for %d of %d employees", c.on, c.people),
			"")
	}
	for _, l := range wrapLines("Client users follow the org value.", w) {
		out = append(out, th.muted.Render(l))
	}
	return out
}
