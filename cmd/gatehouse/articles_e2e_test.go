//go:build unix

package main

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The help articles done from the keyboard alone, each as one table of
// steps run at every size, in a terminal of its own and over OpenSSH; what
// they changed is then read back with the command line. Each article keeps
// its steps in one place (article000_e2e_test.go, article002_e2e_test.go):
// a step that changes is one edit.

// article is a help article made runnable.
type article struct {
	name  string
	seed  [][]string // gatehouse commands that set up what the article starts from
	steps []step
	check func(t *testing.T, c checker) // what the steps must have changed
}

var helpArticles = []article{article000, article002}

// step is one instruction of an article: its words, and what a person does
// for it at the keyboard, each key followed by a look at the screen where
// the next key depends on it.
type step struct {
	says string
	do   []action
}

type action func(*term)

func press(keys ...string) action      { return func(tm *term) { tm.keys(keys...) } }
func typing(text string) action        { return func(tm *term) { tm.typeText(text) } }
func see(re string) action             { return func(tm *term) { tm.waitFor(re) } }
func pressUntil(key, re string) action { return func(tm *term) { tm.downTo(key, re) } }

// seeFocus waits for the cursor to be in a form's field (its title marked
// by the focus bar) before typing into it: enter moves the focus by a
// command, after the keys already typed, so text typed at once would land
// in the field before.
func seeFocus(title string) action { return see(`┃ ` + regexp.QuoteMeta(title) + `\s`) }

// the console lays out one pane below 80 columns, two from 80 and three
// from 120; 200 is a wide terminal
var articleSizes = []struct{ w, h int }{{80, 24}, {120, 40}, {200, 60}}

// adminEmail is the administrator every article's seed adds: the one who
// signs in over SSH.
const adminEmail = "ada@example.com"

var adminSeed = []string{"users", "add", "--first", "Ada", "--last", "Admin", "--email", adminEmail, "--profile", "Administrator"}

// follow does the steps in order; a failure names the step.
func (tm *term) follow(steps []step) {
	tm.t.Helper()
	for i, s := range steps {
		tm.doing = fmt.Sprintf("step %d of %d (%s)", i+1, len(steps), s.says)
		for _, do := range s.do {
			do(tm)
		}
	}
	tm.doing = ""
}

// checker reads the database after the steps: through the command line on
// the file, or over SSH through the server.
type checker struct {
	t     *testing.T
	run   func(args ...string) (string, int)
	actor *regexp.Regexp // who the audit log says made the changes
	srv   *sshServer     // the server, over SSH; nil for the local console
}

func localChecker(t *testing.T, db string) checker {
	return checker{t: t, run: func(args ...string) (string, int) { return gh(t, db, args...) }, actor: regexp.MustCompile(`^local:`)}
}

func sshChecker(t *testing.T, srv *sshServer, key string) checker {
	return checker{t: t, srv: srv, actor: regexp.MustCompile(`^` + regexp.QuoteMeta(adminEmail) + `$`),
		run: func(args ...string) (string, int) {
			// the server splits the command line as a shell does
			quoted := make([]string, len(args))
			for i, a := range args {
				quoted[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
			}
			out, _, code := srv.ssh(t, key, quoted...)
			return out, code
		}}
}

// json runs a read command with --json and decodes what it prints into v.
func (c checker) readJSON(v any, args ...string) {
	c.t.Helper()
	out, code := c.run(append(args, "--json")...)
	if code != 0 {
		c.t.Fatalf("gatehouse %s: exit %d\n%s", strings.Join(args, " "), code, out)
	}
	if err := json.Unmarshal([]byte(out), v); err != nil {
		c.t.Fatalf("gatehouse %s --json: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// exits checks the exit status of a command (check: 0 allowed, 1 denied).
func (c checker) exits(want int, args ...string) {
	c.t.Helper()
	if out, code := c.run(args...); code != want {
		c.t.Errorf("gatehouse %s: exit %d, want %d (%s)", strings.Join(args, " "), code, want, strings.TrimSpace(out))
	}
}

func (c checker) auditIntact() {
	c.t.Helper()
	if out, code := c.run("audit", "verify"); code != 0 {
		c.t.Errorf("audit verify: exit %d: %s", code, out)
	}
}

type articleUser struct {
	Email       string   `json:"email"`
	Type        string   `json:"type"`
	Profile     string   `json:"profile"`
	Status      string   `json:"status"`
	Clients     []string `json:"clients"`
	Sites       []string `json:"sites"`
	DefaultSite string   `json:"default_site"`
}

type auditEntry struct {
	Actor  string `json:"actor"`
	Field  string `json:"field"`
	Before string `json:"before"`
	After  string `json:"after"`
}

type outboxMessage struct {
	Kind  string `json:"kind"`
	To    string `json:"to"`
	State string `json:"state"`
}

func (c checker) user(email string) articleUser {
	c.t.Helper()
	var u articleUser
	c.readJSON(&u, "users", "show", email)
	return u
}

// changed finds the audit entry of a user's field changed from before to
// after, and checks who the log says made it.
func (c checker) changed(email, field, before, after string) {
	c.t.Helper()
	var history []auditEntry
	c.readJSON(&history, "users", "history", email)
	for _, e := range history {
		if e.Field == field && (before == "" || e.Before == before) && (after == "" || e.After == after) {
			if !c.actor.MatchString(e.Actor) {
				c.t.Errorf("%s's %s change is recorded as made by %q, want %s", email, field, e.Actor, c.actor)
			}
			return
		}
	}
	c.t.Errorf("%s's history has no %s change %q -> %q: %+v", email, field, before, after, history)
}

// queued checks the outbox holds a message of kind to email.
func (c checker) queued(kind, email string) {
	c.t.Helper()
	var box []outboxMessage
	c.readJSON(&box, "outbox", "list")
	for _, m := range box {
		if m.Kind == kind && m.To == email && m.State == "queued" {
			return
		}
	}
	c.t.Errorf("no %s queued for %s: %+v", kind, email, box)
}

func seedArticle(t *testing.T, db string, a article) {
	t.Helper()
	for _, args := range append([][]string{adminSeed}, a.seed...) {
		mustGH(t, db, args...)
	}
}

// Each article from the console on the database file, at each size.
func TestE2EHelpArticles(t *testing.T) {
	if raceEnabled {
		// the console under test is the binary built with plain go build:
		// the race detector would only slow the machine it shares (.ci/run
		// runs these in its plain go test step)
		t.Skip("not under -race: it tests a process the race detector does not instrument")
	}
	needTools(t, "tmux")
	for _, a := range helpArticles {
		for _, size := range articleSizes {
			t.Run(fmt.Sprintf("%s/%dx%d", a.name, size.w, size.h), func(t *testing.T) {
				db := filepath.Join(t.TempDir(), "gatehouse.db")
				seedArticle(t, db, a)
				tm := startTerm(t, size.w, size.h, "--db", db)
				tm.follow(a.steps)
				tm.keys("q")
				// the console holds the database until it has ended
				if st, ok := tm.exitStatus(); !ok || st != "0" {
					t.Fatalf("the console had not ended with status 0 %s after q (status %q):\n%s", patience, st, tm.screen())
				}
				a.check(t, localChecker(t, db))
			})
		}
	}
}
