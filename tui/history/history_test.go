package history

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/gatehouse/gatehouse/store"
	"github.com/gatehouse/gatehouse/tui"
	"github.com/gatehouse/gatehouse/tui/ui"
	"github.com/gatehouse/gatehouse/tui/users"
)

func historyOf(app *tui.App) *Screen { return app.Screen(3).(*Screen) }

// settleHistory runs the History screen's background work (as the App would
// after each message) until the chain is verified and every read answered.
// Each round waits for the reads it starts (runCmd), so no round depends on
// how fast the machine is; the bound only ends a screen that keeps asking.
func settleHistory(t *testing.T, app *tui.App) {
	t.Helper()
	h := historyOf(app)
	for range 100 {
		cmd := h.Work()
		_, _, fresh := h.verify.Answer()
		busy := h.verify.Running() || h.entries.Running() || h.batch.Running()
		if cmd == nil && fresh && !busy {
			h.Prepare() // takes an answer that landed since work() (as the App does after each message)
			return
		}
		if cmd == nil {
			// a read is running whose command the test did not run (or
			// dropped): nothing here would ever finish it
			t.Fatalf("History is not settled (chain answer fresh %v, a read running %v) and starts no work", fresh, busy)
		}
		runCmd(app, cmd)
	}
	t.Fatal("History still asks for work after 100 rounds of it")
}

func historyRows(app *tui.App) []store.AuditEntry { return historyOf(app).rows() }

func TestHistoryScreenGolden(t *testing.T) {
	s, c := newClockedStore(t, 60)
	c.Advance(90 * time.Minute)
	if _, err := s.Apply(store.LocalActor("test"), "settings set invite-expiry 3d", func(tx *store.Tx) error {
		return tx.SetSetting("invite-expiry", "3d")
	}); err != nil {
		t.Fatal(err)
	}
	for _, sz := range sizes {
		t.Run(fmt.Sprintf("%dx%d", sz.w, sz.h), func(t *testing.T) {
			app := newClockedApp(t, s, c, nil, sz.w, sz.h)
			press(app, "4")
			settleHistory(t, app)
			v := viewOf(app)
			checkFits(t, v, sz.w, sz.h)
			if !strings.Contains(v, "audit: chain intact") {
				t.Errorf("the golden does not show the verified chain:\n%s", v)
			}
			golden(t, fmt.Sprintf("history_%dx%d", sz.w, sz.h), v)
		})
	}
}

