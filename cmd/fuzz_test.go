package cmd_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	shlex "github.com/anmitsu/go-shlex"

	"github.com/gatehouse/gatehouse/cmd"
	"github.com/gatehouse/gatehouse/internal/proof"
	"github.com/gatehouse/gatehouse/store"
)

// FuzzSSHCommandLine feeds hostile exec command lines to what an SSH session
// runs: the raw line is split as the SSH server splits it (ssh.Session's
// Command, go-shlex in POSIX mode) and run by cmd.RunRemote for a signed-in
// user. It must never panic, exit 0, 1 or 2 with one error line, and
// whatever it changes must pass the escalation oracle for that user.
func FuzzSSHCommandLine(f *testing.F) {
	for _, seed := range []string{
		"users list --json",
		`users edit in@example.com --first "New Name"`,
		`users disable --where 'site="Zeta HQ"'`,
		`sites assign nosite@example.com --team 'Zeta HQ/Night'`,
		`users add --first A --last B --email a@b.example --type employee --profile Administrator --site "North Depot"`,
		`profiles grant Basic payroll=view`,
		`users edit IN@EXAMPLE.COM --profile "Manager (all sites)"`,
		`users add-key in@example.com /etc/passwd`,
		`--db /tmp/x.db users list`,
		`--as admin@example.com users disable out@example.com`,
		`backup /tmp/stolen.db`,
		`import-users -`,
		`check in@example.com roster view --site "North Depot"`,
		`effective out@example.com`,
		`undo 1`,
		`users "unbalanced`,
		`help users`,
		"users\x00list",
		`'' '' ''`,
	} {
		for who := range 5 {
			f.Add(seed, uint8(who))
		}
	}
	w, err := proof.BuildWorld(f.TempDir())
	if err != nil {
		f.Fatal(err)
	}
	s, _, err := w.Fresh()
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { s.Close() })
	who := []string{"manager@example.com", "basic@example.com", "client@acme.example", "hr@example.com", "supervisor@example.com"}
	prev, err := proof.Take(s)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, raw string, n uint8) {
		// exactly what the SSH server does with an exec request
		split, _ := shlex.Split(raw, true)
		args := append([]string(nil), split...)
		if len(args) == 0 {
			return // an empty line opens the console; an unreadable one is refused before the tree
		}
		email := who[int(n)%len(who)]
		u, err := s.User(email)
		if err != nil {
			t.Fatal(err)
		}
		actor := store.Actor{UserID: u.ID, Name: u.Email}
		if u.Disabled {
			return // a disabled user's sessions are ended before they run anything
		}
		var out, errb bytes.Buffer
		code := cmd.RunRemote(cmd.Env{Store: s, Actor: &actor, In: strings.NewReader(""), Out: &out, Err: &errb}, args)
		switch code {
		case 0:
		case 1, 2:
			if !strings.HasPrefix(errb.String(), "gatehouse: ") && !strings.HasPrefix(out.String(), "denied: ") && !strings.Contains(errb.String(), "line ") && !jsonError(errb.String()) {
				t.Fatalf("%q as %s: exit %d without a reason: stdout %q stderr %q", raw, email, code, out.String(), errb.String())
			}
		default:
			t.Fatalf("%q as %s: exit %d", raw, email, code)
		}
		// every change is audited (the matrix checks that): judge when the log moved
		if last, _ := s.AuditLog(store.AuditFilter{Limit: 1}); len(last) == 1 && last[0].Seq == prev.Audit {
			return
		}
		after, err := proof.Take(s)
		if err != nil {
			t.Fatal(err)
		}
		if v := proof.Judge(s, prev, after, u.ID); len(v) > 0 {
			t.Fatalf("%q as %s (exit %d): %s", raw, email, code, strings.Join(v, "; "))
		}
		prev = after
	})
}

// jsonError says whether stderr is one error object, as --json prints it.
func jsonError(stderr string) bool {
	var v struct{ Error, Kind string }
	return strings.Count(stderr, "\n") == 1 && json.Unmarshal([]byte(stderr), &v) == nil && v.Error != "" && v.Kind != ""
}
