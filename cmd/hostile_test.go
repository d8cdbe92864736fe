package cmd_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/gatehouse/gatehouse/cmd"
	"github.com/gatehouse/gatehouse/internal/hostile"
	"github.com/gatehouse/gatehouse/internal/safetext"
	"github.com/gatehouse/gatehouse/store"
)

// Nothing a user typed can drive another person's terminal: every read
// command, run on a copy of the hostile fixture (every text field holds
// escape sequences, controls and invisible characters, written below the
// input rules as an old file would hold them), prints the data with every
// control shown (\x1b) rather than sent — locally, through cmd.RunRemote
// (SSH exec sessions) and over a real SSH server.

// stored is s made hostile as a JSON record of the fixture holds it (the
// stray byte as U+FFFD); users' emails are hostile.Of exactly.
func stored(s string) string { return strings.ToValidUTF8(hostile.Of(s), "\ufffd") }

var (
	hAdmin    = hostile.AdminEmail
	hClient   = hostile.Of("cleo.client@fixture.test")
	hBasic    = hostile.Of("bob.basic@fixture.test")
	hDisabled = hostile.Of("dora.disabled@fixture.test")
)

// hostileRead is one read command line.
type hostileRead struct {
	args  []string
	code  int  // its exit code
	shows bool // its output shows the data (escaped): not only a message
	local bool // the operator's only: refused over SSH
	json  bool // prints JSON without --json (export)
	body  bool // prints a message body, which keeps its lines (outbox show)
}

func hostileReads() []hostileRead {
	rs := []hostileRead{
		{args: []string{"users", "list"}, shows: true},
		{args: []string{"users", "list", "--status", "all", "--site", stored("North Depot")}, shows: true},
		{args: []string{"users", "show", hAdmin}, shows: true},
		{args: []string{"users", "show", hClient}, shows: true},
		{args: []string{"users", "history", hAdmin}, shows: true},
		{args: []string{"users", "history", hDisabled}, shows: true},
		{args: []string{"users", "keys", hAdmin}, shows: true},
		{args: []string{"users", "keys", hBasic}}, // "has no keys"
		{args: []string{"effective", hAdmin}, shows: true},
		{args: []string{"effective", hClient}, shows: true},
		{args: []string{"effective", hBasic}, shows: true},
		{args: []string{"check", hAdmin, "roster", "view", "--site", stored("North Depot")}, shows: true},
		{args: []string{"check", hClient, "payroll", "view"}, code: 1, shows: true},
		{args: []string{"check", hDisabled, "roster", "view"}, code: 1, shows: true},
		{args: []string{"check", hAdmin, stored("rota-x"), "view"}, code: 2},
		{args: []string{"profiles", "list"}, shows: true},
		{args: []string{"profiles", "show", stored("Manager")}, shows: true},
		{args: []string{"profiles", "show", stored("Auditor")}, shows: true},
		{args: []string{"screens", "list"}, shows: true},
		{args: []string{"clients", "list"}, shows: true},
		{args: []string{"sites", "list"}, shows: true},
		{args: []string{"sites", "list", "--client", stored("Acme")}, shows: true},
		{args: []string{"teams", "list"}, shows: true},
		{args: []string{"teams", "list", "--all"}, shows: true},
		{args: []string{"sites", "list", "--all"}, shows: true},
		{args: []string{"clients", "list", "--all"}, shows: true},
		{args: []string{"settings", "show"}, shows: true},
		{args: []string{"audit", "log", "--limit", "0"}, shows: true},
		{args: []string{"audit", "log", "--entity", "user:" + hAdmin}, shows: true},
		{args: []string{"audit", "verify"}},
		{args: []string{"expiring"}}, // "nothing ends": the fixture holds no ends
		{args: []string{"outbox", "list"}, shows: true},
		{args: []string{"version"}},
		{args: []string{"who-can", "roster", "view"}, shows: true},
		{args: []string{"who-can", "roster", "view", "--site", stored("North Depot"), "--format", "csv"}, shows: true},
		{args: []string{"review"}}, // Markdown: the data's backslashes escaped again
		{args: []string{"review", "--format", "csv"}, shows: true},
		{args: []string{"users", "list", "--format", "csv"}, shows: true},
		{args: []string{"audit", "log", "--format", "csv"}, shows: true},
		{args: []string{"effective", hClient, "--format", "csv"}, shows: true},
		{args: []string{"export"}, shows: true, local: true, json: true},
		{args: []string{"export", "-"}, shows: true, local: true, json: true},
		{args: []string{"users", "show", "nobody" + hostile.Payload + "@x.test"}, code: 2},
		{args: []string{"profiles", "show", "Nobody" + hostile.Payload}, code: 2},
		// usage errors quote what was typed
		{args: []string{"users", "list", "--bogus" + hostile.Payload}, code: 2},
		{args: []string{"users", "list", "--status", hostile.Payload}, code: 2},
		{args: []string{"user" + hostile.Payload}, code: 2},
		{args: []string{"users", "lis" + hostile.Payload}, code: 2},
	}
	for id := 1; id <= 7; id++ {
		rs = append(rs, hostileRead{args: []string{"outbox", "show", fmt.Sprint(id)}, shows: true, body: true})
	}
	return rs
}

