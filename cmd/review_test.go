package cmd_test

import (
	"encoding/csv"
	"sort"
	"strings"
	"testing"
)

// auditorsWorld is the seed's places and people, a screen whose title a
// spreadsheet would run (screen titles may start with =), and changes by
// two actors.
func auditorsWorld(t *testing.T) *gh {
	t.Helper()
	g := newGH(t)
	g.places()
	g.employee("Ada", "Admin", "ada@example.com", "Administrator")
	g.employee("Sam", "Lee", "sam@example.com", "Manager", "North Depot")
	g.employee("Ana", "Ruiz", "ana@example.com", "User", "South Yard")
	g.ok("users", "add", "--first", "Jane", "--last", "Doe", "--email", "jane@acme.test", "--type", "client", "--client", "Acme", "--profile", "Client", "--site", "North Depot")
	g.ok("teams", "add", "Night", "--site", "North Depot")
	g.ok("sites", "assign", "ana@example.com", "--team", "North Depot/Night")
	g.ok("screens", "add", "fleet", "--title", `=HYPERLINK("http://evil.example/","Fleet")`, "--group", "@Ops|*x*")
	g.ok("profiles", "grant", "Manager", "fleet=view")
	g.ok("--as", "ada@example.com", "users", "feature", "ana@example.com", "portal=deny")
	return g
}

// Every key who-can and review print with --json is documented in JSON.md.
func TestWhoCanAndReviewJSONDocumented(t *testing.T) {
	g := auditorsWorld(t)
	seen := map[string]bool{}
	for _, args := range [][]string{
		{"who-can", "roster", "view"}, {"who-can", "roster", "view", "--site", "North Depot"},
		{"who-can", "roster", "view", "--client", "Acme"}, {"--as", "sam@example.com", "who-can", "scheduler", "view"},
		{"review"}, {"review", "--since", "1h"}, {"review", "--site", "North Depot", "--client", "Acme", "--profile", "Manager"},
	} {
		var v any
		g.jsonOf(&v, args...)
		keysOf(v, seen)
	}
	var w map[string]any
	g.jsonOf(&w, "who-can", "roster", "view", "--client", "Acme")
	need(t, "who-can", w, "screen", "title", "level", "site", "client", "client_sites", "only_visible", "users")
	for _, u := range w["users"].([]any) {
		need(t, "who-can user", u.(map[string]any), "email", "name", "type", "status", "profile", "scope", "held", "all_sites", "at", "limited_to_clients", "reason")
	}
	var r map[string]any
	g.jsonOf(&r, "review", "--since", "1h")
	need(t, "review", r, "as_of_change_set", "generated", "generated_by", "profile", "site", "client", "since", "only_visible", "users", "user_count", "grant_count")
	for _, u := range r["users"].([]any) {
		need(t, "review user", u.(map[string]any), "email", "name", "type", "status", "grants")
		for _, gr := range u.(map[string]any)["grants"].([]any) {
			need(t, "review grant", gr.(map[string]any), "grant", "key", "title", "value", "source", "changed", "change_set", "changed_by", "before", "new")
		}
	}
	doc := documented(t)
	var undocumented []string
	for k := range seen {
		if !doc[k] {
			undocumented = append(undocumented, k)
		}
	}
	sort.Strings(undocumented)
	if len(undocumented) > 0 {
		t.Fatalf("keys printed by --json but not documented in cmd/JSON.md: %v", undocumented)
	}
}

// readCSV parses a command's CSV output as RFC 4180 and checks every row
// has the header's width and no cell is one a spreadsheet would run.
func readCSV(t *testing.T, what, out string) [][]string {
	t.Helper()
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatalf("%s: not CSV: %v\n%s", what, err, out)
	}
	if len(rows) < 2 {
		t.Fatalf("%s: no rows:\n%s", what, out)
	}
	for i, r := range rows {
		for _, c := range r {
			if c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) {
				t.Errorf("%s, line %d: the cell %q would run in a spreadsheet", what, i+1, c)
			}
		}
	}
	return rows
}

// column is the cells of one column (by its header).
func column(t *testing.T, rows [][]string, name string) []string {
	t.Helper()
	i := -1
	for j, h := range rows[0] {
		if h == name {
			i = j
		}
	}
	if i < 0 {
		t.Fatalf("no column %q in %v", name, rows[0])
	}
	var out []string
	for _, r := range rows[1:] {
		out = append(out, r[i])
	}
	return out
}

