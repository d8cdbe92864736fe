package permissions

import (
	"fmt"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/gatehouse/gatehouse/store"
	"github.com/gatehouse/gatehouse/tui"
	"github.com/gatehouse/gatehouse/tui/ui"
)

func matrixOf(app *tui.App) *Screen { return app.Screen(2).(*Screen) }

// matrixApp opens a console on the Permissions screen.
func matrixApp(t testing.TB, s *store.Store, actor *store.Actor, w, h int) (*tui.App, *Screen) {
	t.Helper()
	app := newTestApp(t, s, actor, w, h)
	press(app, "3")
	return app, matrixOf(app)
}

// matrixShow picks profiles side by side in the Profiles pane (space), then
// focuses the matrix.
func matrixShow(t *testing.T, app *tui.App, names ...string) {
	t.Helper()
	m := matrixOf(app)
	press(app, "shift+tab")
	if app.Focus() != 0 {
		t.Fatalf("shift+tab focused pane %d, want the Profiles pane", app.Focus())
	}
	for _, n := range names {
		press(app, "home")
		for i := 0; i < len(m.data.profiles) && m.leftProfile().Name != n; i++ {
			press(app, "down")
		}
		if m.leftProfile().Name != n {
			t.Fatalf("no profile %s in the list", n)
		}
		press(app, "space")
	}
	press(app, "tab")
	if app.Focus() != 1 {
		t.Fatalf("tab focused pane %d, want the matrix", app.Focus())
	}
}

// matrixGoto moves the cell cursor with the arrow keys.
func matrixGoto(t *testing.T, app *tui.App, screen, profile string) {
	t.Helper()
	m := matrixOf(app)
	press(app, "home")
	for i := 0; i < len(m.matrix.rows) && m.curScreen().Key != screen; i++ {
		press(app, "down")
	}
	for i := 0; i < len(m.matrix.shown) && m.matrix.col > 0; i++ {
		press(app, "left")
	}
	for i := 0; i < len(m.matrix.shown) && m.curProfile().Name != profile; i++ {
		press(app, "right")
	}
	if m.curScreen().Key != screen || m.curProfile().Name != profile {
		t.Fatalf("cursor on %s/%s, want %s/%s", m.curProfile().Name, m.curScreen().Key, profile, screen)
	}
}

// matrixPreviewText is the preview pane, wide enough not to wrap.
func matrixPreviewText(m *Screen) string {
	return strings.Join(m.Render(2, 400, 60, false), "\n")
}

func altKey(r rune) tea.KeyPressMsg { return tea.KeyPressMsg{Code: r, Mod: tea.ModAlt} }

// matrixLevel is what the cell shows (pending or stored).
func matrixLevel(t *testing.T, m *Screen, profile, screen string) (store.Level, bool) {
	t.Helper()
	for _, p := range m.data.profiles {
		if p.Name == profile {
			return m.edits.levelAt(p, screen)
		}
	}
	t.Fatalf("no profile %s", profile)
	return 0, false
}

func storedLevel(t *testing.T, s *store.Store, profile, screen string) store.Level {
	t.Helper()
	p, err := s.Profile(profile)
	if err != nil {
		t.Fatal(err)
	}
	return p.Levels[screen]
}

func batchCount(t *testing.T, s *store.Store) int {
	t.Helper()
	bs, err := s.Batches(0)
	if err != nil {
		t.Fatal(err)
	}
	return len(bs)
}

// Two profiles side by side, one pending cell, at 80×24, 120×40 and 200×60.
func TestMatrixGolden(t *testing.T) {
	s := newTestStore(t, 60)
	for _, sz := range sizes {
		t.Run(fmt.Sprintf("%dx%d", sz.w, sz.h), func(t *testing.T) {
			app, _ := matrixApp(t, s, nil, sz.w, sz.h)
			matrixShow(t, app, "Manager", "Client")
			matrixGoto(t, app, "scheduler", "Client")
			press(app, "v")
			v := viewOf(app)
			checkFits(t, v, sz.w, sz.h)
			golden(t, fmt.Sprintf("matrix_%dx%d", sz.w, sz.h), v)
		})
	}
}

