package cmd_test

import (
	"path/filepath"
	"testing"
)

// What is wrong with the etcd settings of a command line is one usage
// line, said before anything is dialled (in either build).
func TestEtcdSettingsRefused(t *testing.T) {
	g := newGH(t)
	onEtcd := func(env ...string) *gh { return &gh{t: t, db: g.db, home: g.home, where: []string{}, env: env} }
	url := "http://127.0.0.1:1"
	for _, c := range []struct {
		name string
		g    *gh
		args []string
		want []string
	}{
		{"--db with --etcd", g, []string{"--etcd", url, "users", "list"}, []string{"--db and --etcd name two stores", "not both"}},
		{"both variables", onEtcd("GATEHOUSE_DB="+g.db, "GATEHOUSE_ETCD="+url), []string{"users", "list"}, []string{"both $GATEHOUSE_DB and $GATEHOUSE_ETCD are set", "unset one"}},
		{"an etcd flag without --etcd", g, []string{"--etcd-prefix", "p/", "users", "list"}, []string{"--etcd-prefix goes with --etcd URLS"}},
		{"not a URL", onEtcd(), []string{"--etcd", "127.0.0.1:2379", "users", "list"}, []string{`"127.0.0.1:2379" is not an etcd client URL`, "http://HOST:PORT"}},
		{"not a URL in the environment", onEtcd("GATEHOUSE_ETCD=ftp://x:1"), []string{"users", "list"}, []string{"$GATEHOUSE_ETCD:", `"ftp://x:1" is not an etcd client URL`}},
		{"a limit that is not a number", onEtcd(), []string{"--etcd", url, "--etcd-max-txn-ops", "x", "users", "list"}, []string{"invalid argument", "--etcd-max-txn-ops"}},
		{"a limit in the environment that is not a number", onEtcd("GATEHOUSE_ETCD_MAX_TXN_OPS=many"), []string{"--etcd", url, "users", "list"}, []string{"$GATEHOUSE_ETCD_MAX_TXN_OPS must be a whole number", `"many"`}},
		{"migrate nowhere", g, []string{"migrate"}, []string{"migrate needs --to-etcd URLS", "or --to FILE"}},
		{"migrate both ways", g, []string{"migrate", "--to-etcd", url, "--to", filepath.Join(g.home, "x.db")}, []string{"one way at a time"}},
		{"migrate --to a file from a file", g, []string{"migrate", "--to", filepath.Join(g.home, "x.db")}, []string{"migrate --to FILE copies a store on etcd", "--etcd URLS"}},
		{"migrate --to-etcd from no file", g, []string{"migrate", "--to-etcd", url}, []string{"there is no database file " + g.db + " to copy"}},
		{"migrate --to-etcd with --etcd", onEtcd(), []string{"--etcd", url, "migrate", "--to-etcd", url}, []string{"name it with --db FILE"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			c.g.t = t
			msg := c.g.fail(2, c.args...)
			contains(t, c.name, msg, c.want...)
		})
	}
}
