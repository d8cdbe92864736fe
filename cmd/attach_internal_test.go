package cmd

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/gatehouse/gatehouse/cmd/cmdline"
	"github.com/gatehouse/gatehouse/store"
)

// commandPaths is every command path of the local tree (help and
// completion included), as the words that name it.
func commandPaths(t *testing.T) [][]string {
	t.Helper()
	root := NewRoot(Env{})
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	var paths [][]string
	var walk func(c *cobra.Command, path []string)
	walk = func(c *cobra.Command, path []string) {
		for _, sub := range c.Commands() {
			for _, name := range append([]string{sub.Name()}, sub.Aliases...) {
				p := append(slices.Clone(path), name)
				paths = append(paths, p)
				walk(sub, p)
			}
		}
	}
	walk(root, nil)
	if len(paths) < 50 {
		t.Fatalf("the tree has %d command paths", len(paths))
	}
	return paths
}

// A command line cmdline.Known classifies without the tree is classified as the
// tree classifies it, and every command of the tree that works on the
// database is one it knows (an attached command line builds no tree before
// it is sent).
func TestKnownLineAgreesWithTheTree(t *testing.T) {
	paths := commandPaths(t)
	for _, p := range paths {
		tree := classifyByTree(p)
		kind, ok := cmdline.Known(p)
		if ok && kind != tree {
			t.Errorf("%q: cmdline.Known says %d, the tree %d", p, kind, tree)
		}
		if tree == cmdline.Command && !ok {
			t.Errorf("%q works on the database, but cmdline.Known does not know it: add %q to cmdline.StoreCommand", p, strings.Join(p, " "))
		}
	}
	// lines around them: the root's flags before, flags and words after,
	// words that are commands elsewhere, values that look like commands
	words := []string{"--db", "x.db", "--db=x.db", "--as", "a@b.test", "--as=a@b.test", "--json", "--json=false",
		"-h", "--help", "--", "-x", "--where", "users", "list", "check", "version", "help", "completion", "bash",
		"serve", "__hold", "audit", "log", "sites", "unknown", "", "edit", "--first", "Ann"}
	for _, p := range paths {
		words = append(words, p...)
	}
	r := rand.New(rand.NewPCG(12, 12))
	lines := 0
	known := 0
	check := func(args []string) {
		lines++
		want := classifyByTree(slices.Clone(args))
		if kind, ok := cmdline.Known(args); ok {
			known++
			if kind != want {
				t.Errorf("%q: cmdline.Known says %d, the tree %d", args, kind, want)
			}
		}
	}
	prefixes := [][]string{nil, {"--db", "x.db"}, {"--db=x.db"}, {"--as", "a@b.test"}, {"--json"}, {"--db", "x.db", "--json", "--as=a@b.test"},
		{"--db", "check"}, {"--db"}, {"--as", "--json"}, {"--json=true"}, {"-h"}, {"users"}}
	for _, p := range paths {
		for _, pre := range prefixes {
			check(append(slices.Clone(pre), p...))
			check(append(append(slices.Clone(pre), p...), "arg", "--json"))
		}
	}
	if known < lines/3 {
		t.Errorf("cmdline.Known knew %d of %d lines of the usual shape", known, lines)
	}
	for i := 0; i < 3000; i++ {
		n := r.IntN(6)
		args := make([]string, n)
		for j := range args {
			args[j] = words[r.IntN(len(words))]
		}
		check(args)
	}
}

// describeCommand is what a command is to whoever runs it: its words, help texts,
// arguments' check, and every flag it parses (its own and inherited).
func describeCommand(c *cobra.Command) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s|%s|%s|%s|%s|hidden=%v|args=%v|run=%v|%v\n", c.CommandPath(), c.Use, c.Short, c.Long, c.Example,
		c.Hidden, c.Args != nil, c.RunE != nil || c.Run != nil, c.ValidArgsFunction != nil)
	flags := func(fs *pflag.FlagSet) {
		fs.VisitAll(func(f *pflag.Flag) {
			fmt.Fprintf(&b, "  --%s -%s %q def=%q type=%s noopt=%q hidden=%v ann=%v\n", f.Name, f.Shorthand, f.Usage, f.DefValue, f.Value.Type(), f.NoOptDefVal, f.Hidden, f.Annotations)
		})
	}
	flags(c.Flags())
	flags(c.InheritedFlags())
	return b.String()
}

