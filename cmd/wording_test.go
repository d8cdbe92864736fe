package cmd_test

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// One of a thing is said in the singular: "1 user", "1 entry", never
// "1 users" or "user(s)".
func TestSingularWording(t *testing.T) {
	g := newGH(t)
	g.ok("clients", "add", "Acme")
	g.ok("sites", "add", "North Depot", "--client", "Acme")
	g.employee("Bob", "Basic", "bob@example.com", "Basic", "North Depot")
	plural1 := regexp.MustCompile(`\b1 (users|entries|changes|keys|rows|messages|clients|sites|profiles|records|fields|arguments|bytes|users hold)\b|\(s\)`)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"audit", "log", "--limit", "1"}, "(the newest 1 entry; --limit 0 shows all)"},
		{[]string{"users", "disable", "bob@example.com"}, "disabled 1 user (change set #"},
		{[]string{"users", "enable", "bob@example.com"}, ", 1 audit entry)"},
		{[]string{"profiles", "grant", "Basic", "reports=view"}, "1 user holds Basic"},
		{[]string{"export", filepath.Join(g.home, "x.json")}, "exported 1 user, 1 client, 1 site, "},
		{[]string{"import", "--dry-run", filepath.Join(g.home, "x.json")}, "nothing to change"},
	} {
		r := g.run(c.args...)
		if r.code != 0 || !strings.Contains(r.out, c.want) {
			t.Errorf("%v\nwant %q", r, c.want)
		}
		if m := plural1.FindString(r.out + r.err); m != "" {
			t.Errorf("%q says %q", c.args, m)
		}
	}
	// Refusals count too.
	g.ok("profiles", "create", "Night", "--type", "employee")
	g.ok("users", "edit", "bob@example.com", "--profile", "Night")
	r := g.run("profiles", "delete", "Night")
	if r.code != 1 || !strings.Contains(r.err, "held by 1 user, e.g. bob@example.com") {
		t.Errorf("%v\nwant a refusal that says \"held by 1 user\"", r)
	}
	if m := plural1.FindString(r.out + r.err); m != "" {
		t.Errorf("profiles delete says %q", m)
	}
}
