package cmd_test

import (
	"regexp"
	"strings"
	"testing"
)

// fieldAfter returns the whitespace-separated word right after the email on a line.
func fieldAfter(t *testing.T, line, email string) string {
	t.Helper()
	_, rest, ok := strings.Cut(line, email)
	if !ok {
		t.Fatalf("%q not in %q", email, line)
	}
	f := strings.Fields(rest)
	if len(f) == 0 {
		t.Fatalf("nothing after %s in %q", email, line)
	}
	return f[0]
}

// The seed "Managing Users": employees and client users apart, the client in
// the role column, the status filter, disable instead of delete, history.
func TestUsersListApartAndStatus(t *testing.T) {
	g := newGH(t)
	g.places()
	g.employee("Sam", "Lee", "sam@example.com", "Manager", "North Depot")
	g.employee("Bo", "Kim", "bo@example.com", "User", "North Depot")
	g.ok("users", "add", "--first", "Jane", "--last", "Doe", "--email", "jane@acme.test", "--type", "client", "--client", "Acme", "--profile", "Client")

	out := g.ok("users", "list")
	emps, clients := section(out, "Employees ("), section(out, "Client users (")
	if emps == "" || clients == "" {
		t.Fatalf("want an Employees and a Client users section:\n%s", out)
	}
	contains(t, "employees section", emps, "PROFILE", "sam@example.com", "bo@example.com")
	lacks(t, "employees section", emps, "jane@acme.test")
	contains(t, "client users section", clients, "CLIENT", "jane@acme.test")
	lacks(t, "client users section", clients, "sam@example.com", "PROFILE")
	if got := fieldAfter(t, userLine(t, emps, "sam@example.com"), "sam@example.com"); got != "Manager" {
		t.Fatalf("role column of sam: %q", got)
	}
	if got := fieldAfter(t, userLine(t, clients, "jane@acme.test"), "jane@acme.test"); got != "Acme" {
		t.Fatalf("the client must stand where the role does: %q", got)
	}
	// --type shows one kind only
	out = g.ok("users", "list", "--type", "client")
	contains(t, "--type client", out, "jane@acme.test")
	lacks(t, "--type client", out, "sam@example.com")

	// disable: hidden by default, shown with --status disabled or all
	out = g.ok("users", "disable", "bo@example.com")
	contains(t, "disable", out, "disabled 1 user (change set #", "1 audit entry)")
	out = g.ok("users", "disable", "bo@example.com")
	contains(t, "disable twice", out, "nothing to change")
	lacks(t, "default list hides disabled", g.ok("users", "list"), "bo@example.com")
	out = g.ok("users", "list", "--status", "disabled")
	contains(t, "--status disabled", out, "bo@example.com")
	lacks(t, "--status disabled", out, "sam@example.com")
	contains(t, "--status all", g.ok("users", "list", "--status", "all"), "bo@example.com", "sam@example.com", "jane@acme.test")
	lacks(t, "--status active (everyone is invited)", g.ok("users", "list", "--status", "active"), "sam@example.com")
	g.fail(2, "users", "list", "--status", "gone")
	// a disabled user is denied every check
	if r := g.run("check", "bo@example.com", "roster", "view"); r.code != 1 || !strings.Contains(r.out, "disabled") {
		t.Fatalf("check of a disabled user: %v", r)
	}
	out = g.ok("users", "enable", "bo@example.com")
	contains(t, "enable", out, "enabled 1 user")
	contains(t, "enabled user listed again", g.ok("users", "list"), "bo@example.com")

	// the changed mark
	if l := userLine(t, g.ok("users", "list"), "bo@example.com"); !strings.HasPrefix(strings.TrimSpace(l), "*") {
		t.Fatalf("a changed record is marked: %q", l)
	}
	if l := userLine(t, g.ok("users", "list"), "sam@example.com"); strings.HasPrefix(strings.TrimSpace(l), "*") {
		t.Fatalf("an unchanged record is not marked: %q", l)
	}

	// filters
	out = g.ok("users", "list", "--profile", "Manager")
	contains(t, "--profile", out, "sam@example.com")
	lacks(t, "--profile", out, "bo@example.com")
	out = g.ok("users", "list", "--search", "kim")
	contains(t, "--search", out, "bo@example.com")
	lacks(t, "--search", out, "sam@example.com")
	g.fail(2, "users", "list", "--profile", "Nobody")
}