// The tree built for a line that runs a command of the database, or the
// holder (the root and that command), holds that command exactly as the
// whole tree does, and every such line runs the same in both: output,
// errors, exit code.
func TestPartialTreeIsTheWholeTreesCommand(t *testing.T) {
	for _, p := range commandPaths(t) {
		if classifyByTree(p) != cmdline.Command && p[0] != holdName {
			if onlyCommand(p) != "" {
				t.Errorf("%q gets a partial tree, but it does not run a command of the database", p)
			}
			continue
		}
		if onlyCommand(p) != p[0] {
			t.Errorf("%q: onlyCommand says %q", p, onlyCommand(p))
		}
		part := newApp(Env{}, p).root
		whole := newApp(Env{}, nil).root
		pc, _, perr := part.Find(p)
		wc, _, werr := whole.Find(p)
		if perr != nil || werr != nil {
			t.Fatalf("%q: %v, %v", p, perr, werr)
		}
		if got, want := describeCommand(pc), describeCommand(wc); got != want {
			t.Errorf("%q in the partial tree:\n%s\nin the whole tree:\n%s", p, got, want)
		}
		for _, c := range []*cobra.Command{pc.Parent(), part} {
			w, _, _ := whole.Find(strings.Fields(strings.TrimPrefix(c.CommandPath(), "gatehouse")))
			if got, want := describeCommand(c), describeCommand(w); got != want {
				t.Errorf("%q's parent %s in the partial tree:\n%s\nin the whole tree:\n%s", p, c.CommandPath(), got, want)
			}
		}
	}

	// the same lines run with the partial tree and with the whole one,
	// each on a database of its own made the same way
	db := func() string {
		path := filepath.Join(t.TempDir(), "gatehouse.db")
		st, err := store.Open(path, store.Options{NoSync: true})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.Demo(store.LocalActor("op"), store.DemoOptions{Users: 30}); err != nil {
			t.Fatal(err)
		}
		st.Close()
		return path
	}
	partDB := db()
	wholeDB := filepath.Join(t.TempDir(), "gatehouse.db")
	if b, err := os.ReadFile(partDB); err != nil || os.WriteFile(wholeDB, b, 0o600) != nil {
		t.Fatal(err)
	}
	st, err := store.Open(partDB, store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	us, err := st.Users(store.UserFilter{})
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	if len(us) < 2 {
		t.Fatalf("%d demo users", len(us))
	}
	email, other := us[0].Email, us[1].Email
	lines := [][]string{
		{"users", "list"}, {"users", "list", "--json"}, {"--json", "users", "list", "--profile", "Manager"},
		{"users", "show", email}, {"users", "show", "nobody@example.com"}, {"users", "show"}, {"users", "show", "a", "b"},
		{"users", "list", "--bogus"}, {"users", "list", "--profle", "x"}, {"users", "list", "--json", "--bogus"},
		{"users", "edit", email, "--first", "Zed"}, {"users", "edit", email, "--first"}, {"users", "edit", other, "--frist", "Y"},
		{"users", "edit", email, "--first", "Zed"}, {"users", "history", email},
		{"check", email, "roster", "view"}, {"check", email, "nope", "view"}, {"check"}, {"--json", "check", email, "roster", "view"},
		{"effective", email}, {"who-can", "roster", "view"}, {"who-can", "roster", "view", "--format", "csv"},
		{"sites", "list"}, {"sites", "list", "--client", "nope"}, {"clients", "list", "--json"}, {"teams", "list"},
		{"profiles", "list"}, {"profiles", "show", "Manager"}, {"screens", "list"}, {"settings", "show"}, {"settings", "show", "--json"},
		{"audit", "verify"}, {"audit", "log", "--json"}, {"outbox", "list"}, {"expiring"}, {"review", "--format", "csv"},
		{"sites", "add", "Far Depot", "--client", "nope"}, {"users", "disable", email}, {"users", "enable", email},
		{"undo", "--json"}, {"users", "feature", email}, {"users", "keys", email}, {"--as", email, "users", "list"},
		{"--as", "nobody@example.com", "users", "list"}, {"--db", "x"}, {"users", "list", "--", "--help"},
	}
	clock := regexp.MustCompile(`\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d| UTC)?`)
	run := func(path string, args []string) string {
		var out, errb bytes.Buffer
		code := Run(Env{In: strings.NewReader(""), Out: &out, Err: &errb}, append([]string{"--db", path}, args...))
		s := fmt.Sprintf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out.String(), errb.String())
		// the two run a moment apart
		return clock.ReplaceAllString(strings.ReplaceAll(s, path, "DB"), "TIME")
	}
	for _, l := range lines {
		got := run(partDB, l)
		partialTrees = false
		want := run(wholeDB, l)
		partialTrees = true
		if got != want {
			t.Errorf("gatehouse %q with the partial tree:\n%s\nwith the whole tree:\n%s", l, got, want)
		}
	}
}

// The front tells a shell's completion request by cobra's words for it.
func TestCompletionRequestsAreCobras(t *testing.T) {
	if cmdline.CompleteRequest != cobra.ShellCompRequestCmd || cmdline.CompleteNoDescRequest != cobra.ShellCompNoDescRequestCmd {
		t.Fatalf("cmdline says %q and %q; cobra %q and %q", cmdline.CompleteRequest, cmdline.CompleteNoDescRequest, cobra.ShellCompRequestCmd, cobra.ShellCompNoDescRequestCmd)
	}
}
