package cmd_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The security issue's reproductions, typed as the hostile insider typed
// them (through the real binary, --as), each now refused.

// Point 1: HR, an all-sites copy of Manager, lowers the Administrator
// profile and then takes over the administrator.
func TestInsiderCannotLowerWhatIsAboveThem(t *testing.T) {
	g := newGH(t)
	g.employee("Ada", "Admin", "ada@example.com", "Administrator")
	g.ok("profiles", "create", "HR", "--type", "employee", "--copy-from", "Manager")
	g.ok("profiles", "scope", "HR", "all")
	g.ok("users", "add", "--first", "H", "--last", "R", "--email", "hr@example.com", "--type", "employee", "--profile", "HR")
	as := func(args ...string) []string { return append([]string{"--as", "hr@example.com"}, args...) }
	msg := g.fail(1, as("profiles", "grant", "Administrator", "payroll=none", "users=none", "settings=none")...)
	contains(t, "lower the Administrator profile", msg, "Administrator", "above")
	msg = g.fail(1, as("profiles", "scope", "Administrator", "assigned")...)
	contains(t, "narrow the Administrator profile", msg, "Administrator")
	msg = g.failIn("hrownsadmin1\n", 1, as("users", "set-password", "ada@example.com")...)
	contains(t, "the administrator's password", msg, "ada@example.com")
	g.fail(1, as("users", "edit", "ada@example.com", "--email", "hr-controlled@example.com")...)
	contains(t, "Administrator unchanged", g.ok("profiles", "show", "Administrator"), "payroll", "maintain")
	g.ok("check", "ada@example.com", "payroll", "maintain")
	// nor does HR raise itself
	g.fail(1, as("profiles", "grant", "HR", "payroll=view")...)
}

// Point 2: a scoped Manager crossing the client boundary.
func TestInsiderCannotCrossTheClientBoundary(t *testing.T) {
	g := newGH(t)
	g.ok("clients", "add", "Acme")
	g.ok("clients", "add", "Zeta")
	g.ok("sites", "add", "North Depot", "--client", "Acme")
	g.ok("sites", "add", "Zeta HQ", "--client", "Zeta")
	g.employee("Max", "Manager", "mgr@example.com", "Manager", "North Depot")
	g.ok("users", "add", "--first", "Jane", "--last", "Doe", "--email", "jane@acme.test", "--type", "client", "--client", "Acme", "--profile", "Client", "--site", "North Depot")
	g.ok("users", "add", "--first", "Cody", "--last", "Zee", "--email", "cody@zeta.test", "--type", "client", "--client", "Zeta", "--profile", "Client")
	as := func(args ...string) []string { return append([]string{"--as", "mgr@example.com"}, args...) }

	msg := g.fail(1, as("users", "edit", "jane@acme.test", "--profile", "Manager")...)
	contains(t, "client user made a Manager", msg, "client boundary")
	if r := g.run("check", "jane@acme.test", "users", "maintain"); r.code != 1 {
		t.Fatalf("the client contact holds Users & permissions: %v", r)
	}
	msg = g.fail(1, as("users", "edit", "cody@zeta.test", "--client", "Acme")...)
	contains(t, "Zeta contact moved to Acme", msg, "client boundary")
	msg = g.fail(1, as("users", "edit", "jane@acme.test", "--default-site", "Zeta HQ")...)
	contains(t, "another client's default site", msg, "Zeta HQ")
	contains(t, "jane untouched", g.ok("users", "show", "jane@acme.test"), "Acme")
}

// Point 3: a token replaced by a resend is gone from the outbox and from
// every backup; the new one is there only while its message waits.
func TestSpentTokensLeaveTheOutboxAndBackups(t *testing.T) {
	g := newGH(t)
	g.ok("users", "add", "--first", "Ulla", "--last", "Invitee", "--email", "ulla@example.com", "--type", "employee", "--profile", "Basic")
	tokenOf := func(id string) string {
		body := g.ok("outbox", "show", id)
		m := regexp.MustCompile(`(?m)^\s+([a-z2-7]{32})$`).FindStringSubmatch(body)
		if m == nil {
			return ""
		}
		return m[1]
	}
	old := tokenOf("1")
	if old == "" {
		t.Fatal("a queued invitation carries no token")
	}
	g.ok("users", "invite", "ulla@example.com")
	if tokenOf("1") != "" {
		t.Fatal("the replaced invitation's message still shows its token")
	}
	contains(t, "old message cancelled", g.ok("outbox", "list"), "cancelled")
	backup := filepath.Join(t.TempDir(), "b.db")
	g.ok("backup", backup)
	b, err := os.ReadFile(backup)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(b, []byte(old)) {
		t.Fatal("the backup holds the replaced token")
	}
	if fresh := tokenOf("2"); fresh == "" || !bytes.Contains(b, []byte(fresh)) {
		t.Fatalf("the waiting invitation's token %q must stay deliverable", fresh)
	}
}

