package tui

import (
	"fmt"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
)

// Every screen fits every size, including 60×20 (one pane at a time).
func TestEveryScreenFits(t *testing.T) {
	s := newTestStore(t, 60)
	for _, sz := range append(sizes, struct{ w, h int }{60, 20}) {
		app := newTestApp(t, s, nil, sz.w, sz.h)
		for i := range app.screens {
			app.switchTo(i)
			for f := 0; f < 3; f++ {
				app.focus[i] = f
				t.Run(fmt.Sprintf("%dx%d/%s/pane%d", sz.w, sz.h, app.current().Name(), f), func(t *testing.T) {
					checkFits(t, viewOf(app), sz.w, sz.h)
				})
			}
		}
	}
}

// Resizing re-lays out at once: three panes, two, one.
func TestLayoutFollowsWidth(t *testing.T) {
	s := newTestStore(t, 20)
	app := newTestApp(t, s, nil, 200, 60)
	if !strings.Contains(viewOf(app), "Filters") {
		t.Error("200 columns: no Filters pane")
	}
	app.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	v := viewOf(app)
	if strings.Contains(v, "─ Filters") || !strings.Contains(v, "tab: filters") {
		t.Error("100 columns: the filters should fold into the header line")
	}
	app.Update(tea.WindowSizeMsg{Width: 60, Height: 20})
	v = viewOf(app)
	if !strings.Contains(v, "tab: next pane") || strings.Contains(v, "─ Details") {
		t.Errorf("60 columns: want one pane with pane tabs:\n%s", v)
	}
}
