package tui

import (
	"fmt"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/gatehouse/gatehouse/internal/hostile"
	"github.com/gatehouse/gatehouse/store"
	"github.com/gatehouse/gatehouse/tui/permissions"
	"github.com/gatehouse/gatehouse/tui/sites"
	"github.com/gatehouse/gatehouse/tui/ui"
)

// Nothing a user typed can drive another person's terminal: every screen
// and pane of the console, its help, forms, confirmations and status line,
// drawn over a copy of the hostile fixture (every text field holds escape
// sequences, controls and invisible characters, written below the input
// rules as an old file would hold them), holds nothing but the theme's SGR
// styling a terminal would act on, and fits its size exactly: no newline of
// the data added a line.

func openHostile(t *testing.T) *store.Store {
	t.Helper()
	s, err := store.Open(hostile.Copy(t), store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// hostileViewer draws an app and checks every frame it is asked to.
type hostileViewer struct {
	t     *testing.T
	app   *App
	w, h  int
	name  string
	shown map[string]bool // screens whose frames showed the payload, escaped
}

func (v *hostileViewer) check(what string) string {
	v.t.Helper()
	frame := rawView(v.app)
	where := fmt.Sprintf("%s %dx%d, %s on %s", v.name, v.w, v.h, what, v.app.current().Name())
	if p := hostile.Problem(frame, false); p != "" {
		v.t.Fatalf("%s: %s\n%s", where, p, frame)
	}
	// a newline of the data that got through would add a line to the
	// frame (panes wrap escaped text, so a wrapped line may well start
	// with the payload's "FORGED": the count is the test here)
	lines := strings.Split(frame, "\n")
	if len(lines) != v.h {
		v.t.Fatalf("%s: %d lines, want %d\n%s", where, len(lines), v.h, frame)
	}
	for i, l := range lines {
		if n := lipgloss.Width(l); n > v.w {
			v.t.Fatalf("%s: line %d is %d cells wide (> %d): %q", where, i, n, v.w, l)
		}
	}
	if strings.Contains(frame, `\x1b]52;c;SE9TVElMRQ==\x07`) {
		v.shown[v.app.current().Name()] = true
	}
	return frame
}

// keys presses keys and checks the frame after each. The commands keys
// return are not run (forms answer with cursor blinks, which only sleep):
// what matters here is every frame drawn, not where the keys lead.
func (v *hostileViewer) keys(what string, ks ...string) {
	v.t.Helper()
	for _, k := range ks {
		v.app.Update(keyMsg(k))
		v.check(what + " after " + k)
	}
}

// settle closes whatever the keys opened: a dialog, the filter or palette
// line (esc clears a filter), a message.
func (v *hostileViewer) settle(screen int) {
	if v.app.inputMode != inputNone {
		v.app.Update(keyMsg("esc"))
	}
	v.app.modal, v.app.msg = nil, ""
	v.app.cur = screen
}

// sweep draws every screen and pane, walks each list, and opens the help
// and the forms and confirmations each screen offers, closing each again.
func (v *hostileViewer) sweep() {
	t := v.t
	for i := range v.app.screens {
		v.app.modal, v.app.inputMode = nil, inputNone
		press(v.app, fmt.Sprint(i+1)) // and run what it starts (History verifies the chain)
		v.check("shown")
		for pane := 0; pane < 3; pane++ {
			v.app.focus[v.app.cur] = pane
			v.check(fmt.Sprintf("pane %d", pane))
			for j := 0; j < 12; j++ {
				v.keys(fmt.Sprintf("pane %d row %d", pane, j), "down")
			}
			for _, k := range []string{"right", "left", "home"} {
				v.keys(fmt.Sprintf("pane %d", pane), k)
				v.settle(i)
			}
		}
		v.app.focus[v.app.cur] = 1
		v.keys("help", "?", "down", "down")
		v.app.modal = nil
		for _, k := range []string{"a", "e", "p", "K", "x", "C", "S", "i", "d", "w", "enter", "r", "t", "U", "h"} {
			v.app.focus[v.app.cur] = 1
			v.keys("key "+k, k)
			if v.app.modal != nil {
				v.keys("in the dialog of "+k, "tab", "down", "tab")
			}
			v.settle(i)
		}
	}
	if t.Failed() {
		return
	}
	// the palette: a check quotes the user and the reason
	v.app.cur = 0
	v.keys("the palette", ":")
	for _, r := range "check " + hostile.AdminEmail + " roster view" {
		v.app.Update(runeKey(string(r)))
	}
	v.check("typing in the palette")
	v.keys("the palette's check", "enter")
	// History: filter on the highlighted entry's actor, then edit that filter
	if len(v.app.screens) > 3 {
		v.app.cur = 3
		v.app.focus[v.app.cur] = 1
		v.keys("history: filter by actor", "w")
		v.app.focus[v.app.cur] = 0
		v.keys("history: the actor filter", "down", "enter")
	}
}

func TestHostileConsole(t *testing.T) {
	for _, who := range []struct {
		name  string
		email string // "": the local operator
	}{{"the local operator", ""}, {"the admin", hostile.AdminEmail}, {"a client user (self-service)", hostile.Of("cleo.client@fixture.test")}} {
		for _, r := range []struct {
			name string
			dark bool
		}{{"dark background", true}, {"light background", false}} {
			for _, sz := range []struct{ w, h int }{{80, 24}, {120, 40}, {200, 60}} {
				// a fresh copy each time: the sweep presses editing keys too
				s := openHostile(t)
				actor := store.LocalActor("test")
				if who.email != "" {
					var err error
					if actor, err = s.ActorFor(who.email); err != nil {
						t.Fatal(err)
					}
				}
				app := New(s, actor, testScreens, Options{DBPath: "hostile.db"})
				app.th = ui.NewTheme(r.dark)
				app.modal = nil
				app.Update(tea.WindowSizeMsg{Width: sz.w, Height: sz.h})
				v := &hostileViewer{t: t, app: app, w: sz.w, h: sz.h, name: who.name + " (" + r.name + ")", shown: map[string]bool{}}
				v.sweep()
				for _, sc := range app.screens {
					if !v.shown[sc.Name()] && sz.w >= 120 {
						t.Errorf("%s %dx%d: %s never showed the data (escaped)", v.name, sz.w, sz.h, sc.Name())
					}
				}
				app.Close()
				if t.Failed() {
					return
				}
			}
		}
	}
}

// A change made elsewhere is flashed with its actor and summary: someone
// else's words, shown in this console.
func TestHostileChangeEventFlash(t *testing.T) {
	s := openHostile(t)
	app := New(s, store.LocalActor("test"), testScreens, Options{})
	app.modal = nil
	app.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	admin, err := s.ActorFor(hostile.AdminEmail)
	if err != nil {
		t.Fatal(err)
	}
	cs, err := s.Apply(admin, "users remove-key "+hostile.Payload, func(tx *store.Tx) error {
		_, err := tx.AddClient("Fresh client")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	app.Update(eventMsg{ev: store.Event{Batch: cs.Batch, Actor: cs.Actor, Summary: cs.Summary, Refs: cs.Refs()}})
	frame := rawView(app)
	hostile.Check(t, "the flash of a change made elsewhere", frame, false)
	if !strings.Contains(frame, `ada.admin@fixture.test\x1b]52`) {
		t.Fatalf("the flash does not name the actor, escaped:\n%s", frame)
	}
}

// The guard behind the screens: text a screen forgot to make safe still
// reaches the terminal as something to read.
func TestConsoleViewGuardsWhatAScreenForgets(t *testing.T) {
	s := newTestStore(t, 0)
	app := newTestApp(t, s, nil, 120, 40)
	app.msg = "forgotten " + hostile.Clipboard + hostile.Move + hostile.C1 + hostile.Invisible // not through flash
	frame := rawView(app)
	hostile.Check(t, "a status line set without flash", frame, false)
	if !strings.Contains(frame, `forgotten \x1b]52;c;SE9TVElMRQ==\x07\x1b[2J\x1b[1;1HMOVED\u009b2J\u202e`) {
		t.Fatalf("the guard did not show the forgotten text, escaped:\n%s", frame)
	}
}

// What only pending edits and other people's changes show: the chosen
// users of Sites & teams (a client user among them), a pending move whose
// user someone else changed meanwhile, a pending matrix cell on a client
// profile (guardrail warnings) whose profile someone else changed.
func TestHostileConsolePendingAndConflicts(t *testing.T) {
	s := openHostile(t)
	admin, err := s.ActorFor(hostile.AdminEmail)
	if err != nil {
		t.Fatal(err)
	}
	for _, sz := range []struct{ w, h int }{{80, 24}, {120, 40}, {200, 60}} {
		app := New(s, store.LocalActor("test"), testScreens, Options{})
		app.modal = nil
		app.Update(tea.WindowSizeMsg{Width: sz.w, Height: sz.h})
		v := &hostileViewer{t: t, app: app, w: sz.w, h: sz.h, name: "pending edits", shown: map[string]bool{}}
		changeElsewhere := func(what string, fn func(tx *store.Tx) error) {
			t.Helper()
			cs, err := s.Apply(admin, what+hostile.Payload, fn)
			if err != nil {
				t.Fatal(err)
			}
			app.Update(eventMsg{ev: store.Event{Batch: cs.Batch, Actor: cs.Actor, Summary: cs.Summary, Refs: cs.Refs()}})
			v.check("after a change made elsewhere: " + what)
		}

		var everyone []*store.User
		s.EachUser(func(u *store.User) { everyone = append(everyone, u) })
		client, err := s.User(hostile.Of("cleo.client@fixture.test"))
		if err != nil {
			t.Fatal(err)
		}
		// Sites & teams: one client user, then everyone at once
		app.switchTo(1)
		app.screens[1].(*sites.Screen).SetWho([]*store.User{client})
		for pane := 0; pane < 3; pane++ {
			app.focus[app.cur] = pane
			v.check(fmt.Sprintf("the client user's sites, pane %d", pane))
		}
		app.screens[1].(*sites.Screen).SetWho(everyone)
		v.check("everyone's sites")
		app.focus[app.cur] = 1
		v.keys("moving a site", "down", "right", "down", "enter")
		if app.current().Pending() == 0 {
			t.Fatalf("%dx%d: no move is pending", sz.w, sz.h)
		}
		changeElsewhere("feature ", func(tx *store.Tx) error {
			u, err := tx.UserByEmail(hostile.AdminEmail)
			if err != nil {
				return err
			}
			return tx.SetFeature(u.ID, u.Version, store.FeatureMobileApp, store.Deny)
		})
		app.focus[app.cur] = 0
		v.check("the conflict, in Who")
		app.current().Discard()

		// Permissions: a client profile given maintain, then changed elsewhere
		app.switchTo(2)
		app.focus[app.cur] = 0
		var clientProfile *store.Profile
		for _, p := range s.Profiles() {
			if p.Type == store.ClientUser {
				clientProfile = p
				app.screens[2].(*permissions.Screen).SelectProfile(p.ID)
			}
		}
		app.focus[app.cur] = 1
		v.keys("a pending cell on a client profile", "down", "m", "down", "m")
		if app.current().Pending() == 0 {
			t.Fatalf("%dx%d: no cell is pending", sz.w, sz.h)
		}
		changeElsewhere("grant ", func(tx *store.Tx) error { return tx.Grant(clientProfile.Name, 0, "dashboard", store.View) })
		app.focus[app.cur] = 2
		frame := v.check("the preview's conflict")
		if !strings.Contains(frame, "Conflict") {
			t.Fatalf("%dx%d: no conflict in the preview:\n%s", sz.w, sz.h, frame)
		}
		if sz.h >= 40 && !strings.Contains(frame, "Guardrail") {
			t.Fatalf("%dx%d: no guardrail warning in the preview:\n%s", sz.w, sz.h, frame)
		}
		app.current().Discard()
		changeElsewhere("grant back ", func(tx *store.Tx) error { return tx.Grant(clientProfile.Name, 0, "dashboard", store.None) })
		app.Close()
	}
}
