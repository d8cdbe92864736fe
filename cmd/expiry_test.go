package cmd_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// Access that ends by itself, from the command line: grant until a date,
// see it in show, effective, check and expiring; at the end the next
// command's open takes it back, as system:expiry.
func TestExpiringAccessFromTheCommandLine(t *testing.T) {
	g := newGH(t)
	g.places()
	g.employee("Tem", "Porary", "tem@example.com", "User", "North Depot")

	msg := g.fail(2, "sites", "assign", "tem@example.com", "--site", "South Yard", "--until", "2099-01-31")
	contains(t, "ten years", msg, "ten years")
	msg = g.fail(2, "sites", "assign", "tem@example.com", "--site", "South Yard", "--until", "yesterday")
	contains(t, "not a date", msg, "not a date like 2027-01-31")
	msg = g.fail(2, "users", "edit", "tem@example.com", "--until", "2027-06-30")
	contains(t, "--until goes with --profile", msg, "--until goes with --profile")

	until := time.Now().Add(90 * 24 * time.Hour).UTC().Format("2006-01-02")
	out := g.ok("sites", "assign", "tem@example.com", "--site", "South Yard", "--until", until)
	contains(t, "assigned until", out, "until "+until)
	g.ok("users", "edit", "tem@example.com", "--profile", "Supervisor", "--until", until)
	contains(t, "show says until", g.ok("users", "show", "tem@example.com"), "site South Yard until "+until, "profile Supervisor until "+until+", then User")
	contains(t, "check says until", g.ok("check", "tem@example.com", "roster", "view", "--site", "South Yard"), "(until "+until+")")
	contains(t, "expiring lists it", g.ok("expiring", "--within", "100d"), until, "tem@example.com", "site South Yard", "User")
	if out := g.ok("expiring", "--within", "1d"); !strings.Contains(out, "nothing ends") {
		t.Fatalf("nothing ends within a day: %s", out)
	}
	var ends []map[string]any
	g.jsonOf(&ends, "expiring")
	if len(ends) != 2 {
		t.Fatalf("expiring --json: %v", ends)
	}

	// an end a moment away: once it has passed, the next command's open takes it back
	soon := time.Now().Add(2 * time.Second).UTC()
	g.ok("sites", "assign", "tem@example.com", "--site", "Head Office", "--until", soon.Format(time.RFC3339))
	for !time.Now().After(soon.Add(time.Second)) { // the end, by the clock itself
		time.Sleep(50 * time.Millisecond)
	}
	show := g.ok("--json", "users", "show", "tem@example.com")
	var u struct{ Sites []string }
	if err := json.Unmarshal([]byte(show), &u); err != nil {
		t.Fatal(err)
	}
	for _, s := range u.Sites {
		if s == "Head Office" {
			t.Fatalf("the ended site is still held: %v", u.Sites)
		}
	}
	contains(t, "taken back by system:expiry", g.ok("users", "history", "tem@example.com"), "system:expiry")
}
