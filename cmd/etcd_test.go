//go:build etcd

package cmd_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/etcdtest"
	gossh "golang.org/x/crypto/ssh"
)

// The store on etcd from the command line: the real binary (built with
// -tags etcd) on the embedded test member, a prefix per test.

var etcdPrefixes atomic.Int64

// onEtcd is g's command line on a fresh prefix of the test member, named
// by flags; env is more of its environment.
func onEtcd(g *gh, env ...string) *gh {
	g.t.Helper()
	prefix := fmt.Sprintf("cmdtest/%d/", etcdPrefixes.Add(1))
	return &gh{t: g.t, db: g.db, home: g.home, where: []string{"--etcd", etcdEndpoint(g.t), "--etcd-prefix", prefix}, env: env}
}

// prefixOf is the etcd prefix an onEtcd command line names.
func (g *gh) prefixOf() string { return g.where[3] }

func TestEtcdCommandLine(t *testing.T) {
	g := onEtcd(newGH(t))
	g.places()
	g.employee("Ada", "Admin", "ada@example.com", "Administrator")
	g.employee("Max", "Manager", "max@example.com", "Manager", "North Depot")
	// each command is a process of its own, opening etcd itself: the next
	// one sees what the last one wrote
	var users []listedUser
	g.jsonOf(&users, "users", "list")
	if len(users) != 2 || users[1].Email != "max@example.com" {
		t.Fatalf("users list --json after two users add: %+v", users)
	}
	g.ok("users", "edit", "max@example.com", "--first", "Maxine")
	contains(t, "users show", g.ok("users", "show", "max@example.com"), "Maxine Manager")

	// the environment's form of the same settings (and --db names the
	// file even then)
	env := &gh{t: t, db: g.db, home: g.home, where: []string{},
		env: []string{"GATEHOUSE_ETCD=" + etcdEndpoint(t), "GATEHOUSE_ETCD_PREFIX=" + g.prefixOf()}}
	users = nil
	env.jsonOf(&users, "users", "list")
	if len(users) != 2 {
		t.Fatalf("users list with GATEHOUSE_ETCD: %+v", users)
	}
	contains(t, "audit verify", env.ok("audit", "verify"), "chain intact")
	msg := env.fail(1, "backup", filepath.Join(g.home, "b.db"))
	contains(t, "backup on etcd", msg, "this store is on etcd", "gatehouse migrate --to ")

	// nothing of the file's machinery: no database, holder or socket in
	// the default place
	if entries, err := os.ReadDir(filepath.Join(g.home, "gatehouse")); err == nil {
		t.Errorf("a store on etcd made files in the database folder: %v", entries)
	}
	// a change set too big for the cluster's limits (said to be etcd's
	// defaults) is refused before anything is written, saying what to raise
	csv := "first_name,last_name,email,type,profile,client,sites\n"
	for i := range 40 {
		csv += fmt.Sprintf("Bulk,Person%02d,bulk%02d@example.com,employee,Basic,,North Depot\n", i, i)
	}
	f := filepath.Join(g.home, "bulk.csv")
	if err := os.WriteFile(f, []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}
	msg = g.fail(1, "--etcd-max-txn-ops", "128", "import-users", f)
	contains(t, "a bulk import over the limits", msg, "too big for one etcd transaction", "--max-txn-ops")
	users = nil
	g.jsonOf(&users, "users", "list")
	if len(users) != 2 {
		t.Fatalf("a refused import wrote users: %d", len(users))
	}
	// at gatehouse's own limits (the test member's), it goes through
	g.ok("import-users", f)
	users = nil
	g.jsonOf(&users, "users", "list")
	if len(users) != 42 {
		t.Fatalf("after the import: %d users, want 42", len(users))
	}
	file := &gh{t: t, db: g.db, home: g.home, env: env.env}
	contains(t, "--db beside GATEHOUSE_ETCD", file.ok("users", "list"), "Employees (0)")
}

// nodeServe starts `gatehouse serve` on etcd (g's prefix) on 127.0.0.1:0
// with the host key file, and waits until it listens.
func nodeServe(g *gh, hostKey string) *served {
	g.t.Helper()
	s := &served{out: &syncBuf{}, err: &syncBuf{}, exited: make(chan error, 1)}
	s.cmd = exec.Command(bin, append(append([]string{}, g.where...), "serve", "--listen", "127.0.0.1:0", "--host-key", hostKey)...)
	s.cmd.Env = append(os.Environ(), "HOME="+g.home, "GATEHOUSE_DB=", "GATEHOUSE_ETCD=", "XDG_DATA_HOME="+g.home, "USER=tester")
	s.cmd.Stdout, s.cmd.Stderr = s.out, s.err
	if err := s.cmd.Start(); err != nil {
		g.t.Fatal(err)
	}
	go func() { s.exited <- s.cmd.Wait() }()
	g.t.Cleanup(func() {
		s.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-s.exited:
		case <-time.After(patience):
			s.cmd.Process.Kill()
			<-s.exited
		}
	})
	listening := regexp.MustCompile(`listening on (\S+)`)
	eventually(g.t, "serve on etcd listening", func() bool {
		m := listening.FindStringSubmatch(s.out.String())
		if m != nil {
			s.addr = m[1]
		}
		return m != nil
	}, func() string { return "stdout:\n" + s.out.String() + "stderr:\n" + s.err.String() })
	return s
}