// Point 6: a user out of a scoped actor's reach is answered exactly as one
// who does not exist.
func TestInsiderLearnsNothingOfUsersOutOfReach(t *testing.T) {
	g := newGH(t)
	g.places()
	g.employee("Max", "Manager", "mgr@example.com", "Manager", "North Depot")
	g.employee("Otto", "Other", "otto@example.com", "User", "Head Office")
	g.employee("Ada", "Admin", "ada@example.com", "Administrator", "Head Office")
	g.employee("Sue", "Supervisor", "sup@example.com", "Supervisor", "North Depot")
	for _, actor := range []string{"mgr@example.com", "sup@example.com"} { // scoped; and without view on users
		as := func(args ...string) []string { return append([]string{"--as", actor}, args...) }
		for _, cmd := range [][]string{
			{"users", "show"}, {"users", "disable"}, {"users", "history"}, {"users", "keys"}, {"effective"},
			{"check", "", "roster", "view"}, {"users", "invite"},
		} {
			with := func(email string) []string {
				args := append([]string(nil), cmd...)
				if len(args) > 1 && args[1] == "" {
					args[1] = email
				} else {
					args = append(args, email)
				}
				return as(args...)
			}
			for _, who := range []string{"otto@example.com", "ada@example.com"} {
				hidden, missing := g.run(with(who)...), g.run(with("nobody@example.com")...)
				if hidden.code != missing.code || strings.ReplaceAll(hidden.err, who, "X") != strings.ReplaceAll(missing.err, "nobody@example.com", "X") || hidden.out != missing.out {
					t.Errorf("%s: %v %s:\n%v\nvs a missing user:\n%v", actor, cmd, who, hidden, missing)
				}
			}
		}
	}
}

// Point 8: weak passwords and formula cells.
func TestWeakPasswordsAndFormulaCellsAreRefused(t *testing.T) {
	g := newGH(t)
	g.employee("Ada", "Lovelace", "ada@example.com", "Basic")
	for _, pw := range []string{"aaaaaaaaaa", "          ", strings.Repeat("\u200b", 10), "ada@example.com", "Password123!"} {
		msg := g.failIn(pw+"\n", 2, "users", "set-password", "ada@example.com")
		contains(t, fmt.Sprintf("password %q", pw), msg, "password")
	}
	g.ok("users", "history", "ada@example.com")
	lacks(t, "no password set", g.ok("users", "history", "ada@example.com"), "password")

	csv := "first_name,last_name,email,type,profile,client,sites\n" +
		"=cmd|' /C calc'!A0,Doe,a@example.com,employee,Basic,,\n" +
		"Jane,@SUM(A1:A9),b@example.com,employee,Basic,,\n" +
		strings.Repeat("n", 1<<20) + ",Doe,c@example.com,employee,Basic,,\n"
	r := g.runIn(csv, "import-users", "-", "--dry-run")
	if r.code == 0 || !strings.Contains(r.out+r.err, "line 2") || !strings.Contains(r.out+r.err, "line 3") || !strings.Contains(r.out+r.err, "formula") {
		t.Fatalf("formula cells: %v", r)
	}
	for _, l := range strings.Split(r.out+r.err, "\n") {
		if len(l) > 400 {
			t.Fatalf("a %d-byte line quotes the whole bad value", len(l))
		}
	}
}

// Errors as values, rendered by the command line: the store's fix as the
// command that does it, a did-you-mean instead of the list.
func TestErrorsSayTheCommandThatFixesThem(t *testing.T) {
	g := newGH(t)
	g.employee("Ada", "Lovelace", "ada@example.com", "Basic")
	msg := g.fail(1, "profiles", "grant", "Client", "payroll=view")
	contains(t, "guardrail", msg, "the client guardrail is on", "; turn it off with: gatehouse settings set client-guardrail off")
	msg = g.fail(2, "users", "edit", "ada@example.com", "--profile", "Usr")
	if want := `gatehouse: no profile named "Usr"; did you mean User?`; msg != want {
		t.Fatalf("a profile typo: %q, want %q", msg, want)
	}
	msg = g.fail(2, "users", "edit", "ada@example.com", "--profile", "Nothing like it")
	contains(t, "no near name", msg, `no profile named "Nothing like it"; see: gatehouse profiles list`)
}