// hostileWrites are the commands that change something: not run by the read
// sweep (TestHostileEchoesOfWrites runs some). A command in neither list
// fails TestHostileReadsCoverTheTree.
var hostileWrites = []string{
	"backup", "demo", "import", "import-users", "migrate", "serve", "undo",
	"users add", "users add-key", "users assign-client", "users delete", "users disable", "users edit",
	"users enable", "users feature", "users invite", "users remove-key", "users set-password", "users unassign-client",
	"sites add", "sites assign", "sites unassign", "profiles create", "profiles delete", "profiles grant", "profiles scope",
	"screens add", "clients add", "teams add", "settings set",
	"clients rename", "clients retire", "clients restore", "clients delete", "profiles rename", "screens retitle",
	"sites rename", "sites retire", "sites restore", "sites delete",
	"teams rename", "teams retire", "teams restore", "teams delete", "teams move",
}

// commandPaths lists every command of the tree ("users list"), groups too.
func commandPaths() []string {
	var out []string
	var walk func(c *cobra.Command, prefix string)
	walk = func(c *cobra.Command, prefix string) {
		for _, sub := range c.Commands() {
			if sub.Hidden || sub.Name() == "completion" {
				continue
			}
			p := strings.TrimSpace(prefix + " " + sub.Name())
			out = append(out, p)
			walk(sub, p)
		}
	}
	walk(cmd.NewRoot(cmd.Env{}), "")
	return out
}

func TestHostileReadsCoverTheTree(t *testing.T) {
	t.Parallel()
	read := map[string]bool{"help": true}
	for _, r := range hostileReads() {
		read[strings.Join(r.args[:min(2, len(r.args))], " ")] = true
		read[r.args[0]] = true
	}
	for _, p := range commandPaths() {
		if !read[p] && !slices.Contains(hostileWrites, p) {
			t.Errorf("command %q is neither a read run on the hostile fixture nor a write: add it to hostileReads or hostileWrites", p)
		}
	}
}

