package tui

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/gatehouse/gatehouse/store"
)

// Shared by every tui test file. Screen-specific helpers go in that screen's
// test file with the screen's name in theirs.

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

// asciiRenderer pins colour to plain ASCII so golden files hold no escapes.
func asciiRenderer() *lipgloss.Renderer {
	r := lipgloss.NewRenderer(&bytes.Buffer{})
	r.SetColorProfile(termenv.Ascii)
	r.SetHasDarkBackground(true)
	return r
}

// newTestStore opens a fresh database in a temp dir. With demoUsers > 0 it
// holds the (deterministic) demo data.
func newTestStore(t testing.TB, demoUsers int) *store.Store {
	t.Helper()
	s, err := store.Open(filepath.Join(t.TempDir(), "tui.db"), store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if demoUsers > 0 {
		if _, err := s.Demo(store.LocalActor("test"), store.DemoOptions{Users: demoUsers}); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

// newTestApp builds a console for actor (local operator when nil) at w×h.
func newTestApp(t testing.TB, s *store.Store, actor *store.Actor, w, h int) *App {
	t.Helper()
	a := store.LocalActor("test")
	if actor != nil {
		a = *actor
	}
	app := New(s, a, asciiRenderer(), Options{DBPath: "test.db"})
	app.modal = nil // no welcome screen in tests unless a test sets it
	app.Update(tea.WindowSizeMsg{Width: w, Height: h})
	return app
}

// keyMsg turns a key name ("down", "ctrl+s", "a", "enter") into a message.
func keyMsg(k string) tea.KeyMsg {
	named := map[string]tea.KeyType{
		"enter": tea.KeyEnter, "esc": tea.KeyEsc, "tab": tea.KeyTab, "shift+tab": tea.KeyShiftTab,
		"up": tea.KeyUp, "down": tea.KeyDown, "left": tea.KeyLeft, "right": tea.KeyRight,
		"pgup": tea.KeyPgUp, "pgdown": tea.KeyPgDown, "home": tea.KeyHome, "end": tea.KeyEnd,
		"space": tea.KeySpace, "backspace": tea.KeyBackspace, "delete": tea.KeyDelete,
		"ctrl+a": tea.KeyCtrlA, "ctrl+c": tea.KeyCtrlC, "ctrl+s": tea.KeyCtrlS, "ctrl+z": tea.KeyCtrlZ,
		"ctrl+r": tea.KeyCtrlR, "ctrl+d": tea.KeyCtrlD, "ctrl+u": tea.KeyCtrlU,
	}
	if t, ok := named[k]; ok {
		if t == tea.KeySpace {
			return tea.KeyMsg{Type: tea.KeySpace, Runes: []rune{' '}}
		}
		return tea.KeyMsg{Type: t}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)}
}

// press sends keys to the app, running any command that comes back once
// (enough for forms, which answer with focus and blink commands).
func press(app *App, keys ...string) {
	for _, k := range keys {
		_, cmd := app.Update(keyMsg(k))
		drain(app, cmd, 3)
	}
}

// typeText sends literal text, rune by rune.
func typeText(app *App, s string) {
	for _, r := range s {
		_, cmd := app.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
		drain(app, cmd, 3)
	}
}

// drain runs a command and feeds its messages back, to a small depth. Ticks
// (cursor blinks) are skipped: they would only sleep.
func drain(app *App, cmd tea.Cmd, depth int) {
	if cmd == nil || depth == 0 {
		return
	}
	done := make(chan tea.Msg, 1)
	go func() { done <- cmd() }()
	var msg tea.Msg
	select {
	case msg = <-done:
	case <-timeAfter():
		return // a blink or a wait: not needed to settle
	}
	switch m := msg.(type) {
	case nil:
	case tea.BatchMsg:
		for _, c := range m {
			drain(app, c, depth-1)
		}
	case tea.QuitMsg, eventMsg:
	default:
		_, next := app.Update(m)
		drain(app, next, depth-1)
	}
}

// golden compares a settled screen with testdata/NAME.golden (-update rewrites).
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	got = strings.TrimRight(got, "\n") + "\n"
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./tui -run %s -update to create it)", err, t.Name())
	}
	if got != string(want) {
		t.Errorf("screen %s differs from %s:\n--- got ---\n%s\n--- want ---\n%s", name, path, got, want)
	}
}

// checkFits asserts a view is exactly h lines of at most w cells.
func checkFits(t *testing.T, view string, w, h int) {
	t.Helper()
	lines := strings.Split(view, "\n")
	if len(lines) != h {
		t.Errorf("view has %d lines, want %d", len(lines), h)
	}
	for i, l := range lines {
		if n := lipgloss.Width(l); n > w {
			t.Errorf("line %d is %d cells wide (> %d): %q", i, n, w, l)
		}
	}
}

var sizes = []struct{ w, h int }{{80, 24}, {120, 40}, {200, 60}}

// actorOnNewProfile moves a Basic employee onto a new profile copied from
// base with these screens set, and acts as them.
func actorOnNewProfile(t testing.TB, s *store.Store, name, base string, levels map[string]store.Level) store.Actor {
	t.Helper()
	basic, _ := s.Users(store.UserFilter{Profile: "Basic"})
	u := basic[0]
	if _, err := s.Apply(store.LocalActor("test"), "profile "+name, func(tx *store.Tx) error {
		if _, err := tx.CreateProfile(name, store.Employee, base); err != nil {
			return err
		}
		for screen, l := range levels {
			if err := tx.Grant(name, 0, screen, l); err != nil {
				return err
			}
		}
		_, err := tx.EditUser(u.ID, u.Version, store.UserPatch{Profile: &name})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	actor, err := s.ActorFor(u.Email)
	if err != nil {
		t.Fatal(err)
	}
	return actor
}

// viewerActor is an employee who may view Users & permissions and Sites &
// teams but maintain nothing: the admin screens, read-only.
func viewerActor(t testing.TB, s *store.Store) (store.Actor, *store.User) {
	t.Helper()
	var u *store.User
	_, err := s.Apply(store.LocalActor("test"), "viewer", func(tx *store.Tx) error {
		if _, err := tx.CreateProfile("Viewer", store.Employee, ""); err != nil {
			return err
		}
		for _, sc := range []string{"users", "sites", "clients", "audit", "settings"} {
			if err := tx.Grant("Viewer", 0, sc, store.View); err != nil {
				return err
			}
		}
		if err := tx.SetProfileScope("Viewer", store.ScopeAll); err != nil {
			return err
		}
		var err error
		u, err = tx.AddUser(store.NewUser{First: "Vera", Last: "Viewer", Email: "vera.viewer@staff.test", Type: store.Employee, Profile: "Viewer"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	a, err := s.ActorFor(u.Email)
	if err != nil {
		t.Fatal(err)
	}
	return a, u
}
