package cmd_test

import (
	"testing"
)

// Whole lives from the command line, as an operator would run them.
func TestLifecycleCommands(t *testing.T) {
	g := newGH(t)
	g.places()
	g.ok("teams", "add", "Night", "--site", "North Depot")
	g.employee("Nat", "Near", "near@example.com", "User", "North Depot")
	g.ok("sites", "assign", "near@example.com", "--team", "North Depot/Night")
	g.ok("users", "add", "--first", "Jane", "--last", "Doe", "--email", "jane@acme.test", "--type", "client", "--client", "Acme", "--profile", "Client", "--site", "South Yard")

	out := g.ok("sites", "rename", "North Depot", "North Hub")
	contains(t, "rename", out, "renamed site North Depot to North Hub")
	contains(t, "new name everywhere", g.ok("check", "near@example.com", "roster", "view", "--site", "North Hub"), "North Hub")
	contains(t, "history keeps the old name", g.ok("audit", "log", "--entity", "site"), "North Depot", "North Hub")

	out = g.ok("sites", "retire", "North Hub", "--dry-run")
	contains(t, "preview", out, "dry run", "1 user touched", "nothing written")
	contains(t, "still held", g.ok("users", "show", "near@example.com"), "North Hub")
	out = g.ok("sites", "retire", "North Hub")
	contains(t, "retired", out, "retired site North Hub", "1 user touched")
	lacks(t, "hidden from the list", g.ok("sites", "list"), "North Hub")
	contains(t, "shown with --all", g.ok("sites", "list", "--all"), "North Hub (retired ")
	msg := g.fail(1, "sites", "assign", "near@example.com", "--site", "North Hub")
	contains(t, "not assignable", msg, "retired", "restore it first")
	g.ok("sites", "restore", "North Hub")
	g.ok("sites", "assign", "near@example.com", "--site", "North Hub")

	msg = g.fail(1, "sites", "delete", "North Hub")
	contains(t, "delete refused", msg, "retire it instead: gatehouse sites retire")
	g.ok("sites", "add", "Empty")
	contains(t, "delete what never mattered", g.ok("sites", "delete", "Empty"), "deleted site Empty")

	out = g.ok("clients", "retire", "Acme", "--dry-run")
	contains(t, "contract end preview", out, "dry run")
	// the preview names whom it touches, and how
	contains(t, "contract end preview lists", out, "user:jane@acme.test", "status", "invited -> disabled", "site:South Yard", "retired")
	g.ok("clients", "retire", "Acme")
	contains(t, "the contact is disabled", g.ok("users", "list", "--status", "all"), "disabled")
	lacks(t, "Acme is gone from the list", g.ok("clients", "list"), "Acme")

	g.ok("teams", "add", "Day", "--site", "Head Office")
	msg = g.fail(1, "teams", "move", "Head Office/Day", "--to", "Other Place")
	contains(t, "another client's site", msg, "another site of")
	g.ok("profiles", "rename", "Supervisor", "Shift lead")
	contains(t, "renamed profile listed", g.ok("profiles", "list"), "Shift lead")
	g.ok("screens", "retitle", "payroll", "Pay")
	contains(t, "retitled screen", g.ok("screens", "list"), "Pay")
}
