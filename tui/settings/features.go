package settings

import (
	"fmt"

	tea "charm.land/bubbletea/v2"

	"github.com/gatehouse/gatehouse/store"
	"github.com/gatehouse/gatehouse/tui/list"
	"github.com/gatehouse/gatehouse/tui/ui"
)

// featuresPane is the right pane: each org feature with its employee
// overrides and the effective result, on several lines each.
type featuresPane struct {
	host ui.Host
	org  *org // the screen's

	list *list.Model[int] // the features, by index
}

func newFeaturesPane(h ui.Host, o *org) *featuresPane {
	return &featuresPane{host: h, org: o, list: list.New[int]()}
}

// reload follows the screen's new counts.
func (p *featuresPane) reload() { p.list.SetRows(featureRows{p}) }

// highlighted is the key of the feature under the cursor ("": none).
func (p *featuresPane) highlighted() string {
	if f := p.list.Cursor(); f >= 0 && f < len(p.org.features) {
		return p.org.features[f].f.String()
	}
	return ""
}

func (p *featuresPane) Bindings() []*ui.Binding { return ui.ListNav(p.list, nil) }

// SetSize: the features are few enough to show whole (a page is all of them).
func (p *featuresPane) SetSize(w, h int) { p.list.SetSize(w, len(store.Features())) }

// Update: the pane moves by its bindings only.
func (p *featuresPane) Update(tea.Msg) tea.Cmd { return nil }

func (p *featuresPane) View(w, h int, focused bool) []string {
	if p.org.denied != "" {
		return nil
	}
	th := p.host.Theme()
	var out []string
	for i, c := range p.org.features {
		if focused && i == p.list.Cursor() {
			out = append(out, th.Cursor.Render(ui.Fit("› "+c.f.Title(), w)))
		} else {
			for _, l := range ui.WrapLines(c.f.Title(), w) {
				out = append(out, th.Bold.Render(l))
			}
		}
		out = append(out,
			fmt.Sprintf("  org %s · allow %d · deny %d", p.org.st.Value(c.f.String()), c.allow, c.deny),
			fmt.Sprintf("  on for %d of %d employees", c.on, c.people),
			"")
	}
	for _, l := range ui.WrapLines("Client users follow the org value.", w) {
		out = append(out, th.Muted.Render(l))
	}
	return out
}

// featureRows are the org features; their pane draws them itself, on
// several lines each.
type featureRows struct{ p *featuresPane }

func (r featureRows) Len() int                              { return len(r.p.org.features) }
func (r featureRows) Key(i int) int                         { return i }
func (r featureRows) Selectable(int) bool                   { return true }
func (r featureRows) Render(i, w int, st list.State) string { return r.p.org.features[i].f.Title() }
