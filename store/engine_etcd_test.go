//go:build etcd

package store

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	pb "go.etcd.io/etcd/api/v3/etcdserverpb"
	clientv3 "go.etcd.io/etcd/client/v3"
	"google.golang.org/protobuf/proto"
)

// TestOnEtcd runs the rule, audit, undo, conflict and change-set tests, and
// a few more, on the etcd engine: each opens its stores on the test member
// (engine_etcd_helpers_test.go). GATEHOUSE_TEST_ENGINE=etcd runs every
// test that opens its store through the fixtures there.
func TestOnEtcd(t *testing.T) {
	for _, tc := range []struct {
		name string
		fn   func(*testing.T)
	}{
		{"TestRule1EmailAndNames", TestRule1EmailAndNames},
		{"TestRule2ClientUsers", TestRule2ClientUsers},
		{"TestRule3ClientRestriction", TestRule3ClientRestriction},
		{"TestRule4DeleteOrDisable", TestRule4DeleteOrDisable},
		{"TestRule5InvitationsAndPasswords", TestRule5InvitationsAndPasswords},
		{"TestRule6RestrictLocations", TestRule6RestrictLocations},
		{"TestRule7Features", TestRule7Features},
		{"TestRule8Guardrail", TestRule8Guardrail},
		{"TestRule9ActorRights", TestRule9ActorRights},
		{"TestRule10Conflicts", TestRule10Conflicts},
		{"TestRule11AuditEveryChange", TestRule11AuditEveryChange},
		{"TestRule12Check", TestRule12Check},
		{"TestAuditChainTamper", TestAuditChainTamper},
		{"TestChangeSetAllOrNothing", TestChangeSetAllOrNothing},
		{"TestPreview", TestPreview},
		{"TestEvents", TestEvents},
		{"TestReopenPersistence", TestReopenPersistence},
		{"TestUndoRestoresState", TestUndoRestoresState},
		{"TestUndoRefusesWhenChangedSince", TestUndoRefusesWhenChangedSince},
		{"TestUndoUserCreationDeletes", TestUndoUserCreationDeletes},
		{"TestUndoOfAnEntryWithoutIDsUsesItsNames", TestUndoOfAnEntryWithoutIDsUsesItsNames},
		{"TestUndoAfterARenameFindsTheRecordByID", TestUndoAfterARenameFindsTheRecordByID},
		{"TestAcceptInvitationOnce", TestAcceptInvitationOnce},
		{"TestInvitationsEndWhenTheyShould", TestInvitationsEndWhenTheyShould},
		{"TestOutboxDelivery", TestOutboxDelivery},
		{"TestOutboxIndexFollowsRollback", TestOutboxIndexFollowsRollback},
		{"TestKeys", TestKeys},
		{"TestRecordSignIn", TestRecordSignIn},
		{"TestAccessThatEndsByItself", TestAccessThatEndsByItself},
		{"TestOpenTakesBackWhatEndedWhileClosed", TestOpenTakesBackWhatEndedWhileClosed},
		{"TestDeleteOnlyWhatNeverMattered", TestDeleteOnlyWhatNeverMattered},
	} {
		t.Run(tc.name, tc.fn)
	}
}

// addUsers is a change set adding n invited users.
func addUsers(prefix string, n int) func(*Tx) error {
	return func(tx *Tx) error {
		for i := range n {
			if _, err := tx.AddUser(NewUser{First: "Many", Last: fmt.Sprintf("User %d", i), Email: fmt.Sprintf("%s%d@example.com", prefix, i), Type: Employee, Profile: "Basic"}); err != nil {
				return err
			}
		}
		return nil
	}
}

// headRevision is the ModRevision of the store's head key on the test member.
func headRevision(t *testing.T, cfg EtcdConfig) int64 {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	resp, err := testEtcdClient(t).Get(ctx, cfg.Prefix+"head")
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Kvs) == 0 {
		return 0
	}
	return resp.Kvs[0].ModRevision
}

