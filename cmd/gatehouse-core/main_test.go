package main

import "testing"

func TestOpensConsole(t *testing.T) {
	cases := []struct {
		args []string
		want bool
	}{
		{nil, true},
		{[]string{"--db", "x.db"}, true},
		{[]string{"--db=x.db", "--as", "a@b.c"}, true},
		{[]string{"--db", "x.db", "users", "list"}, false},
		{[]string{"demo"}, false},
		{[]string{"--json", "check", "a", "b", "c"}, false},
		{[]string{"--etcd", "http://127.0.0.1:2379", "--etcd-prefix", "p/"}, true},
		{[]string{"--etcd=http://127.0.0.1:2379", "--etcd-ca", "ca.pem"}, true},
		{[]string{"--etcd", "http://127.0.0.1:2379", "users", "list"}, false},
	}
	for _, c := range cases {
		if got := opensConsole(c.args); got != c.want {
			t.Errorf("opensConsole(%q) = %v, want %v", c.args, got, c.want)
		}
	}
}