// --format csv everywhere: RFC 4180 that encoding/csv reads back, one row
// per record, and a cell that starts as a formula (the screen title
// "=HYPERLINK(…)", the group "@Ops…") made inert by a leading apostrophe.
func TestCSVFormats(t *testing.T) {
	g := auditorsWorld(t)
	const inert = `'=HYPERLINK("http://evil.example/","Fleet")`
	users := readCSV(t, "users list", g.ok("users", "list", "--format", "csv"))
	if got := strings.Join(column(t, users, "email"), " "); got != "ada@example.com sam@example.com ana@example.com jane@acme.test" {
		t.Errorf("users list --format csv: employees, then client users, as the table: %s", got)
	}
	if got := column(t, users, "teams")[2]; got != "North Depot/Night" {
		t.Errorf("ana's teams: %q", got)
	}
	if got := column(t, users, "portal")[2]; got != "off (deny)" {
		t.Errorf("ana's portal: %q", got)
	}
	audit := readCSV(t, "audit log", g.ok("audit", "log", "--limit", "0", "--format", "csv"))
	if !strings.Contains(strings.Join(column(t, audit, "after"), "\n"), inert) {
		t.Errorf("audit log --format csv: the screen's title is not there, inert:\n%v", column(t, audit, "after"))
	}
	eff := readCSV(t, "effective", g.ok("effective", "sam@example.com", "--format", "csv"))
	if !strings.Contains(strings.Join(column(t, eff, "title"), "\n"), inert) {
		t.Errorf("effective --format csv: %v", eff)
	}
	who := readCSV(t, "who-can", g.ok("who-can", "fleet", "view", "--format", "csv"))
	if got := column(t, who, "email"); len(got) != 1 || got[0] != "sam@example.com" { // a new screen: none for everyone else
		t.Fatalf("who-can fleet view: %v", got)
	}
	if got := column(t, who, "reason")[0]; !strings.HasPrefix(got, "Manager has view on =HYPERLINK") { // inert is the cell's start
		t.Errorf("who-can's reason: %q", got)
	}
	rev := readCSV(t, "review", g.ok("review", "--format", "csv"))
	if !strings.Contains(strings.Join(column(t, rev, "title"), "\n"), inert) {
		t.Errorf("review --format csv: the screen title is not there, inert")
	}
	since := readCSV(t, "review --since", g.ok("review", "--since", "1h", "--format", "csv"))
	if len(since[0]) != len(rev[0])+2 || since[0][len(since[0])-2] != "before" {
		t.Errorf("review --since --format csv: header %v", since[0])
	}
}

// --json is --format json; naming two formats is refused, and so is a
// format a command does not write.
func TestFormatAndJSON(t *testing.T) {
	g := auditorsWorld(t)
	for _, args := range [][]string{{"users", "list"}, {"audit", "log"}, {"effective", "sam@example.com"}, {"who-can", "roster", "view"}} {
		if a, b := g.ok(append([]string{"--json"}, args...)...), g.ok(append(args, "--format", "json")...); a != b {
			t.Errorf("%q: --json and --format json differ:\n%s\n%s", args, a, b)
		}
		// with --json the refusal is a JSON error line
		r := g.run(append([]string{"--json"}, append(args, "--format", "csv")...)...)
		if r.code != 2 || r.out != "" || !strings.Contains(r.err, `"kind":"usage"`) {
			t.Errorf("--json %q --format csv: %v", args, r)
		}
		contains(t, "--json --format csv", r.err, "--json and --format csv ask for two formats", "give one")
		msg := g.fail(2, append(args, "--format", "xlsx")...)
		contains(t, "--format xlsx", msg, `--format "xlsx" is not one of`)
	}
	contains(t, "review --format text", g.fail(2, "review", "--format", "text"), "md, csv, json")
	if a, b := g.ok("--json", "review"), g.ok("review", "--format", "json"); a[:40] != b[:40] {
		t.Errorf("review: --json and --format json differ")
	}
}

// The review for a person: a table per user, markup in the data taken
// literally (a bar cannot add a column), and a sign-off line.
func TestReviewMarkdown(t *testing.T) {
	g := auditorsWorld(t)
	out := g.ok("review")
	contains(t, "review", out, "# Access review", "| Covers | every user |", "## Sam Lee — sam@example.com", "employee, invited",
		"| Roster | maintain | profile Manager |", "| sites | North Depot |", "| feature Employee portal | deny | effective off |",
		`| =HYPERLINK("http://evil.example/","Fleet") | view | profile Manager |`,
		"- [ ] confirmed as it should be", "4 users, ", "Reviewed by: ____")
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "| Grant") || !strings.HasPrefix(l, "| ") || strings.HasPrefix(l, "| Covers") || strings.HasPrefix(l, "| As of") ||
			strings.HasPrefix(l, "| Prepared") || strings.HasPrefix(l, "| Times") || strings.HasPrefix(l, "| |") || l == "| --- | --- |" {
			continue
		}
		if n := strings.Count(l, "|") - strings.Count(l, `\|`); n != 7 {
			t.Errorf("a row with %d bars, not 7: %q", n, l)
		}
	}
	g.ok("screens", "add", "pay", "--title", "Pay|roll *x* <b>")
	g.ok("profiles", "grant", "Manager", "pay=view")
	contains(t, "review", g.ok("review", "--profile", "Manager"), `| Pay\|roll \*x\* \<b\> | view |`)
	since := g.ok("review", "--since", "1h", "--client", "Acme")
	contains(t, "review --since", since, "| Grant | Value | From | Before | Last changed | Change set | By |", "(new user)", "only what changed since")
}

// A scoped reader's who-can lists only those they may see, and says so.
func TestWhoCanScopedReader(t *testing.T) {
	g := auditorsWorld(t)
	out := g.ok("--as", "sam@example.com", "who-can", "roster", "view")
	contains(t, "who-can as a Manager", out, "sam@example.com", "jane@acme.test", "ada@example.com", "(only the users you may see")
	lacks(t, "who-can as a Manager", out, "ana@example.com") // at South Yard
	msg := g.fail(1, "--as", "jane@acme.test", "who-can", "roster", "view")
	contains(t, "who-can as a client user", msg, "has no access to Users & permissions")
	msg = g.fail(1, "--as", "sam@example.com", "review")
	contains(t, "review as a Manager", msg, "has no access to Audit log", "from the audit log")
}
