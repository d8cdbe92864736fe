package settings

import (
	tea "charm.land/bubbletea/v2"

	"github.com/gatehouse/gatehouse/store"
	"github.com/gatehouse/gatehouse/tui/list"
	"github.com/gatehouse/gatehouse/tui/ui"
)

// keysPane is the left pane: every org setting with its value.
type keysPane struct {
	host ui.Host
	org  *org // the screen's

	list *list.Model[string] // store.SettingKeys
}

func newKeysPane(h ui.Host, o *org) *keysPane {
	p := &keysPane{host: h, org: o, list: list.New[string]()}
	p.list.SetRows(settingRows{p})
	return p
}

// highlighted is the key of the setting under the cursor.
func (p *keysPane) highlighted() string { return store.SettingKeys[p.list.Cursor()] }

func (p *keysPane) Bindings() []*ui.Binding { return ui.ListNav(p.list, nil) }

func (p *keysPane) SetSize(w, h int) { p.list.SetSize(w, h) }

// Update: a click highlights a setting; the wheel moves through them.
func (p *keysPane) Update(msg tea.Msg) tea.Cmd {
	if m, ok := msg.(ui.PaneMouse); ok {
		p.list.Mouse(m.MouseMsg, m.Y)
	}
	return nil
}

func (p *keysPane) View(w, h int, focused bool) []string {
	if p.org.denied != "" {
		return nil
	}
	out := p.list.Lines(focused)
	if p.org.canEdit() == "" {
		out = append(out, "", p.host.Theme().Muted.Render("enter or t changes"))
	}
	return out
}

// settingRows are the org settings, each with its value.
type settingRows struct{ p *keysPane }

func (r settingRows) Len() int            { return len(store.SettingKeys) }
func (r settingRows) Key(i int) string    { return store.SettingKeys[i] }
func (r settingRows) Selectable(int) bool { return true }

func (r settingRows) Render(i, w int, st list.State) string {
	set := r.p.org.st
	vw, kw := 0, 0 // the widest value; the widest key, as far as the values leave room
	for _, k := range store.SettingKeys {
		vw = max(vw, len(set.Value(k))+1)
		kw = max(kw, len(k)+2)
	}
	kw = min(kw, w-1-vw)
	mark := " "
	if st.Cursor {
		mark = "›"
	}
	k := store.SettingKeys[i]
	return ui.RowStyle(r.p.host.Theme(), ui.Fit(mark+ui.Cell(k, kw)+set.Value(k), w), st.Cursor, st.Focused)
}
