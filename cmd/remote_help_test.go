package cmd_test

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/cmd"
	"github.com/gatehouse/gatehouse/store"
)

// Over SSH, help offers what the signed-in actor may use there and nothing
// else: not --db or --as (refused there), not the operator's jobs, and to
// someone without access to Users & permissions only effective, check and
// help. Locally everything is offered.
func TestHelpOverSSH(t *testing.T) {
	t.Parallel()
	st, admin := remoteStore(t)
	var basic store.Actor
	if _, err := st.Apply(store.LocalActor("test"), "basic", func(tx *store.Tx) error {
		u, err := tx.AddUser(store.NewUser{First: "Bob", Last: "Basic", Email: "bob@example.com", Type: store.Employee, Profile: "Basic"})
		if err == nil {
			basic = store.Actor{UserID: u.ID, Name: u.Email}
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	help := func(actor *store.Actor, args ...string) string {
		t.Helper()
		var out, errb bytes.Buffer
		env := cmd.Env{Store: st, Actor: actor, Out: &out, Err: &errb}
		var code int
		if actor == nil {
			code = cmd.Run(cmd.Env{Out: &out, Err: &errb}, append([]string{"--db", t.TempDir() + "/x.db"}, args...))
		} else {
			code = cmd.RunRemote(env, args)
		}
		if code != 0 {
			t.Fatalf("%q: exit %d: %s", args, code, errb.String())
		}
		return out.String()
	}
	// the commands a help page lists, and its flags
	listed := func(page string) (cmds, flags []string) {
		_, avail, _ := strings.Cut(page, "Available Commands:\n")
		avail, _, _ = strings.Cut(avail, "\n\n")
		for _, l := range strings.Split(avail, "\n") {
			if f := strings.Fields(l); len(f) > 0 {
				cmds = append(cmds, f[0])
			}
		}
		for _, m := range regexp.MustCompile(`(?m)^\s+(?:-\w, )?(--[a-z-]+)`).FindAllStringSubmatch(page, -1) {
			flags = append(flags, m[1])
		}
		return cmds, flags
	}
	for _, c := range []struct {
		who          string
		actor        *store.Actor
		args         []string
		cmds         string // the commands listed, "" if none are
		flags, never []string
	}{
		{"the operator", nil, []string{"--help"},
			"audit backup check clients completion demo effective expiring export help import import-users migrate outbox profiles review screens serve settings sites teams undo users version who-can",
			[]string{"--db", "--as", "--json", "--version"}, nil},
		{"the operator", nil, []string{"users", "list", "--help"}, "", []string{"--profile", "--db", "--as", "--json"}, nil},
		{"an admin", &admin, []string{"--help"},
			"audit check clients effective expiring help outbox profiles review screens settings sites teams undo users version who-can",
			[]string{"--json"}, []string{"--db", "--as", "--version"}},
		{"an admin", &admin, []string{"help"},
			"audit check clients effective expiring help outbox profiles review screens settings sites teams undo users version who-can",
			[]string{"--json"}, []string{"--db", "--as"}},
		{"an admin", &admin, []string{"users", "list", "--help"}, "", []string{"--profile", "--json"}, []string{"--db", "--as"}},
		{"an admin", &admin, []string{"help", "users", "add"}, "", []string{"--email"}, []string{"--db", "--as"}},
		{"a Basic user", &basic, []string{"--help"}, "check effective help", []string{"--json"}, []string{"--db", "--as"}},
		{"a Basic user", &basic, []string{"effective", "--help"}, "", []string{"--json"}, []string{"--db", "--as"}},
	} {
		page := help(c.actor, c.args...)
		cmds, flags := listed(page)
		if got := strings.Join(cmds, " "); got != c.cmds {
			t.Errorf("%s, %q: lists %q, want %q", c.who, c.args, got, c.cmds)
		}
		for _, f := range c.flags {
			if !contains1(flags, f) {
				t.Errorf("%s, %q: %s not offered:\n%s", c.who, c.args, f, page)
			}
		}
		for _, f := range c.never {
			if contains1(flags, f) || strings.Contains(page, f+" ") {
				t.Errorf("%s, %q: %s offered:\n%s", c.who, c.args, f, page)
			}
		}
	}
	// hidden is not gone: a line naming a refused command or flag is still
	// answered by the refusal, not by "unknown"
	for _, c := range []struct {
		actor store.Actor
		args  []string
		code  int
		want  string
	}{
		{admin, []string{"serve"}, 1, "is a job for the operator on the server's machine"},
		{admin, []string{"--db", "x.db", "users", "list"}, 2, "--db is not available here"},
		{admin, []string{"--as", "bob@example.com", "users", "list"}, 2, "--as is not available here"},
		{basic, []string{"users", "list"}, 1, "needs access to Users & permissions"},
	} {
		var out, errb bytes.Buffer
		code := cmd.RunRemote(cmd.Env{Store: st, Actor: &c.actor, Out: &out, Err: &errb}, c.args)
		if code != c.code || !strings.Contains(errb.String(), c.want) {
			t.Errorf("%q as %s: exit %d, %q; want exit %d, %q", c.args, c.actor.Name, code, errb.String(), c.code, c.want)
		}
	}
}

func contains1(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