// Client gets view on scheduler, timesheets and reports: the preview lists the
// three cells and the Client users, ctrl+s saves, and the checks follow.
func TestMatrixClientViewSaved(t *testing.T) {
	s := newTestStore(t, 60)
	app, m := matrixApp(t, s, nil, 120, 40)
	matrixShow(t, app, "Client")
	for _, sc := range []string{"scheduler", "timesheets", "reports"} {
		matrixGoto(t, app, sc, "Client")
		press(app, "v")
	}
	if m.Pending() != 3 {
		t.Fatalf("%d pending, want 3", m.Pending())
	}
	clientUsers, _ := s.Users(store.UserFilter{Profile: "Client"})
	if len(clientUsers) == 0 {
		t.Fatal("the demo has no Client users")
	}
	pv := m.preview.preview()
	if len(pv.changes) != 3 || pv.users != len(clientUsers) || pv.err != nil {
		t.Fatalf("preview: %d changes, %d users (want 3, %d), err %v", len(pv.changes), pv.users, len(clientUsers), pv.err)
	}
	v := matrixPreviewText(m)
	for _, want := range []string{"3 cells of Client", fmt.Sprintf("touches %d users", len(clientUsers)), "Scheduler", "Timesheets", "Reports", "none → view", "ctrl+s saves"} {
		if !strings.Contains(v, want) {
			t.Errorf("preview lacks %q:\n%s", want, v)
		}
	}
	before := batchCount(t, s)
	press(app, "ctrl+s")
	if m.Pending() != 0 {
		t.Fatalf("still %d pending after ctrl+s: %s", m.Pending(), app.Message())
	}
	if n := batchCount(t, s); n != before+1 {
		t.Errorf("%d change sets written, want 1", n-before)
	}
	if !strings.Contains(app.Message(), "change set") || app.MessageBad() {
		t.Errorf("status line: %q", app.Message())
	}
	var u *store.User
	for _, cu := range clientUsers {
		if !cu.Disabled && len(cu.SiteIDs) > 0 {
			u = cu
			break
		}
	}
	if u == nil {
		t.Fatal("no enabled Client user with a site")
	}
	site := s.Names().Site(u.SiteIDs[0])
	for _, sc := range []string{"scheduler", "timesheets", "reports", "roster"} {
		if d := s.Check(u.Email, sc, store.View, site); !d.Allowed {
			t.Errorf("%s: %s", sc, d.Reason())
		}
	}
	if d := s.Check(u.Email, "payroll", store.View, site); d.Allowed {
		t.Errorf("payroll: %s", d.Reason())
	}
}

// With the guardrail on, view on payroll for Client is refused in the preview,
// with the store's reason, and ctrl+s writes nothing.
func TestMatrixGuardrailRefusedInPreview(t *testing.T) {
	s := newTestStore(t, 60)
	if !s.Settings().ClientGuardrail {
		t.Fatal("the guardrail is off by default")
	}
	app, m := matrixApp(t, s, nil, 120, 40)
	matrixShow(t, app, "Client")
	matrixGoto(t, app, "payroll", "Client")
	press(app, "v")
	pv := m.preview.preview()
	if pv.err == nil || !strings.Contains(pv.err.Error(), "guardrail") {
		t.Fatalf("preview error %v, want the guardrail's", pv.err)
	}
	if len(pv.warnings) != 1 {
		t.Errorf("guardrail warnings %q, want one", pv.warnings)
	}
	v := viewOf(app)
	for _, want := range []string{"ctrl+s would be refused", "client guardrail is on", "Payroll"} {
		if !strings.Contains(v, want) {
			t.Errorf("preview lacks %q:\n%s", want, v)
		}
	}
	before := batchCount(t, s)
	press(app, "ctrl+s")
	if n := batchCount(t, s); n != before {
		t.Errorf("ctrl+s wrote %d change set(s)", n-before)
	}
	if storedLevel(t, s, "Client", "payroll") != store.None {
		t.Error("Client got payroll")
	}
	if !app.MessageBad() || !strings.Contains(app.Message(), "guardrail") {
		t.Errorf("status line: %q", app.Message())
	}
	if m.Pending() != 1 {
		t.Errorf("%d pending after the refusal, want the edit kept", m.Pending())
	}
}

