package cmd_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/cmd"
	"github.com/gatehouse/gatehouse/store"
)

// Did-you-mean where cobra has none: an unknown flag near one the command
// takes, and help asked of a command that is not there (cobra shows the
// parent's help and exits 0). Each is one line, exit 2.
func TestDidYouMean(t *testing.T) {
	g := newGH(t)
	for _, c := range []struct {
		args []string
		want string // "" : no suggestion
	}{
		{[]string{"users", "add", "--emial", "x"}, "unknown flag: --emial (did you mean --email?)"},
		{[]string{"users", "add", "-email", "x"}, "(did you mean --email?)"}, // one dash: pflag reads shorthands
		{[]string{"users", "list", "--prof", "User"}, "unknown flag: --prof (did you mean --profile?)"},
		{[]string{"users", "list", "--Status", "all"}, "(did you mean --status?)"},
		{[]string{"users", "list", "--sit", "x"}, "(did you mean --site?)"},
		{[]string{"check", "a@b.c", "roster", "view", "--stie", "x"}, "(did you mean --site?)"},
		{[]string{"users", "list", "--jsno"}, "(did you mean --json?)"}, // a global flag
		{[]string{"users", "list", "--dbb", "x"}, "(did you mean --db?)"},
		{[]string{"users", "list", "--zzzzzz"}, ""},
		{[]string{"users", "shwo", "--help"}, `unknown command "shwo" for "gatehouse users" (did you mean show?)`},
		{[]string{"users", "--help", "lst"}, `unknown command "lst" for "gatehouse users" (did you mean list?)`},
		{[]string{"help", "userz"}, `unknown command "userz" for "gatehouse" (did you mean users?)`},
		{[]string{"help", "users", "shwo"}, `unknown command "shwo" for "gatehouse users" (did you mean show?)`},
		{[]string{"help", "zzzzzz"}, `unknown command "zzzzzz" for "gatehouse"; run 'gatehouse --help'`},
	} {
		msg := g.fail(2, c.args...)
		switch {
		case c.want == "" && strings.Contains(msg, "did you mean"):
			t.Errorf("%q: %q suggests something for a word near nothing", c.args, msg)
		case !strings.Contains(msg, c.want) || !strings.Contains(msg, "--help"):
			t.Errorf("%q: %q, want %q and where to look", c.args, msg, c.want)
		}
	}
	// help of what is there still works, exit 0
	contains(t, "help users show", g.ok("help", "users", "show"), "Show one user", "Usage:")
	contains(t, "users show --help", g.ok("users", "show", "--help"), "Show one user")
	contains(t, "users --help", g.ok("users", "--help"), "Available Commands:")
}

// Over SSH a flag refused there is never suggested: --db and --as are not
// offered, whatever is typed near them.
func TestDidYouMeanOverSSH(t *testing.T) {
	t.Parallel()
	st, admin := remoteStore(t)
	for _, c := range []struct {
		args   []string
		want   string
		unwant string
	}{
		{[]string{"users", "list", "--dbb", "x"}, "unknown flag: --dbb;", "--db?"},
		{[]string{"users", "list", "--ass", "x"}, "unknown flag: --ass;", "--as?"},
		{[]string{"users", "list", "--prof", "x"}, "(did you mean --profile?)", ""},
	} {
		var out, errb bytes.Buffer
		code := cmd.RunRemote(cmd.Env{Store: st, Actor: &admin, Out: &out, Err: &errb}, c.args)
		if code != 2 || !strings.Contains(errb.String(), c.want) || (c.unwant != "" && strings.Contains(errb.String(), c.unwant)) {
			t.Errorf("%q over SSH: exit %d, %q; want %q and not %q", c.args, code, errb.String(), c.want, c.unwant)
		}
	}
}

// remoteStore is a store with an administrator to run RunRemote as.
func remoteStore(t *testing.T) (*store.Store, store.Actor) {
	t.Helper()
	st, err := store.Open(t.TempDir()+"/gatehouse.db", store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	var admin store.Actor
	if _, err := st.Apply(store.LocalActor("test"), "people", func(tx *store.Tx) error {
		u, err := tx.AddUser(store.NewUser{First: "Ada", Last: "Admin", Email: "ada@example.com", Type: store.Employee, Profile: "Administrator"})
		if err == nil {
			admin = store.Actor{UserID: u.ID, Name: u.Email}
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return st, admin
}
