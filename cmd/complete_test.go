package cmd_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/gatehouse/gatehouse/cmd"
	"github.com/gatehouse/gatehouse/internal/hostile"
	"github.com/gatehouse/gatehouse/store"
)

// completion is what one __complete request answered.
type completion struct {
	values    []string // without descriptions
	described []string // value\tdescription, as printed
	help      []string // cobra's active help lines
	directive cobra.ShellCompDirective
	raw       string
}

// parseCompletion reads cobra's __complete protocol: one completion a
// line, then ":DIRECTIVE".
func parseCompletion(t *testing.T, out string) completion {
	t.Helper()
	c := completion{raw: out}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	last := lines[len(lines)-1]
	d, err := strconv.Atoi(strings.TrimPrefix(last, ":"))
	if !strings.HasPrefix(last, ":") || err != nil {
		t.Fatalf("not a completion answer (no :DIRECTIVE last): %q", out)
	}
	c.directive = cobra.ShellCompDirective(d)
	for _, l := range lines[:len(lines)-1] {
		if h, ok := strings.CutPrefix(l, "_activeHelp_ "); ok {
			c.help = append(c.help, h)
			continue
		}
		v, _, _ := strings.Cut(l, "\t")
		c.values = append(c.values, v)
		c.described = append(c.described, l)
	}
	return c
}

func (c completion) is(values ...string) bool {
	return strings.Join(c.values, "|") == strings.Join(values, "|")
}

const noFiles = cobra.ShellCompDirectiveNoFileComp

