package tui

import (
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/gatehouse/gatehouse/store"
)

// A change event after a quiet spell is delivered at once; a storm of them
// is gathered until eventGap has passed since the last delivery, so a
// hundred consoles do not each redraw once per event.
func TestWaitEventGathersStorms(t *testing.T) {
	ch := make(chan store.Event, 16)
	ch <- store.Event{Batch: 1}
	start := time.Now()
	m := waitEvent(ch, time.Time{})().(eventMsg)
	if took := time.Since(start); took >= eventGap*2/3 || m.ev.Batch != 1 || len(m.more) != 0 {
		t.Fatalf("after a quiet spell: %+v in %v, want batch 1 alone at once", m, took)
	}

	// just delivered: the next events arrive one by one within the gap
	last := time.Now()
	go func() {
		for b := uint64(2); b <= 4; b++ {
			ch <- store.Event{Batch: b}
			time.Sleep(eventGap / 6)
		}
	}()
	m = waitEvent(ch, last)().(eventMsg)
	if took := time.Since(last); took < eventGap*9/10 {
		t.Fatalf("a storm was delivered %v after the last delivery, before the gap of %v", took, eventGap)
	}
	if got := 1 + len(m.more); got != 3 || m.ev.Batch != 2 {
		t.Fatalf("the storm came as %d events starting at #%d, want #2–#4 together", got, m.ev.Batch)
	}

	// sign-ins alone wait for the longer gap; a real change among them
	// brings the short gap back
	last = time.Now()
	ch <- store.Event{Batch: 5, Summary: "sign in", SignIn: true, Changes: store.ChangedSignIn}
	go func() {
		time.Sleep(eventGap + eventGap/2)
		ch <- store.Event{Batch: 6, Summary: "sign in", SignIn: true, Changes: store.ChangedSignIn}
	}()
	m = waitEvent(ch, last)().(eventMsg)
	if took := time.Since(last); took < signInGap*9/10 || 1+len(m.more) != 2 {
		t.Fatalf("sign-ins came as %d events after %v, want both after the sign-in gap of %v", 1+len(m.more), took, signInGap)
	}
	last = time.Now()
	ch <- store.Event{Batch: 7, Summary: "sign in", SignIn: true, Changes: store.ChangedSignIn}
	go func() {
		time.Sleep(eventGap / 3)
		ch <- store.Event{Batch: 8, Summary: "add client"}
	}()
	m = waitEvent(ch, last)().(eventMsg)
	if took := time.Since(last); took > signInGap/2 || 1+len(m.more) != 2 {
		t.Fatalf("a sign-in and a change came as %d events after %v, want both after the short gap", 1+len(m.more), took)
	}

	close(ch)
	if msg := waitEvent(ch, time.Time{})(); msg != nil {
		t.Fatalf("a closed subscription delivered %v", msg)
	}
}

// Nothing is drawn before the terminal's size is known (bubbletea draws once
// before it arrives); the frame after it is the whole screen.
func TestNoFrameBeforeTheSize(t *testing.T) {
	s := newTestStore(t, 20)
	app := New(s, store.LocalActor("test"), asciiRenderer(), Options{DBPath: "test.db"})
	app.modal = nil
	if v := app.View(); v != "" {
		t.Fatalf("a frame before the size:\n%s", v)
	}
	app.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	if v := app.View(); !strings.Contains(v, "Employees (") {
		t.Fatalf("no list after the size:\n%s", v)
	}
}

// Keys typed while the console was busy reach it together, as one message
// with several runes; each still acts as a key of its own: "/zo" opens the
// filter and types "zo" into it, "3q" would go to Permissions and quit.
func TestTypedAheadKeysActOneByOne(t *testing.T) {
	s := newTestStore(t, 200)
	app := newTestApp(t, s, nil, 120, 40)
	app.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("/zo")})
	v := app.View()
	if app.inputMode != inputFilter || !strings.Contains(v, "/zo") {
		t.Fatalf("typed ahead \"/zo\": input mode %v, screen:\n%s", app.inputMode, v)
	}
	for _, r := range app.users.rows {
		if !strings.Contains(strings.ToLower(r.u.First+" "+r.u.Last+" "+r.u.Email), "zo") {
			t.Fatalf("%s does not match the filter typed ahead", r.u.Email)
		}
	}
	press(app, "esc", "esc")
	app.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("3")})
	if app.cur != 2 {
		t.Fatalf("a single typed key: screen %d, want Permissions", app.cur+1)
	}
	// a paste stays one message: into the filter, whole
	press(app, "1")
	app.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("/")})
	app.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("q3"), Paste: true})
	if app.cur != 0 || app.inputMode != inputFilter || !strings.Contains(app.View(), "/q3") {
		t.Fatalf("a paste into the filter: screen %d, input mode %v", app.cur+1, app.inputMode)
	}
}
