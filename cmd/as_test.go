package cmd_test

import (
	"strings"
	"testing"
)

// --as acts with exactly the user's rights (rule 9), and reads follow them.
func TestActAsScopedManager(t *testing.T) {
	g := newGH(t)
	g.places()
	g.employee("Mia", "Manager", "mia@example.com", "Manager", "North Depot")
	g.employee("Nat", "Near", "near@example.com", "User", "North Depot")
	g.employee("Fay", "Far", "far@example.com", "User", "Head Office")
	as := func(args ...string) []string { return append([]string{"--as", "mia@example.com"}, args...) }

	// an invited user may act (mia never accepted her invitation)
	out := g.ok(as("users", "feature", "near@example.com", "portal=deny")...)
	contains(t, "invited manager acts", out, "1 user")
	out = g.ok(as("users", "add", "--first", "New", "--last", "Hire", "--email", "new@example.com", "--type", "employee", "--profile", "User", "--site", "North Depot")...)
	contains(t, "manager adds at her site", out, "new@example.com")
	contains(t, "actor in the audit", g.ok("users", "history", "new@example.com"), "mia@example.com")

	// a user at another site is out of reach: to her, not there at all —
	// the same words and exit code as for nobody (nothing names their site)
	for _, cmd := range [][]string{{"users", "disable"}, {"users", "edit", "--first", "X"}, {"users", "set-password"}, {"users", "invite"}, {"users", "feature", "portal=deny"}, {"sites", "unassign", "--site", "Head Office"}} {
		withEmail := func(email string) []string {
			return as(append([]string{cmd[0], cmd[1], email}, cmd[2:]...)...)
		}
		hidden := g.fail(2, withEmail("far@example.com")...)
		missing := g.fail(2, withEmail("ghost@example.com")...)
		if strings.ReplaceAll(hidden, "far@example.com", "X") != strings.ReplaceAll(missing, "ghost@example.com", "X") || strings.Contains(hidden, "Head Office") {
			t.Errorf("%v: an out-of-reach user must look missing:\n%s\n%s", cmd, hidden, missing)
		}
	}
	msg := ""
	// only her own sites may be assigned
	msg = g.fail(1, as("sites", "assign", "near@example.com", "--site", "Head Office")...)
	contains(t, "assign a site not hers", msg, "Head Office")
	// no escalation: the Administrator profile is above her own
	msg = g.fail(1, as("users", "edit", "near@example.com", "--profile", "Administrator")...)
	contains(t, "grant Administrator", msg, "Administrator")
	g.fail(1, as("users", "add", "--first", "Boss", "--last", "Man", "--email", "boss@example.com", "--type", "employee", "--profile", "Administrator", "--site", "North Depot")...)
	// shared things need an all-sites actor
	g.fail(1, as("profiles", "grant", "Client", "scheduler=view")...)
	g.fail(1, as("settings", "set", "portal", "off")...)
	g.fail(1, as("outbox", "list")...)
	// a manager's Basic-level reads: audit log needs view on Audit log
	g.fail(1, as("audit", "log")...)

	// reads: an invisible user is reported exactly like a missing one
	missing := g.fail(2, as("users", "show", "ghost@example.com")...)
	hidden := g.fail(2, as("users", "show", "far@example.com")...)
	if strings.ReplaceAll(hidden, "far@example.com", "X") != strings.ReplaceAll(missing, "ghost@example.com", "X") {
		t.Fatalf("an invisible user must look missing:\n%s\n%s", hidden, missing)
	}
	g.fail(2, as("users", "history", "far@example.com")...)
	g.fail(2, as("effective", "far@example.com")...)
	if r := g.run(as("check", "far@example.com", "roster", "view")...); r.code != 2 {
		t.Fatalf("check of an invisible user: %v", r)
	}
	list := g.ok(as("users", "list", "--status", "all")...)
	contains(t, "manager's list", list, "near@example.com", "mia@example.com")
	lacks(t, "manager's list", list, "far@example.com")
	// about herself always
	g.ok(as("effective", "mia@example.com")...)
	if r := g.run(as("check", "mia@example.com", "users", "maintain", "--site", "North Depot")...); r.code != 0 {
		t.Fatalf("self check: %v", r)
	}
	if err := g.fail(1, as("users", "disable", "mia@example.com")...); !strings.Contains(err, "yourself") {
		t.Fatalf("disabling oneself: %s", err)
	}
}

func TestActAsBasicAndDisabled(t *testing.T) {
	g := newGH(t)
	g.places()
	g.employee("Bea", "Basic", "bea@example.com", "Basic", "North Depot")
	g.employee("Dan", "Gone", "dan@example.com", "Manager", "North Depot")
	g.employee("Nat", "Near", "near@example.com", "User", "North Depot")

	// Basic has no access to users: sees only herself, changes nothing
	list := g.ok("--as", "bea@example.com", "users", "list")
	contains(t, "basic list", list, "bea@example.com")
	lacks(t, "basic list", list, "near@example.com")
	g.fail(1, "--as", "bea@example.com", "users", "disable", "near@example.com")
	g.fail(1, "--as", "bea@example.com", "profiles", "list")
	g.fail(1, "--as", "bea@example.com", "settings", "show")
	g.ok("--as", "bea@example.com", "effective", "bea@example.com")
	g.fail(1, "--as", "bea@example.com", "effective", "near@example.com")

	// a disabled user cannot act, not even to read
	g.ok("users", "disable", "dan@example.com")
	msg := g.fail(1, "--as", "dan@example.com", "users", "enable", "near@example.com")
	contains(t, "disabled actor", msg, "dan@example.com", "disabled")
	g.fail(1, "--as", "dan@example.com", "users", "list")
	// an unknown actor is bad input
	g.fail(2, "--as", "nobody@example.com", "users", "list")
}