// Local completion (the operator, and --as) through the tree as the shell
// calls it: every kind of value from the database.
func TestCompletionLocally(t *testing.T) {
	g := newGH(t)
	g.places()
	g.ok("teams", "add", "Night", "--site", "North Depot")
	g.employee("Ada", "Admin", "ada@example.com", "Administrator")
	g.employee("Max", "Manager", "max@example.com", "Manager", "North Depot")
	g.employee("Mia", "Manager", "mia@example.com", "Manager", "South Yard")
	g.employee("Bob", "Basic", "bob@example.com", "Basic", "North Depot")
	_, pub := newKeyFile(t, g.home, "bob")
	g.ok("users", "add-key", "bob@example.com", pub)
	fp := strings.TrimSpace(strings.SplitN(g.ok("users", "keys", "bob@example.com"), "\n", 3)[1])
	fp = strings.Fields(fp)[0]
	run := func(args ...string) completion {
		t.Helper()
		var out, errb bytes.Buffer
		code := cmd.Run(cmd.Env{Out: &out, Err: &errb}, append([]string{"__complete", "--db", g.db}, args...))
		if code != 0 {
			t.Fatalf("__complete %q: exit %d: %s", args, code, errb.String())
		}
		return parseCompletion(t, out.String())
	}
	emails := []string{"ada@example.com", "bob@example.com", "max@example.com", "mia@example.com"}
	for _, c := range []struct {
		args      []string
		want      []string
		directive cobra.ShellCompDirective
	}{
		{[]string{"users", "show", ""}, emails, noFiles},
		{[]string{"users", "show", "m"}, []string{"max@example.com", "mia@example.com"}, noFiles},
		{[]string{"users", "show", "MI"}, []string{"mia@example.com"}, noFiles},
		{[]string{"users", "show", "bob@example.com", ""}, nil, noFiles}, // takes one
		{[]string{"users", "disable", "bob@example.com", "m"}, []string{"max@example.com", "mia@example.com"}, noFiles},
		{[]string{"effective", "a"}, []string{"ada@example.com"}, noFiles},
		{[]string{"check", ""}, emails, noFiles}, // the operator has no self: no screens first
		{[]string{"check", "bob@example.com", "pay"}, []string{"payroll"}, noFiles},
		{[]string{"check", "bob@example.com", "roster", ""}, []string{"none", "view", "maintain"}, noFiles},
		{[]string{"check", "bob@example.com", "roster", "view", "--site", "N"}, []string{"North Depot"}, noFiles},
		{[]string{"users", "list", "--profile", ""}, []string{"Administrator", "Manager", "Supervisor", "User", "Basic", "Client"}, noFiles},
		{[]string{"users", "list", "--profile=Ma"}, []string{"Manager"}, noFiles},
		{[]string{"users", "add", "--site", ""}, []string{"Head Office", "North Depot", "Other Place", "South Yard"}, noFiles},
		{[]string{"users", "edit", "bob@example.com", "--default-site", "So"}, []string{"South Yard"}, noFiles},
		{[]string{"users", "list", "--team", ""}, []string{"North Depot/Night"}, noFiles},
		{[]string{"sites", "list", "--client", ""}, []string{"Acme", "Zeta"}, noFiles},
		{[]string{"users", "list", "--type", ""}, []string{"employee", "client"}, noFiles},
		{[]string{"users", "list", "--status", "active,"}, []string{"active,active", "active,invited", "active,disabled", "active,all"}, noFiles | cobra.ShellCompDirectiveNoSpace},
		{[]string{"users", "disable", "--where", "s"}, []string{"site=", "status="}, noFiles | cobra.ShellCompDirectiveNoSpace},
		{[]string{"users", "disable", "--where", "site="}, []string{`site="Head Office"`, `site="North Depot"`, `site="Other Place"`, `site="South Yard"`}, noFiles | cobra.ShellCompDirectiveNoSpace},
		{[]string{"users", "disable", "--where", "profile=Basic,status=a"}, []string{"profile=Basic,status=active", "profile=Basic,status=all"}, noFiles | cobra.ShellCompDirectiveNoSpace},
		{[]string{"profiles", "show", "S"}, []string{"Supervisor"}, noFiles},
		{[]string{"profiles", "grant", "Client", "pay"}, []string{"payroll="}, noFiles | cobra.ShellCompDirectiveNoSpace},
		{[]string{"profiles", "grant", "Client", "payroll=v"}, []string{"payroll=view"}, noFiles},
		{[]string{"profiles", "scope", "Client", ""}, []string{"all", "assigned"}, noFiles},
		{[]string{"profiles", "create", "New", "--copy-from", "Ba"}, []string{"Basic"}, noFiles},
		{[]string{"settings", "set", "lock"}, []string{"lockout-attempts", "lockout-window"}, noFiles},
		{[]string{"settings", "set", "restrict-locations", ""}, []string{"on", "off"}, noFiles},
		{[]string{"settings", "set", "invite-expiry", ""}, []string{"7d"}, noFiles},
		{[]string{"users", "feature", "bob@example.com", "mob"}, []string{"mobile-app="}, noFiles | cobra.ShellCompDirectiveNoSpace},
		{[]string{"users", "feature", "bob@example.com", "portal="}, []string{"portal=allow", "portal=deny", "portal=inherit"}, noFiles},
		{[]string{"users", "remove-key", "bob@example.com", ""}, []string{fp}, noFiles},
		{[]string{"outbox", "show", ""}, []string{"1", "2", "3", "4"}, noFiles | cobra.ShellCompDirectiveKeepOrder},
		{[]string{"outbox", "list", "--state", "s"}, []string{"sent"}, noFiles},
		{[]string{"audit", "log", "--entity", "pro"}, []string{"profile:"}, noFiles},
		{[]string{"--as", "m"}, []string{"max@example.com", "mia@example.com"}, noFiles},
		{[]string{"help", "us"}, []string{"users"}, noFiles},
		{[]string{"ver"}, []string{"version"}, noFiles},
		{[]string{"com"}, []string{"completion"}, noFiles},
		{[]string{"clients", "add", ""}, nil, noFiles}, // a new name: nothing, and no files
		{[]string{"import-users", ""}, nil, cobra.ShellCompDirectiveDefault},
		{[]string{"--db", ""}, nil, cobra.ShellCompDirectiveDefault},
		// acting as someone: what they may see, and themselves when EMAIL is left out
		{[]string{"--as", "max@example.com", "users", "show", ""}, []string{"ada@example.com", "bob@example.com", "max@example.com"}, noFiles},
		{[]string{"--as", "bob@example.com", "users", "show", ""}, []string{"bob@example.com"}, noFiles},
		{[]string{"--as", "bob@example.com", "check", "ro"}, []string{"roster"}, noFiles},
		{[]string{"--as", "bob@example.com", "check", "roster", ""}, []string{"none", "view", "maintain"}, noFiles},
		{[]string{"--as", "bob@example.com", "users", "list", "--profile", ""}, nil, noFiles},
	} {
		got := run(c.args...)
		if !got.is(c.want...) || got.directive != c.directive {
			t.Errorf("__complete %q: %q :%d, want %q :%d", c.args, got.values, got.directive, c.want, c.directive)
		}
	}
	// descriptions beside values, and none for __completeNoDesc
	if got := run("users", "show", "b"); len(got.described) != 1 || got.described[0] != "bob@example.com\tBob Basic" {
		t.Errorf("an email's description: %q", got.described)
	}
	var out bytes.Buffer
	cmd.Run(cmd.Env{Out: &out}, []string{cobra.ShellCompNoDescRequestCmd, "--db", g.db, "users", "list", "--profile", "Ba"})
	if out.String() != "Basic\n:4\n" {
		t.Errorf("__completeNoDesc: %q", out.String())
	}

	// a Tab never creates a database
	missing := filepath.Join(g.home, "not-yet.db")
	out.Reset()
	if code := cmd.Run(cmd.Env{Out: &out}, []string{"__complete", "--db", missing, "users", "show", ""}); code != 0 || out.String() != ":4\n" {
		t.Errorf("completion on a missing database: exit %d, %q", code, out.String())
	}
	if _, err := os.Stat(missing); err == nil {
		t.Errorf("completion created %s", missing)
	}
}

