package settings

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/gatehouse/gatehouse/store"
	"github.com/gatehouse/gatehouse/tui/ui"
)

// runKey runs the binding of bs for key.
func runKey(t *testing.T, bs []*ui.Binding, key string) {
	t.Helper()
	for _, b := range bs {
		for _, k := range b.Keys() {
			if k == key {
				b.Run()
				return
			}
		}
	}
	t.Fatalf("no binding for %q", key)
}

// Each pane's navigation moves its own list: the Settings pane's the
// settings, the Setting pane's the settings too (it has no cursor of its
// own, and shows the one highlighted), the Features pane's the features.
func TestSettingsPanesNavigateTheirLists(t *testing.T) {
	s, c := newClockedStore(t, 60)
	app := newClockedApp(t, s, c, nil, 120, 40)
	press(app, "7")
	scr := settingsOf(app)
	for _, tc := range []struct {
		name     string
		pane     ui.Pane
		keys     []string
		setting  int // the settings' cursor after the keys
		features int // the features' cursor after the keys
	}{
		{"settings", scr.keys, []string{"down", "down"}, 2, 0},
		{"setting", scr.detail, []string{"up"}, 1, 0},
		{"features", scr.features, []string{"end"}, 1, len(store.Features()) - 1},
		{"settings home", scr.keys, []string{"home"}, 0, len(store.Features()) - 1},
	} {
		for _, k := range tc.keys {
			runKey(t, tc.pane.Bindings(), k)
		}
		if got := scr.keys.list.Cursor(); got != tc.setting {
			t.Errorf("%s %v: the settings' cursor on %d, want %d", tc.name, tc.keys, got, tc.setting)
		}
		if got := scr.features.list.Cursor(); got != tc.features {
			t.Errorf("%s %v: the features' cursor on %d, want %d", tc.name, tc.keys, got, tc.features)
		}
	}
	// the Setting pane shows the highlighted setting; a click in the
	// Settings pane highlights another
	scr.keys.Update(ui.PaneMouse{MouseMsg: tea.MouseClickMsg{Button: tea.MouseLeft}, Y: 3})
	if got, want := scr.setting(), store.SettingKeys[3]; got != want {
		t.Fatalf("a click on the fourth row highlighted %s, want %s", got, want)
	}
	if v := scr.detail.View(50, 20, false); len(v) == 0 || !strings.Contains(v[0], store.SettingKeys[3]) {
		t.Errorf("the Setting pane shows %q, not %s", v, store.SettingKeys[3])
	}
	if f := scr.features.highlighted(); f != store.Features()[len(store.Features())-1].String() {
		t.Errorf("the features' highlighted key %q", f)
	}
}
