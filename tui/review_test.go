package tui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/tui/ui"
)

// pressAndRun runs the command a key returned (the background write) and
// feeds its report back, as the program would.
func pressAndRun(app *App, k string) {
	_, cmd := app.Update(keyMsg(k))
	drain(app, cmd, 6)
}

// :review writes an access review to a file from the console: Markdown by
// default, named for today, never over an existing file (refused at the
// field, the form kept), and only on the admin's own machine — a console
// over SSH says how to get one there instead.
func TestAccessReviewToAFileFromTheConsole(t *testing.T) {
	s := newTestStore(t, 60)
	dir := t.TempDir()
	t.Chdir(dir)
	app := newTestAppWith(t, s, Options{WriteFiles: true}, 120, 40)
	someone := usersOf(app).Current()

	press(app, ":")
	typeText(app, "review")
	press(app, "enter")
	if _, ok := app.modal.(*ui.Form); !ok {
		t.Fatalf(":review did not open its form:\n%s", viewOf(app))
	}
	for _, k := range []string{"enter", "enter", "enter"} {
		press(app, k)
	}
	pressAndRun(app, "enter")
	name := "access-review-" + time.Now().Format("2006-01-02") + ".md"
	doc, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatalf("no review written (%s): %v", app.msg, err)
	}
	if !strings.HasPrefix(string(doc), "# Access review") || !strings.Contains(string(doc), someone.Email) {
		t.Fatalf("the review lacks its title or %s:\n%.400s", someone.Email, doc)
	}
	if fi, _ := os.Stat(filepath.Join(dir, name)); fi.Mode().Perm() != 0o600 {
		t.Errorf("the review is readable by others: %v", fi.Mode().Perm())
	}
	if !strings.Contains(app.msg, "wrote the access review") {
		t.Errorf("no word that it was written: %q", app.msg)
	}

	// again: the file exists; refused at the File field, nothing overwritten
	os.WriteFile(filepath.Join(dir, name), []byte("mine"), 0o600)
	press(app, ":")
	typeText(app, "review")
	press(app, "enter", "enter", "enter", "enter")
	pressAndRun(app, "enter")
	m, ok := app.modal.(*ui.Form)
	if !ok {
		t.Fatalf("the refused review form closed: %q", app.msg)
	}
	if m.RefusedField() != fieldFile || !strings.Contains(fieldBlock(viewOf(app), "File"), "exists") {
		t.Fatalf("the refusal is not at the File field (%q):\n%s", m.RefusedField(), viewOf(app))
	}
	if got, _ := os.ReadFile(filepath.Join(dir, name)); string(got) != "mine" {
		t.Fatalf("an existing file was overwritten")
	}

	// over SSH (no WriteFiles): no form, the way to get one instead
	remote := newTestAppWith(t, s, Options{}, 120, 40)
	press(remote, ":")
	typeText(remote, "review")
	press(remote, "enter")
	if remote.modal != nil || !strings.Contains(remote.msg, "ssh HOST review") {
		t.Fatalf("a remote console's :review: modal %v, msg %q", remote.modal != nil, remote.msg)
	}
}
