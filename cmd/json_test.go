package cmd_test

import (
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// documented is every `key` JSON.md names.
func documented(t *testing.T) map[string]bool {
	t.Helper()
	b, err := os.ReadFile("JSON.md")
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]bool{}
	for _, m := range regexp.MustCompile("`([a-z0-9_-]+)`").FindAllStringSubmatch(string(b), -1) {
		keys[m[1]] = true
	}
	return keys
}

// keysOf collects every object key in a decoded JSON value; the keys of
// the features maps are feature names, documented as such.
func keysOf(v any, into map[string]bool) {
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			into[k] = true
			keysOf(val, into)
		}
	case []any:
		for _, val := range x {
			keysOf(val, into)
		}
	}
}

func need(t *testing.T, what string, obj map[string]any, keys ...string) {
	t.Helper()
	for _, k := range keys {
		if _, ok := obj[k]; !ok {
			t.Fatalf("%s: no key %q in %v", what, k, obj)
		}
	}
}

func TestJSONShapes(t *testing.T) {
	g := newGH(t)
	g.places()
	g.employee("Sam", "Lee", "sam@example.com", "Manager", "North Depot")
	g.ok("users", "add", "--first", "Jane", "--last", "Doe", "--email", "jane@acme.test", "--type", "client", "--client", "Acme", "--profile", "Client", "--site", "North Depot")
	g.ok("users", "feature", "sam@example.com", "adhoc-clock-in=allow")
	g.ok("teams", "add", "Night", "--site", "North Depot")
	g.ok("sites", "assign", "sam@example.com", "--team", "Night")
	seen := map[string]bool{}

	var users []map[string]any
	g.jsonOf(&users, "users", "list")
	if len(users) != 2 {
		t.Fatalf("users list --json: %v", users)
	}
	for _, u := range users {
		need(t, "users list", u, "id", "first_name", "last_name", "email", "type", "profile", "clients", "sites", "teams",
			"default_site", "status", "changed", "version", "created", "updated", "updated_by", "features")
		keysOf(u, seen)
	}
	if users[0]["email"] != "sam@example.com" || users[1]["client"] != "Acme" || users[1]["type"] != "client" {
		t.Fatalf("employees first, then client users with their client: %v", users)
	}
	if _, ok := users[0]["client"]; ok {
		t.Fatalf("employees have no client key: %v", users[0])
	}

	var u map[string]any
	g.jsonOf(&u, "users", "show", "sam@example.com")
	need(t, "users show", u, "id", "email", "profile", "teams", "features", "changed")
	feats := u["features"].(map[string]any)
	f := feats["adhoc-clock-in"].(map[string]any)
	if f["org"] != false || f["override"] != "allow" || f["effective"] != true {
		t.Fatalf("features of users show: %v", feats)
	}
	if u["changed"] != true || fmt.Sprint(u["teams"]) != "[North Depot/Night]" {
		t.Fatalf("users show: %v", u)
	}
	keysOf(u, seen)

	var c map[string]any
	g.jsonOf(&c, "check", "jane@acme.test", "roster", "view", "--site", "North Depot")
	need(t, "check", c, "allowed", "reason", "user", "screen", "level", "site")
	if c["allowed"] != true || c["screen"] != "roster" || c["site"] != "North Depot" || !strings.HasPrefix(c["reason"].(string), "allowed") {
		t.Fatalf("check: %v", c)
	}
	keysOf(c, seen)
	r := g.run("--json", "check", "jane@acme.test", "payroll", "view")
	if r.code != 1 || !strings.Contains(r.out, `"allowed": false`) {
		t.Fatalf("a denied check prints JSON and exits 1: %v", r)
	}

	var e map[string]any
	g.jsonOf(&e, "effective", "sam@example.com")
	need(t, "effective", e, "email", "profile", "scope", "levels", "sites", "teams", "clients", "features", "default_site")
	if e["profile"] != "Manager" || fmt.Sprint(e["sites"]) != "[North Depot]" || len(e["levels"].([]any)) < 16 {
		t.Fatalf("effective: %v", e)
	}
	keysOf(e, seen)

	var st map[string]any
	g.jsonOf(&st, "settings", "show")
	need(t, "settings show", st, "settings", "features")
	var keys []string
	for _, s := range st["settings"].([]any) {
		m := s.(map[string]any)
		need(t, "setting", m, "key", "value", "help")
		keys = append(keys, m["key"].(string))
	}
	sort.Strings(keys)
	if strings.Join(keys, " ") != "adhoc-clock-in client-guardrail invite-expiry lockout-attempts lockout-window mobile-app portal restrict-locations" {
		t.Fatalf("settings show keys: %v", keys)
	}
	keysOf(st, seen)

	var p map[string]any
	g.jsonOf(&p, "profiles", "show", "Client")
	need(t, "profiles show", p, "name", "type", "scope", "builtin", "users", "levels")
	if p["type"] != "client" || fmt.Sprint(p["users"]) != "1" {
		t.Fatalf("profiles show: %v", p)
	}
	for _, l := range p["levels"].([]any) {
		need(t, "level", l.(map[string]any), "screen", "title", "group", "level", "sensitive")
	}
	keysOf(p, seen)

	// the other read commands print JSON too
	for _, args := range [][]string{
		{"users", "history", "sam@example.com"}, {"profiles", "list"}, {"screens", "list"}, {"clients", "list"},
		{"sites", "list"}, {"teams", "list"}, {"audit", "log"}, {"audit", "verify"}, {"outbox", "list"}, {"version"},
	} {
		var v any
		g.jsonOf(&v, args...)
		keysOf(v, seen)
	}
	// and so do changes
	var cs map[string]any
	g.jsonOf(&cs, "users", "disable", "sam@example.com")
	need(t, "change set", cs, "change_set", "actor", "summary", "entries", "message")
	keysOf(cs, seen)

	// every key printed is documented in JSON.md
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