func TestUsersDeleteOnlyWithoutRecords(t *testing.T) {
	g := newGH(t)
	g.places()
	g.employee("Sam", "Lee", "sam@example.com", "Manager", "North Depot")
	g.employee("Bo", "Kim", "bo@example.com", "User", "North Depot")
	g.employee("Al", "Ng", "al@example.com", "User", "North Depot")
	// sam authors a change: from now on sam has records
	g.ok("--as", "sam@example.com", "users", "feature", "al@example.com", "portal=deny")
	msg := g.fail(1, "users", "delete", "sam@example.com")
	contains(t, "deleting a user with records", msg, "sam@example.com", "disable")
	contains(t, "still there", g.ok("users", "list"), "sam@example.com")

	out := g.ok("users", "delete", "bo@example.com")
	contains(t, "delete", out, "deleted 1 user")
	g.fail(2, "users", "show", "bo@example.com")
	// the email is free again
	g.employee("Bo", "Kim", "BO@example.com", "User")
	msg = g.fail(1, "users", "add", "--first", "X", "--last", "Y", "--email", "bo@EXAMPLE.com", "--type", "employee", "--profile", "User")
	contains(t, "emails are unique whatever their case", msg, "already used")
}

func TestUsersHistoryEditAndRole(t *testing.T) {
	g := newGH(t)
	g.places()
	g.employee("Bo", "Kim", "bo@example.com", "User", "North Depot")
	out := g.ok("users", "edit", "bo@example.com", "--profile", "Supervisor", "--first", "Bob")
	contains(t, "users edit", out, "profile", "User -> Supervisor", "first", "Bo -> Bob")
	if got := fieldAfter(t, userLine(t, g.ok("users", "list"), "bo@example.com"), "bo@example.com"); got != "Supervisor" {
		t.Fatalf("edit --profile must change the role column: %q", got)
	}
	h := g.ok("users", "history", "bo@example.com")
	l := ""
	for _, line := range strings.Split(h, "\n") {
		if strings.Contains(line, "User -> Supervisor") {
			l = line
		}
	}
	if l == "" {
		t.Fatalf("history lacks the profile change:\n%s", h)
	}
	if !regexp.MustCompile(`^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+#\d+\s+local:\S+\s+profile\s+User -> Supervisor`).MatchString(l) {
		t.Fatalf("history line must say when, which change set, who, field, before -> after: %q", l)
	}
	contains(t, "history", h, "created", "invitation", "Bo -> Bob")

	// editing nothing, a bad email, and an unknown profile are bad input
	g.fail(2, "users", "edit", "bo@example.com")
	g.fail(2, "users", "edit", "bo@example.com", "--email", "not-an-email")
	g.fail(2, "users", "edit", "bo@example.com", "--profile", "Wizard")
	g.fail(2, "users", "edit", "nobody@example.com", "--first", "X")
}

func TestUsersSetPasswordAndInvite(t *testing.T) {
	g := newGH(t)
	g.employee("Bo", "Kim", "bo@example.com", "User")
	r := g.runIn("correct horse battery staple\n", "users", "set-password", "bo@example.com")
	if r.code != 0 {
		t.Fatalf("set-password: %v", r)
	}
	contains(t, "set-password", r.out, "password of bo@example.com changed", "notice", "outbox #")
	lacks(t, "set-password", r.out+r.err, "correct horse")
	box := g.ok("outbox", "list")
	found := false
	for _, l := range strings.Split(box, "\n") {
		if strings.Contains(l, "password-changed") && strings.Contains(l, "bo@example.com") {
			found = true
		}
	}
	if !found {
		t.Fatalf("no password notice in the outbox:\n%s", box)
	}
	h := g.ok("users", "history", "bo@example.com")
	contains(t, "history", h, "password")
	lacks(t, "history never holds the password", h, "correct horse", "argon2")

	msg := g.failIn("short\n", 2, "users", "set-password", "bo@example.com")
	contains(t, "short password", msg, "at least")
	g.failIn("", 2, "users", "set-password", "bo@example.com")
	g.failIn("long enough password\n", 2, "users", "set-password", "nobody@example.com")

	// resend an invitation
	out := g.ok("users", "invite", "bo@example.com")
	contains(t, "invite", out, "invitation re-sent to bo@example.com", "outbox #")
}

