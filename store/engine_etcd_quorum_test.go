//go:build etcd

package store

import (
	"strings"
	"testing"
	"time"
)

// Two of three members down: a write is refused within etcdWriteBound
// (the product's promise, measured as a bound) with the one line; the
// store says it is not writable, and since when; checks answer from
// memory, and the node that did not write says how old its memory is.
// Members back: the next change set goes through on the same stores, the
// follower's watch brings it to the other node, and both are current.
func TestEtcdNoQuorumRefusesWritesAndChecksAnswer(t *testing.T) {
	c := sharedCluster(t)
	cfg := clusterConfig(t, c)
	a, b := twoNodesOn(t, cfg)
	local := LocalActor("ops")
	if _, err := a.Apply(local, "before", addUsers("q", 1)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "b to hear of a's user", func() bool { _, err := b.User("q0@example.com"); return err == nil })
	before := b.Check("q0@example.com", "scheduler", View, "")
	if f := a.Freshness(); !f.Writable || !f.Current(time.Now()) || f.Note(time.Now()) != "" {
		t.Fatalf("a healthy cluster's freshness: %+v", f)
	}

	lead := c.WaitLeader(t)
	down := []int{lead, (lead + 1) % 3}
	for _, i := range down {
		c.Kill(i)
	}
	for try := range 2 { // at once, and once the member knows it has no leader
		start := time.Now()
		_, err := a.Apply(local, "during", addUsers("during", 1))
		took := time.Since(start)
		if KindOf(err) != KindUnavailable || !strings.HasPrefix(err.Error(), "the store has no quorum: ") ||
			!strings.Contains(err.Error(), "nothing was written") || !strings.Contains(err.Error(), "checks answer from this node's memory as of ") {
			t.Fatalf("write %d without a quorum: %v (kind %d)", try, err, KindOf(err))
		}
		if took >= etcdWriteBound {
			t.Fatalf("write %d without a quorum was refused after %s, the promise is within %s: %v", try, took, etcdWriteBound, err)
		}
		t.Logf("write %d refused after %s: %v", try, took.Round(time.Millisecond), err)
	}
	f := a.Freshness()
	if f.Writable || f.Since.IsZero() || !strings.Contains(f.Reason, "etcd cluster at") {
		t.Fatalf("a's freshness without a quorum: %+v", f)
	}
	// b did not write: its probe finds it out
	waitFor(t, "b to find the store read-only", func() bool { return !b.Freshness().Writable })
	note := b.Freshness().Note(time.Now())
	if !strings.HasPrefix(note, "read-only: the store has no quorum since ") || !strings.Contains(note, "checks answer from this node's memory as of ") {
		t.Fatalf("b's note: %q", note)
	}
	// a read that would go to etcd is refused at once while the probe
	// finds no quorum, not after its bound: a console reads as its cursor
	// moves (a user's keys), and stopped for 2 s at every key
	for try := range 3 {
		start := time.Now()
		_, err := b.KeysOf(1)
		took := time.Since(start)
		if KindOf(err) != KindUnavailable || !strings.Contains(err.Error(), "nothing could be read") {
			t.Fatalf("read %d without a quorum: %v (kind %d)", try, err, KindOf(err))
		}
		if took >= etcdCallTimeout/2 {
			t.Fatalf("read %d without a quorum was refused after %s: it waited for etcd (bound %s)", try, took, etcdCallTimeout)
		}
	}
	if d := b.Check("q0@example.com", "scheduler", View, ""); d != before {
		t.Fatalf("b's check without a quorum: %+v, before %+v", d, before)
	}
	if d := a.Check("q0@example.com", "scheduler", View, ""); d.Code == CodeUnknownUser {
		t.Fatalf("a's check without a quorum: %+v", d)
	}
	if _, err := a.User("during0@example.com"); err == nil {
		t.Fatal("a holds the user of a change set it refused")
	}

	for _, i := range down {
		if err := c.Start(i); err != nil {
			t.Fatal(err)
		}
	}
	c.WaitLeader(t)
	// the next change set on the same store goes through
	if _, err := a.Apply(local, "after", addUsers("after", 1)); err != nil {
		t.Fatalf("the first write once the members are back: %v", err)
	}
	waitFor(t, "b's watch to bring a's change set", func() bool { _, err := b.User("after0@example.com"); return err == nil })
	waitFor(t, "b to read from etcd again", func() bool { _, err := b.KeysOf(1); return err == nil })
	waitFor(t, "both to be current", func() bool {
		now := time.Now()
		return a.Freshness().Current(now) && b.Freshness().Current(now)
	})
	if _, err := b.Apply(local, "on b", addUsers("onb", 1)); err != nil {
		t.Fatalf("b's first write once the members are back: %v", err)
	}
	if r, err := b.VerifyAudit(); err != nil || !r.OK {
		t.Fatalf("the chain: %+v %v", r, err)
	}
}
