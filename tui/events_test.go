package tui

import (
	"io"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/gatehouse/gatehouse/store"
)

// A change event after a quiet spell is delivered at once; a storm of them
// is gathered until eventGap has passed since the last delivery, so a
// hundred consoles do not each redraw once per event. In a synctest bubble
// the clock moves only when every goroutine in it waits, so the times below
// are exact however busy the machine is.
func TestWaitEventGathersStorms(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ch := make(chan store.Event, 16)
		ch <- store.Event{Batch: 1}
		start := time.Now()
		m := waitEvent(ch, time.Time{})().(eventMsg)
		if took := time.Since(start); took != 0 || m.ev.Batch != 1 || len(m.more) != 0 {
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
		if took := time.Since(last); took != eventGap {
			t.Fatalf("a storm was delivered %v after the last delivery, want at the gap of %v", took, eventGap)
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
		if took := time.Since(last); took != signInGap || 1+len(m.more) != 2 {
			t.Fatalf("sign-ins came as %d events after %v, want both after the sign-in gap of %v", 1+len(m.more), took, signInGap)
		}
		last = time.Now()
		ch <- store.Event{Batch: 7, Summary: "sign in", SignIn: true, Changes: store.ChangedSignIn}
		go func() {
			time.Sleep(eventGap / 3)
			ch <- store.Event{Batch: 8, Summary: "add client"}
		}()
		m = waitEvent(ch, last)().(eventMsg)
		if took := time.Since(last); took != eventGap || 1+len(m.more) != 2 {
			t.Fatalf("a sign-in and a change came as %d events after %v, want both after the short gap of %v", 1+len(m.more), took, eventGap)
		}

		close(ch)
		if msg := waitEvent(ch, time.Time{})(); msg != nil {
			t.Fatalf("a closed subscription delivered %v", msg)
		}
	})
}

// Nothing is drawn before the terminal's size is known (bubbletea draws once
// before it arrives); the frame after it is the whole screen.
func TestNoFrameBeforeTheSize(t *testing.T) {
	s := newTestStore(t, 20)
	app := New(s, store.LocalActor("test"), Options{DBPath: "test.db"})
	app.modal = nil
	if v := viewOf(app); v != "" {
		t.Fatalf("a frame before the size:\n%s", v)
	}
	app.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	if v := viewOf(app); !strings.Contains(v, "Employees (") {
		t.Fatalf("no list after the size:\n%s", v)
	}
}

// Keys typed while the console was busy reach it together, in one read;
// bubbletea v2 decodes each as a key of its own: "/zo" opens the filter and
// types "zo" into it (v1 handed over one message with several runes, which
// matched no binding). A paste stays one message: into the filter, whole,
// not read as keys ("q3" would quit). Through a real program, its input one
// pipe.
func TestTypedAheadKeysActOneByOne(t *testing.T) {
	s := newTestStore(t, 200)
	app := New(s, store.LocalActor("test"), Options{})
	app.modal = nil
	in, out := io.Pipe()
	p := tea.NewProgram(app, tea.WithInput(in), tea.WithOutput(io.Discard), tea.WithWindowSize(120, 40), tea.WithoutSignals())
	done := make(chan error, 1)
	go func() { _, err := p.Run(); done <- err }()
	// typed ahead, then kept; a paste into a second filter, kept; quit
	if _, err := io.WriteString(out, "/zo\r/\x1b[200~q3\x1b[201~\rq"); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	app.Close()
	if app.cur != 0 || app.users.filter() != "zoq3" {
		t.Fatalf("after typing ahead and a paste: screen %d, filter %q; want screen 1, filter \"zoq3\" (\"zo\" typed, kept, then \"q3\" pasted after it)", app.cur+1, app.users.filter())
	}
}
