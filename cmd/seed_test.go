package cmd_test

import (
	"regexp"
	"strings"
	"testing"
)

// The seed "How to grant your client access to the system", step by step.
func TestSeedClientAccess(t *testing.T) {
	g := newGH(t)
	g.ok("clients", "add", "Acme")
	g.ok("sites", "add", "North Depot", "--client", "Acme")
	g.ok("sites", "add", "South Yard", "--client", "Acme")
	g.ok("clients", "add", "Zeta")
	g.ok("sites", "add", "Other Place", "--client", "Zeta")

	// 1-3: add the client user; an invitation is queued.
	out := g.ok("users", "add", "--first", "Jane", "--last", "Doe", "--email", "jane@acme.test",
		"--type", "client", "--client", "Acme", "--profile", "Client")
	contains(t, "users add", out, "jane@acme.test", "change set #", "invitation queued", "outbox #")
	box := g.ok("outbox", "list")
	line := userLine(t, box, "jane@acme.test")
	contains(t, "outbox list", line, "invitation", "queued")

	// the token travels in the outbox only, never on the add's output
	var msgs []struct {
		ID   any    `json:"id"`
		Kind string `json:"kind"`
		To   string `json:"to"`
		Body string `json:"body"`
	}
	g.jsonOf(&msgs, "outbox", "list")
	if len(msgs) != 1 || msgs[0].Kind != "invitation" || msgs[0].To != "jane@acme.test" {
		t.Fatalf("outbox: %+v", msgs)
	}
	tok := regexp.MustCompile(`(?m)^\s{4}([a-z0-9]{20,})\s*$`).FindStringSubmatch(msgs[0].Body)
	if tok == nil {
		t.Fatalf("no token in the invitation body:\n%s", msgs[0].Body)
	}
	lacks(t, "users add must not print the token", out, tok[1])

	// 4-5: assign her client's sites; another client's site is refused.
	out = g.ok("sites", "assign", "jane@acme.test", "--site", "North Depot", "--site", "South Yard")
	contains(t, "sites assign", out, "1 user", "change set #")
	msg := g.fail(1, "sites", "assign", "jane@acme.test", "--site", "Other Place")
	contains(t, "assigning another client's site", msg, "Other Place", "Zeta", "Acme")
	show := g.ok("users", "show", "jane@acme.test")
	contains(t, "users show", show, "North Depot, South Yard")
	lacks(t, "users show after a refused assign", show, "Other Place")

	// 6-9: read-only access to the screens that concern her; payroll refused by the guardrail.
	out = g.ok("profiles", "grant", "Client", "scheduler=view", "timesheets=view", "reports=view")
	contains(t, "profiles grant", out, "scheduler=view", "timesheets=view", "reports=view", "3 audit entries")
	msg = g.fail(1, "profiles", "grant", "Client", "payroll=view")
	contains(t, "guardrail", msg, "guardrail", "Payroll")
	msg = g.fail(1, "profiles", "grant", "Client", "scheduler=maintain")
	contains(t, "guardrail caps client profiles at view", msg, "guardrail", "at most view")

	// the checks
	r := g.run("check", "jane@acme.test", "scheduler", "view", "--site", "North Depot")
	if r.code != 0 || !strings.HasPrefix(r.out, "allowed:") {
		t.Fatalf("scheduler at North Depot should be allowed: %v", r)
	}
	r = g.run("check", "jane@acme.test", "payroll", "view")
	if r.code != 1 || !strings.HasPrefix(r.out, "denied:") || r.err != "" {
		t.Fatalf("payroll should be denied (exit 1, reason on stdout): %v", r)
	}
	r = g.run("check", "jane@acme.test", "scheduler", "view", "--site", "Other Place")
	if r.code != 1 || !strings.Contains(r.out, "Other Place") {
		t.Fatalf("scheduler at Other Place should be denied: %v", r)
	}
	r = g.run("check", "jane@acme.test", "scheduler", "maintain", "--site", "North Depot")
	if r.code != 1 {
		t.Fatalf("maintain on scheduler should be denied: %v", r)
	}

	// with the guardrail off payroll may be granted, and turning it back on is refused
	g.ok("settings", "set", "client-guardrail", "off")
	g.ok("profiles", "grant", "Client", "payroll=view")
	msg = g.fail(1, "settings", "set", "client-guardrail", "on")
	contains(t, "guardrail back on", msg, "Payroll")
	g.ok("profiles", "grant", "Client", "payroll=none")
	g.ok("settings", "set", "client-guardrail", "on")

	// effective access shows all of it
	eff := g.ok("effective", "jane@acme.test")
	contains(t, "effective", eff, "Client", "North Depot, South Yard", "Acme", "Payroll !")

	out = g.ok("audit", "verify")
	contains(t, "audit verify", out, "chain intact")
}
