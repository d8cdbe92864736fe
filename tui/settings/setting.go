package settings

import (
	"fmt"

	tea "charm.land/bubbletea/v2"

	"github.com/gatehouse/gatehouse/store"
	"github.com/gatehouse/gatehouse/tui/ui"
)

// settingPane is the middle pane: the highlighted setting, what it means,
// and when the settings last changed. It has no cursor of its own: its
// keys move the settings' (the screen's wiring).
type settingPane struct {
	host ui.Host
	ui.Clock
	org *org // the screen's
	key func() string
	nav func() []*ui.Binding
}

func (p *settingPane) Bindings() []*ui.Binding { return p.nav() }

func (p *settingPane) SetSize(w, h int) {}

// Update: the pane has no keys of its own.
func (p *settingPane) Update(tea.Msg) tea.Cmd { return nil }

func (p *settingPane) View(w, h int, focused bool) []string {
	th := p.host.Theme()
	if p.org.denied != "" {
		return ui.WrapLines(th.Bad.Render("you may not see the settings: "+ui.Safe(p.org.denied)), w)
	}
	st := p.org.st
	k := p.key()
	kv := func(k, v string) string { return th.Muted.Render(fmt.Sprintf("%-8s", k)) + " " + v }
	out := []string{th.Bold.Render(k), kv("Value", th.Bold.Render(st.Value(k))), ""}
	out = append(out, ui.WrapLines(store.SettingHelp[k], w)...)
	if f, err := store.ParseFeature(k); err == nil {
		for _, c := range p.org.features {
			if c.f == f {
				out = append(out, "", fmt.Sprintf("%s: org default for employees; %d allow and %d deny it themselves; %d of %d have it.",
					f.Title(), c.allow, c.deny, c.on, c.people))
				out = append(out[:len(out)-1], ui.WrapLines(out[len(out)-1], w)...)
			}
		}
	}
	out = append(out, "")
	if st.UpdatedBy == "" {
		out = append(out, th.Muted.Render("The settings were never changed: these are the defaults."))
	} else {
		out = append(out, ui.WrapLines(th.Muted.Render(fmt.Sprintf("The settings last changed %s by %s (version %d).", p.Stamp(st.Updated), ui.Safe(st.UpdatedBy), st.Version)), w)...)
	}
	if why := p.org.canEdit(); why != "" {
		out = append(out, "")
		out = append(out, ui.WrapLines(th.Warn.Render("You may not change settings: "+ui.Safe(why)), w)...)
	} else {
		out = append(out, "", th.Muted.Render("enter changes it · h: history of the settings"))
	}
	return out
}