// N/V/M set a row for every profile shown; alt+n/v/m set a column on every
// screen shown (the filter narrows it).
func TestMatrixRowAndColumnEdits(t *testing.T) {
	s := newTestStore(t, 20)
	app, m := matrixApp(t, s, nil, 120, 40)
	matrixShow(t, app, "Manager", "Supervisor")
	matrixGoto(t, app, "payroll", "Manager")
	press(app, "V")
	for _, p := range []string{"Manager", "Supervisor"} {
		if l, pend := matrixLevel(t, m, p, "payroll"); l != store.View || !pend {
			t.Errorf("%s payroll: %s pending=%v, want view pending", p, l, pend)
		}
	}
	if m.Pending() != 2 {
		t.Fatalf("%d pending after V, want 2", m.Pending())
	}

	matrixGoto(t, app, "roster", "Supervisor")
	app.Update(altKey('n'))
	for _, sc := range s.Screens() {
		if l, _ := matrixLevel(t, m, "Supervisor", sc.Key); l != store.None {
			t.Errorf("Supervisor %s: %s after alt+n, want none", sc.Key, l)
		}
	}
	// Supervisor held 5 screens; its pending payroll went back to none (no longer pending)
	if m.Pending() != 6 {
		t.Errorf("%d pending after alt+n, want 6", m.Pending())
	}
	if l, _ := matrixLevel(t, m, "Manager", "roster"); l != store.Maintain {
		t.Errorf("alt+n on Supervisor changed Manager's roster to %s", l)
	}

	// a column edit under a filter touches only the screens shown
	press(app, "esc")
	if m.Pending() != 0 {
		t.Fatalf("esc left %d pending", m.Pending())
	}
	press(app, "/")
	typeText(app, "pay")
	press(app, "enter")
	if m.matrix.screenCount() != 1 || m.curScreen().Key != "payroll" {
		t.Fatalf("filter pay: %d screens, cursor on %v", m.matrix.screenCount(), m.curScreen())
	}
	matrixGoto(t, app, "payroll", "Manager")
	app.Update(altKey('m'))
	if m.Pending() != 1 {
		t.Errorf("%d pending after alt+m under the filter, want 1", m.Pending())
	}
	if l, _ := matrixLevel(t, m, "Manager", "payroll"); l != store.Maintain {
		t.Errorf("Manager payroll %s, want maintain", l)
	}
}

// space marks a corner, b the block to the cursor; v then sets every marked cell.
func TestMatrixMarkedBlock(t *testing.T) {
	s := newTestStore(t, 20)
	app, m := matrixApp(t, s, nil, 120, 40)
	matrixShow(t, app, "Manager", "Client")
	matrixGoto(t, app, "scheduler", "Manager")
	press(app, "space", "down", "down", "right", "b")
	if len(m.matrix.marks) != 6 {
		t.Fatalf("%d cells marked, want 6 (3 screens × 2 profiles)", len(m.matrix.marks))
	}
	if !strings.Contains(viewOf(app), "+MAINT") {
		t.Error("marked cells are not shown with +")
	}
	press(app, "v")
	for _, p := range []string{"Manager", "Client"} {
		for _, sc := range []string{"scheduler", "roster", "timesheets"} {
			if l, _ := matrixLevel(t, m, p, sc); l != store.View {
				t.Errorf("%s %s: %s, want view", p, sc, l)
			}
		}
	}
	// Manager's three were maintain, Client's scheduler and timesheets none; Client's roster was view already
	if m.Pending() != 5 {
		t.Errorf("%d pending, want 5", m.Pending())
	}
	if len(m.matrix.marks) != 0 {
		t.Errorf("marks left after applying: %d", len(m.matrix.marks))
	}
	for _, sc := range []string{"dashboard", "adhoc-shifts", "leave"} {
		if l, pend := matrixLevel(t, m, "Manager", sc); pend || l != storedLevel(t, s, "Manager", sc) {
			t.Errorf("Manager %s outside the block changed to %s", sc, l)
		}
	}
	press(app, "ctrl+s")
	if storedLevel(t, s, "Manager", "roster") != store.View || storedLevel(t, s, "Client", "timesheets") != store.View {
		t.Errorf("block not saved: %s", app.Message())
	}
}