func TestUsersClientsAndTypeChange(t *testing.T) {
	g := newGH(t)
	g.places()
	g.employee("Bo", "Kim", "bo@example.com", "User", "North Depot")
	g.ok("users", "add", "--first", "Jane", "--last", "Doe", "--email", "jane@acme.test", "--type", "client", "--client", "Acme", "--profile", "Client", "--site", "North Depot")

	// employees may be assigned clients
	out := g.ok("users", "assign-client", "bo@example.com", "--client", "Acme", "--client", "Zeta")
	contains(t, "assign-client", out, "1 user")
	contains(t, "users show", g.ok("users", "show", "bo@example.com"), "Acme, Zeta")
	contains(t, "--client filter", g.ok("users", "list", "--client", "Zeta"), "bo@example.com")
	// a User assigned to clients sees only those clients' data
	g.ok("users", "unassign-client", "bo@example.com", "--client", "Zeta")
	g.ok("sites", "assign", "bo@example.com", "--site", "Head Office")
	if r := g.run("check", "bo@example.com", "roster", "view", "--site", "Head Office"); r.code != 1 || !strings.Contains(r.out, "assigned clients") {
		t.Fatalf("client-restricted User at a site of no client: %v", r)
	}
	g.fail(2, "users", "assign-client", "bo@example.com")
	// a client user has exactly one client
	g.fail(1, "users", "assign-client", "jane@acme.test", "--client", "Zeta")

	// a client user becomes an employee by taking an employee profile
	out = g.ok("users", "edit", "jane@acme.test", "--profile", "User")
	contains(t, "edit --profile User", out, "type", "client -> employee", "Client -> User")
	list := g.ok("users", "list")
	contains(t, "now an employee", section(list, "Employees ("), "jane@acme.test")
	lacks(t, "no longer a client user", section(list, "Client users ("), "jane@acme.test")
	contains(t, "users show", g.ok("users", "show", "jane@acme.test"), "employee")
	// and back, which needs a client
	g.employee("Al", "Ng", "al@example.com", "User")
	msg := g.fail(2, "users", "edit", "al@example.com", "--profile", "Client")
	contains(t, "employee to client user needs a client", msg, "--client")
}

func TestDefaultSiteRestrictLocations(t *testing.T) {
	g := newGH(t)
	g.places()
	g.employee("Bo", "Kim", "bo@example.com", "User", "North Depot")
	// off: any default site
	g.ok("users", "edit", "bo@example.com", "--default-site", "Other Place")
	msg := g.fail(1, "settings", "set", "restrict-locations", "on")
	contains(t, "cannot restrict while a user breaks it", msg, "bo@example.com")
	g.ok("users", "edit", "bo@example.com", "--default-site", "")
	out := g.ok("settings", "set", "restrict-locations", "on")
	contains(t, "settings set", out, "restrict-locations: off -> on", "change set #")
	contains(t, "settings show", g.ok("settings", "show"), "restrict-locations", "on")
	// on: only an assigned site
	msg = g.fail(1, "users", "edit", "bo@example.com", "--default-site", "Other Place")
	contains(t, "restricted default site", msg, "Other Place")
	g.ok("users", "edit", "bo@example.com", "--default-site", "North Depot")
	if show := g.ok("users", "show", "bo@example.com"); !regexp.MustCompile(`default site:\s+North Depot`).MatchString(show) {
		t.Fatalf("users show lacks the default site:\n%s", show)
	}
	// unassigning the default site is refused while restricted
	g.fail(1, "sites", "unassign", "bo@example.com", "--site", "North Depot")
	g.fail(2, "settings", "set", "restrict-locations", "maybe")
	g.fail(2, "settings", "set", "no-such-key", "on")
}
