package cmd_test

import (
	"regexp"
	"testing"
)

func matches(t *testing.T, what, s, re string) {
	t.Helper()
	if !regexp.MustCompile(re).MatchString(s) {
		t.Fatalf("%s: want /%s/ in:\n%s", what, re, s)
	}
}

func TestUndoAndProfileScope(t *testing.T) {
	g := newGH(t)
	g.places()
	g.employee("Bo", "Kim", "bo@example.com", "User", "North Depot")
	g.employee("Al", "Ng", "al@example.com", "User", "North Depot")
	g.ok("users", "disable", "bo@example.com", "al@example.com")
	if n := len(g.emailsWithStatus("disabled")); n != 2 {
		t.Fatalf("disabled: %d", n)
	}
	out := g.ok("undo")
	contains(t, "undo", out, "undid change set #", "2 audit entries")
	if n := len(g.emailsWithStatus("disabled")); n != 0 {
		t.Fatalf("undo must enable both again, %d still disabled", n)
	}
	contains(t, "undo is audited", g.ok("audit", "log", "--entity", "user:bo@example.com"), "disabled -> invited")
	g.fail(1, "undo", "1") // creating a client cannot be undone
	g.fail(2, "undo", "999")
	g.fail(2, "undo", "last")

	// a scoped user's newest change set is their own
	g.employee("Mia", "Manager", "mia@example.com", "Manager", "North Depot")
	g.ok("--as", "mia@example.com", "users", "feature", "bo@example.com", "portal=deny")
	g.ok("users", "feature", "al@example.com", "portal=deny")
	g.ok("--as", "mia@example.com", "undo")
	matches(t, "mia's change undone", g.ok("users", "show", "bo@example.com"), `portal\s+org on\s+override inherit`)
	matches(t, "the operator's change stays", g.ok("users", "show", "al@example.com"), `portal\s+org on\s+override deny`)

	g.ok("profiles", "create", "Lead", "--type", "employee", "--copy-from", "Supervisor")
	out = g.ok("profiles", "scope", "Lead", "all")
	contains(t, "profiles scope", out, "all sites")
	contains(t, "profiles show", g.ok("profiles", "show", "Lead"), "all sites")
	g.fail(1, "profiles", "scope", "Client", "all")
	g.fail(2, "profiles", "scope", "Lead", "everywhere")
	g.fail(1, "--as", "mia@example.com", "profiles", "scope", "Lead", "assigned")
	g.ok("profiles", "delete", "Lead")
	g.fail(2, "profiles", "show", "Lead")
}
