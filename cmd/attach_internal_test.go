package cmd

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/cobra"
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

// A command line knownLine classifies without the tree is classified as the
// tree classifies it, and every command of the tree that works on the
// database is one it knows (an attached command line builds no tree before
// it is sent).
func TestKnownLineAgreesWithTheTree(t *testing.T) {
	paths := commandPaths(t)
	for _, p := range paths {
		tree := classifyByTree(p)
		kind, ok := knownLine(p)
		if ok && kind != tree {
			t.Errorf("%q: knownLine says %d, the tree %d", p, kind, tree)
		}
		if tree == isCommand && !ok {
			t.Errorf("%q works on the database, but knownLine does not know it: add %q to storeCommand", p, strings.Join(p, " "))
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
		if kind, ok := knownLine(args); ok {
			known++
			if kind != want {
				t.Errorf("%q: knownLine says %d, the tree %d", args, kind, want)
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
		t.Errorf("knownLine knew %d of %d lines of the usual shape", known, lines)
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
