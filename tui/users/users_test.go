package users

import (
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/gatehouse/gatehouse/store"
	"github.com/gatehouse/gatehouse/tui"
	"github.com/gatehouse/gatehouse/tui/ui"
)

func usersOf(app *tui.App) *Screen { return app.Screen(0).(*Screen) }

func TestUsersScreenGolden(t *testing.T) {
	s := newTestStore(t, 60)
	for _, sz := range sizes {
		t.Run(fmt.Sprintf("%dx%d", sz.w, sz.h), func(t *testing.T) {
			app := newTestApp(t, s, nil, sz.w, sz.h)
			v := viewOf(app)
			checkFits(t, v, sz.w, sz.h)
			golden(t, fmt.Sprintf("users_%dx%d", sz.w, sz.h), v)
		})
	}
}

func usersRowEmails(app *tui.App) []string {
	usersOf(app).Settle() // rows are filtered again lazily after a change event
	var out []string
	for _, r := range usersOf(app).users.rows {
		out = append(out, r.u.Email)
	}
	return out
}

// The "/" filter narrows the list on every keystroke and esc brings all back.
func TestUsersFilterKeystrokes(t *testing.T) {
	s := newTestStore(t, 200)
	app := newTestApp(t, s, nil, 120, 40)
	all := len(usersOf(app).users.rows)
	press(app, "/")
	typeText(app, "adams")
	got := usersRowEmails(app)
	if len(got) == 0 || len(got) >= all {
		t.Fatalf("filter adams: %d of %d rows", len(got), all)
	}
	for _, e := range got {
		if !strings.Contains(e, "adams") {
			t.Errorf("row %s does not match adams", e)
		}
	}
	press(app, "backspace", "backspace", "backspace")
	if n := len(usersOf(app).users.rows); n < len(got) {
		t.Errorf("after backspaces %d rows, fewer than %d", n, len(got))
	}
	press(app, "esc")
	if len(usersOf(app).users.rows) != all {
		t.Errorf("esc left %d rows, want %d", len(usersOf(app).users.rows), all)
	}
}

// Bulk: select three users with space, change their profile in the form: one change set.
func TestUsersBulkSetProfile(t *testing.T) {
	s := newTestStore(t, 60)
	app := newTestApp(t, s, nil, 120, 40)
	var picked []string
	for _, r := range usersOf(app).users.rows[:3] {
		picked = append(picked, r.u.Email)
	}
	press(app, "space", "space", "space")
	if usersOf(app).users.list.MarkCount() != 3 {
		t.Fatalf("selected %d, want 3", usersOf(app).users.list.MarkCount())
	}
	before, _ := s.Batches(0)
	press(app, "p")
	if app.Modal() == nil {
		t.Fatal("p opened no form")
	}
	// move the select to Supervisor and submit
	for i := 0; i < 10 && !strings.Contains(viewOf(app), "> Supervisor"); i++ {
		press(app, "down")
	}
	press(app, "enter")
	if app.Modal() != nil {
		press(app, "enter")
	}
	for _, e := range picked {
		u, _ := s.User(e)
		if p := s.Names().Profile(u.ProfileID); p != "Supervisor" {
			t.Errorf("%s has profile %s, want Supervisor", e, p)
		}
	}
	after, _ := s.Batches(0)
	if len(after) != len(before)+1 {
		t.Errorf("%d change sets written, want 1", len(after)-len(before))
	}
	if !strings.Contains(app.Message(), "change set") {
		t.Errorf("status line: %q", app.Message())
	}
}

