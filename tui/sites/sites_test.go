package sites

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/gatehouse/gatehouse/store"
	"github.com/gatehouse/gatehouse/tui"
	"github.com/gatehouse/gatehouse/tui/ui"
	"github.com/gatehouse/gatehouse/tui/users"
)

// The demo data with 60 users (seed 1) has three clients: Acme Logistics,
// Brightwater Health and Civic Arena. The first client user in the Users
// list (sorted by last name) is Maya Evans of Brightwater Health, who holds
// Brightwater Central.

func sitesOf(app *tui.App) *Screen { return app.Screen(1).(*Screen) }

// usersOf is the Users screen, where these tests choose whom Sites & teams
// is for.
func usersOf(app *tui.App) *users.Screen { return app.Screen(0).(*users.Screen) }

// sitesChooseClientUser shows client users on screen 1 and opens the first
// on screen 2, by keys.
func sitesChooseClientUser(t *testing.T, app *tui.App) *store.User {
	t.Helper()
	press(app, "t", "enter")
	if app.Shown() != 1 || len(sitesOf(app).who) != 1 || sitesOf(app).who[0].Type != store.ClientUser {
		t.Fatalf("enter on a client user should open screen 2 with them; screen %d, who %v", app.Shown(), sitesOf(app).who)
	}
	return sitesOf(app).who[0]
}

// sitesFocus tabs to a list (0 Available, 1 Assigned).
func sitesFocus(t *testing.T, app *tui.App, li int) {
	t.Helper()
	for i := 0; i < 3 && app.Focus() != li+1; i++ {
		press(app, "tab")
	}
	if app.Focus() != li+1 {
		t.Fatalf("cannot focus list %d", li)
	}
}

// sitesCursorTo focuses a list and moves its cursor to the item labelled
// label ("Site" or "Site/Team") with the arrow keys.
func sitesCursorTo(t *testing.T, app *tui.App, li int, label string) {
	t.Helper()
	sitesFocus(t, app, li)
	l := &sitesOf(app).lists[li]
	press(app, "home")
	for i := 0; i <= len(l.rows); i++ {
		if it := l.current(); it != nil && it.label == label {
			return
		}
		press(app, "down")
	}
	t.Fatalf("%s is not in list %d", label, li)
}

func sitesBatches(t *testing.T, s *store.Store) []store.Batch {
	t.Helper()
	bs, err := s.Batches(0)
	if err != nil {
		t.Fatal(err)
	}
	return bs
}