// A change set that would not fit in one etcd transaction under the limits
// the store is given is refused before anything is written, with one line
// naming the limit and how to raise it or split; one that fits goes through.
func TestEtcdRefusesTooBigAChangeSet(t *testing.T) {
	for _, c := range []struct {
		name    string
		ops     int
		bytes   int
		n       int
		mention string
	}{
		{"etcd's default limits: 128 operations", 128, 1536 << 10, 40, "--max-txn-ops"},
		{"a request too large", testEtcdMaxTxnOps, 16 << 10, 20, "--max-request-bytes"},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := etcdConfig(t)
			cfg.MaxTxnOps, cfg.MaxRequestBytes = c.ops, c.bytes
			s, err := OpenEtcd(cfg, Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			a := LocalActor("test")
			if _, err := s.Apply(a, "one", addUsers("one", 1)); err != nil {
				t.Fatalf("a change set that fits: %v", err)
			}
			users, batch, rev := s.UserCount(), s.LastBatch(), headRevision(t, cfg)
			_, err = s.Apply(a, "many", addUsers("many", c.n))
			checkErr(t, err, ErrRefused, c.mention, "split", "etcd")
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("the refusal is more than one line: %q", err)
			}
			if s.UserCount() != users || s.LastBatch() != batch || headRevision(t, cfg) != rev {
				t.Fatalf("something was written: %d users (had %d), batch %d (had %d)", s.UserCount(), users, s.LastBatch(), batch)
			}
			if r, err := s.VerifyAudit(); err != nil || !r.OK {
				t.Fatalf("the chain: %+v %v", r, err)
			}
		})
	}
}