// checkHostileOutput asserts one run's output is inert, and (when it shows
// data) that the data was shown, escaped — or in JSON, that it is valid
// JSON still holding the payload itself.
func checkHostileOutput(t *testing.T, where string, r hostileRead, asJSON bool, stdout, stderr string, code int) {
	t.Helper()
	what := fmt.Sprintf("%s %q", where, r.args)
	if asJSON {
		what += " --json"
	}
	hostile.Check(t, what+" stdout", stdout, true)
	hostile.Check(t, what+" stderr", stderr, true)
	if l, ok := hostile.Forged(stdout + "\n" + stderr); ok && !(r.body && !asJSON) {
		t.Errorf("%s: a newline in the data made a line of its own: %q", what, l)
	}
	if code != r.code {
		t.Errorf("%s: exit %d, want %d\nstdout:\n%.600s\nstderr:\n%.600s", what, code, r.code, stdout, stderr)
		return
	}
	if !r.shows {
		return
	}
	if !asJSON && !r.json {
		// every character of the payload shown, in order (a name may come
		// back lower-cased: "denied: EMAIL is disabled")
		low := strings.ToLower(stdout)
		if !strings.Contains(low, strings.ToLower(safetext.Escape(hostile.Payload))) && !strings.Contains(low, strings.ToLower(safetext.Escape(hostile.Stored))) {
			t.Errorf("%s: the data is not shown (escaped):\n%.600s", what, stdout)
		}
		return
	}
	var v any
	if err := json.Unmarshal([]byte(stdout), &v); err != nil {
		t.Errorf("%s: not JSON: %v\n%.600s", what, err, stdout)
		return
	}
	if !holdsString(v, hostile.Stored) && !holdsString(v, strings.ToLower(hostile.Stored)) {
		t.Errorf("%s: the JSON no longer holds the data as it is stored:\n%.600s", what, stdout)
	}
}

// holdsString says whether some string in a decoded JSON value contains sub.
func holdsString(v any, sub string) bool {
	switch v := v.(type) {
	case string:
		return strings.Contains(v, sub)
	case []any:
		return slices.ContainsFunc(v, func(x any) bool { return holdsString(x, sub) })
	case map[string]any:
		for _, x := range v {
			if holdsString(x, sub) {
				return true
			}
		}
	}
	return false
}

// jsonRead says whether a read prints JSON with --json.
func jsonRead(r hostileRead) bool {
	return (r.code == 0 || r.args[0] == "check") && !slices.Contains(r.args, "--format")
}

// The real binary, as the local operator.
func TestHostileReadsLocally(t *testing.T) {
	t.Parallel()
	g := &gh{t: t, db: hostile.Copy(t), home: t.TempDir()}
	for _, r := range hostileReads() {
		res := g.run(r.args...)
		checkHostileOutput(t, "local", r, false, res.out, res.err, res.code)
		if jsonRead(r) {
			res = g.run(append([]string{"--json"}, r.args...)...)
			checkHostileOutput(t, "local", r, true, res.out, res.err, res.code)
		}
	}
	// help, and the help of every command and group
	help := hostileRead{args: []string{"--help"}}
	res := g.run("--help")
	checkHostileOutput(t, "local", help, false, res.out, res.err, res.code)
	for _, p := range commandPaths() {
		args := append(strings.Fields(p), "--help")
		res := g.run(args...)
		checkHostileOutput(t, "local", hostileRead{args: args}, false, res.out, res.err, res.code)
	}
	if r := g.run("audit", "verify"); !strings.Contains(r.out, "chain intact") {
		t.Fatalf("the fixture's audit chain: %v", r)
	}
}

