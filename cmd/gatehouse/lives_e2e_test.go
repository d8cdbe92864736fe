//go:build unix

package main

import (
	"encoding/csv"
	"path/filepath"
	"strings"
	"testing"
)

// The jobs of whole lives and of auditors, done by an administrator over
// OpenSSH against the built binary's server: a grant that ends, what ends
// soon, who can, a rename, a contract end previewed, a review for a
// spreadsheet; and a manager, who hears only of the users inside their
// sites and, not reading the audit log, is refused the review in one line.
func TestE2EWholeLivesOverOpenSSH(t *testing.T) {
	if raceEnabled {
		t.Skip("not under -race: it tests processes the race detector does not instrument")
	}
	needTools(t, "ssh", "ssh-keygen")
	dir := t.TempDir()
	db := filepath.Join(dir, "lives.db")
	mustGH(t, db, "clients", "add", "Acme")
	mustGH(t, db, "sites", "add", "North Depot", "--client", "Acme")
	mustGH(t, db, "sites", "add", "South Yard", "--client", "Acme")
	mustGH(t, db, "users", "add", "--first", "Ada", "--last", "Admin", "--email", "ada@example.com", "--profile", "Administrator")
	mustGH(t, db, "users", "add", "--first", "Max", "--last", "Manager", "--email", "max@example.com", "--profile", "Manager", "--site", "North Depot")
	mustGH(t, db, "users", "add", "--first", "Sam", "--last", "Lee", "--email", "sam@example.com", "--profile", "User", "--site", "North Depot")
	adaKey, maxKey := keygen(t, dir, "ada"), keygen(t, dir, "max")
	mustGH(t, db, "users", "add-key", "ada@example.com", adaKey+".pub")
	mustGH(t, db, "users", "add-key", "max@example.com", maxKey+".pub")
	srv := serveDB(t, db)

	run := func(key string, want int, args ...string) (string, string) {
		t.Helper()
		stdout, stderr, code := srv.ssh(t, key, args...)
		if code != want {
			t.Fatalf("ssh %s: exit %d, want %d\n%s%s", strings.Join(args, " "), code, want, stdout, stderr)
		}
		return stdout, stderr
	}
	has := func(what, got string, want ...string) {
		t.Helper()
		for _, w := range want {
			if !strings.Contains(got, w) {
				t.Fatalf("%s: no %q in\n%s", what, w, got)
			}
		}
	}
	out, _ := run(adaKey, 0, "sites", "assign", "sam@example.com", "--site", "'South Yard'", "--until", "2035-12-31")
	has("assign --until", out, "assigned South Yard until 2035-12-31 to 1 user")
	out, _ = run(adaKey, 0, "expiring")
	has("expiring", out, "2035-12-31  sam@example.com  site South Yard")
	out, _ = run(adaKey, 0, "who-can", "roster", "view", "--site", "'South Yard'")
	has("who-can", out, "Sam Lee", "South Yard is assigned to them (until 2035-12-31)")
	out, _ = run(adaKey, 1, "check", "sam@example.com", "payroll", "view")
	has("check", out, "denied:")
	out, _ = run(adaKey, 0, "sites", "rename", "'South Yard'", "'South Quay'")
	has("rename", out, "renamed site South Yard to South Quay")
	out, _ = run(adaKey, 0, "check", "sam@example.com", "roster", "view", "--site", "'South Quay'")
	has("check after the rename", out, "allowed:", "South Quay", "(until 2035-12-31)")
	out, _ = run(adaKey, 0, "clients", "retire", "Acme", "--dry-run")
	has("contract end preview", out, "dry run: would have retired client Acme", "user:sam@example.com", "nothing written")
	out, _ = run(adaKey, 0, "review", "--format", "csv")
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil || len(rows) < 2 || rows[0][0] != "email" {
		t.Fatalf("review --format csv over SSH: %v\n%s", err, out)
	}
	found := false
	for _, r := range rows[1:] {
		found = found || r[0] == "sam@example.com" && r[4] == "sites" && r[7] == "North Depot; South Quay (until 2035-12-31)"
	}
	if !found {
		t.Fatalf("the review does not give Sam's sites with their end:\n%s", out)
	}
	// the manager may ask who can at their site, and hears only of the users
	// inside their sites: Sam now holds South Quay, outside them; and may not
	// read a review (it needs the audit log)
	out, _ = run(maxKey, 0, "who-can", "roster", "view", "--site", "'North Depot'")
	has("the manager's who-can", out, "Max Manager", "(only the users you may see: those inside your sites)")
	if strings.Contains(out, "Sam Lee") {
		t.Fatalf("the manager's who-can names Sam, who holds a site outside the manager's:\n%s", out)
	}
	_, stderr := run(maxKey, 1, "review")
	if lines := strings.Split(strings.TrimSpace(stderr), "\n"); len(lines) != 1 || !strings.Contains(stderr, "Audit log") {
		t.Fatalf("the manager's review: want one line about the Audit log, got %q", stderr)
	}
}