// Two serve nodes on one prefix: an edit over SSH on one is in a fresh
// read over SSH on the other, and in the command line's.
func TestEtcdServeTwoNodes(t *testing.T) {
	g := onEtcd(newGH(t))
	g.places()
	g.employee("Ada", "Admin", "ada@example.com", "Administrator")
	signer, pub := newKeyFile(t, g.home, "ada")
	g.ok("users", "add-key", "ada@example.com", pub)
	msg := g.fail(2, "serve", "--listen", "127.0.0.1:0")
	contains(t, "serve on etcd without a host key", msg, "needs --host-key FILE")

	hostKey := filepath.Join(g.home, "hostkey")
	a := nodeServe(g, hostKey)
	b := nodeServe(g, hostKey) // the same key: clients may trust either
	contains(t, "node a", a.out.String(), "store: etcd http://", "prefix "+g.prefixOf())
	if _, err := os.Stat(g.db + ".serving"); err == nil {
		t.Error("serve on etcd wrote <db>.serving")
	}

	out, code := a.run(t, signer, "users add --first Bea --last Remote --email bea@example.com --profile Basic --site 'North Depot'")
	if code != 0 {
		t.Fatalf("users add over SSH on node a: exit %d\n%s", code, out)
	}
	out, code = b.run(t, signer, "users list --json")
	if code != 0 {
		t.Fatalf("users list over SSH on node b: exit %d\n%s", code, out)
	}
	var users []listedUser
	if err := json.Unmarshal([]byte(out), &users); err != nil || len(users) != 2 || users[1].Email != "bea@example.com" {
		t.Fatalf("node b's users list after node a's edit: %v\n%s", err, out)
	}
	// and back: an edit on b, seen on a and by the command line
	if out, code := b.run(t, signer, "users disable bea@example.com"); code != 0 {
		t.Fatalf("users disable over SSH on node b: exit %d\n%s", code, out)
	}
	out, _ = a.run(t, signer, "users show bea@example.com")
	contains(t, "node a's users show after node b's edit", out, "disabled")
	contains(t, "the command line", g.ok("users", "show", "bea@example.com"), "disabled")
	contains(t, "audit verify", g.ok("audit", "verify"), "chain intact")

	var fps []string
	for _, n := range []*served{a, b} {
		m := regexp.MustCompile(`host key (SHA256:\S+)`).FindStringSubmatch(n.out.String())
		if m == nil {
			t.Fatalf("no host key line:\n%s", n.out.String())
		}
		fps = append(fps, m[1])
	}
	if fps[0] != fps[1] {
		t.Errorf("two nodes on one host key file show %s and %s", fps[0], fps[1])
	}
	client, err := gossh.Dial("tcp", b.addr, &gossh.ClientConfig{User: "ada", Auth: []gossh.AuthMethod{gossh.PublicKeys(signer)},
		HostKeyCallback: gossh.InsecureIgnoreHostKey(), Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	client.Close()
}

// A database file copied into etcd and back: the same users, profiles and
// audit log at each step, and audit verify passing on all three.
func TestEtcdMigrateRoundTrip(t *testing.T) {
	file := newGH(t)
	file.places()
	file.employee("Ada", "Admin", "ada@example.com", "Administrator")
	file.employee("Max", "Manager", "max@example.com", "Manager", "North Depot")
	file.ok("profiles", "create", "Roster Lead", "--type", "employee", "--copy-from", "Supervisor")
	file.ok("users", "disable", "max@example.com")
	etcd := onEtcd(file)
	back := &gh{t: t, db: filepath.Join(file.home, "back.db"), home: file.home}

	into := file.ok("migrate", "--to-etcd", etcdEndpoint(t), "--etcd-prefix", etcd.prefixOf())
	contains(t, "migrate --to-etcd", into, "copied "+file.db+" into etcd "+etcdEndpoint(t)+" prefix "+etcd.prefixOf(),
		"audit chain verified on both sides", "from now on open it with --etcd")
	msg := file.fail(1, "migrate", "--to-etcd", etcdEndpoint(t), "--etcd-prefix", etcd.prefixOf())
	contains(t, "migrate into a store", msg, "holds a gatehouse store already", "never writes over one")

	out := etcd.ok("migrate", "--to", back.db)
	contains(t, "migrate --to", out, "copied etcd "+etcdEndpoint(t)+" prefix "+etcd.prefixOf()+" into "+back.db)
	msg = etcd.fail(1, "migrate", "--to", back.db)
	contains(t, "migrate over a file", msg, "already exists", "never overwrites")

	head := regexp.MustCompile(`head ([0-9a-f]{64})`).FindStringSubmatch(out)
	if head == nil {
		t.Fatalf("no head in:\n%s", out)
	}
	for _, what := range [][]string{{"users", "list"}, {"profiles", "list"}, {"audit", "log"}, {"audit", "verify"}} {
		want := file.ok(append([]string{"--json"}, what...)...)
		for _, g := range []*gh{etcd, back} {
			if got := g.ok(append([]string{"--json"}, what...)...); !bytes.Equal([]byte(got), []byte(want)) {
				t.Errorf("%s on %v differs from the file's:\n%s\nwant:\n%s", what, g.where, got, want)
			}
		}
	}
	var verified struct {
		OK      bool `json:"ok"`
		Entries int  `json:"entries"`
	}
	back.jsonOf(&verified, "audit", "verify")
	if !verified.OK || verified.Entries < 8 {
		t.Errorf("audit verify on the copy back: %+v", verified)
	}
	if !strings.Contains(into, "entries, head "+head[1]) {
		t.Errorf("the two migrates name different heads:\n%s\n%s", into, out)
	}
}

// A serve node whose etcd stops answering goes on answering from memory,
// and says so: every command that answered prints the store's note on
// stderr (a check's denial too), a write is refused in one line without
// the note again, and on a healthy cluster nothing is added.
func TestEtcdServeSaysItAnswersFromMemoryWithoutAQuorum(t *testing.T) {
	m, err := etcdtest.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer m.Stop()
	base := newGH(t)
	g := &gh{t: t, db: base.db, home: base.home, where: []string{"--etcd", m.Endpoint, "--etcd-prefix", "quorum/"}}
	g.places()
	g.employee("Ada", "Admin", "ada@example.com", "Administrator")
	g.employee("Bea", "Basic", "bea@example.com", "Basic", "North Depot")
	signer, pub := newKeyFile(t, g.home, "ada")
	g.ok("users", "add-key", "ada@example.com", pub)
	n := nodeServe(g, filepath.Join(g.home, "hostkey"))

	const note = "read-only: the store has no quorum since "
	lines := []string{"users list", "users show bea@example.com",
		"check bea@example.com scheduler view --site 'North Depot'", "check bea@example.com payroll view --site 'North Depot'"}
	type answer struct {
		out  string
		code int
	}
	healthy := map[string]answer{}
	for _, line := range lines {
		out, errOut, code := n.runSplit(t, signer, line)
		if strings.Contains(errOut, "no quorum") {
			t.Fatalf("%s on a healthy cluster: %q", line, errOut)
		}
		healthy[line] = answer{out, code}
	}
	m.Pause()
	eventually(t, "the node to find the store read-only", func() bool {
		_, errOut, _ := n.runSplit(t, signer, "users list")
		return strings.Contains(errOut, note)
	}, func() string { return n.err.String() })
	for _, line := range lines {
		out, errOut, code := n.runSplit(t, signer, line)
		if line == "users show bea@example.com" { // the invitation is read from etcd, not memory
			if !strings.Contains(out, "invited (invitation not read: the store cannot answer now)") {
				t.Fatalf("users show without a quorum does not say the invitation was not read:\n%s", out)
			}
			out = strings.Replace(out, "invited (invitation not read: the store cannot answer now)", "invited", 1)
			healthy[line] = answer{regexp.MustCompile(` \(invitation open until [^)]*\)`).ReplaceAllString(healthy[line].out, ""), healthy[line].code}
		}
		if (answer{out, code}) != healthy[line] || !strings.Contains(errOut, note) || !strings.Contains(errOut, "checks answer from this node's memory") {
			t.Fatalf("%s without a quorum: exit %d (was %d)\nstdout %q\nwas %q\nstderr %q", line, code, healthy[line].code, out, healthy[line].out, errOut)
		}
	}
	out, errOut, code := n.runSplit(t, signer, "users disable bea@example.com")
	if code == 0 || !strings.HasPrefix(errOut, "gatehouse: the store has no quorum: ") || strings.Contains(errOut, note) {
		t.Fatalf("a write without a quorum: exit %d\nstdout %q\nstderr %q", code, out, errOut)
	}
}
