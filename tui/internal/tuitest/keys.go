package tuitest

import (
	"fmt"
	"reflect"
	"regexp"
	"runtime"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	tea "charm.land/bubbletea/v2"
)

// Key turns a key name ("down", "ctrl+s", "a", "enter") into the message
// bubbletea sends for it.
func Key(k string) tea.KeyPressMsg {
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
	return RuneKey(k)
}

// RuneKey is the message for typed text: one character, as bubbletea
// decodes it (an upper-case letter is its lower case with shift).
func RuneKey(text string) tea.KeyPressMsg {
	r, _ := utf8.DecodeRuneInString(text)
	k := tea.KeyPressMsg{Code: r, Text: text}
	if unicode.IsUpper(r) {
		k.Code, k.ShiftedCode, k.Mod = unicode.ToLower(r), r, tea.ModShift
	}
	return k
}

// Press sends keys to the console, running any command that comes back once
// (enough for forms, which answer with focus and blink commands).
func Press(m tea.Model, keys ...string) {
	for _, k := range keys {
		_, cmd := m.Update(Key(k))
		Drain(m, cmd, 6)
	}
}

// Type sends literal text, rune by rune.
func Type(m tea.Model, s string) {
	for _, r := range s {
		_, cmd := m.Update(RuneKey(string(r)))
		Drain(m, cmd, 6)
	}
}

// TypeQuick types text without running the commands each rune returns (a
// field's blink, a screen's reads): the test runs what it needs after.
func TypeQuick(m tea.Model, s string) {
	for _, r := range s {
		m.Update(RuneKey(string(r)))
	}
}

// Drain runs a command and feeds its messages back, following batches and
// sequences to a small depth. It waits for every command however slow (an
// index build, an audit read on a busy machine) except those that wait on a
// clock or on the store's next change (notWaitedFor): those it does not run.
func Drain(m tea.Model, cmd tea.Cmd, depth int) {
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
		// no *testing.T here (Press has none): the panic fails the test
		// with the command named, where dropping it would hide the hang
		panic(fmt.Sprintf("drain: command %s did not return in %v: it hangs, or it waits on a clock or an event and notWaitedFor should name it", name, cmdDeadline))
	}
	switch msg := msg.(type) {
	case nil, tea.QuitMsg:
	case tea.BatchMsg:
		for _, c := range msg {
			Drain(m, c, depth-1)
		}
	default:
		if cmds, ok := sequence(msg); ok {
			for _, c := range cmds {
				Drain(m, c, depth-1)
			}
			return
		}
		_, next := m.Update(msg)
		Drain(m, next, depth-1)
	}
}

// Run runs a command and its batch synchronously, feeding messages back.
// Unlike Drain it runs every command, timers included, and waits for each.
func Run(m tea.Model, cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	switch msg := cmd().(type) {
	case tea.BatchMsg:
		for _, c := range msg {
			Run(m, c)
		}
	case nil:
	default:
		_, next := m.Update(msg) // the console starts the screen's next background work
		Run(m, next)
	}
}

// notWaitedFor matches the functions of the commands Drain does not run:
// the store subscription's wait for the next change event (waitEvent; a test
// that wants the event takes it from the subscription itself), the cursor's
// blink and bubbletea's timers (Tick, Every; a test that needs one runs it
// with Run). Each would block on the clock or forever, and none is work
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