// Disable, then undo (itself audited), then delete refused for a user with records.
func TestUsersDisableUndoDelete(t *testing.T) {
	s := newTestStore(t, 60)
	app := newTestApp(t, s, nil, 120, 40)
	// an active user (the demo's active users have accepted their invitation: records)
	press(app, "tab", "tab") // focus stays usable: back to the list below
	app.SetFocus(1)
	var target string
	for i, r := range usersOf(app).users.rows {
		if r.u.Status().String() == "active" {
			usersOf(app).users.list.SetCursor(i)
			target = r.u.Email
			break
		}
	}
	press(app, "d") // a single disable asks too, saying what it does
	if c, ok := app.Modal().(*ui.Confirm); !ok || !strings.Contains(c.Question, "Disable "+target+"? They lose access at once") {
		t.Fatalf("a single disable asked nothing, or not what it does: %#v", app.Modal())
	}
	press(app, "y")
	if u, _ := s.User(target); !u.Disabled {
		t.Fatalf("%s not disabled: %s", target, app.Message())
	}
	press(app, "u")
	if u, _ := s.User(target); u.Disabled {
		t.Fatalf("undo left %s disabled: %s", target, app.Message())
	}
	log, _ := s.AuditLog(store.AuditFilter{Entity: "user:" + target})
	if len(log) < 2 || !strings.Contains(log[len(log)-1].Actor, "local:test") {
		t.Errorf("the undo is not in the audit log: %+v", log)
	}
	for i, r := range usersOf(app).users.rows {
		if r.u.Email == target {
			usersOf(app).users.list.SetCursor(i)
		}
	}
	press(app, "x") // refused at once: nothing is asked first
	if app.Modal() != nil {
		t.Fatalf("a delete the store refuses asked first: %#v", app.Modal())
	}
	if _, err := s.User(target); err != nil {
		t.Fatalf("a user with records was deleted")
	}
	if !strings.Contains(app.Message(), "disable them instead (d on Users)") {
		t.Errorf("delete refusal not shown: %q", app.Message())
	}
}

// An actor who may only view sees no editing keys, and they do nothing.
func TestUsersReadOnlyActorHasNoEditingKeys(t *testing.T) {
	s := newTestStore(t, 60)
	actor, _ := viewerActor(t, s)
	app := newTestApp(t, s, &actor, 120, 40)
	if !app.ReadOnly() {
		t.Fatal("a viewer is not read-only")
	}
	if !strings.Contains(viewOf(app), "Employees (") {
		t.Fatal("a viewer should see the Users screen")
	}
	press(app, "?")
	help := viewOf(app)
	for _, k := range []string{"add a user", "disable / enable", "undo the last change set"} {
		if strings.Contains(help, k) {
			t.Errorf("help shows the editing key %q to a read-only actor", k)
		}
	}
	press(app, "esc", "a")
	if app.Modal() != nil {
		t.Error("a opened a form for a read-only actor")
	}
	if !strings.Contains(viewOf(app), "view only") {
		t.Error("the status bar does not say view only")
	}
}