// Someone else changes the profile while an edit is pending: a change event
// keeps the edit and the preview names the conflict; ctrl+s is refused and
// the other writer's value stays.
func TestMatrixConflict(t *testing.T) {
	s := newTestStore(t, 20)
	app, m := matrixApp(t, s, nil, 120, 40)
	matrixShow(t, app, "Client")
	matrixGoto(t, app, "scheduler", "Client")
	press(app, "v")

	ch, stop := s.Subscribe()
	defer stop()
	if _, err := s.Apply(store.LocalActor("other"), "elsewhere", func(tx *store.Tx) error {
		return tx.Grant("Client", 0, "timesheets", store.View)
	}); err != nil {
		t.Fatal(err)
	}
	app.Update(tui.ChangeEvent(<-ch))
	if m.Pending() != 1 {
		t.Fatalf("the change event dropped the pending edit (%d pending)", m.Pending())
	}
	v := matrixPreviewText(m)
	for _, want := range []string{"changed by local:other", "since you began", "ctrl+s will refuse", "esc discards"} {
		if !strings.Contains(v, want) {
			t.Errorf("preview lacks %q:\n%s", want, v)
		}
	}

	before := batchCount(t, s)
	press(app, "ctrl+s")
	if !app.MessageBad() || !strings.Contains(app.Message(), "local:other") {
		t.Errorf("status line does not name the other writer: %q", app.Message())
	}
	if n := batchCount(t, s); n != before {
		t.Errorf("ctrl+s wrote %d change set(s) over a conflict", n-before)
	}
	if storedLevel(t, s, "Client", "scheduler") != store.None || storedLevel(t, s, "Client", "timesheets") != store.View {
		t.Error("the other writer's profile was overwritten")
	}
	if m.Pending() != 1 {
		t.Errorf("%d pending after the refusal, want 1", m.Pending())
	}
	press(app, "esc")
	if m.Pending() != 0 || len(m.preview.preview().conflicts) != 0 {
		t.Errorf("esc left %d pending", m.Pending())
	}
}

// The same conflict without a change event: ctrl+s still refuses, and then
// the preview shows it.
func TestMatrixConflictWithoutEvent(t *testing.T) {
	s := newTestStore(t, 20)
	app, m := matrixApp(t, s, nil, 120, 40)
	matrixShow(t, app, "Client")
	matrixGoto(t, app, "scheduler", "Client")
	press(app, "v")
	if _, err := s.Apply(store.LocalActor("other"), "elsewhere", func(tx *store.Tx) error {
		return tx.Grant("Client", 0, "leave", store.View)
	}); err != nil {
		t.Fatal(err)
	}
	press(app, "ctrl+s")
	if !strings.Contains(app.Message(), "changed by local:other") {
		t.Errorf("status line: %q", app.Message())
	}
	if storedLevel(t, s, "Client", "scheduler") != store.None {
		t.Error("saved over a conflict")
	}
	if !strings.Contains(matrixPreviewText(m), "since you began") {
		t.Error("the preview does not show the conflict after the refused save")
	}
}