// Two nodes on one prefix: each change set is one Txn guarded by the head,
// so a node whose memory is behind catches up and runs its change set
// again on what the other left; rules and version checks see the other's
// writes, and the audit chain never forks.
func TestEtcdTwoNodesOneChain(t *testing.T) {
	cfg := etcdConfig(t)
	a, b := twoNodesOn(t, cfg)
	local := LocalActor("test")
	if _, err := a.Apply(local, "on a", addUsers("x", 1)); err != nil {
		t.Fatal(err)
	}
	// whether or not b has heard of x0 yet, rule 1 holds
	_, err := b.Apply(local, "on b", addUsers("x", 1))
	checkErr(t, err, ErrRefused, "x0@example.com")
	stale, err := a.User("x0@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Apply(local, "rename on b", func(tx *Tx) error {
		u, err := b.User("x0@example.com")
		if err != nil {
			return err
		}
		_, err = tx.EditUser(u.ID, u.Version, UserPatch{First: ptr("Renamed")})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	// a's edit carries the version it read before b's: a conflict, not an overwrite
	_, err = a.Apply(local, "rename on a", func(tx *Tx) error {
		_, err := tx.EditUser(stale.ID, stale.Version, UserPatch{First: ptr("Other")})
		return err
	})
	checkErr(t, err, ErrConflict)
	if u, err := a.User("x0@example.com"); err != nil || u.First != "Renamed" {
		t.Fatalf("after catching up, a reads %+v, %v", u, err)
	}

	// both nodes at once: every change set commits once, in one chain
	const each = 10
	var wg sync.WaitGroup
	errs := make(chan error, 2*each)
	for i, s := range []*Store{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range each {
				if _, err := s.Apply(local, "storm", addUsers(fmt.Sprintf("n%d-%d-", i, j), 2)); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	for _, s := range []*Store{a, b} {
		if r, err := s.VerifyAudit(); err != nil || !r.OK {
			t.Fatalf("the chain: %+v %v", r, err)
		}
		batches, err := s.Batches(0)
		if err != nil {
			t.Fatal(err)
		}
		// newest first, every id once, no gap: the chain did not fork
		for i, bt := range batches {
			if want := uint64(len(batches) - i); bt.ID != want {
				t.Fatalf("change set %d where %d was expected: %+v", bt.ID, want, batches)
			}
		}
		if want := 2 + 2*each; len(batches) != want {
			t.Fatalf("%d change sets, want %d", len(batches), want)
		}
	}
	// a store opened now reads what both wrote
	c, err := OpenEtcd(cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if got, want := c.UserCount(), 1+2*2*each; got != want {
		t.Fatalf("%d users, want %d", got, want)
	}
}

// Ids come from counters kept in the head key, beside the audit chain's
// head, not from etcd: the head names the last id of each bucket and the
// last change set.
func TestEtcdIdsLiveInTheHead(t *testing.T) {
	f := openStoreOnEtcd(t)
	f.apply("three", addUsers("id", 3))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	resp, err := testEtcdClient(t).Get(ctx, f.etcd.Prefix+"head")
	if err != nil || len(resp.Kvs) != 1 {
		t.Fatalf("the head: %v %v", resp, err)
	}
	var h etcdHead
	if err := json.Unmarshal(resp.Kvs[0].Value, &h); err != nil {
		t.Fatal(err)
	}
	var audit auditHead
	if err := json.Unmarshal(h.Audit, &audit); err != nil {
		t.Fatal(err)
	}
	entries := f.auditLen()
	last := f.user("id2@example.com")
	if h.IDs["users"] != last.ID || h.Batch != f.s.LastBatch() || h.IDs["batches"] != h.Batch || audit.Seq != uint64(entries) || h.Commit == "" {
		t.Fatalf("head %+v (audit %+v): want users %d, batch %d, seq %d", h, audit, last.ID, f.s.LastBatch(), entries)
	}
	f.reopen()
	f.apply("one more", addUsers("more", 1))
	if u := f.user("more0@example.com"); u.ID != last.ID+1 {
		t.Fatalf("the next id after reopening is %d, want %d", u.ID, last.ID+1)
	}
}

// What a bbolt store exports, an etcd store imports, and exports the same.
func TestEtcdImportsWhatBboltExports(t *testing.T) {
	src := newFixture(t)
	if src.etcd != nil {
		t.Skip("the source is the bbolt fixture")
	}
	want, err := src.s.Export()
	if err != nil {
		t.Fatal(err)
	}
	dst := openStoreOnEtcd(t)
	if _, err := dst.s.Import(dst.local, want, false); err != nil {
		t.Fatal(err)
	}
	got, err := dst.s.Export()
	if err != nil {
		t.Fatal(err)
	}
	got.Exported, want.Exported = time.Time{}, time.Time{}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("exported from etcd:\n%+v\nfrom bbolt:\n%+v", got, want)
	}
	if r, err := dst.s.VerifyAudit(); err != nil || !r.OK {
		t.Fatalf("the chain: %+v %v", r, err)
	}
}

// openStoreOnEtcd is openStore on etcd, whatever the test's name.
func openStoreOnEtcd(t *testing.T) *fx {
	t.Helper()
	clock := newClock()
	cfg := etcdConfig(t)
	f := &fx{t: t, etcd: &cfg, clock: clock, local: LocalActor("test")}
	s, err := f.open(Options{Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	f.s = s
	t.Cleanup(func() {
		if f.s != nil {
			f.s.Close()
		}
	})
	return f
}

// The size a commit is held to is the size of the Txn request etcd
// receives, as protobuf encodes it (the server's raft header is kept in
// etcdRequestSlack).
func TestEtcdTxnSizeIsTheRequestsSize(t *testing.T) {
	head := "p/head"
	writes := map[string]etcdWrite{
		"p/d/users\x00" + string(itob(7)):   {value: bytes.Repeat([]byte("u"), 300)},
		"p/d/emails\x00x@example.com":       {value: itob(7)},
		"p/d/audit\x00" + string(itob(1e6)): {value: bytes.Repeat([]byte("a"), 70000)},
		"p/b/outbox_due":                    {value: []byte{}},
		"p/d/emails\x00old@example.com":     {del: true},
	}
	var keys []string
	for k := range writes {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	headValue := []byte(`{"audit":"eyJzZXEiOjF9","ids":{"users":7},"commit":"0123456789abcdef01234567"}`)
	req := &pb.TxnRequest{Compare: []*pb.Compare{{Result: pb.Compare_EQUAL, Target: pb.Compare_MOD, Key: []byte(head),
		TargetUnion: &pb.Compare_ModRevision{ModRevision: 1 << 40}}}}
	for _, k := range keys {
		if w := writes[k]; w.del {
			req.Success = append(req.Success, &pb.RequestOp{Request: &pb.RequestOp_RequestDeleteRange{RequestDeleteRange: &pb.DeleteRangeRequest{Key: []byte(k)}}})
		} else {
			req.Success = append(req.Success, &pb.RequestOp{Request: &pb.RequestOp_RequestPut{RequestPut: &pb.PutRequest{Key: []byte(k), Value: w.value}}})
		}
	}
	req.Success = append(req.Success, &pb.RequestOp{Request: &pb.RequestOp_RequestPut{RequestPut: &pb.PutRequest{Key: []byte(head), Value: headValue}}})
	var ops []etcdOp
	for _, k := range keys {
		ops = append(ops, etcdOp{key: k, value: writes[k].value, del: writes[k].del})
	}
	got, want := etcdTxnSize(head, ops, headValue), proto.Size(req)
	if got < want || got > want+16 {
		t.Fatalf("estimated %d bytes, the request is %d", got, want)
	}
}

// A commit whose compare is lost (another node committed between its
// reads and its Txn) writes nothing; the change set runs again after this
// node has caught up, and then sees what the other committed.
func TestEtcdLostCompareRunsTheChangeSetAgain(t *testing.T) {
	cfg := etcdConfig(t)
	a, b := twoNodesOn(t, cfg)
	local := LocalActor("test")
	runs, cut := 0, 0
	a.db.(*etcdEngine).commitHook = func(send func() (*clientv3.TxnResponse, error)) (*clientv3.TxnResponse, error) {
		if cut++; cut == 1 { // b commits first, once
			if _, err := b.Apply(local, "on b", addUsers("both", 1)); err != nil {
				t.Error(err)
			}
		}
		return send()
	}
	_, err := a.Apply(local, "on a", func(tx *Tx) error {
		runs++
		return addUsers("both", 1)(tx)
	})
	checkErr(t, err, ErrRefused, "both0@example.com")
	if runs != 2 || cut != 1 {
		t.Fatalf("the change set ran %d times and reached its commit %d times, want 2 and 1", runs, cut)
	}
	if a.UserCount() != 1 || a.LastBatch() != b.LastBatch() {
		t.Fatalf("a holds %d users at change set %d; b is at %d", a.UserCount(), a.LastBatch(), b.LastBatch())
	}
	if r, err := a.VerifyAudit(); err != nil || !r.OK {
		t.Fatalf("the chain: %+v %v", r, err)
	}
}

// A commit whose answer is lost (a deadline) is settled by the head: if
// the first head after the one it was guarded by names it, it landed;
// if another commit's, it did not; if the head has not moved, a fence
// under the same compare makes sure it never lands.
func TestEtcdUnknownOutcomeIsSettledByTheHead(t *testing.T) {
	lost := errors.New("the answer was lost")
	for _, c := range []struct {
		name   string
		hook   func(b *Store, send func() (*clientv3.TxnResponse, error)) error
		landed bool
	}{
		{"it landed", func(_ *Store, send func() (*clientv3.TxnResponse, error)) error {
			if _, err := send(); err != nil {
				return err
			}
			return lost
		}, true},
		{"it was never sent", func(*Store, func() (*clientv3.TxnResponse, error)) error { return lost }, false},
		{"another commit won", func(b *Store, _ func() (*clientv3.TxnResponse, error)) error {
			if _, err := b.Apply(LocalActor("test"), "on b", addUsers("other", 1)); err != nil {
				return err
			}
			return lost
		}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := etcdConfig(t)
			a, err := OpenEtcd(cfg, Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer a.Close()
			b, err := OpenEtcd(cfg, Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer b.Close()
			e := a.db.(*etcdEngine)
			e.commitHook = func(send func() (*clientv3.TxnResponse, error)) (*clientv3.TxnResponse, error) {
				e.commitHook = nil // once
				return nil, c.hook(b, send)
			}
			_, err = a.Apply(LocalActor("test"), "on a", addUsers("mine", 1))
			_, uerr := a.User("mine0@example.com")
			switch {
			case c.landed && (err != nil || uerr != nil):
				t.Fatalf("landed, but the change set says %v and the user %v", err, uerr)
			case !c.landed && (err == nil || !strings.Contains(err.Error(), "nothing was written") || uerr == nil):
				t.Fatalf("did not land, but the change set says %v and the user %v", err, uerr)
			}
			// whatever happened, the next change set on a goes through, in one chain
			if _, err := a.Apply(LocalActor("test"), "next", addUsers("next", 1)); err != nil {
				t.Fatal(err)
			}
			fresh, err := OpenEtcd(cfg, Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer fresh.Close()
			if _, err := fresh.User("mine0@example.com"); (err == nil) != c.landed {
				t.Fatalf("a store opened now: %v", err)
			}
			if r, err := fresh.VerifyAudit(); err != nil || !r.OK {
				t.Fatalf("the chain: %+v %v", r, err)
			}
		})
	}
}
