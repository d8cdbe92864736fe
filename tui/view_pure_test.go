package tui

import (
	"fmt"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/gatehouse/gatehouse/store"
)

// pureStep is one thing done to a console: a few messages.
type pureStep struct {
	name string
	msgs []tea.Msg
}

func pressing(ks ...string) pureStep {
	msgs := make([]tea.Msg, len(ks))
	for i, k := range ks {
		msgs[i] = keyMsg(k)
	}
	return pureStep{fmt.Sprint(ks), msgs}
}

func typing(s string) pureStep {
	var msgs []tea.Msg
	for _, r := range s {
		msgs = append(msgs, runeKey(string(r)))
	}
	return pureStep{"type " + s, msgs}
}

func resizing(w, h int) pureStep {
	return pureStep{fmt.Sprintf("%dx%d", w, h), []tea.Msg{tea.WindowSizeMsg{Width: w, Height: h}}}
}

func clicking(x, y int) pureStep {
	return pureStep{fmt.Sprintf("click %d,%d", x, y), []tea.Msg{tea.MouseClickMsg{X: x, Y: y, Button: tea.MouseLeft}}}
}

func wheeling(x, y int, down bool) pureStep {
	b := tea.MouseWheelUp
	if down {
		b = tea.MouseWheelDown
	}
	return pureStep{fmt.Sprintf("wheel %d,%d", x, y), []tea.Msg{tea.MouseWheelMsg{X: x, Y: y, Button: b}}}
}

// replay feeds steps to a new console, drawing it after every message when
// draw is set. Commands are not run: what they would bring (History's
// background reads) is answered the same way for every console after each
// step, so two consoles fed the same steps get the same messages.
func replay(t *testing.T, s *store.Store, steps []pureStep, draw bool, after func(i int, app *App)) {
	t.Helper()
	app := newTestApp(t, s, nil, 120, 40)
	for i, st := range steps {
		for _, m := range st.msgs {
			app.Update(m)
			if draw {
				_ = app.View()
			}
		}
		if h, ok := app.screens[3].(*historyScreen); ok {
			answer(&h.verify)
			answer(&h.entries)
			answer(&h.batch)
			app.Update(jobDoneMsg{})
			if draw {
				_ = app.View()
			}
		}
		if after != nil {
			after(i, app)
		}
	}
}

// answer answers a job's newest request on the spot, unless it is answered.
func answer[K comparable, R any](j *job[K, R]) {
	if _, _, fresh := j.answer(); !fresh {
		j.now()
	}
}

// View changes nothing: a console drawn after every message and consoles
// never drawn until the end, fed the same messages, show the same frame
// after every step — through scrolling, paging, filtering, focus changes,
// clicks, the wheel and resizes, on each screen whose panes are lists.
func TestViewChangesNothing(t *testing.T) {
	s := newTestStore(t, 200)
	for _, sc := range []struct {
		name  string
		steps []pureStep
	}{
		{"Users", []pureStep{
			pressing("1"), pressing("pgdown", "pgdown", "down"), resizing(80, 24), pressing("pgdown"),
			wheeling(40, 8, true), clicking(20, 9), pressing("space", "down", "space", "V"),
			pressing("/"), typing("an"), pressing("enter"), pressing("end", "pgup"),
			resizing(200, 60), pressing("ctrl+a"), pressing("tab"), pressing("down", "pgdown"),
			pressing("shift+tab", "shift+tab"), pressing("down", "right"), clicking(5, 4),
			resizing(60, 20), pressing("tab", "pgdown"), resizing(120, 40), pressing("esc", "home"),
		}},
		{"Sites & teams", []pureStep{
			pressing("space", "down", "space", "enter"), pressing("tab"), pressing("pgdown", "down"), resizing(80, 24),
			pressing("pgdown", "space", "right"), wheeling(60, 10, true), clicking(60, 8), pressing("tab"),
			pressing("down", "end", "left"), pressing("/"), typing("a"), pressing("enter"), resizing(200, 60),
			pressing("shift+tab", "ctrl+a"), pressing("home", "pgdown"), resizing(60, 20), pressing("tab", "pgdown"),
			resizing(120, 40), clicking(50, 5), wheeling(100, 6, false),
		}},
		{"Permissions", []pureStep{
			pressing("3"), pressing("pgdown", "down"), resizing(80, 24), pressing("pgdown", "right", "right"),
			wheeling(60, 10, true), clicking(70, 8), pressing("shift+tab"), pressing("down", "space", "down", "space"),
			pressing("tab"), pressing("end", "v", "pgup"), pressing("/"), typing("s"), pressing("enter"),
			resizing(200, 60), pressing("tab"), pressing("down", "end", "home"), resizing(60, 20),
			pressing("tab", "pgdown", "left"), resizing(120, 40), clicking(5, 5),
		}},
		{"History", []pureStep{
			pressing("4"), pressing("pgdown", "down"), resizing(80, 24), pressing("pgdown"),
			wheeling(40, 10, true), clicking(30, 8), pressing("tab"), pressing("down", "pgdown", "end", "up"),
			pressing("/"), typing("user"), pressing("enter"), pressing("shift+tab", "pgdown"),
			resizing(200, 60), pressing("shift+tab"), pressing("down", "down", "right"), clicking(5, 2),
			resizing(60, 20), pressing("tab", "end"), resizing(120, 40), pressing("home"),
		}},
		{"Clients & sites", []pureStep{
			pressing("5"), pressing("pgdown", "down"), resizing(80, 24), pressing("pgdown"),
			wheeling(30, 10, true), clicking(30, 7), pressing("shift+tab"), pressing("down", "down", "pgdown", "up"),
			pressing("tab", "tab"), pressing("down", "end"), resizing(200, 60), pressing("shift+tab"),
			pressing("/"), typing("e"), pressing("enter"), pressing("right", "down"), clicking(10, 4),
			resizing(60, 20), pressing("tab", "pgdown"), resizing(120, 40),
		}},
		{"Invitations & outbox", []pureStep{
			pressing("6"), pressing("pgdown", "down"), resizing(80, 24), pressing("pgdown"),
			wheeling(30, 10, true), clicking(30, 7), pressing("shift+tab"), pressing("down", "pgdown", "up"),
			pressing("/"), typing("a"), pressing("enter"), resizing(200, 60), pressing("tab", "end"),
			clicking(10, 5), pressing("s", "s"), resizing(60, 20), pressing("tab", "pgdown"), resizing(120, 40),
		}},
		{"Settings", []pureStep{
			pressing("7"), pressing("shift+tab"), pressing("down", "down", "pgdown", "up"), resizing(80, 24),
			clicking(5, 5), wheeling(5, 5, true), pressing("tab", "tab"), pressing("down", "end"),
			resizing(200, 60), pressing("home"), resizing(60, 20), pressing("tab", "down"), resizing(120, 40),
		}},
	} {
		t.Run(sc.name, func(t *testing.T) {
			drawn := make([]string, len(sc.steps))
			replay(t, s, sc.steps, true, func(i int, app *App) { drawn[i] = viewOf(app) })
			for k := range sc.steps {
				var got string
				replay(t, s, sc.steps[:k+1], false, func(i int, app *App) {
					if i == k {
						got = viewOf(app)
					}
				})
				if got != drawn[k] {
					t.Fatalf("after step %d (%s), the console never drawn shows\n%s\nthe console drawn after every message shows\n%s", k+1, sc.steps[k].name, got, drawn[k])
				}
			}
		})
	}
}