// esc discards every pending cell; nothing is written.
func TestMatrixEscDiscards(t *testing.T) {
	s := newTestStore(t, 20)
	app, m := matrixApp(t, s, nil, 120, 40)
	matrixShow(t, app, "Manager", "Client")
	matrixGoto(t, app, "roster", "Manager")
	press(app, "N", "down", "v")
	if m.Pending() != 3 {
		t.Fatalf("%d pending, want 3", m.Pending())
	}
	before := batchCount(t, s)
	press(app, "esc")
	if m.Pending() != 0 || app.Pending() != 0 {
		t.Fatalf("esc left %d pending", m.Pending())
	}
	if n := batchCount(t, s); n != before {
		t.Error("esc wrote something")
	}
	v := viewOf(app)
	if strings.Contains(v, "view*") || strings.Contains(v, "MAINT*") || strings.Contains(v, "·*") || !strings.Contains(v, "No unsaved changes") {
		t.Errorf("the view still shows pending cells:\n%s", v)
	}
	if !strings.Contains(app.Message(), "discarded 3") {
		t.Errorf("status line: %q", app.Message())
	}
}

// The App's u after a save restores the levels.
func TestMatrixUndoAfterSave(t *testing.T) {
	s := newTestStore(t, 20)
	app, m := matrixApp(t, s, nil, 120, 40)
	matrixShow(t, app, "Client")
	matrixGoto(t, app, "scheduler", "Client")
	press(app, "v")
	matrixGoto(t, app, "roster", "Client")
	press(app, "n")
	press(app, "ctrl+s")
	if storedLevel(t, s, "Client", "scheduler") != store.View || storedLevel(t, s, "Client", "roster") != store.None {
		t.Fatalf("not saved: %s", app.Message())
	}
	press(app, "u")
	if storedLevel(t, s, "Client", "scheduler") != store.None || storedLevel(t, s, "Client", "roster") != store.View {
		t.Fatalf("undo did not restore the levels: %s", app.Message())
	}
	if !strings.Contains(app.Message(), "undid") {
		t.Errorf("status line: %q", app.Message())
	}
	if l, pend := matrixLevel(t, m, "Client", "roster"); l != store.View || pend {
		t.Errorf("the matrix shows roster %s (pending %v) after undo", l, pend)
	}
}

// C copies a profile through the form, S flips its scope, x deletes it;
// the store's refusals (built-in, held) show in the status line.
func TestMatrixProfileCopyScopeDelete(t *testing.T) {
	s := newTestStore(t, 20)
	app, m := matrixApp(t, s, nil, 120, 40)
	press(app, "shift+tab", "home", "down") // Manager
	if m.leftProfile().Name != "Manager" {
		t.Fatalf("highlighted %s", m.leftProfile().Name)
	}
	press(app, "C")
	if app.Modal() == nil {
		t.Fatal("C opened no form")
	}
	if !strings.Contains(viewOf(app), "Manager copy") {
		t.Errorf("the form does not offer a name:\n%s", viewOf(app))
	}
	for i := 0; i < 4 && app.Modal() != nil; i++ {
		press(app, "enter")
	}
	p, err := s.Profile("Manager copy")
	if err != nil {
		t.Fatalf("no copy: %v (%s)", err, app.Message())
	}
	if p.Type != store.Employee || p.Levels["users"] != store.Maintain || p.Scope != store.ScopeAssigned {
		t.Errorf("copy: %+v", p)
	}
	if m.leftProfile().Name != "Manager copy" {
		t.Errorf("the cursor is on %s, not the new profile", m.leftProfile().Name)
	}
	press(app, "S") // one key, every user of the profile: it asks first
	if c, ok := app.Modal().(*ui.Confirm); !ok || !strings.Contains(c.Question, "Profile Manager copy: assigned sites → all sites. 0 users hold it") {
		t.Fatalf("S asked nothing, or not what it changes: %#v", app.Modal())
	}
	press(app, "y")
	if p, _ := s.Profile("Manager copy"); p.Scope != store.ScopeAll {
		t.Errorf("S left scope %s: %s", p.Scope, app.Message())
	}
	press(app, "x")
	if app.Modal() == nil {
		t.Fatal("x asked nothing for an unused profile")
	}
	press(app, "y")
	if _, err := s.Profile("Manager copy"); err == nil {
		t.Errorf("not deleted: %s", app.Message())
	}

	press(app, "home", "x") // Administrator: built-in, refused at once by the store
	if app.Modal() != nil {
		t.Fatal("x asked to confirm deleting a built-in profile")
	}
	if _, err := s.Profile("Administrator"); err != nil || !app.MessageBad() || !strings.Contains(app.Message(), "built-in") {
		t.Errorf("built-in delete: %v, status %q", err, app.Message())
	}

	press(app, "end", "S") // Client cannot reach all sites
	if !app.MessageBad() || !strings.Contains(app.Message(), "cannot reach all sites") {
		t.Errorf("client scope refusal: %q", app.Message())
	}
}

