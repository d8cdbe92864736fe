package keys_test

import (
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/store"
)

// mark is where the output stands now; waitForSince looks only after it.
func (sc *screen) mark() int {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	return sc.out.Len()
}

func (sc *screen) waitForSince(mark int, s string) {
	sc.t.Helper()
	for deadline := time.Now().Add(patience); !sc.seen(mark, s); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			sc.t.Fatalf("no %q on screen after %s since the mark; it shows:\n%s", s, patience, sc.showing())
		}
	}
}

// send types keys, one write each (bubbletea v2 reads keys that arrive
// together one by one: "/sch" is "/", "s", "c", "h").
func (sc *screen) send(keys ...string) {
	sc.t.Helper()
	for _, k := range keys {
		if _, err := sc.in.Write([]byte(k)); err != nil {
			sc.t.Fatalf("typing %q: %v", k, err)
		}
	}
}

// typeText types text one character at a time.
func (sc *screen) typeText(s string) {
	sc.t.Helper()
	for _, r := range s {
		sc.send(string(r))
	}
}

// Key sequences as a terminal sends them.
const (
	keyShiftTab = "\x1b[Z"
	keyHome     = "\x1b[H"
	keyDown     = "\x1b[B"
	keyUp       = "\x1b[A"
	keyPgDown   = "\x1b[6~"
	keyEsc      = "\x1b"
	keyCtrlS    = "\x13"
)

// permissionsCell opens Permissions, highlights the Manager profile and puts
// the cursor on its Scheduler cell, as a person would from the keyboard.
func permissionsCell(sc *screen) {
	sc.t.Helper()
	m := sc.mark()
	sc.send("3")
	sc.waitForSince(m, "Matrix (")
	m = sc.mark()
	sc.send(keyShiftTab, keyHome, keyDown) // Profiles pane: the second profile
	sc.waitForSince(m, "›  Manager")
	m = sc.mark()
	sc.send("\t", "/") // back to the matrix; filter its rows
	sc.typeText("scheduler")
	sc.send("\r")
	sc.waitForSince(m, "Matrix (1 screen × 1 profile)")
}

func managerLevel(t *testing.T, st *store.Store, screen string) store.Level {
	t.Helper()
	p, err := st.Profile("Manager")
	if err != nil {
		t.Fatal(err)
	}
	return p.Level(screen)
}

// Two administrators edit the same profile, each in an SSH console: the
// first save wins; the second is refused with the name of who changed it,
// and nothing of the first is overwritten.
func TestTwoAdminsEditOneProfile(t *testing.T) {
	f := newFixture(t)
	eve := newSigner(t)
	if _, err := f.st.Apply(store.LocalActor("test"), "second admin", func(tx *store.Tx) error {
		u, err := tx.AddUser(store.NewUser{First: "Eve", Last: "Second", Email: "eve@example.com", Type: store.Employee, Profile: "Administrator"})
		if err != nil {
			return err
		}
		_, err = tx.AddKey(u.ID, authorized(eve))
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if l := managerLevel(t, f.st, "scheduler"); l != store.Maintain {
		t.Fatalf("Manager starts with %s on scheduler", l)
	}

	ada := console(t, f.keyClient(emAdmin), "dumb")
	ev := console(t, f.keyClientWith(eve), "dumb")
	ada.waitFor("Ada Admin")
	ev.waitFor("Ada Admin")
	permissionsCell(ada)
	permissionsCell(ev)

	// both change the same cell, differently: Ada to view, Eve to none
	m := ada.mark()
	ada.send("v")
	ada.waitForSince(m, "Preview (1 pending)")
	m = ev.mark()
	ev.send("n")
	ev.waitForSince(m, "Preview (1 pending)")

	// Ada saves first
	evBefore := ev.mark()
	m = ada.mark()
	ada.send(keyCtrlS)
	ada.waitForSince(m, "change set #")
	if l := managerLevel(t, f.st, "scheduler"); l != store.View {
		t.Fatalf("after Ada's save Manager has %s on scheduler, want view", l)
	}
	batches, _ := f.st.Batches(0)

	// Eve's console learns of it at once (the change event) …
	// (the preview pane wraps: "profile Manager was changed by" / "admin@example.com at …")
	for _, want := range []string{"Conflict", "profile Manager was changed by", "admin@example.com at", "since you began"} {
		ev.waitForSince(evBefore, want)
	}
	// … and her save is refused, naming Ada
	m = ev.mark()
	ev.send(keyCtrlS)
	ev.waitForSince(m, "was changed by admin@example.com")
	ev.waitForSince(m, "after you read it")
	if l := managerLevel(t, f.st, "scheduler"); l != store.View {
		t.Fatalf("Eve's refused save left Manager with %s on scheduler, want Ada's view", l)
	}
	if after, _ := f.st.Batches(0); len(after) != len(batches) {
		t.Fatalf("the refused save wrote %d change set(s)", len(after)-len(batches))
	}
	entries, err := f.st.AuditLog(store.AuditFilter{Entity: "profile:Manager"})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Actor == "eve@example.com" {
			t.Fatalf("Eve changed the profile: %+v", e)
		}
	}

	// Eve sees Ada's value, discards, and may decide again knowingly
	m = ev.mark()
	ev.send(keyEsc)
	ev.waitForSince(m, "discarded 1 pending change")
	m = ev.mark()
	ev.send("n", keyCtrlS)
	ev.waitForSince(m, "change set #")
	if l := managerLevel(t, f.st, "scheduler"); l != store.None {
		t.Fatalf("Eve's deliberate second save: Manager has %s on scheduler", l)
	}
}
