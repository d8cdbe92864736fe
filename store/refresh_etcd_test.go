//go:build etcd

package store

import "testing"

// Two nodes on one prefix: after one writes, the other's Refresh reads
// memory again, and its reads show the write.
func TestEtcdRefreshShowsAnotherNodesWrite(t *testing.T) {
	cfg := etcdConfig(t)
	a, b := twoNodesOn(t, cfg)
	if err := b.Refresh(); err != nil {
		t.Fatalf("Refresh with nothing new: %v", err)
	}
	if _, err := a.Apply(LocalActor("test"), "on a", invitedUsers("fromA", 3)); err != nil {
		t.Fatal(err)
	}
	if err := b.Refresh(); err != nil {
		t.Fatal(err)
	}
	if _, err := b.User("fromA2@example.com"); err != nil || b.UserCount() != 3 || b.LastBatch() != a.LastBatch() {
		t.Fatalf("after Refresh the other node holds %d users, batch %d (want 3, %d): %v", b.UserCount(), b.LastBatch(), a.LastBatch(), err)
	}
	// and it writes on what it read, without a race to lose first
	if _, err := b.Apply(LocalActor("test"), "on b", invitedUsers("fromB", 1)); err != nil {
		t.Fatal(err)
	}
	if r, err := b.VerifyAudit(); err != nil || !r.OK {
		t.Fatalf("the chain: %+v %v", r, err)
	}
}
