package cmdline

import (
	"testing"
)

func TestWords(t *testing.T) {
	env := func(v string) func(string) string {
		return func(k string) string {
			if k == "GATEHOUSE_ETCD" {
				return v
			}
			return ""
		}
	}
	cases := []struct {
		args       []string
		etcd       string // $GATEHOUSE_ETCD
		db         string
		onEtcd     bool
		help, comp bool
	}{
		{args: []string{"users", "list"}},
		{args: []string{"--db", "a.db", "users", "list"}, db: "a.db"},
		{args: []string{"--db=a.db", "--db", "b.db"}, db: "b.db"},
		{args: []string{"users", "show", "--", "--db", "x"}},
		{args: []string{"--db"}},
		{args: []string{"users", "list"}, etcd: "http://e:2379", onEtcd: true},
		{args: []string{"--db", "a.db", "users", "list"}, etcd: "http://e:2379", db: "a.db"},
		{args: []string{"--etcd-prefix", "p/", "users", "list"}, onEtcd: true},
		{args: []string{"migrate", "--to-etcd", "http://e:2379"}, onEtcd: true},
		{args: []string{"users", "--help"}, help: true},
		{args: []string{"--version"}, help: true},
		{args: []string{"users", "show", "--", "-h"}},
		{args: []string{"__complete", "users", ""}, comp: true},
		{args: []string{"__completeNoDesc", "users", ""}, comp: true},
		{args: []string{"users", "__complete"}},
	}
	for _, c := range cases {
		if got := DB(c.args); got != c.db {
			t.Errorf("DB(%q) = %q, want %q", c.args, got, c.db)
		}
		if got := OnEtcd(c.args, env(c.etcd)); got != c.onEtcd {
			t.Errorf("OnEtcd(%q, GATEHOUSE_ETCD=%q) = %v", c.args, c.etcd, got)
		}
		if got := AsksHelp(c.args); got != c.help {
			t.Errorf("AsksHelp(%q) = %v", c.args, got)
		}
		if got := IsCompletionRequest(c.args); got != c.comp {
			t.Errorf("IsCompletionRequest(%q) = %v", c.args, got)
		}
	}
}

func TestKnown(t *testing.T) {
	cases := []struct {
		args []string
		kind Kind
		word string
		ok   bool
	}{
		{nil, Console, "", true},
		{[]string{"--db", "a.db", "--json", "--as=x@y.z"}, Console, "", true},
		{[]string{"--db", "a.db", "check", "a@b.c", "roster", "view"}, Command, "check", true},
		{[]string{"users", "edit", "a@b.c"}, Command, "users", true},
		{[]string{"users"}, 0, "", false},
		{[]string{"users", "frobnicate"}, 0, "", false},
		{[]string{"version"}, NeedsNoStore, "version", true},
		{[]string{HoldName}, NeedsNoStore, HoldName, true},
		{[]string{"-v", "users", "list"}, 0, "", false},
		{[]string{"--as"}, 0, "", false},
	}
	for _, c := range cases {
		kind, word, ok := KnownWord(c.args)
		if kind != c.kind || word != c.word || ok != c.ok {
			t.Errorf("KnownWord(%q) = %d %q %v, want %d %q %v", c.args, kind, word, ok, c.kind, c.word, c.ok)
		}
		if k, o := Known(c.args); k != kind || o != ok {
			t.Errorf("Known(%q) disagrees with KnownWord", c.args)
		}
	}
}