func sitesUser(t *testing.T, s *store.Store, email string) *store.User {
	t.Helper()
	u, err := s.User(email)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func sitesSiteID(t *testing.T, s *store.Store, name string) uint64 {
	t.Helper()
	for _, x := range s.Sites() {
		if x.Name == name {
			return x.ID
		}
	}
	t.Fatalf("no site %s", name)
	return 0
}

func TestSitesScreenGolden(t *testing.T) {
	s := newTestStore(t, 60)
	for _, sz := range sizes {
		t.Run(fmt.Sprintf("%dx%d", sz.w, sz.h), func(t *testing.T) {
			app := newTestApp(t, s, nil, sz.w, sz.h)
			sitesChooseClientUser(t, app)
			sitesCursorTo(t, app, siteAvail, "Brightwater East Gate")
			press(app, "right")
			if sitesOf(app).Pending() != 1 {
				t.Fatalf("pending %d, want 1", sitesOf(app).Pending())
			}
			v := viewOf(app)
			checkFits(t, v, sz.w, sz.h)
			golden(t, fmt.Sprintf("sites_%dx%d", sz.w, sz.h), v)
		})
	}
}

func TestSitesClientUserTwoSitesOneChangeSet(t *testing.T) {
	s := newTestStore(t, 60)
	app := newTestApp(t, s, nil, 120, 40)
	u := sitesChooseClientUser(t, app)
	before := len(sitesBatches(t, s))

	// mark two of the client's sites with space, then move both at once
	sitesCursorTo(t, app, siteAvail, "Brightwater East Gate")
	press(app, "space")
	sitesCursorTo(t, app, siteAvail, "Brightwater South Yard")
	press(app, "space")
	press(app, "right")
	if got := sitesOf(app).Pending(); got != 2 {
		t.Fatalf("pending %d, want 2 (msg %q)", got, app.Message())
	}
	if v := viewOf(app); !strings.Contains(v, "+ Brightwater East Gate") || !strings.Contains(v, "+ Brightwater South Yard") {
		t.Fatalf("pending moves not shown:\n%s", v)
	}
	if got := sitesUser(t, s, u.Email); len(got.SiteIDs) != 1 {
		t.Fatalf("a pending move reached the store: %v", got.SiteIDs)
	}

	press(app, "ctrl+s")
	got := sitesUser(t, s, u.Email)
	for _, name := range []string{"Brightwater Central", "Brightwater East Gate", "Brightwater South Yard"} {
		if !slices.Contains(got.SiteIDs, sitesSiteID(t, s, name)) {
			t.Errorf("%s does not hold %s after ctrl+s (msg %q)", u.Email, name, app.Message())
		}
	}
	bs := sitesBatches(t, s)
	if len(bs) != before+1 {
		t.Fatalf("%d new change sets, want 1", len(bs)-before)
	}
	if !strings.Contains(bs[0].Summary, u.Email) {
		t.Errorf("change set summary %q does not name %s", bs[0].Summary, u.Email)
	}
	if sitesOf(app).Pending() != 0 || !strings.Contains(app.Message(), "change set #") {
		t.Errorf("after save: pending %d, msg %q", sitesOf(app).Pending(), app.Message())
	}
	if app.Undoable() != 1 {
		t.Errorf("the save is not on the undo stack: %d change sets on it", app.Undoable())
	}
	// the saved sites now show as assigned, not pending
	if v := viewOf(app); strings.Contains(v, "+ Brightwater") || !strings.Contains(v, "Brightwater South Yard") {
		t.Errorf("after save the Assigned list is wrong:\n%s", v)
	}

	// ctrl+s with nothing pending says why
	press(app, "ctrl+s")
	if !strings.Contains(app.Message(), "nothing pending") {
		t.Errorf("ctrl+s with nothing pending: msg %q", app.Message())
	}
}

func TestSitesEscDiscards(t *testing.T) {
	s := newTestStore(t, 60)
	app := newTestApp(t, s, nil, 120, 40)
	u := sitesChooseClientUser(t, app)
	before := len(sitesBatches(t, s))
	sitesCursorTo(t, app, siteAvail, "Brightwater West Wing")
	press(app, "right")
	sitesCursorTo(t, app, siteAssigned, "Brightwater Central")
	press(app, "left")
	if sitesOf(app).Pending() != 2 || app.Pending() != 2 {
		t.Fatalf("pending %d, want 2", sitesOf(app).Pending())
	}
	if v := viewOf(app); !strings.Contains(v, "− Brightwater Central") {
		t.Errorf("an unassign pending is not shown with −:\n%s", v)
	}
	press(app, "esc")
	if sitesOf(app).Pending() != 0 || !strings.Contains(app.Message(), "discarded 2") {
		t.Fatalf("esc: pending %d, msg %q", sitesOf(app).Pending(), app.Message())
	}
	if len(sitesBatches(t, s)) != before {
		t.Error("esc wrote a change set")
	}
	if got := sitesUser(t, s, u.Email); len(got.SiteIDs) != 1 || got.Version != u.Version {
		t.Errorf("esc changed the user: %+v", got)
	}
	if v := viewOf(app); strings.Contains(v, "− Brightwater") || strings.Contains(v, "+ Brightwater") {
		t.Errorf("pending marks left after esc:\n%s", v)
	}
}

func TestSitesMoveBackCancels(t *testing.T) {
	s := newTestStore(t, 60)
	app := newTestApp(t, s, nil, 120, 40)
	sitesChooseClientUser(t, app)
	sitesCursorTo(t, app, siteAvail, "Brightwater West Wing")
	press(app, "right")
	sitesCursorTo(t, app, siteAssigned, "Brightwater West Wing")
	press(app, "enter") // enter moves across from the focused list
	if sitesOf(app).Pending() != 0 {
		t.Errorf("moving a pending item back should cancel it; pending %d", sitesOf(app).Pending())
	}
}

func TestSitesOtherClientsSiteRefused(t *testing.T) {
	s := newTestStore(t, 60)
	app := newTestApp(t, s, nil, 120, 40)
	u := sitesChooseClientUser(t, app)
	before := len(sitesBatches(t, s))
	v := viewOf(app)
	if !strings.Contains(v, "Acme Logistics — another client's") || !strings.Contains(v, "✗ Acme East Gate") {
		t.Fatalf("another client's sites should show greyed with the reason:\n%s", v)
	}
	sitesCursorTo(t, app, siteAvail, "Acme East Gate")
	press(app, "right")
	if sitesOf(app).Pending() != 0 {
		t.Fatal("another client's site became a pending move")
	}
	if !app.MessageBad() || !strings.Contains(app.Message(), "Acme Logistics") || !strings.Contains(app.Message(), "Brightwater Health") {
		t.Errorf("refusal should name both clients: %q", app.Message())
	}
	press(app, "space")
	if sitesOf(app).lists[siteAvail].MarkCount() != 0 {
		t.Error("another client's site could be marked")
	}
	// marking everything skips the greyed rows, and dragging one is refused too
	press(app, "ctrl+a")
	sitesOf(app).lists[siteAvail].EachMark(func(k rowKey) {
		if it := sitesOf(app).byKey[k.it]; it.client != u.ClientIDs[0] {
			t.Errorf("ctrl+a marked %s", it.label)
		}
	})
	press(app, "ctrl+a") // again: none
	if n := sitesOf(app).lists[siteAvail].MarkCount(); n != 0 {
		t.Errorf("ctrl+a twice left %d marks", n)
	}
	sitesDrag(t, app, "Own", "North Depot")
	if sitesOf(app).Pending() != 0 || !strings.Contains(app.Message(), "own sites") {
		t.Errorf("dragging an own site onto a client user: pending %d, msg %q", sitesOf(app).Pending(), app.Message())
	}
	press(app, "ctrl+s")
	if len(sitesBatches(t, s)) != before {
		t.Error("a change set was written")
	}
	if got := sitesUser(t, s, u.Email); got.Version != u.Version {
		t.Error("the user changed")
	}
}

func TestSitesBulkFiveEmployees(t *testing.T) {
	s := newTestStore(t, 60)
	app := newTestApp(t, s, nil, 120, 40)
	press(app, "space", "space", "space", "space", "space", "enter")
	who := sitesOf(app).who
	if app.Shown() != 1 || len(who) != 5 {
		t.Fatalf("screen %d with %d users, want screen 2 with 5", app.Shown(), len(who))
	}
	for _, u := range who {
		if u.Type != store.Employee {
			t.Fatalf("%s is not an employee", u.Email)
		}
	}
	v := viewOf(app)
	if !strings.Contains(v, "5 users") || !strings.Contains(v, who[0].Name()) {
		t.Errorf("the Who pane should name the selection:\n%s", v)
	}
	head := sitesSiteID(t, s, "Head Office")
	holders := 0
	for _, u := range who {
		if slices.Contains(u.SiteIDs, head) {
			holders++
		}
	}
	before := len(sitesBatches(t, s))
	sitesCursorTo(t, app, siteAvail, "Head Office")
	press(app, "right")
	if sitesOf(app).Pending() != 1 {
		t.Fatalf("pending %d (msg %q)", sitesOf(app).Pending(), app.Message())
	}
	if v := viewOf(app); !strings.Contains(v, "all · pending") {
		t.Errorf("a pending site for everyone should read \"all\":\n%s", v)
	}
	press(app, "ctrl+s")
	for _, u := range who {
		if got := sitesUser(t, s, u.Email); !slices.Contains(got.SiteIDs, head) {
			t.Errorf("%s lacks Head Office after save (msg %q)", u.Email, app.Message())
		}
	}
	bs := sitesBatches(t, s)
	if len(bs) != before+1 {
		t.Fatalf("%d new change sets, want 1", len(bs)-before)
	}
	t.Logf("%d of 5 held Head Office before; %s", holders, bs[0].Summary)
}

func TestSitesBulkSomeMarks(t *testing.T) {
	s := newTestStore(t, 60)
	app := newTestApp(t, s, nil, 200, 60)
	press(app, "space", "space", "space", "space", "space", "enter")
	// an item held by some of the five reads "some (k/5)" in both lists
	for _, it := range sitesOf(app).items {
		if it.held > 0 && it.held < 5 {
			want := fmt.Sprintf("some (%d/5)", it.held)
			if v := viewOf(app); strings.Count(v, want) < 2 {
				t.Errorf("%s is held by %d of 5: want %q in both lists:\n%s", it.label, it.held, want, v)
			}
			// moving it right assigns it to the rest
			sitesCursorTo(t, app, siteAvail, it.label)
			press(app, "right")
			if sitesOf(app).heldNow(it) != 5 {
				t.Errorf("moving a some item right should give it to all 5, got %d", sitesOf(app).heldNow(it))
			}
			return
		}
	}
	t.Skip("no partly held item in this selection")
}

func TestSitesConflict(t *testing.T) {
	s := newTestStore(t, 60)
	app := newTestApp(t, s, nil, 120, 40)
	u := sitesChooseClientUser(t, app)
	sitesCursorTo(t, app, siteAvail, "Brightwater West Wing")
	press(app, "right")

	// someone else edits the same user while the move is pending
	first := "Mayah"
	if _, err := s.Apply(store.LocalActor("other"), "rename", func(tx *store.Tx) error {
		_, err := tx.EditUser(u.ID, 0, store.UserPatch{First: &first})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	changed := sitesUser(t, s, u.Email)
	before := len(sitesBatches(t, s))

	press(app, "ctrl+s")
	if !app.MessageBad() || !strings.Contains(app.Message(), "changed by") || !strings.Contains(app.Message(), "local:other") {
		t.Fatalf("a stale save should fail with the conflict: %q", app.Message())
	}
	if len(sitesBatches(t, s)) != before {
		t.Error("the console wrote a change set despite the conflict")
	}
	if got := sitesUser(t, s, u.Email); got.Version != changed.Version || !slices.Equal(got.SiteIDs, changed.SiteIDs) {
		t.Errorf("the console overwrote the record: %+v", got)
	}
	if sitesOf(app).Pending() != 1 {
		t.Errorf("the move should stay pending after a conflict; pending %d", sitesOf(app).Pending())
	}
	if v := viewOf(app); !strings.Contains(v, "⚠ changed by") || !strings.Contains(sitesOf(app).conflictText(), "local:other") {
		t.Errorf("the Who pane should flag the change:\n%s", v)
	}

	// esc discards and rebases on the fresh record; the move then saves
	press(app, "esc")
	if v := viewOf(app); strings.Contains(v, "changed by local:other") {
		t.Errorf("the conflict flag survived esc:\n%s", v)
	}
	sitesCursorTo(t, app, siteAvail, "Brightwater West Wing")
	press(app, "right", "ctrl+s")
	if got := sitesUser(t, s, u.Email); !slices.Contains(got.SiteIDs, sitesSiteID(t, s, "Brightwater West Wing")) {
		t.Errorf("redoing the move after esc did not save: %q", app.Message())
	}
}

func TestSitesReloadFlagsConflict(t *testing.T) {
	s := newTestStore(t, 60)
	app := newTestApp(t, s, nil, 100, 30) // two panes: the header line carries it
	u := sitesChooseClientUser(t, app)
	sitesCursorTo(t, app, siteAvail, "Brightwater West Wing")
	press(app, "right")
	last := "Evans-Hart"
	cs, err := s.Apply(store.LocalActor("other"), "rename", func(tx *store.Tx) error {
		_, err := tx.EditUser(u.ID, 0, store.UserPatch{Last: &last})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	before := sitesOf(app).lists[siteAvail].current()
	app.Update(tui.ChangeEvent(store.Event{Batch: cs.Batch, Actor: cs.Actor, Summary: cs.Summary, Refs: []store.Ref{{Kind: "user", ID: u.ID}}}))
	v := viewOf(app)
	if !strings.Contains(v, "changed by local:other") {
		t.Errorf("a change event under pending moves should be flagged:\n%s", v)
	}
	if sitesOf(app).base[u.ID] != u.Version {
		t.Error("pending moves were silently rebased")
	}
	if after := sitesOf(app).lists[siteAvail].current(); after == nil || before == nil || after.key != before.key {
		t.Errorf("a reload moved the cursor off %v to %v", before, after)
	}
	checkFits(t, v, 100, 30)
}

// sitesRowY is the screen row of an item of a list in the three-pane
// layout: tabs on row 0, frame top on row 1, content from row 2.
func sitesRowY(t *testing.T, app *tui.App, li int, label string) int {
	t.Helper()
	l := &sitesOf(app).lists[li]
	for i, r := range l.rows {
		if r.it != nil && r.it.label == label {
			if i < l.Offset() || i >= l.Offset()+l.Height() {
				t.Fatalf("%s is not visible", label)
			}
			return 2 + i - l.Offset()
		}
	}
	t.Fatalf("%s is not in list %d", label, li)
	return 0
}

// sitesDrag drags an item from Available (or back, when the label is in
// Assigned only) onto the other list, through App.Update at 120 columns,
// where x=30 is inside Available and x=100 inside Assigned.
func sitesDrag(t *testing.T, app *tui.App, _ string, label string) {
	t.Helper()
	if w, _ := app.Size(); w != 120 {
		t.Fatalf("sitesDrag assumes 120 columns, not %d", w)
	}
	viewOf(app) // lay out, as a terminal would have
	from, to, li := 100, 30, siteAssigned
	for _, r := range sitesOf(app).lists[siteAvail].rows {
		if r.it != nil && r.it.label == label {
			from, to, li = 30, 100, siteAvail
		}
	}
	y := sitesRowY(t, app, li, label)
	app.Update(tea.MouseClickMsg{X: from, Y: y, Button: tea.MouseLeft})
	app.Update(tea.MouseMotionMsg{X: (from + to) / 2, Y: 12, Button: tea.MouseLeft})
	app.Update(tea.MouseReleaseMsg{X: to, Y: 12, Button: tea.MouseLeft})
}

func TestSitesMouseDragAndDrop(t *testing.T) {
	s := newTestStore(t, 60)
	app := newTestApp(t, s, nil, 120, 40)
	sitesChooseClientUser(t, app)
	// the drags below press at x=30 (Available) and x=100 (Assigned)
	// the panes' widths, frames included, as the lists were sized for them
	avail, assigned := sitesOf(app).lists[siteAvail].Width()+2, sitesOf(app).lists[siteAssigned].Width()+2
	if cols := []int{120 - avail - assigned, avail, assigned}; cols[0] > 30 || cols[0]+cols[1] <= 30 || cols[0]+cols[1] > 100 {
		t.Fatalf("layout changed: %v", cols)
	}

	// a press and release on the same list only highlights
	viewOf(app)
	y := sitesRowY(t, app, siteAvail, "Brightwater South Yard")
	app.Update(tea.MouseClickMsg{X: 40, Y: y, Button: tea.MouseLeft})
	if v := viewOf(app); !strings.Contains(v, "drop here") {
		t.Errorf("a drag should show where to drop:\n%s", v)
	}
	app.Update(tea.MouseReleaseMsg{X: 40, Y: y, Button: tea.MouseLeft})
	if it := sitesOf(app).lists[siteAvail].current(); it == nil || it.label != "Brightwater South Yard" || sitesOf(app).Pending() != 0 {
		t.Fatalf("a click should highlight without moving: %v, pending %d", it, sitesOf(app).Pending())
	}

	// drag from Available, drop over Assigned: a pending move
	sitesDrag(t, app, "", "Brightwater South Yard")
	if add, ok := sitesOf(app).pend[itemKey{siteKind, sitesSiteID(t, s, "Brightwater South Yard")}]; !ok || !add {
		t.Fatalf("drop on Assigned did not make a pending assign (msg %q)", app.Message())
	}
	if v := viewOf(app); !strings.Contains(v, "+ Brightwater South Yard") || strings.Contains(v, "drop here") {
		t.Errorf("after the drop:\n%s", v)
	}
	// and back: dragging the assigned site to Available makes a pending unassign
	sitesDrag(t, app, "", "Brightwater Central")
	if add, ok := sitesOf(app).pend[itemKey{siteKind, sitesSiteID(t, s, "Brightwater Central")}]; !ok || add {
		t.Fatalf("drop on Available did not make a pending unassign (msg %q)", app.Message())
	}
	if sitesOf(app).Pending() != 2 {
		t.Errorf("pending %d, want 2", sitesOf(app).Pending())
	}
}

func TestSitesMouseWheel(t *testing.T) {
	s := newTestStore(t, 60)
	app := newTestApp(t, s, nil, 120, 12) // a short terminal: the list scrolls
	press(app, "2")
	viewOf(app)
	l := &sitesOf(app).lists[siteAvail]
	if len(l.rows) <= l.Height() {
		t.Fatalf("%d rows fit in %d", len(l.rows), l.Height())
	}
	app.Update(tea.MouseWheelMsg{X: 40, Y: 3, Button: tea.MouseWheelDown})
	viewOf(app)
	if l.Offset() != 3 || l.Cursor() < l.Offset() {
		t.Errorf("wheel down: offset %d cursor %d", l.Offset(), l.Cursor())
	}
	app.Update(tea.MouseWheelMsg{X: 40, Y: 3, Button: tea.MouseWheelUp})
	viewOf(app)
	if l.Offset() != 0 {
		t.Errorf("wheel up: offset %d", l.Offset())
	}
}

func TestSitesNobodyChosen(t *testing.T) {
	s := newTestStore(t, 60)
	for _, sz := range []struct{ w, h int }{{120, 40}, {90, 24}} {
		app := newTestApp(t, s, nil, sz.w, sz.h)
		press(app, "2")
		v := viewOf(app)
		if !strings.Contains(v, "pick users on screen 1") && !strings.Contains(v, "Pick users on screen 1") {
			t.Errorf("%dx%d: the screen should say how to choose someone:\n%s", sz.w, sz.h, v)
		}
		checkFits(t, v, sz.w, sz.h)
		for _, k := range []string{"right", "ctrl+s", "space"} {
			press(app, k)
			if !strings.Contains(app.Message(), "nobody chosen") {
				t.Errorf("%s with nobody chosen: msg %q", k, app.Message())
			}
		}
	}
}

func TestSitesFilter(t *testing.T) {
	s := newTestStore(t, 60)
	app := newTestApp(t, s, nil, 120, 40)
	press(app, "enter") // the first employee
	press(app, "/")
	typeText(app, "CIVIC")
	press(app, "enter")
	l := &sitesOf(app).lists[siteAvail]
	if l.n == 0 {
		t.Fatal("the filter hides everything")
	}
	for _, r := range l.rows {
		if r.it == nil {
			if r.head != "Civic Arena" && r.head != clientsGroup {
				t.Errorf("group %q shows under /civic", r.head)
			}
			continue
		}
		if r.it.isClient() && r.it.label != "Civic Arena" {
			t.Errorf("client %s shows under /civic", r.it.label)
		}
		if !strings.HasPrefix(r.it.label, "Civic ") {
			t.Errorf("%s shows under /civic", r.it.label)
		}
	}
	if !strings.Contains(viewOf(app), "Available /civic") {
		t.Error("the pane title should show the filter")
	}
	press(app, "/")
	typeText(app, "night")
	press(app, "enter")
	for _, r := range l.rows {
		if r.it != nil && !strings.HasSuffix(r.it.label, "/Night") {
			t.Errorf("%s shows under /civicnight", r.it.label)
		}
	}
	press(app, "/", "esc")
	if sitesOf(app).Filter() != "" || l.n <= 10 {
		t.Errorf("esc should clear the filter: %q, %d items", sitesOf(app).Filter(), l.n)
	}
}

func TestSitesSetWhoKeepsPendingForOthers(t *testing.T) {
	s := newTestStore(t, 60)
	app := newTestApp(t, s, nil, 120, 40)
	u := sitesChooseClientUser(t, app)
	sitesCursorTo(t, app, siteAvail, "Brightwater West Wing")
	press(app, "right", "1", "down", "enter")
	if len(sitesOf(app).who) != 1 || sitesOf(app).who[0].ID != u.ID || sitesOf(app).Pending() != 1 {
		t.Errorf("choosing someone else under pending moves should keep them: who %v", sitesOf(app).who)
	}
	if !strings.Contains(app.Message(), "save them") {
		t.Errorf("msg %q", app.Message())
	}
}

func TestSitesFitsEverySize(t *testing.T) {
	s := newTestStore(t, 60)
	for _, sz := range append(sizes, struct{ w, h int }{60, 20}, struct{ w, h int }{100, 12}) {
		app := newTestApp(t, s, nil, sz.w, sz.h)
		press(app, "space", "space", "space", "enter")
		press(app, "right", "tab", "tab")
		for i := 0; i < 3; i++ {
			checkFits(t, viewOf(app), sz.w, sz.h)
			press(app, "tab")
		}
		sitesOf(app).Discard()
	}
}

func TestSitesReadOnlyHidesEditingKeys(t *testing.T) {
	s := newTestStore(t, 60)
	var basic *store.User
	s.EachUser(func(u *store.User) {
		if basic == nil && u.Type == store.Employee && !u.Disabled && s.Names().Profile(u.ProfileID) == "Basic" {
			basic = u
		}
	})
	if basic == nil {
		t.Skip("no Basic employee in the demo data")
	}
	actor, _ := viewerActor(t, s)
	app := newTestApp(t, s, &actor, 120, 40)
	if !app.ReadOnly() {
		t.Fatal("a viewer is not read-only")
	}
	sitesOf(app).SetWho([]*store.User{basic})
	press(app, "2", "right")
	if sitesOf(app).Pending() != 0 {
		t.Error("a read-only actor made a pending move")
	}
	for _, b := range ui.Visible(sitesOf(app).Bindings(), true) {
		if b.Group() != ui.NavGroup {
			t.Errorf("editing key %s should be hidden from read-only actors", b.Help().Key)
		}
	}
}