// At most maxEmails emails, and the shell is told how many there were.
func TestCompletionBounded(t *testing.T) {
	t.Parallel()
	st, admin := remoteStore(t)
	if _, err := st.Apply(store.LocalActor("test"), "many", func(tx *store.Tx) error {
		for i := range 300 {
			if _, err := tx.AddUser(store.NewUser{First: "Ann", Last: "Other", Email: "ann" + strconv.Itoa(i) + "@example.com", Type: store.Employee, Profile: "Basic"}); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	cmd.RunRemote(cmd.Env{Store: st, Actor: &admin, Out: &out}, []string{"__complete", "users", "show", "ann"})
	got := parseCompletion(t, out.String())
	if len(got.values) != 200 || got.values[0] != "ann0@example.com" || len(got.help) != 1 || got.help[0] != "200 of 300 users shown: type more of the email" {
		t.Fatalf("300 matches: %d values from %q, help %q", len(got.values), got.values[0], got.help)
	}
}

// Over SSH (cmd.RunRemote) only what the signed-in actor may see: a scoped
// manager never gets the emails of users outside their sites, someone
// without access to Users & permissions only their own; nothing for a
// command the actor may not run there, nor for --db and --as.
func TestCompletionOverSSH(t *testing.T) {
	g := newGH(t)
	g.places()
	g.employee("Ada", "Admin", "ada@example.com", "Administrator")
	g.employee("Max", "Manager", "max@example.com", "Manager", "North Depot")
	g.employee("Nia", "North", "nia@example.com", "User", "North Depot")
	g.employee("Sol", "South", "sol@example.com", "User", "South Yard")
	g.employee("Oz", "Other", "oz@example.com", "User", "North Depot", "Other Place")
	g.employee("Bob", "Basic", "bob@example.com", "Basic", "North Depot")
	s, err := store.Open(g.db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	as := func(email string) *store.Actor {
		a, err := s.ActorFor(email)
		if err != nil {
			t.Fatal(err)
		}
		return &a
	}
	run := func(actor *store.Actor, args ...string) completion {
		t.Helper()
		var out, errb bytes.Buffer
		code := cmd.RunRemote(cmd.Env{Store: s, Actor: actor, Out: &out, Err: &errb}, append([]string{"__complete"}, args...))
		if code != 0 {
			t.Fatalf("__complete %q as %s: exit %d: %s", args, actor.Name, code, errb.String())
		}
		return parseCompletion(t, out.String())
	}
	hidden := []string{"sol@example.com", "oz@example.com"} // outside the manager's North Depot
	max, bob, ada := as("max@example.com"), as("bob@example.com"), as("ada@example.com")
	for _, c := range []struct {
		actor *store.Actor
		args  []string
		want  []string
	}{
		{max, []string{"users", "show", ""}, []string{"ada@example.com", "bob@example.com", "max@example.com", "nia@example.com"}},
		{max, []string{"users", "show", "o"}, nil},
		{max, []string{"users", "show", "sol@"}, nil},
		{max, []string{"sites", "assign", "nia@example.com", ""}, []string{"ada@example.com", "bob@example.com", "max@example.com", "nia@example.com"}},
		{max, []string{"users", "disable", "--where", "text=o"}, nil}, // --where text= takes no values
		{max, []string{"effective", ""}, []string{"ada@example.com", "bob@example.com", "max@example.com", "nia@example.com"}},
		{max, []string{"check", "s"}, []string{"scheduler", "sites", "settings", "setup"}},                                  // catalog order
		{max, []string{"users", "list", "--site", ""}, []string{"Head Office", "North Depot", "Other Place", "South Yard"}}, // sites list shows them all
		{ada, []string{"users", "show", "o"}, []string{"oz@example.com"}},
		// Basic: no access to Users & permissions
		{bob, []string{"effective", ""}, []string{"bob@example.com"}},
		{bob, []string{"check", ""}, append([]string{"bob@example.com"}, screenKeys(s)...)},
		{bob, []string{"check", "roster", ""}, []string{"none", "view", "maintain"}},
		{bob, []string{"check", "roster", "view", "--site", ""}, []string{"North Depot"}}, // their own sites
		{bob, []string{"users", "show", ""}, nil},                                         // users show is refused to them over SSH
		{bob, []string{"users", "list", "--profile", ""}, nil},
		{bob, []string{""}, []string{"check", "effective", "help"}}, // the commands they may run
		{bob, []string{"help", ""}, []string{"check", "effective"}},
		// the operator's jobs, the script generator, --db and --as are not offered
		{ada, []string{""}, []string{"audit", "check", "clients", "effective", "expiring", "help", "outbox", "profiles", "review", "screens", "settings", "sites", "teams", "undo", "users", "version", "who-can"}},
		{ada, []string{"--as", ""}, nil},
		{ada, []string{"--as="}, nil},
		{ada, []string{"--db", ""}, nil},
		{ada, []string{"users", "list", "--d"}, nil},
		{ada, []string{"import-users", ""}, nil},
	} {
		got := run(c.actor, c.args...)
		if !got.is(c.want...) {
			t.Errorf("__complete %q as %s: %q, want %q", c.args, c.actor.Name, got.values, c.want)
		}
		if c.actor == max {
			for _, h := range hidden {
				if strings.Contains(got.raw, h) {
					t.Errorf("__complete %q as the scoped manager names %s, outside their sites", c.args, h)
				}
			}
		}
	}
}

func screenKeys(s *store.Store) []string {
	var out []string
	for _, sc := range s.Screens() {
		out = append(out, sc.Key)
	}
	return out
}

// What completion prints of an old database's hostile names is inert.
func TestCompletionOfHostileNames(t *testing.T) {
	t.Parallel()
	db := hostile.Copy(t)
	for _, args := range [][]string{
		{"users", "show", ""}, {"users", "list", "--site", ""}, {"users", "list", "--profile", ""},
		{"users", "list", "--team", ""}, {"sites", "list", "--client", ""}, {"check", "x@y.z", ""},
		{"users", "disable", "--where", "site="}, {"outbox", "show", ""},
	} {
		var out bytes.Buffer
		cmd.Run(cmd.Env{Out: &out}, append([]string{"__complete", "--db", db}, args...))
		hostile.Check(t, "__complete "+strings.Join(args, " "), out.String(), true) // a tab parts a value from its description
		if len(parseCompletion(t, out.String()).values) == 0 {
			t.Errorf("__complete %q offers nothing on the fixture", args)
		}
	}
}