// Changes made elsewhere (the CLI, another session) appear without a restart.
func TestUsersLiveRefresh(t *testing.T) {
	s := newTestStore(t, 60)
	app := newTestApp(t, s, nil, 120, 40)
	ch, stop := s.Subscribe()
	defer stop()
	_, err := s.Apply(store.LocalActor("other"), "add elsewhere", func(tx *store.Tx) error {
		_, err := tx.AddUser(store.NewUser{First: "Zed", Last: "Elsewhere", Email: "zed@elsewhere.test", Type: store.Employee, Profile: "Basic"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	ev := <-ch
	app.Update(tui.ChangeEvent(ev))
	if !strings.Contains(strings.Join(usersRowEmails(app), " "), "zed@elsewhere.test") {
		t.Error("the new user is not in the list after the change event")
	}
	if !strings.Contains(app.Message(), "local:other") {
		t.Errorf("status line does not say who changed it: %q", app.Message())
	}
}

// The blob search gives exactly what a plain scan gives, whatever the query.
func TestUserIndexTextSearchMatchesPlainScan(t *testing.T) {
	s := newTestStore(t, 500)
	ix := newIndex(s)
	teamSite := s.Names().TeamSite
	for _, q := range []string{"a", "adams", "ams ", "@acme", ".example.com", "zzz", "n.", "e\n", "1@"} {
		for _, base := range []userQuery{{typ: 2, status: 4}, {typ: 0, status: 0}, {typ: 1, status: 3}} {
			base.text = q
			var want []string
			for _, r := range ix.all {
				if base.match(r, teamSite) {
					want = append(want, r.u.Email)
				}
			}
			var got []string
			for _, r := range ix.narrow(base, userQuery{}, nil, teamSite) {
				got = append(got, r.u.Email)
			}
			if strings.Join(got, ",") != strings.Join(want, ",") {
				t.Errorf("query %q base %+v: got %d rows, want %d", q, base, len(got), len(want))
			}
		}
	}
}

// The quick first page of a cold start is exactly the first rows of the full
// index, and the first key switches to the full index.
func TestUsersQuickStartFirstPage(t *testing.T) {
	s := newTestStore(t, 3000)
	ix := newIndex(s)
	teamSite := s.Names().TeamSite
	for _, q := range []userQuery{{typ: 0, status: 0}, {typ: 2, status: 4}, {typ: 1, status: 1}} {
		full := ix.narrow(q, userQuery{}, nil, teamSite)
		rows, total := quickFirstPage(s, q, teamSite, nil)
		if total != len(full) {
			t.Errorf("query %+v: total %d, want %d", q, total, len(full))
		}
		if len(rows) != min(quickRows, len(full)) {
			t.Fatalf("query %+v: %d quick rows", q, len(rows))
		}
		for i, r := range rows {
			if r.u.ID != full[i].u.ID {
				t.Fatalf("query %+v: row %d is %s, want %s", q, i, r.u.Email, full[i].u.Email)
			}
		}
	}
	// the screen itself: quick rows first, the full index after a key
	app := newTestApp(t, s, nil, 120, 40)
	u := usersOf(app)
	u.users.ix = nil
	u.users.building = startIndex(s)
	u.users.rows, u.users.quickTotal = quickFirstPage(s, u.q, teamSite, nil)
	if !strings.Contains(viewOf(app), fmt.Sprintf("Employees (%s)", ui.Thousands(u.users.quickTotal))) {
		t.Error("the quick first frame does not count every matching user")
	}
	press(app, "end")
	if u.users.building != nil || len(u.users.rows) != u.users.quickTotal || u.users.list.Cursor() != len(u.users.rows)-1 {
		t.Errorf("after a key: building %v, %d rows (want %d), cursor %d", u.users.building != nil, len(u.users.rows), u.users.quickTotal, u.users.list.Cursor())
	}
}

// sortPrefix is the first eight bytes of the real sort key, or says it cannot be.
func TestSortPrefixMatchesRowKey(t *testing.T) {
	for _, u := range []*store.User{
		{First: "Ann", Last: "Li", Email: "a@b.c"},
		{First: "Bo", Last: "O'Brien-Smith", Email: "bo@x.y"},
		{First: "", Last: "", Email: "Z@Q.R"},
		{First: "ÉMILE", Last: "Zola", Email: "e@z.fr"},
		{First: "Ann", Last: "Ünal", Email: "a@u.tr"},
		{First: "X", Last: "Abcdefgh", Email: "x@y.z"}, // the last name fills all eight
		{First: "Bb", Last: "Abcdef", Email: "q@r.s"},  // the separator is the eighth byte
		{First: "B", Last: "A", Email: ""},             // padded with zeros
		{First: "ÉMILE", Last: "Abcdefgh", Email: "e@z.fr"},
	} {
		v, ok := sortPrefix(u)
		if !ok {
			continue
		}
		if want := newRow(u).k8; v != want {
			t.Errorf("%s %s: prefix %x, want %x", u.First, u.Last, v, want)
		}
	}
}

// K adds a pasted public key to the highlighted user, and removes it again.
func TestUsersManageKeys(t *testing.T) {
	s := newTestStore(t, 20)
	app := newTestApp(t, s, nil, 120, 40)
	us := usersOf(app).current().u
	const line = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMvkh4+u4vRa6dZ7CLS3SSTwD/FCtzsJDAhn3z8r39zk tester@example"
	press(app, "K")
	if app.Modal() == nil {
		t.Fatal("K opened no form")
	}
	press(app, "enter") // "Add a key"
	app.Modal().(*ui.Form).Huh().Update(tea.PasteMsg{Content: line})
	press(app, "enter")
	keys, _ := s.KeysOf(us.ID)
	if len(keys) != 1 {
		t.Fatalf("%s has %d keys after adding one (status: %q)", us.Email, len(keys), app.Message())
	}
	if v := viewOf(app); !strings.Contains(v, "SSH keys") || !strings.Contains(v, keys[0].Fingerprint[:20]) {
		t.Error("the details pane does not show the key's fingerprint")
	}
	press(app, "K", "down", "enter")
	if keys, _ := s.KeysOf(us.ID); len(keys) != 0 {
		t.Errorf("the key was not removed: %v (status %q)", keys, app.Message())
	}
}

// Consoles on one store share one index, and a change moves it on once for all.
func TestUsersIndexSharedBetweenConsoles(t *testing.T) {
	s := newTestStore(t, 300)
	a1 := newTestApp(t, s, nil, 120, 40)
	a2 := newTestApp(t, s, nil, 120, 40)
	if usersOf(a1).users.ix != usersOf(a2).users.ix {
		t.Fatal("two consoles on one store built two indexes")
	}
	if &usersOf(a1).users.rows[0] != &usersOf(a2).users.rows[0] {
		t.Error("two consoles with the same filters hold two copies of the list")
	}
	target := usersOf(a1).users.rows[0].u
	ch, stop := s.Subscribe()
	defer stop()
	first := "Aaron"
	if _, err := s.Apply(store.LocalActor("x"), "rename", func(tx *store.Tx) error {
		_, err := tx.EditUser(target.ID, 0, store.UserPatch{First: &first})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	ev := <-ch
	before := usersOf(a1).users.ix
	a1.Update(tui.ChangeEvent(ev))
	a2.Update(tui.ChangeEvent(ev))
	if usersOf(a1).users.ix == before || usersOf(a1).users.ix != usersOf(a2).users.ix {
		t.Error("the change did not move the shared index on once for both consoles")
	}
	if got := usersOf(a2).users.ix.byID(target.ID).u.First; got != "Aaron" {
		t.Errorf("the second console sees first name %q", got)
	}
	if before.byID(target.ID).u.First == "Aaron" {
		t.Error("the old index was changed in place")
	}
}

// A console opening after changes catches the shared index up with those
// changes instead of rebuilding it.
func TestUsersIndexCatchesUp(t *testing.T) {
	s := newTestStore(t, 200)
	a1 := newTestApp(t, s, nil, 120, 40)
	old := usersOf(a1).users.ix
	target := old.all[0].u
	last := "Zzyzx"
	if _, err := s.Apply(store.LocalActor("x"), "rename", func(tx *store.Tx) error {
		_, err := tx.EditUser(target.ID, 0, store.UserPatch{Last: &last})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	a2 := newTestApp(t, s, nil, 120, 40) // nobody followed the event yet
	ix := usersOf(a2).users.ix
	if ix.asOf != s.LastBatch() {
		t.Fatalf("index as of %d, store at %d", ix.asOf, s.LastBatch())
	}
	if got := ix.byID(target.ID).u.Last; got != "Zzyzx" {
		t.Errorf("caught-up index has last name %q", got)
	}
	if ix.all[len(ix.all)-1].u.ID != target.ID {
		t.Error("the renamed user did not move to the end of the list")
	}
	// rows other than the changed one are shared with the old index (moved on, not rebuilt)
	if ix.byID(old.all[1].u.ID) != old.all[1] {
		t.Error("the index was rebuilt instead of moved on")
	}
}

// Consoles opening together on a cold big store build the index once.
func TestUsersIndexBuiltOnceForConsolesOpeningTogether(t *testing.T) {
	s := newTestStore(t, 50)
	// the first build is held until the second console has asked: "together"
	release := make(chan struct{})
	var builds atomic.Int32
	buildIndex = func(s *store.Store) *userIndex { builds.Add(1); <-release; return newIndex(s) }
	defer func() { buildIndex = newIndex }()
	b1, b2 := startIndex(s), startIndex(s)
	close(release)
	<-b1.done
	<-b2.done
	if b1 != b2 || b1.ix != b2.ix || builds.Load() != 1 {
		t.Errorf("two consoles opening together built %d indexes", builds.Load())
	}
	if sharedFor(s).fresh(s) != b1.ix {
		t.Error("the index built was not shared")
	}
}

// On a big database the first frame comes from the quick first page, and the
// full index starts only once that frame is out (the first size, then
// firstFrameAfter): building it sooner took the cores and the allocator from
// that frame. The Ready hook (the local console's GC switch) runs then, once.
func TestQuickStartIndexWaitsForFirstFrame(t *testing.T) {
	s := newTestStore(t, quickStartUsers)
	ready := 0
	app := tui.New(s, store.LocalActor("test"), screens, tui.Options{DBPath: "test.db", Ready: func() { ready++ }})
	app.Open(nil)
	u := usersOf(app)
	if !u.users.indexLater || u.users.building != nil || u.users.ix != nil {
		t.Fatalf("New: indexLater %v, building %v, index %v: the index must wait for the first frame", u.users.indexLater, u.users.building != nil, u.users.ix != nil)
	}
	_, cmd := app.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	if v := viewOf(app); !strings.Contains(v, fmt.Sprintf("Employees (%s)", ui.Thousands(u.users.quickTotal))) {
		t.Fatalf("the first frame does not count every employee:\n%s", v)
	}
	if u.users.building != nil || ready != 0 || cmd == nil {
		t.Fatalf("at the first size: building %v, ready %d, tick %v", u.users.building != nil, ready, cmd != nil)
	}
	runCmd(app, cmd) // the timer: the frame is out (drain does not wait on clocks)
	if u.users.indexLater || (u.users.building == nil && u.users.ix == nil) || ready != 1 {
		t.Fatalf("after the first frame: indexLater %v, building %v, ready %d", u.users.indexLater, u.users.building != nil, ready)
	}
	if _, cmd := app.Update(tea.WindowSizeMsg{Width: 200, Height: 60}); cmd != nil {
		drain(app, cmd, 2)
	}
	if ready != 1 {
		t.Fatalf("Ready ran %d times", ready)
	}
	press(app, "end") // a key waits for the index
	if u.users.quick() || len(u.users.rows) != u.users.quickTotal || u.users.list.Cursor() != len(u.users.rows)-1 {
		t.Fatalf("after a key: quick %v, %d rows of %d, cursor %d", u.users.quick(), len(u.users.rows), u.users.quickTotal, u.users.list.Cursor())
	}
}

// A key before the first frame is out starts the index itself and waits for it.
func TestQuickStartKeyBeforeFirstFrame(t *testing.T) {
	s := newTestStore(t, quickStartUsers)
	app := newTestApp(t, s, nil, 120, 40) // the size's tick is never run
	u := usersOf(app)
	press(app, "down")
	if u.users.quick() || u.users.ix == nil || u.users.list.Cursor() != 1 {
		t.Fatalf("after a key: quick %v, index %v, cursor %d", u.users.quick(), u.users.ix != nil, u.users.list.Cursor())
	}
}
