//go:build !etcd

package cmd_test

import "testing"

// A gatehouse built without etcd has the flags, and every line that would
// open a store on etcd says in one line how to build one that has it.
func TestEtcdInAPlainBuild(t *testing.T) {
	g := newGH(t)
	contains(t, "a new file", g.ok("users", "list"), "Employees (0)")
	const built = "gatehouse: this gatehouse was built without etcd: build it with `go build -tags etcd ./cmd/gatehouse` (or `task build-etcd`)"
	url := "http://127.0.0.1:1"
	onEtcd := &gh{t: t, db: g.db, home: g.home, where: []string{"--etcd", url}}
	fromEnv := &gh{t: t, db: g.db, home: g.home, where: []string{}, env: []string{"GATEHOUSE_ETCD=" + url}}
	for _, c := range []struct {
		g    *gh
		args []string
	}{
		{onEtcd, []string{"users", "list"}},
		{onEtcd, []string{"users", "add", "--first", "A", "--last", "B", "--email", "a@b.test", "--profile", "Basic"}},
		{onEtcd, []string{"serve", "--host-key", g.home + "/hostkey"}},
		{onEtcd, nil}, // the console
		{onEtcd, []string{"migrate", "--to", g.home + "/back.db"}},
		{fromEnv, []string{"audit", "verify"}},
		{g, []string{"migrate", "--to-etcd", url}},
	} {
		if msg := c.g.fail(2, c.args...); msg != built {
			t.Errorf("%q: %q; want %q", c.args, msg, built)
		}
	}
	// the file it would have copied is still a database
	contains(t, "the file", g.ok("users", "list"), "Employees (0)")
}