// cmd.RunRemote: how an SSH exec session runs a command line, as the
// signed-in admin, and as a client user (self-service: most is refused,
// naming them).
func TestHostileReadsRemotely(t *testing.T) {
	t.Parallel()
	s, err := store.Open(hostile.Copy(t), store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	remote := func(email string, args ...string) (string, string, int) {
		actor, err := s.ActorFor(email)
		if err != nil {
			t.Fatal(err)
		}
		var out, errb bytes.Buffer
		code := cmd.RunRemote(cmd.Env{Store: s, Actor: &actor, In: strings.NewReader(""), Out: &out, Err: &errb}, args)
		return out.String(), errb.String(), code
	}
	for _, r := range hostileReads() {
		if r.local {
			r = hostileRead{args: r.args, code: 1} // refused over SSH
		}
		out, errs, code := remote(hAdmin, r.args...)
		checkHostileOutput(t, "remote", r, false, out, errs, code)
		if jsonRead(r) {
			out, errs, code = remote(hAdmin, append([]string{"--json"}, r.args...)...)
			checkHostileOutput(t, "remote", r, true, out, errs, code)
		}
	}
	for _, r := range []hostileRead{
		{args: []string{"effective", hClient}, shows: true},
		{args: []string{"check", hClient, "roster", "view", "--site", stored("North Depot")}, shows: true},
		{args: []string{"users", "list"}, code: 1},
		{args: []string{"audit", "log"}, code: 1},
		{args: []string{"effective", hAdmin}, code: 1},
	} {
		out, errs, code := remote(hClient, r.args...)
		checkHostileOutput(t, "remote as the client user", r, false, out, errs, code)
		if r.code != 0 && !strings.Contains(errs, `cleo.client@fixture.test\x1b]52`) {
			t.Errorf("the refusal of %q does not name the client user, escaped: %q", r.args, errs)
		}
	}
}

// A real SSH server (the binary's serve, keys.New) and a real client
// (x/crypto/ssh), signed in with the fixture admin's enrolled key.
func TestHostileReadsOverSSH(t *testing.T) {
	t.Parallel()
	g := &gh{t: t, db: hostile.Copy(t), home: t.TempDir()}
	srv := g.serve(nil)
	quote := func(args []string) string {
		q := make([]string, len(args))
		for i, a := range args {
			q[i] = "'" + a + "'" // the payload holds no single quote
		}
		return strings.Join(q, " ")
	}
	for _, r := range []hostileRead{
		{args: []string{"users", "list"}, shows: true},
		{args: []string{"users", "keys", hAdmin}, shows: true},
		{args: []string{"users", "history", hAdmin}, shows: true},
		{args: []string{"audit", "log", "--limit", "0"}, shows: true},
		{args: []string{"effective", hClient}, shows: true},
		{args: []string{"outbox", "show", "1"}, shows: true, body: true},
		{args: []string{"screens", "list"}, shows: true},
		{args: []string{"profiles", "show", stored("Manager")}, shows: true},
		{args: []string{"users", "show", "nobody" + hostile.Payload + "@x.test"}, code: 2},
	} {
		out, code := srv.run(t, hostile.AdminSigner(), quote(r.args))
		checkHostileOutput(t, "ssh", r, false, out, "", code)
		if r.code == 0 {
			out, code = srv.run(t, hostile.AdminSigner(), "--json "+quote(r.args))
			checkHostileOutput(t, "ssh", r, true, out, "", code)
		}
	}
	hostile.Check(t, "serve's stdout", srv.out.String(), true)
	hostile.Check(t, "serve's log", srv.err.String(), true)
}

// Commands that change something report what they did, naming records:
// those lines are escaped too.
func TestHostileEchoesOfWrites(t *testing.T) {
	t.Parallel()
	g := &gh{t: t, db: hostile.Copy(t), home: t.TempDir()}
	for _, c := range []struct {
		args  []string
		code  int
		names bool // the report names the record
	}{
		{[]string{"profiles", "grant", stored("Auditor"), "reports=view"}, 0, true},
		{[]string{"users", "enable", hDisabled}, 0, false},
		{[]string{"users", "edit", hBasic, "--first", "Bobby"}, 0, true},
		{[]string{"sites", "assign", hBasic, "--site", stored("South Yard")}, 0, true},
		{[]string{"users", "disable", "--where", "profile=" + stored("Basic")}, 0, false},
		{[]string{"users", "invite", hBasic}, 1, true}, // disabled now: refused
		{[]string{"undo"}, 0, false},
		{[]string{"users", "add", "--first", "Eve" + hostile.Payload, "--last", "X", "--email", "eve@x.test", "--profile", "Basic"}, 2, false},
		{[]string{"sites", "assign", hClient, "--site", stored("Zeta HQ")}, 1, true},
	} {
		r := g.run(c.args...)
		hostile.Check(t, fmt.Sprintf("%q stdout", c.args), r.out, true)
		hostile.Check(t, fmt.Sprintf("%q stderr", c.args), r.err, true)
		if l, ok := hostile.Forged(r.out + r.err); ok {
			t.Errorf("%q: a newline in the data made a line of its own: %q", c.args, l)
		}
		if r.code != c.code {
			t.Errorf("%v: want exit %d", r, c.code)
		}
		if c.names && !strings.Contains(r.out+r.err, `\x1b]52;c;`) {
			t.Errorf("%q does not name the record, escaped: %v", c.args, r)
		}
	}
}
