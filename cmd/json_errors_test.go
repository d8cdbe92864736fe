package cmd_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/cmd"
	"github.com/gatehouse/gatehouse/internal/hostile"
	"github.com/gatehouse/gatehouse/store"
)

type errorJSON struct {
	Error string `json:"error"`
	Kind  string `json:"kind"`
	Rows  []struct {
		Line  int    `json:"line"`
		Error string `json:"error"`
	} `json:"rows"`
}

// decodeError reads stderr as exactly one error object on one line.
func decodeError(t *testing.T, what, stderr string) errorJSON {
	t.Helper()
	var e errorJSON
	dec := json.NewDecoder(strings.NewReader(stderr))
	dec.DisallowUnknownFields()
	if strings.Count(stderr, "\n") != 1 || !strings.HasSuffix(stderr, "\n") || dec.Decode(&e) != nil || e.Error == "" || e.Kind == "" {
		t.Fatalf("%s: want one JSON error object on one line of stderr, got %q", what, stderr)
	}
	return e
}

// With --json every error is one JSON object on stderr, of the kind its
// type says, with the line it prints without --json and the same exit
// code; without --json nothing changed. The kinds printed are JSON.md's.
func TestJSONErrors(t *testing.T) {
	g := newGH(t)
	g.places()
	g.employee("Bob", "Basic", "bob@example.com", "Basic", "North Depot")
	bad := filepath.Join(g.home, "bad.csv")
	os.WriteFile(bad, []byte(store.CSVHeader+"\nA,B,not-an-email,employee,User,,\nC,D,c@example.com,employee,Nobody,,\n"), 0o644)
	empty := filepath.Join(g.home, "empty.db")
	os.WriteFile(empty, nil, 0o600)

	for _, c := range []struct {
		args []string
		code int
		kind string
		says string
	}{
		{[]string{"users", "show", "nobody@example.com"}, 2, "not-found", `no user with email "nobody@example.com"`},
		{[]string{"check", "bob@example.com", "roster", "sometimes"}, 2, "input", "sometimes"},
		{[]string{"profiles", "delete", "Administrator"}, 1, "refused", "built-in"},
		{[]string{"--as", "bob@example.com", "clients", "add", "Zed"}, 1, "denied", "bob@example.com"},
		{[]string{"--db", empty, "users", "list"}, 1, "damaged", "is empty"},
		{[]string{"export", filepath.Join(g.home, "no-such-dir", "x.json")}, 1, "failed", "no such file"},
		{[]string{"users", "list", "--bogus"}, 2, "usage", "unknown flag: --bogus"},
		{[]string{"userz"}, 2, "usage", `unknown command "userz"`},
		{[]string{"users", "show"}, 2, "usage", "users show needs one EMAIL"},
		{[]string{"users", "edit", "bob@example.com"}, 2, "usage", "nothing to edit"},
		{[]string{"import-users", bad}, 2, "input", "2 bad rows in " + bad},
	} {
		human := g.run(c.args...)
		line := human.err[strings.LastIndex(strings.TrimSuffix(human.err, "\n"), "\n")+1:] // after import-users' row lines
		if human.code != c.code || !strings.HasPrefix(line, "gatehouse: ") || !strings.Contains(line, c.says) {
			t.Fatalf("without --json: %v; want exit %d saying %q", human, c.code, c.says)
		}
		// --json first, and last: after an unknown flag it is not parsed
		for _, args := range [][]string{append([]string{"--json"}, c.args...), append(append([]string{}, c.args...), "--json")} {
			r := g.run(args...)
			e := decodeError(t, strings.Join(args, " "), r.err)
			if r.code != c.code || r.out != "" || e.Kind != c.kind || "gatehouse: "+e.Error+"\n" != line {
				t.Errorf("%v\nwant exit %d, kind %q, error %q, stdout empty; got %+v", r, c.code, c.kind, line, e)
			}
		}
	}

	// import-users' bad rows are inside the error, not lines before it
	r := g.run("--json", "import-users", bad)
	e := decodeError(t, "import-users --json", r.err)
	if len(e.Rows) != 2 || e.Rows[0].Line != 2 || !strings.Contains(e.Rows[0].Error, "not-an-email") || e.Rows[1].Line != 3 || !strings.Contains(e.Rows[1].Error, "Nobody") {
		t.Fatalf("import-users --json rows: %+v", e.Rows)
	}

	// every key an error object has is documented in JSON.md
	var raw map[string]any
	json.Unmarshal([]byte(r.err), &raw)
	keys := map[string]bool{}
	keysOf(raw, keys)
	doc := documented(t)
	for k := range keys {
		if !doc[k] {
			t.Errorf("the error object's key %q is not documented in cmd/JSON.md", k)
		}
	}

	// a database held by another process
	s, err := store.Open(g.db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	r = g.run("--json", "users", "list")
	s.Close()
	if e := decodeError(t, "locked", r.err); r.code != 1 || e.Kind != "locked" || !strings.Contains(e.Error, "in use by another gatehouse process") {
		t.Fatalf("locked: %v", r)
	}

	// answers are not errors: a denied check prints its JSON on stdout, nothing on stderr
	r = g.run("--json", "check", "bob@example.com", "payroll", "view")
	if r.code != 1 || r.err != "" || !strings.Contains(r.out, `"allowed": false`) {
		t.Fatalf("a denied check with --json: %v", r)
	}
}

// Over SSH (cmd.RunRemote) too, the allowlist's refusal included, and an
// error quoting hostile text is JSON holding it, escaped for a terminal.
func TestJSONErrorsRemote(t *testing.T) {
	t.Parallel()
	s, err := store.Open(hostile.Copy(t), store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	run := func(email string, args ...string) (string, string, int) {
		actor, err := s.ActorFor(email)
		if err != nil {
			t.Fatal(err)
		}
		var out, errb bytes.Buffer
		code := cmd.RunRemote(cmd.Env{Store: s, Actor: &actor, Out: &out, Err: &errb}, args)
		return out.String(), errb.String(), code
	}
	for _, c := range []struct {
		who  string
		args []string
		code int
		kind string
	}{
		{hClient, []string{"--json", "users", "list"}, 1, "refused"}, // the allowlist, before the tree
		{hAdmin, []string{"--json", "serve"}, 1, "refused"},          // the operator's job
		{hAdmin, []string{"--json", "--db", "x.db", "users", "list"}, 2, "usage"},
		{hAdmin, []string{"--json", "users", "show", "nobody" + hostile.Payload + "@x.test"}, 2, "not-found"},
		{hAdmin, []string{"users", "lis" + hostile.Payload, "--json"}, 2, "usage"},
	} {
		out, errs, code := run(c.who, c.args...)
		e := decodeError(t, strings.Join(c.args, " "), errs)
		if code != c.code || out != "" || e.Kind != c.kind {
			t.Errorf("%q as %s: exit %d, stdout %q, %+v; want exit %d, kind %s", c.args, c.who, code, out, e, c.code, c.kind)
		}
		hostile.Check(t, strings.Join(c.args, " "), errs, true)
		// what was typed is quoted as the line without --json quotes it: escaped
		if strings.Contains(strings.Join(c.args, " "), hostile.Payload) && !strings.Contains(e.Error, `\x1b]52;c;`) {
			t.Errorf("%q: the error does not quote what was typed, escaped: %q", c.args, e.Error)
		}
	}
}