// A view-only actor sees no editing keys; a scoped Manager is told why not.
func TestMatrixReadOnlyAndScopedActors(t *testing.T) {
	s := newTestStore(t, 60)
	actor := actorOnNewProfile(t, s, "Auditor", "Basic", map[string]store.Level{"users": store.View})
	app, m := matrixApp(t, s, &actor, 120, 40)
	if !app.ReadOnly() || app.Screen(app.Shown()) != m {
		t.Fatalf("read-only %v, on %s", app.ReadOnly(), app.Screen(app.Shown()).Name())
	}
	press(app, "v", "ctrl+s")
	if m.Pending() != 0 {
		t.Error("a view-only actor made a pending edit")
	}
	press(app, "?")
	if help := viewOf(app); strings.Contains(help, "every marked cell") || strings.Contains(help, "create a profile") {
		t.Errorf("help shows editing keys to a view-only actor:\n%s", help)
	}
	press(app, "esc")
	if !strings.Contains(strings.Join(m.Render(2, 200, 40, false), " "), "You cannot edit profiles") {
		t.Error("the preview does not say why editing is off")
	}

	mgrs, _ := s.Users(store.UserFilter{Profile: "Manager"})
	mgr, err := s.ActorFor(mgrs[0].Email)
	if err != nil {
		t.Fatal(err)
	}
	app, m = matrixApp(t, s, &mgr, 120, 40)
	press(app, "v")
	if m.Pending() != 0 || !app.MessageBad() || !strings.Contains(app.Message(), "assigned sites") {
		t.Errorf("scoped manager: %d pending, status %q", m.Pending(), app.Message())
	}
	if !strings.Contains(viewOf(app), "You cannot edit profiles") {
		t.Error("the preview does not say why editing is off")
	}
}

// An all-sites actor below Administrator may not grant above their own: the
// preview shows the store's reason before ctrl+s.
func TestMatrixEscalationRefusedInPreview(t *testing.T) {
	s := newTestStore(t, 20)
	actor := actorOnNewProfile(t, s, "Ops admin", "Administrator", map[string]store.Level{"payroll": store.None})
	app, m := matrixApp(t, s, &actor, 120, 40)
	matrixShow(t, app, "Basic")
	matrixGoto(t, app, "payroll", "Basic")
	press(app, "m")
	if m.Pending() != 1 {
		t.Fatalf("%d pending: %s", m.Pending(), app.Message())
	}
	pv := m.preview.preview()
	if pv.err == nil || !strings.Contains(pv.err.Error(), "no one may grant more than they hold") {
		t.Fatalf("preview error: %v", pv.err)
	}
	if v := matrixPreviewText(m); !strings.Contains(v, "ctrl+s would be refused") || !strings.Contains(v, "no one may grant more") {
		t.Errorf("the refusal is not in the preview:\n%s", v)
	}
	press(app, "ctrl+s")
	if storedLevel(t, s, "Basic", "payroll") != store.None {
		t.Error("escalation saved")
	}
}

