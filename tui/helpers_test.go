package tui

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/gatehouse/gatehouse/store"
)

// Shared by every tui test file. Screen-specific helpers go in that screen's
// test file with the screen's name in theirs.

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

// viewOf is the frame as a terminal without colour shows it: golden files
// and the tests' searches hold no escapes.
func viewOf(app *App) string { return ansi.Strip(app.View().Content) }

// rawView is the frame as the program writes it, the theme's styling included.
func rawView(app *App) string { return app.View().Content }

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
	app := New(s, a, Options{DBPath: "test.db"})
	app.modal = nil // no welcome screen in tests unless a test sets it
	app.Update(tea.WindowSizeMsg{Width: w, Height: h})
	return app
}

// newTestAppWith builds a console for the local operator with opts at w×h.
func newTestAppWith(t testing.TB, s *store.Store, opts Options, w, h int) *App {
	t.Helper()
	app := New(s, store.LocalActor("test"), opts)
	app.modal = nil
	app.Update(tea.WindowSizeMsg{Width: w, Height: h})
	return app
}

// keyMsg turns a key name ("down", "ctrl+s", "a", "enter") into the message
// bubbletea sends for it.
func keyMsg(k string) tea.KeyPressMsg {
	named := map[string]rune{
		"enter": tea.KeyEnter, "esc": tea.KeyEscape, "tab": tea.KeyTab,
		"up": tea.KeyUp, "down": tea.KeyDown, "left": tea.KeyLeft, "right": tea.KeyRight,
		"pgup": tea.KeyPgUp, "pgdown": tea.KeyPgDown, "home": tea.KeyHome, "end": tea.KeyEnd,
		"backspace": tea.KeyBackspace, "delete": tea.KeyDelete,
	}
	if c, ok := named[k]; ok {
		return tea.KeyPressMsg{Code: c}
	}
	switch {
	case k == "space":
		return tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}
	case k == "shift+tab":
		return tea.KeyPressMsg{Code: tea.KeyTab, Mod: tea.ModShift}
	case strings.HasPrefix(k, "ctrl+"):
		r, _ := utf8.DecodeRuneInString(k[len("ctrl+"):])
		return tea.KeyPressMsg{Code: r, Mod: tea.ModCtrl}
	case strings.HasPrefix(k, "alt+"):
		r, _ := utf8.DecodeRuneInString(k[len("alt+"):])
		return tea.KeyPressMsg{Code: r, Mod: tea.ModAlt}
	}
	return runeKey(k)
}

// runeKey is the message for typed text: one character, as bubbletea
// decodes it (an upper-case letter is its lower case with shift).
func runeKey(text string) tea.KeyPressMsg {
	r, _ := utf8.DecodeRuneInString(text)
	k := tea.KeyPressMsg{Code: r, Text: text}
	if unicode.IsUpper(r) {
		k.Code, k.ShiftedCode, k.Mod = unicode.ToLower(r), r, tea.ModShift
	}
	return k
}

// press sends keys to the app, running any command that comes back once
// (enough for forms, which answer with focus and blink commands).
func press(app *App, keys ...string) {
	for _, k := range keys {
		_, cmd := app.Update(keyMsg(k))
		drain(app, cmd, 6)
	}
}

// typeText sends literal text, rune by rune.
func typeText(app *App, s string) {
	for _, r := range s {
		_, cmd := app.Update(runeKey(string(r)))
		drain(app, cmd, 6)
	}
}

// drain runs a command and feeds its messages back, following batches and
// sequences to a small depth. It waits for every command however slow (an
// index build, an audit read on a busy machine) except those that wait on a
// clock or on the store's next change (notWaitedFor): those it does not run.
func drain(app *App, cmd tea.Cmd, depth int) {
	if cmd == nil || depth == 0 {
		return
	}
	name := cmdName(cmd)
	if notWaitedFor.MatchString(name) {
		return
	}
	done := make(chan tea.Msg, 1)
	go func() { done <- cmd() }()
	var msg tea.Msg
	select {
	case msg = <-done:
	case <-time.After(cmdDeadline):
		// no *testing.T here (press has none): the panic fails the test
		// with the command named, where dropping it would hide the hang
		panic(fmt.Sprintf("drain: command %s did not return in %v: it hangs, or it waits on a clock or an event and notWaitedFor should name it", name, cmdDeadline))
	}
	switch m := msg.(type) {
	case nil, tea.QuitMsg:
	case tea.BatchMsg:
		for _, c := range m {
			drain(app, c, depth-1)
		}
	default:
		if cmds, ok := sequence(m); ok {
			for _, c := range cmds {
				drain(app, c, depth-1)
			}
			return
		}
		_, next := app.Update(m)
		drain(app, next, depth-1)
	}
}

// notWaitedFor matches the functions of the commands drain does not run:
// the store subscription's wait for the next change event (waitEvent; a test
// that wants the event takes it from the subscription itself), the cursor's
// blink and bubbletea's timers (Tick, Every; a test that needs one runs it
// with runCmd). Each would block on the clock or forever, and none is work
// a screen needs to settle. Matched on the function's last names, which
// stay the same when the compiler inlines the maker into its caller.
var notWaitedFor = regexp.MustCompile(`\.(waitEvent|Blink|Tick|Every)\.func\d+$`)

// cmdDeadline ends a test whose command never returns. It is no measure of
// speed: the slowest command a test runs takes a fraction of it with the
// cores busy and the race detector on.
const cmdDeadline = 2 * time.Minute

// cmdName is the function a command is, e.g.
// "charm.land/bubbles/v2/cursor.(*Model).Blink.func1".
func cmdName(cmd tea.Cmd) string {
	return runtime.FuncForPC(reflect.ValueOf(cmd).Pointer()).Name()
}

// sequence reads tea.Sequence's message, a list of commands whose type
// bubbletea does not export (huh loads a select's options through one).
func sequence(msg tea.Msg) ([]tea.Cmd, bool) {
	v := reflect.ValueOf(msg)
	if v.Kind() != reflect.Slice || v.Type().Elem() != reflect.TypeFor[tea.Cmd]() {
		return nil, false
	}
	cmds := make([]tea.Cmd, v.Len())
	for i := range cmds {
		cmds[i] = v.Index(i).Interface().(tea.Cmd)
	}
	return cmds, true
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
		if n := ansi.StringWidth(l); n > w {
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
