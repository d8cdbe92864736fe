package holdstart

import (
	"slices"
	"testing"
)

func TestRootFlags(t *testing.T) {
	for _, c := range []struct {
		args []string
		n    int
		db   string
		ok   bool
	}{
		{nil, 0, "", true},
		{[]string{"--db", "a.db"}, 2, "a.db", true},
		{[]string{"--db=a.db", "--as", "x@example.com"}, 3, "a.db", true},
		{[]string{"--as=x@example.com", "--json", "--db", "a", "--db", "b"}, 6, "b", true},
		{[]string{"--db", "a.db", "users", "list"}, 2, "a.db", true},
		{[]string{"users", "--db", "a.db"}, 0, "", true},
		{[]string{"--db"}, 0, "", false},
		{[]string{"--as"}, 0, "", false},
		{[]string{"--etcd", "http://x"}, 0, "", false},
		{[]string{"-h"}, 0, "", false},
		{[]string{"--db", "a.db", "--help"}, 2, "a.db", false},
	} {
		n, db, ok := RootFlags(c.args)
		if ok != c.ok || (ok && (n != c.n || db != c.db)) {
			t.Errorf("RootFlags(%q) = %d %q %v, want %d %q %v", c.args, n, db, ok, c.n, c.db, c.ok)
		}
	}
	// the args are not changed
	args := []string{"--db", "a"}
	RootFlags(args)
	if !slices.Equal(args, []string{"--db", "a"}) {
		t.Fatal("RootFlags changed its args")
	}
}
