package cmd

import (
	"bytes"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/gatehouse/gatehouse/store"
)

// Who may run each command over SSH, said again here on purpose: a command
// added to the tree fails this test until someone decides (and it is
// refused over SSH meanwhile).
var wantOverSSH = map[string]string{
	"gatehouse": "anyone", "help": "anyone", "effective": "anyone", "check": "anyone",

	"serve": "operator", "demo": "operator", "backup": "operator", "export": "operator", "import": "operator", "import-users": "operator", "migrate": "operator",
	// the holder (issue 12): started by gatehouse itself at the machine
	"__hold": "operator",

	"completion": "nobody", "completion bash": "nobody", "completion fish": "nobody", "completion powershell": "nobody", "completion zsh": "nobody",
	cobra.ShellCompRequestCmd: "anyone", cobra.ShellCompNoDescRequestCmd: "anyone",
	"version": "users",

	"audit": "users", "audit log": "users", "audit verify": "users",
	"clients": "users", "clients add": "users", "clients list": "users",
	"clients rename": "users", "clients retire": "users", "clients restore": "users", "clients delete": "users",
	"outbox": "users", "outbox list": "users", "outbox show": "users",
	"profiles": "users", "profiles create": "users", "profiles delete": "users", "profiles grant": "users",
	"profiles list": "users", "profiles scope": "users", "profiles show": "users", "profiles rename": "users",
	"screens": "users", "screens add": "users", "screens list": "users", "screens retitle": "users",
	"settings": "users", "settings set": "users", "settings show": "users",
	"sites": "users", "sites add": "users", "sites assign": "users", "sites list": "users", "sites unassign": "users",
	"sites rename": "users", "sites retire": "users", "sites restore": "users", "sites delete": "users",
	"teams": "users", "teams add": "users", "teams list": "users",
	"teams rename": "users", "teams retire": "users", "teams restore": "users", "teams delete": "users", "teams move": "users",
	"undo": "users", "expiring": "users",
	"users": "users", "users add": "users", "users add-key": "users", "users assign-client": "users",
	"users delete": "users", "users disable": "users", "users edit": "users", "users enable": "users",
	"users feature": "users", "users history": "users", "users invite": "users", "users keys": "users",
	"users list": "users", "users remove-key": "users", "users set-password": "users", "users show": "users",
	"users unassign-client": "users",

	"who-can": "users", "review": "users",
}

// everyCommand is the whole tree as cobra runs it: the commands gatehouse
// builds, and those cobra adds itself (help, completion; __complete only
// while it is being called, so by name).
func everyCommand(t *testing.T) []string {
	t.Helper()
	root := NewRoot(Env{})
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	var paths []string
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if c != root && (c.PersistentPreRun != nil || c.PersistentPreRunE != nil) {
			t.Errorf("%s has a persistent pre-run of its own: the root's (the allowlist) would not run for it", cmdName(c))
		}
		paths = append(paths, cmdName(c))
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	return append(paths, cobra.ShellCompRequestCmd, cobra.ShellCompNoDescRequestCmd)
}

// The SSH allowlist names every command of the tree, cobra's own included,
// and each one, asked over RunRemote by an administrator and by a Basic
// user, is let through or refused as it says; a refused command is refused
// by the check on the command cobra runs as well, not only by the first
// look at the line.
func TestRemoteAllowlist(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	st, err := store.Open(filepath.Join(dir, "gatehouse.db"), store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var admin, basic store.Actor
	if _, err := st.Apply(store.LocalActor("test"), "people", func(tx *store.Tx) error {
		a, err := tx.AddUser(store.NewUser{First: "Ada", Last: "Admin", Email: "ada@example.com", Type: store.Employee, Profile: "Administrator"})
		if err != nil {
			return err
		}
		b, err := tx.AddUser(store.NewUser{First: "Bob", Last: "Basic", Email: "bob@example.com", Type: store.Employee, Profile: "Basic"})
		admin, basic = store.Actor{UserID: a.ID, Name: a.Email}, store.Actor{UserID: b.ID, Name: b.Email}
		return err
	}); err != nil {
		t.Fatal(err)
	}

	paths := everyCommand(t)
	for _, p := range paths {
		if _, ok := wantOverSSH[p]; !ok {
			t.Errorf("%q is in the tree but not in wantOverSSH: decide who may run it over SSH (and name it in overSSH)", p)
		}
	}
	for p := range wantOverSSH {
		if !slices.Contains(paths, p) {
			t.Errorf("%q is in wantOverSSH but not in the tree", p)
		}
	}

	// the arguments each is asked with: enough for its own checks of them
	// to pass, so that what answers is the allowlist
	dummy := filepath.Join(dir, "nothing-here")
	argsOf := func(p string) []string {
		switch p {
		case "gatehouse":
			return []string{"--json"}
		case cobra.ShellCompRequestCmd, cobra.ShellCompNoDescRequestCmd:
			return []string{p, "users", "show", ""}
		case "backup", "import", "import-users":
			return []string{p, dummy}
		case "undo":
			return []string{p, "999999"}
		}
		return strings.Fields(p)
	}
	refusal := map[string]string{
		"operator": "is a job for the operator on the server's machine; it is not available over SSH",
		"nobody":   "is not available over SSH",
		"users":    "bob@example.com may run only 'effective bob@example.com' and 'check bob@example.com SCREEN LEVEL [--site S]' over SSH",
	}
	ask := func(actor store.Actor, args []string, through func(Env, []string) int, allow bool) (int, string, string) {
		var out, errb bytes.Buffer
		env := Env{Store: st, Actor: &actor, Out: &out, Err: &errb}
		if allow {
			env.Allow = func(c *cobra.Command) error { return remoteAllowed(env, c) }
		}
		return through(env, args), out.String(), errb.String()
	}
	for _, p := range paths {
		want := wantOverSSH[p]
		for _, who := range []struct {
			name  string
			actor store.Actor
		}{{"admin", admin}, {"basic", basic}} {
			refused := want == "operator" || want == "nobody" || (want == "users" && who.name == "basic")
			code, out, errOut := ask(who.actor, argsOf(p), RunRemote, false)
			gotRefused := strings.Contains(errOut, " over SSH")
			switch {
			case refused && (code != ExitRefused || !strings.Contains(errOut, refusal[want]) || strings.Count(errOut, "\n") != 1 || out != ""):
				t.Errorf("%s, %s: exit %d, stdout %q, stderr %q; want refused: %s", p, who.name, code, out, errOut, refusal[want])
			case !refused && gotRefused:
				t.Errorf("%s, %s: refused (%q), want it let through", p, who.name, errOut)
			}
			if !refused || p == "completion" { // completion alone prints its help, before any hook
				continue
			}
			// the command cobra runs is asked too, without the first look:
			// with as many arguments as its own check of them wants (which
			// comes before), it is refused, and never runs
			refusedToo := false
			for extra := 0; extra <= 3 && !refusedToo; extra++ {
				args := argsOf(p)
				for range extra {
					args = append(args, dummy)
				}
				code, out, errOut = ask(who.actor, args, Run, true)
				if code == ExitOK || out != "" {
					t.Errorf("%s, %s, run without the first look: it ran (exit %d, stdout %q)", args, who.name, code, out)
				}
				refusedToo = code == ExitRefused && strings.Contains(errOut, refusal[want])
			}
			if !refusedToo {
				t.Errorf("%s, %s: not refused when run without the first look (%q)", p, who.name, errOut)
			}
		}
	}
}