// The preview is recomputed when the pending set changes, not on every View.
func TestMatrixPreviewCached(t *testing.T) {
	s := newTestStore(t, 20)
	app, m := matrixApp(t, s, nil, 120, 40)
	matrixShow(t, app, "Client")
	press(app, "v")
	_ = viewOf(app)
	g := m.preview.pv.gen
	first := m.preview.pv.changes
	for i := 0; i < 3; i++ {
		_ = viewOf(app)
	}
	if m.preview.pv.gen != g || &m.preview.pv.changes[0] != &first[0] {
		t.Error("the preview was recomputed without a change")
	}
	press(app, "down", "v")
	_ = viewOf(app)
	if m.preview.pv.gen == g || len(m.preview.pv.changes) != 2 {
		t.Errorf("the preview did not follow the edit: %d changes", len(m.preview.pv.changes))
	}
}

// 200 screens × 10 profiles fit at every size and pane, only the visible rows
// are drawn, and the columns scroll sideways to the cursor.
func TestMatrixBigFitsAndScrolls(t *testing.T) {
	s := matrixBigStore(t)
	for _, sz := range append(sizes, struct{ w, h int }{60, 20}) {
		app, m := matrixApp(t, s, nil, sz.w, sz.h)
		matrixShowAll(app)
		press(app, "v", "end", "V")
		for f := 0; f < 3; f++ {
			app.SetFocus(f)
			t.Run(fmt.Sprintf("%dx%d/pane%d", sz.w, sz.h, f), func(t *testing.T) {
				checkFits(t, viewOf(app), sz.w, sz.h)
			})
		}
		app.SetFocus(1)
		lines := m.Render(1, 100, sz.h, true)
		if len(lines) > sz.h {
			t.Errorf("%dx%d: the matrix drew %d lines for %d rows", sz.w, sz.h, len(lines), sz.h)
		}
		if foot := lines[len(lines)-1]; !strings.Contains(foot, "–200 of 200") {
			t.Errorf("%dx%d: at the last screen the footer says %q", sz.w, sz.h, foot)
		}
		for range m.matrix.shown {
			press(app, "right")
		}
		v := viewOf(app)
		if m.matrix.col != 9 || m.matrix.colOff == 0 || !strings.Contains(v, "copy 4") {
			t.Errorf("%dx%d: col %d, offset %d:\n%s", sz.w, sz.h, m.matrix.col, m.matrix.colOff, v)
		}
	}
}

// A change event reloads the matrix only when it touches profiles, screens,
// settings or users.
func TestMatrixRefreshFollowsWhatMatters(t *testing.T) {
	s := newTestStore(t, 20)
	_, m := matrixApp(t, s, nil, 120, 40)
	g := m.edits.gen
	m.Refresh(store.Event{Refs: []store.Ref{{Kind: "site", ID: 1}, {Kind: "team", ID: 1}}})
	if m.edits.gen != g {
		t.Error("a site change reloaded the matrix")
	}
	m.Refresh(store.Event{Refs: []store.Ref{{Kind: "site", ID: 1}, {Kind: "profile", ID: 6}}})
	if m.edits.gen == g {
		t.Error("a profile change did not reload the matrix")
	}
}

