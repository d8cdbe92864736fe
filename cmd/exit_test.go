package cmd_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/cmd"
	"github.com/gatehouse/gatehouse/store"
)

func TestExitCodes(t *testing.T) {
	g := newGH(t)
	g.places()
	g.employee("Bo", "Kim", "bo@example.com", "User", "North Depot")
	for _, c := range []struct {
		code int
		args []string
		want string
	}{
		{2, []string{"users", "list", "--bogus"}, "run 'gatehouse users list --help'"},
		{2, []string{"--bogus"}, "unknown flag"},
		{2, []string{"userz"}, "did you mean users?"},
		{2, []string{"users", "lisst"}, "run 'gatehouse users --help'"},
		{2, []string{"users", "show"}, "needs one EMAIL"},
		{2, []string{"users", "show", "a@example.com", "b@example.com"}, "quote names with spaces"},
		{2, []string{"users", "show", "nobody@example.com"}, "no user with email"},
		{2, []string{"check", "nobody@example.com", "roster", "view"}, "no user with email"},
		{2, []string{"check", "bo@example.com", "roster", "lots"}, "none, view, maintain"},
		{2, []string{"check", "bo@example.com", "nowhere", "view"}, "screens list"},
		{2, []string{"check", "bo@example.com", "roster", "view", "--site", "Atlantis"}, "sites list"},
		{2, []string{"users", "add", "--first", "A", "--last", "B", "--email", "not an email", "--type", "employee", "--profile", "User"}, "not a valid address"},
		{2, []string{"users", "add", "--first", "A"}, "--last, --email, --profile"},
		{2, []string{"users", "add", "--first", "A", "--last", "B", "--email", "a@example.com", "--type", "robot", "--profile", "User"}, "employee, client"},
		{2, []string{"profiles", "grant", "User", "roster"}, "SCREEN=LEVEL"},
		{2, []string{"profiles", "grant", "User", "roster=lots"}, "roster=lots"},
		{2, []string{"profiles", "grant", "Nobody", "roster=view"}, "no profile"},
		{2, []string{"users", "feature", "bo@example.com", "teleport=allow"}, "teleport"},
		{2, []string{"audit", "log", "--since", "yesterday-ish"}, "--since"},
		{2, []string{"sites", "assign", "bo@example.com"}, "--site"},
		{1, []string{"users", "add", "--first", "A", "--last", "B", "--email", "bo@example.com", "--type", "employee", "--profile", "User"}, "already used"},
		{1, []string{"users", "add", "--first", "A", "--last", "B", "--email", "a@example.com", "--type", "client", "--profile", "User", "--client", "Acme"}, "profile User is for employee users"},
		{1, []string{"profiles", "delete", "User"}, "built-in"},
		{1, []string{"clients", "add", "acme"}, "already exists"},
		{1, []string{"sites", "add", "north depot"}, "already exists"},
		{1, []string{"check", "bo@example.com", "payroll", "view"}, ""},
	} {
		r := g.run(c.args...)
		if r.code != c.code {
			t.Fatalf("want exit %d: %v", c.code, r)
		}
		if c.args[0] == "check" && c.code == 1 {
			continue // a denial is an answer on stdout, not an error
		}
		oneErrorLine(t, r)
		if !strings.Contains(r.err, c.want) {
			t.Fatalf("want %q in the error: %v", c.want, r)
		}
	}
	// help is not an error
	if r := g.run("users", "--help"); r.code != 0 || !strings.Contains(r.out, "set-password") {
		t.Fatalf("users --help: %v", r)
	}
	if r := g.run("users"); r.code != 0 || !strings.Contains(r.out, "Available Commands") {
		t.Fatalf("users alone prints its help: %v", r)
	}
}

// Run must never fall back to os.Args. The test runs itself again with an
// extra argument, "users", in its os.Args: an empty or nil argument list must
// still print the root help, not the users help.
func TestRunWithoutArgsPrintsHelp(t *testing.T) {
	t.Parallel()
	if os.Getenv("GATEHOUSE_RUN_CHILD") != "" {
		var out, errb bytes.Buffer
		var args []string
		if os.Getenv("GATEHOUSE_RUN_CHILD") == "empty" {
			args = []string{}
		}
		code := cmd.Run(cmd.Env{Out: &out, Err: &errb}, args)
		fmt.Printf("exit=%d\n%s%s", code, out.String(), errb.String())
		return
	}
	for _, mode := range []string{"nil", "empty"} {
		c := exec.Command(os.Args[0], "-test.run=^TestRunWithoutArgsPrintsHelp$", "users")
		c.Env = append(os.Environ(), "GATEHOUSE_RUN_CHILD="+mode)
		out, err := c.CombinedOutput()
		if err != nil {
			t.Fatalf("%s: %v\n%s", mode, err, out)
		}
		s := string(out)
		if !strings.Contains(s, "exit=0") || !strings.Contains(s, "gatehouse administers access") || strings.Contains(s, "gatehouse users [command]") {
			t.Fatalf("Run with %s args must print the root help, not read os.Args:\n%s", mode, s)
		}
	}
}

// An SSH session passes its store and actor: --db and --as are refused, and
// the store stays open for the next command.
func TestRunWithSessionStoreAndActor(t *testing.T) {
	t.Parallel()
	s, err := store.Open(filepath.Join(t.TempDir(), "s.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	local := store.LocalActor("admin")
	run := func(env cmd.Env, args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		env.Out, env.Err = &out, &errb
		return cmd.Run(env, args), out.String(), errb.String()
	}
	env := cmd.Env{Store: s, Actor: &local}
	if code, out, e := run(env, "clients", "add", "Acme"); code != 0 || !strings.Contains(out, "added client Acme") {
		t.Fatalf("clients add: %d %s %s", code, out, e)
	}
	if code, _, e := run(env, "--db", "/tmp/other.db", "clients", "list"); code != 2 || !strings.HasPrefix(e, "gatehouse: --db is not available") {
		t.Fatalf("--db over a session: %d %s", code, e)
	}
	if code, _, e := run(env, "--as", "x@example.com", "clients", "list"); code != 2 || !strings.HasPrefix(e, "gatehouse: --as is not available") {
		t.Fatalf("--as over a session: %d %s", code, e)
	}
	// the session's store is still open and has the client
	if code, out, e := run(env, "clients", "list"); code != 0 || !strings.Contains(out, "Acme") {
		t.Fatalf("clients list: %d %s %s", code, out, e)
	}
	// the session's actor is the one recorded
	if code, out, _ := run(env, "audit", "log"); code != 0 || !strings.Contains(out, "local:admin") {
		t.Fatalf("audit log should name the session's actor:\n%s", out)
	}
	// a session user without rights is refused like any other
	if _, err := s.Apply(local, "add", func(tx *store.Tx) error {
		_, err := tx.AddUser(store.NewUser{First: "B", Last: "K", Email: "b@example.com", Type: store.Employee, Profile: "Basic"})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	basic, err := s.ActorFor("b@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if code, _, e := run(cmd.Env{Store: s, Actor: &basic}, "clients", "add", "Zeta"); code != 1 || !strings.Contains(e, "needs maintain") {
		t.Fatalf("basic user adding a client: %d %s", code, e)
	}
	// a console hook runs when no command is given
	called := false
	env.Console = func(cs *store.Store, a store.Actor) error {
		called = cs == s && a.Name == "local:admin"
		return nil
	}
	if code, _, _ := run(env); code != 0 || !called {
		t.Fatalf("console hook: exit %d, called %v", code, called)
	}
}