// A change made through the store shows at the top once the App reloads on
// its change event; the verified count grows with it.
func TestHistoryShowsNewEntryAfterReload(t *testing.T) {
	s, c := newClockedStore(t, 30)
	app := newClockedApp(t, s, c, nil, 120, 40)
	wait := app.Subscribe()
	defer app.Close()
	press(app, "4")
	settleHistory(t, app)
	before, _ := s.VerifyAudit()
	if _, err := s.Apply(store.LocalActor("other"), "add client Zeta Works", func(tx *store.Tx) error {
		_, err := tx.AddClient("Zeta Works")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	_, next := app.Update(wait()) // the change event: the App reloads every screen
	drain(app, next, 3)           // not runCmd: the batch also waits for the next change event
	settleHistory(t, app)
	rows := historyRows(app)
	if len(rows) == 0 || rows[0].Entity.String() != "client:Zeta Works" || rows[0].Actor != "local:other" {
		t.Fatalf("top entry after the change: %+v", rows[:min(1, len(rows))])
	}
	v := viewOf(app)
	for _, want := range []string{"client:Zeta Works", fmt.Sprintf("audit: chain intact (%d entries)", before.Entries+1), "add client Zeta Works"} {
		if !strings.Contains(v, want) {
			t.Errorf("view lacks %q:\n%s", want, v)
		}
	}
}

// "h" on the Users screen shows one user's history: every row is theirs.
func TestHistoryShowEntityFromUsers(t *testing.T) {
	s, c := newClockedStore(t, 60)
	app := newClockedApp(t, s, c, nil, 120, 40)
	onUsers := app.Screen(0).(*users.Screen)
	target := onUsers.Current()
	if _, err := s.Apply(store.LocalActor("test"), "edit", func(tx *store.Tx) error {
		last := "Renamed"
		_, err := tx.EditUser(target.ID, 0, store.UserPatch{Last: &last})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	app.Reload()
	onUsers.Select(target.ID)
	press(app, "h")
	if app.Shown() != 3 {
		t.Fatalf("h switched to screen %d, want History", app.Shown()+1)
	}
	settleHistory(t, app)
	rows := historyRows(app)
	if len(rows) < 2 {
		t.Fatalf("%d entries for %s, want the creation and the edit", len(rows), target.Email)
	}
	for _, e := range rows {
		if e.Entity.Kind != "user" || e.Entity.ID != target.ID {
			t.Errorf("entry of %s in %s's history", e.Entity, target.Email)
		}
	}
	if rows[0].Field != "last" {
		t.Errorf("newest entry is %q, want the edit of last", rows[0].Field)
	}
	if got := historyOf(app).Filter(); got != "user:"+target.Email {
		t.Errorf("entity filter %q", got)
	}
	// x clears it again
	press(app, "x")
	if n := len(historyRows(app)); n <= len(rows) {
		t.Errorf("x left %d rows", n)
	}
}

// The "/" filter takes part of a label; t cycles the time span; the actor
// filter comes from a small form in the left pane.
func TestHistoryFilters(t *testing.T) {
	s, c := newClockedStore(t, 30)
	c.Advance(3 * time.Hour)
	for _, n := range []string{"Zeta Works", "Zulu Farms"} {
		if _, err := s.Apply(store.LocalActor("alice"), "add client "+n, func(tx *store.Tx) error {
			_, err := tx.AddClient(n)
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	app := newClockedApp(t, s, c, nil, 120, 40)
	press(app, "4")
	all := len(historyRows(app))

	press(app, "/")
	typeQuick(app, "zeta")
	press(app, "enter")
	if rows := historyRows(app); len(rows) != 1 || rows[0].Entity.Label != "Zeta Works" {
		t.Fatalf("/zeta: %+v", rows)
	}
	press(app, "/", "esc") // esc clears the filter
	if n := len(historyRows(app)); n != all {
		t.Fatalf("after esc %d rows, want %d", n, all)
	}

	press(app, "t") // all time → last hour: only the two clients
	if rows := historyRows(app); len(rows) != 2 {
		t.Fatalf("last hour: %d rows, want 2", len(rows))
	}
	press(app, "t", "t", "t") // back to all time
	if n := len(historyRows(app)); n != all {
		t.Fatalf("all time: %d rows, want %d", n, all)
	}

	// actor, through the left pane
	press(app, "shift+tab", "down", "enter")
	if app.Modal() == nil {
		t.Fatal("enter on Actor opened no form")
	}
	typeQuick(app, "alice")
	press(app, "enter")
	if app.Modal() != nil {
		t.Fatalf("the actor form is still open:\n%s", viewOf(app))
	}
	rows := historyRows(app)
	if len(rows) != 2 {
		t.Fatalf("actor alice: %d rows, want 2", len(rows))
	}
	for _, e := range rows {
		if e.Actor != "local:alice" {
			t.Errorf("entry by %s under actor alice", e.Actor)
		}
	}
	if !strings.Contains(viewOf(app), `actor "alice"`) && !strings.Contains(viewOf(app), "alice") {
		t.Errorf("the filter pane does not show the actor")
	}
}

// The chain's state: verifying until the background job answers, then intact.
func TestHistoryVerifiedState(t *testing.T) {
	s, c := newClockedStore(t, 30)
	app := newClockedApp(t, s, c, nil, 120, 40)
	app.SwitchTo(3)
	if v := viewOf(app); !strings.Contains(v, "audit: verifying…") {
		t.Errorf("before the job: no verifying state:\n%s", v)
	}
	settleHistory(t, app)
	r, err := s.VerifyAudit()
	if err != nil || !r.OK {
		t.Fatal(r, err)
	}
	want := fmt.Sprintf("audit: chain intact (%d entries)", r.Entries)
	if v := viewOf(app); !strings.Contains(v, want) {
		t.Errorf("view lacks %q:\n%s", want, v)
	}
	// a reload asks again; the old answer shows meanwhile
	app.Reload()
	if v := viewOf(app); !strings.Contains(v, "checking new entries") {
		t.Errorf("after a reload the re-check does not show:\n%s", v)
	}
}

// A failing verification shows its first problem (and how many more).
func TestHistoryVerifyLineReportsProblems(t *testing.T) {
	th := ui.NewTheme(true)
	bad := store.VerifyResult{Entries: 120, Problems: []string{"entry 7 was altered (its hash does not match)", "entry 8 does not follow entry 7 (the chain is broken)"}}
	got := ansi.Strip(verifyLine(th, bad, true))
	for _, want := range []string{"audit: NOT intact", "entry 7 was altered", "+1 more"} {
		if !strings.Contains(got, want) {
			t.Errorf("%q lacks %q", got, want)
		}
	}
	ok := ansi.Strip(verifyLine(th, store.VerifyResult{Entries: 12345, OK: true}, true))
	if ok != "audit: chain intact (12,345 entries)" {
		t.Errorf("ok line: %q", ok)
	}
}

// On a big log nothing is read in View: the reads run as background jobs.
func TestHistoryBigLogReadsInBackground(t *testing.T) {
	s, c := newClockedStore(t, 30)
	app := newClockedApp(t, s, c, nil, 120, 40)
	app.SwitchTo(3)
	h := historyOf(app)
	h.Reload()
	h.small = false // as if the log held millions of entries
	h.hooked = true // and the App runs work() after every message
	h.ensure()
	if _, ok, fresh := h.entries.Answer(); ok && fresh {
		t.Fatal("a big log was read on the spot")
	}
	if v := viewOf(app); !strings.Contains(v, "reading") {
		t.Errorf("no reading state:\n%s", v)
	}
	settleHistory(t, app)
	if len(h.rows()) == 0 {
		t.Fatal("the background read brought no rows")
	}
	if v := viewOf(app); !strings.Contains(v, "Change set #") {
		t.Errorf("the change set was not read:\n%s", v)
	}
}

// Until the App runs work() after every message, even a big log is read on
// the spot (when the App prepares the screen after a message: never in
// View), so the screen never waits for a key to show its entries.
func TestHistoryBigLogWithoutHookReadsOnTheSpot(t *testing.T) {
	s, c := newClockedStore(t, 30)
	app := newClockedApp(t, s, c, nil, 120, 40)
	app.SwitchTo(3)
	h := historyOf(app)
	h.Reload()
	h.small = false
	h.Prepare()
	if h.hooked {
		t.Fatal("preparing hooked the screen")
	}
	if v := viewOf(app); !strings.Contains(v, "Change set #") || len(h.loaded()) == 0 {
		t.Errorf("nothing read without the hook:\n%s", v)
	}
}

// U undoes the highlighted change set as a new one.
func TestHistoryUndoChangeSet(t *testing.T) {
	s, c := newClockedStore(t, 30)
	if _, err := s.Apply(store.LocalActor("test"), "settings set portal off", func(tx *store.Tx) error {
		return tx.SetSetting("portal", "off")
	}); err != nil {
		t.Fatal(err)
	}
	app := newClockedApp(t, s, c, nil, 120, 40)
	press(app, "4")
	if e := historyOf(app).Current(); e == nil || e.Field != "portal" {
		t.Fatalf("highlighted: %+v", e)
	}
	press(app, "U", "y")
	if !s.Settings().Features[store.FeaturePortal] {
		t.Fatalf("portal still off after U: %s", app.Message())
	}
	if rows := historyRows(app); rows[0].Field != "portal" || rows[0].After != "on" {
		t.Errorf("the undo is not the newest entry: %+v", rows[0])
	}
}

// An actor without view on the audit log (a Manager) sees why, and nothing else.
func TestHistoryDeniedActor(t *testing.T) {
	s, c := newClockedStore(t, 200)
	app := newClockedApp(t, s, c, managerActor(t, s), 120, 40)
	press(app, "4")
	v := viewOf(app)
	if !strings.Contains(v, "you may not see the audit log") {
		t.Errorf("no refusal:\n%s", v)
	}
	if historyOf(app).Work() != nil {
		t.Error("a denied actor's History starts background reads")
	}
}

// Every size, every pane focused: the four screens never exceed the terminal.
func TestHistoryPlacesOutboxSettingsFitEverySize(t *testing.T) {
	s, c := newClockedStore(t, 60)
	for _, sz := range []struct{ w, h int }{{40, 10}, {60, 20}, {79, 24}, {80, 24}, {119, 30}, {120, 40}, {200, 60}} {
		app := newClockedApp(t, s, c, nil, sz.w, sz.h)
		for _, k := range []string{"4", "5", "6", "7"} {
			press(app, k)
			settleHistory(t, app)
			for f := 0; f < 3; f++ {
				press(app, "tab")
				checkFits(t, viewOf(app), sz.w, sz.h)
			}
		}
	}
}

// Whoever made a change shows in the History list at every size: at 80×24
// the list had no ACTOR column, and the actor only in the change pane of
// the entry highlighted.
func TestHistoryListShowsTheActor(t *testing.T) {
	s, c := newClockedStore(t, 60)
	if _, err := s.Apply(store.LocalActor("test"), "settings set invite-expiry 3d", func(tx *store.Tx) error {
		return tx.SetSetting("invite-expiry", "3d")
	}); err != nil {
		t.Fatal(err)
	}
	for _, sz := range sizes {
		t.Run(fmt.Sprintf("%dx%d", sz.w, sz.h), func(t *testing.T) {
			app := newClockedApp(t, s, c, nil, sz.w, sz.h)
			press(app, "4")
			settleHistory(t, app)
			var head, row string
			for _, l := range strings.Split(viewOf(app), "\n") {
				parts := strings.Split(l, "┃") // the entries pane, focused: heavy sides
				if len(parts) < 3 {
					continue
				}
				l = parts[1]
				switch {
				case strings.Contains(l, "TIME"):
					head = l
				case row == "" && strings.Contains(l, "settings:org"):
					row = l
				}
			}
			if !strings.Contains(head, "ACTOR") || !strings.Contains(row, "local:test") {
				t.Fatalf("the list shows no actor:\n%s\n%s\n\n%s", head, row, viewOf(app))
			}
		})
	}
}