// A click puts the cell cursor on the cell under the pointer; the wheel scrolls.
func TestMatrixMouse(t *testing.T) {
	s := newTestStore(t, 20)
	app, m := matrixApp(t, s, nil, 120, 40)
	matrixShow(t, app, "Manager", "Client")
	_ = viewOf(app)
	// the matrix pane starts at x=24 (left pane 24 wide), y=1 (tabs); +1 for its frame
	x := 24 + 1 + m.matrix.geo.labelW + m.matrix.geo.cellW + 2 // inside the second column (Client)
	y := 1 + 1 + m.matrix.geo.heads + 3                        // Operations header, Dashboard, Scheduler, Roster
	app.Update(tea.MouseClickMsg{X: x, Y: y, Button: tea.MouseLeft})
	if p, sc := m.curProfile(), m.curScreen(); p.Name != "Client" || sc.Key != "roster" {
		t.Fatalf("click landed on %s/%s, want Client/roster", p.Name, sc.Key)
	}
	press(app, "n")
	if l, _ := matrixLevel(t, m, "Client", "roster"); l != store.None {
		t.Errorf("Client roster %s after click and n", l)
	}
	app.Update(tea.MouseWheelMsg{X: x, Y: y, Button: tea.MouseWheelDown})
	if m.curScreen().Key == "roster" {
		t.Error("the wheel did not move")
	}
}

// The preview pane at 80 columns wraps what it says, never cuts it: the
// cell under the cursor ("guardrail on: at most vie…", "client · assigned
// sit…") and a pending change whose profile and screen are longer than the
// pane ("Administrator · !Users & pe…").
func TestMatrixPreviewWrapsAt80(t *testing.T) {
	s := newTestStore(t, 60)
	app, m := matrixApp(t, s, nil, 80, 24)
	matrixShow(t, app, "Administrator", "Client")
	matrixGoto(t, app, "payroll", "Client")
	previewSays(t, app, "Client on Payroll", "none · sensitive screen", "client · assigned sites · built-in",
		"guardrail on: at most view, no sensitive screen")
	golden(t, "matrix_cell_80x24", viewOf(app))
	matrixGoto(t, app, "users", "Administrator")
	press(app, "v")
	if m.Pending() != 1 {
		t.Fatalf("%d pending, want 1: %q", m.Pending(), app.Message())
	}
	previewSays(t, app, "Administrator · !Users & permissions")
}

// previewSays checks that no line of the preview pane (the right one, the
// matrix focused) is cut and that each text shows whole, wrapped or not.
func previewSays(t *testing.T, app *tui.App, texts ...string) {
	t.Helper()
	v := viewOf(app)
	var lines []string
	for _, l := range strings.Split(v, "\n") {
		_, right, ok := strings.Cut(l, "┃│")
		if !ok {
			continue
		}
		right = strings.TrimSpace(strings.TrimSuffix(right, "│"))
		if strings.HasSuffix(right, "…") {
			t.Errorf("a line of the preview is cut: %q\n%s", right, v)
		}
		lines = append(lines, right)
	}
	said := strings.Join(strings.Fields(strings.Join(lines, " ")), " ")
	for _, want := range texts {
		if !strings.Contains(said, want) {
			t.Errorf("the preview does not say %q whole:\n%s", want, v)
		}
	}
}

// The matrix's last lines say where the window is and what its marks mean,
// whole at every size: at 80 columns on two lines.
func TestMatrixFooterIsWhole(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 40}, {200, 60}} {
		s := newTestStore(t, 60)
		app, _ := matrixApp(t, s, nil, size[0], size[1])
		matrixShow(t, app, "Administrator", "Client")
		v := viewOf(app)
		var matrix []string
		for _, l := range strings.Split(v, "\n") {
			if left, _, ok := strings.Cut(l, "┃│"); ok {
				_, in, _ := strings.Cut(left, "┃")
				matrix = append(matrix, strings.TrimSpace(in))
			}
		}
		said := strings.Join(matrix, "\n")
		if !strings.Contains(said, "* unsaved · ! sensitive · + marked") {
			t.Errorf("%dx%d: the legend is not whole:\n%s", size[0], size[1], v)
		}
		for _, l := range matrix {
			if strings.HasSuffix(l, "…") {
				t.Errorf("%dx%d: a line of the matrix is cut: %q\n%s", size[0], size[1], l, v)
			}
		}
	}
}
