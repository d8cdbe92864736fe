package cmd_test

import (
	"fmt"
	"sort"
	"strings"
	"testing"
)

type listedUser struct {
	Email   string   `json:"email"`
	Profile string   `json:"profile"`
	Status  string   `json:"status"`
	Sites   []string `json:"sites"`
}

func (g *gh) emailsWithStatus(status string) []string {
	g.t.Helper()
	var us []listedUser
	g.jsonOf(&us, "users", "list", "--status", status)
	var out []string
	for _, u := range us {
		out = append(out, u.Email)
	}
	sort.Strings(out)
	return out
}

type auditRow struct {
	Seq       any    `json:"seq"`
	ChangeSet any    `json:"change_set"`
	Actor     string `json:"actor"`
	Entity    struct {
		Kind  string `json:"kind"`
		Label string `json:"label"`
	} `json:"entity"`
	Field  string `json:"field"`
	Before string `json:"before"`
	After  string `json:"after"`
}

func TestBulkWhereIsOneChangeSet(t *testing.T) {
	g := newGH(t)
	g.places()
	var want []string
	for i := 0; i < 30; i++ {
		profile, site := "User", "North Depot"
		if i%3 == 2 {
			profile = "Supervisor"
		}
		if i%2 == 1 {
			site = "South Yard"
		}
		email := fmt.Sprintf("u%02d@example.com", i)
		g.employee("U", fmt.Sprintf("N%02d", i), email, profile, site)
		if profile == "User" && site == "North Depot" {
			want = append(want, email)
		}
	}
	sort.Strings(want)
	out := g.ok("users", "disable", "--where", `profile=User,site="North Depot"`)
	contains(t, "bulk disable", out, fmt.Sprintf("disabled %d users (change set #", len(want)), fmt.Sprintf("%d audit entries)", len(want)))
	if got := g.emailsWithStatus("disabled"); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("disabled exactly the matching users:\n got %v\nwant %v", got, want)
	}
	if n := len(g.emailsWithStatus("invited")); n != 30-len(want) {
		t.Fatalf("the others stay invited: %d", n)
	}
	var entries []auditRow
	g.jsonOf(&entries, "audit", "log", "--entity", "user", "--limit", "0")
	batches := map[string]int{}
	for _, e := range entries {
		if e.Field == "status" && e.After == "disabled" {
			batches[fmt.Sprint(e.ChangeSet)]++
		}
	}
	if len(batches) != 1 {
		t.Fatalf("want every status entry in one change set, got %v", batches)
	}
	for _, n := range batches {
		if n != len(want) {
			t.Fatalf("want %d entries in the change set, got %d", len(want), n)
		}
	}

	// enable them back by --where on status
	out = g.ok("users", "enable", "--where", "status=disabled")
	contains(t, "bulk enable", out, fmt.Sprintf("enabled %d users", len(want)))

	// emails and --where together, or neither: bad usage, nothing changed
	msg := g.fail(2, "users", "disable", "u00@example.com", "--where", "profile=User")
	contains(t, "both", msg, "not both")
	g.fail(2, "users", "disable")
	g.fail(2, "users", "disable", "--where", "colour=blue")
	g.fail(2, "users", "disable", "--where", `site="North Depot`)
	msg = g.fail(1, "users", "disable", "--where", "profile=Administrator")
	contains(t, "no match", msg, "no users match")
	if n := len(g.emailsWithStatus("disabled")); n != 0 {
		t.Fatalf("nothing should be disabled, got %d", n)
	}

	// sites and features in bulk
	out = g.ok("sites", "assign", "--where", "profile=Supervisor", "--site", "Head Office")
	contains(t, "bulk assign", out, "10 users")
	contains(t, "site filter", g.ok("users", "list", "--site", "Head Office"), "u02@example.com", "u29@example.com")
	out = g.ok("users", "feature", "--where", "profile=Supervisor", "adhoc-clock-in=allow")
	contains(t, "bulk feature", out, "10 users")
	var st struct {
		Features []struct {
			Feature string `json:"feature"`
			Allow   any    `json:"allow_overrides"`
		} `json:"features"`
	}
	g.jsonOf(&st, "settings", "show")
	for _, f := range st.Features {
		if f.Feature == "adhoc-clock-in" && fmt.Sprint(f.Allow) != "10" {
			t.Fatalf("settings show counts allow overrides: %v", f.Allow)
		}
	}
}

func TestBulkIsAllOrNothing(t *testing.T) {
	g := newGH(t)
	g.places()
	g.employee("Mia", "Manager", "mia@example.com", "Manager", "North Depot")
	g.employee("A", "Near", "a@example.com", "User", "North Depot")
	g.employee("B", "Near", "b@example.com", "User", "North Depot")
	g.employee("C", "Far", "c@example.com", "User", "Head Office")

	// one unknown email: nothing is disabled
	msg := g.fail(2, "users", "disable", "a@example.com", "b@example.com", "nobody@example.com")
	contains(t, "unknown email", msg, "nobody@example.com")
	if got := g.emailsWithStatus("disabled"); len(got) != 0 {
		t.Fatalf("nothing may change, got %v disabled", got)
	}
	// one user out of the manager's reach: nothing is disabled
	msg = g.fail(2, "--as", "mia@example.com", "users", "disable", "a@example.com", "c@example.com", "b@example.com")
	contains(t, "out of reach (to her: not there)", msg, "c@example.com")
	if got := g.emailsWithStatus("disabled"); len(got) != 0 {
		t.Fatalf("nothing may change, got %v disabled", got)
	}
	// one invalid row in a bulk feature change: nothing is set
	g.ok("users", "add", "--first", "Jane", "--last", "Doe", "--email", "jane@acme.test", "--type", "client", "--client", "Acme", "--profile", "Client")
	g.fail(1, "users", "feature", "a@example.com", "jane@acme.test", "portal=deny")
	contains(t, "no override written", g.ok("effective", "a@example.com"), "inherit")
	lacks(t, "no override written", g.ok("users", "history", "a@example.com"), "feature")
	// one bad site in a bulk assign: nothing is assigned
	g.fail(2, "sites", "assign", "a@example.com", "b@example.com", "--site", "South Yard", "--site", "Nowhere")
	lacks(t, "no site written", g.ok("users", "list", "--site", "South Yard"), "a@example.com")
	// within reach it works, as one change set
	out := g.ok("--as", "mia@example.com", "users", "disable", "a@example.com", "b@example.com")
	contains(t, "in reach", out, "disabled 2 users")
}
