//go:build etcd

package keys_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"charm.land/log/v2"
	gossh "golang.org/x/crypto/ssh"

	"github.com/gatehouse/gatehouse/internal/etcdtest"
	"github.com/gatehouse/gatehouse/internal/proof"
	"github.com/gatehouse/gatehouse/keys"
	"github.com/gatehouse/gatehouse/store"
)

// Several `serve` nodes over one store on etcd: what is done on one node
// reaches the sessions on the others.

func stopTestEtcd() { etcdtest.StopShared() }

func etcdConfig(t *testing.T) store.EtcdConfig {
	return store.EtcdConfig{Endpoints: []string{etcdtest.Shared(t)}, Prefix: etcdtest.Prefix(), MaxTxnOps: etcdtest.MaxTxnOps, MaxRequestBytes: etcdtest.MaxRequestBytes}
}

// twoServeNodes is the fixture on etcd (node a) and a second server on the
// same store (node b), with a's users and keys.
func twoServeNodes(t *testing.T) (a, b *fixture) {
	t.Helper()
	cfg := etcdConfig(t)
	open := func(string) (*store.Store, error) { return store.OpenEtcd(cfg, store.Options{}) }
	a = newFixtureOn(t, open)
	st, err := open("")
	if err != nil {
		t.Fatal(err)
	}
	b = &fixture{t: t, st: st, dbPath: filepath.Join(t.TempDir(), "node-b.db"), signer: a.signer,
		logs: &proof.Log{}, clock: &clock{now: time.Now()}}
	b.start(log.DebugLevel)
	return a, b
}

// A user disabled on node a: their console and command on node b end, and
// they cannot sign in there again.
func TestEtcdDisableOnOneNodeEndsSessionsOnAnother(t *testing.T) {
	a, b := twoServeNodes(t)
	sc := console(t, b.keyClient(emManager), "dumb")
	sc.waitFor("Max Manager")
	if _, errOut, code := execute(t, a.keyClient(emAdmin), "users disable "+emManager, ""); code != 0 {
		t.Fatalf("disable on node a: %d %s", code, errOut)
	}
	sc.waitEnd()
	if !strings.Contains(sc.text(), "your account was disabled") {
		t.Fatalf("the console on node b was not told why it ended:\n%q", tail(sc.text(), 500))
	}
	if c, _, err := b.dial("x", gossh.PublicKeys(b.signer[emManager])); err == nil {
		c.Close()
		t.Fatal("a user disabled on node a signed in to node b")
	}
}

// A demotion on node a reaches the actor's open console on node b: the
// edit form they had open closes and says why.
func TestEtcdDemotionOnOneNodeReachesConsolesOnAnother(t *testing.T) {
	a, b := twoServeNodes(t)
	sc := console(t, b.keyClient(emManager), "dumb")
	sc.waitFor("Max Manager")
	mark := len(sc.text())
	sc.in.Write([]byte("e"))
	sc.waitForSince(mark, "Edit ")
	if _, err := a.st.Apply(store.LocalActor("test"), "Manager: users=view", func(tx *store.Tx) error {
		return tx.Grant("Manager", 0, "users", store.View)
	}); err != nil {
		t.Fatal(err)
	}
	sc.waitForSince(mark, "closed, your access changed")
}

// The outbox of two nodes is delivered by one at a time: each queued
// message reaches the SMTP peer once, and when the node delivering stops,
// the other takes over.
func TestEtcdOneNodeDeliversTheOutbox(t *testing.T) {
	ms := newMailServer(t, "mailer", "s3cret")
	cfg := etcdConfig(t)
	var nodes [2]*store.Store
	var logs [2]*proof.Log
	var stops [2]func()
	for i := range nodes {
		st, err := store.OpenEtcd(cfg, store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		m, err := keys.ParseSMTP("smtp://mailer:s3cret@"+ms.addr, "Gatehouse <gatehouse@example.com>")
		if err != nil {
			t.Fatal(err)
		}
		nodes[i], logs[i] = st, &proof.Log{}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() {
			defer close(done)
			m.Deliver(ctx, st, log.NewWithOptions(logs[i], log.Options{Level: log.DebugLevel}))
		}()
		stops[i] = func() { cancel(); <-done }
		t.Cleanup(stops[i])
	}
	const n = 6
	for i := range n {
		addUser(t, nodes[i%2], "Many", fmt.Sprintf("many%d@example.com", i))
	}
	for i := range n {
		waitState(t, nodes[0], fmt.Sprintf("many%d@example.com", i), "invitation", store.MessageSent)
	}
	if got := ms.count(); got != n {
		t.Fatalf("the SMTP peer got %d messages for %d invitations", got, n)
	}
	delivering := 0
	if !strings.Contains(logs[0].String(), "mail sent") {
		delivering = 1
	}
	if other := 1 - delivering; strings.Contains(logs[other].String(), "mail sent") {
		t.Fatalf("both nodes delivered:\n%s\n%s", logs[0], logs[1])
	}
	// the node delivering stops: the other takes over
	stops[delivering]()
	other := 1 - delivering
	addUser(t, nodes[other], "Later", "later@example.com")
	waitState(t, nodes[other], "later@example.com", "invitation", store.MessageSent)
	if got := ms.count(); got != n+1 || !strings.Contains(logs[other].String(), "mail sent") {
		t.Fatalf("after node %d stopped: %d messages; node %d's log:\n%s", delivering, got, other, logs[other])
	}
}

// Password guesses spread over two nodes are counted together: with three
// attempts allowed, the third failure on either node locks the account on
// both, from any address.
func TestEtcdLockoutCountsEveryNodesFailures(t *testing.T) {
	a, b := twoServeNodes(t)
	if _, err := a.st.Apply(store.LocalActor("test"), "lockout", func(tx *store.Tx) error {
		if err := tx.SetSetting("lockout-attempts", "3"); err != nil {
			return err
		}
		return tx.SetSetting("lockout-window", "10m")
	}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "node b to follow the setting", func() bool { return b.st.Settings().LockoutAttempts == 3 })
	wrong := answers("wrong password!")
	// each from its own address: only the account's count can add up
	for i, node := range []*fixture{a, b, a} {
		c, banner, err := node.dialFrom(fmt.Sprintf("127.0.0.%d", 10+i), emAdmin, wrong)
		if err == nil {
			c.Close()
			t.Fatalf("guess %d signed in", i+1)
		}
		if i < 2 && banner != keys.RefusedMessage+"\n" {
			t.Fatalf("guess %d: told %q", i+1, banner)
		}
	}
	for _, node := range []*fixture{a, b} {
		c, banner, err := node.dialFrom("127.0.0.20", emAdmin, answers(pw))
		if err == nil {
			c.Close()
			t.Fatal("the right password signed in to an account locked by guesses on two nodes")
		}
		if !strings.Contains(banner, "password sign-in for "+emAdmin+" is locked after repeated failures") {
			t.Fatalf("the locked account is told %q", banner)
		}
	}
	// a key is never locked out
	c, _, err := b.dialFrom("127.0.0.20", "x", gossh.PublicKeys(b.signer[emAdmin]))
	if err != nil {
		t.Fatalf("the locked account's key was refused: %v", err)
	}
	c.Close()
}
