//go:build etcd

package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"
)

// Failed sign-ins on etcd, beside the store's keys:
//
//	P fails/<sha256(key)>/<unix ns, 20 digits>-<random>   (empty; on a lease of the window)
//
// so that a range read from a time on is the failures since then, and etcd
// forgets each when its window has passed.

// failuresTimeout bounds each call: a sign-in waits no longer for the
// shared count (without it, the server's own count still holds).
const failuresTimeout = 750 * time.Millisecond

// maxFailuresRead bounds one read of a key's failures.
const maxFailuresRead = 1000

type etcdFailures struct{ e *etcdEngine }

func (e *etcdEngine) signInFailures() SignInFailures { return etcdFailures{e} }

// failureLease is the lease failures are put on, shared by those noted
// within a tenth of a window of each other (one lease per failure would let
// a spray of failures make as many leases): it lasts a window and a tenth,
// so each failure is kept at least its window.
type failureLease struct {
	mu     sync.Mutex
	id     clientv3.LeaseID
	window time.Duration
	until  time.Time // a failure noted after this needs a new one
}

func (f etcdFailures) lease(ctx context.Context, at time.Time, window time.Duration) (clientv3.LeaseID, error) {
	l := &f.e.failLease
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.id != 0 && l.window == window && !at.After(l.until) {
		return l.id, nil
	}
	ttl := max(int64((window+window/10)/time.Second)+1, 2)
	resp, err := f.e.cli.Grant(ctx, ttl)
	if err != nil {
		return 0, f.e.etcdError("a lease", err)
	}
	l.id, l.window, l.until = resp.ID, window, at.Add(window/10)
	return l.id, nil
}

func (f etcdFailures) dir(key string) string {
	sum := sha256.Sum256([]byte(key))
	return f.e.prefix + "fails/" + hex.EncodeToString(sum[:]) + "/"
}

func (f etcdFailures) ctx() (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithTimeout(context.Background(), failuresTimeout)
	return clientv3.WithRequireLeader(ctx), cancel
}

func (f etcdFailures) Note(keys []string, at time.Time, window time.Duration) error {
	ctx, cancel := f.ctx()
	defer cancel()
	lease, err := f.lease(ctx, at, window)
	if err != nil {
		return err
	}
	ops := make([]clientv3.Op, 0, len(keys))
	for _, k := range keys {
		ops = append(ops, clientv3.OpPut(f.dir(k)+fmt.Sprintf("%020d-%s", at.UnixNano(), newCommitToken()[:8]), "", clientv3.WithLease(lease)))
	}
	if _, err := f.e.cli.Txn(ctx).Then(ops...).Commit(); err != nil {
		if errors.Is(err, rpctypes.ErrLeaseNotFound) {
			f.e.failLease.mu.Lock()
			f.e.failLease.id = 0 // gone before its time: the next failure gets another
			f.e.failLease.mu.Unlock()
		}
		return f.e.etcdError("a write", err)
	}
	return nil
}

func (f etcdFailures) Since(key string, since time.Time) ([]time.Time, error) {
	if err := f.e.refuseRead(); err != nil {
		return nil, err
	}
	ctx, cancel := f.ctx()
	defer cancel()
	dir := f.dir(key)
	from := dir + fmt.Sprintf("%020d", max(since.UnixNano(), 0))
	resp, err := f.e.cli.Get(ctx, from, clientv3.WithRange(clientv3.GetPrefixRangeEnd(dir)), clientv3.WithKeysOnly(), clientv3.WithLimit(maxFailuresRead))
	if err != nil {
		return nil, f.e.etcdError("a read", err)
	}
	out := make([]time.Time, 0, len(resp.Kvs))
	for _, kv := range resp.Kvs {
		ns, _, _ := strings.Cut(strings.TrimPrefix(string(kv.Key), dir), "-")
		n, err := strconv.ParseInt(ns, 10, 64)
		if err != nil {
			continue // not one of ours
		}
		out = append(out, time.Unix(0, n))
	}
	return out, nil
}

func (f etcdFailures) Forget(key string) error {
	ctx, cancel := f.ctx()
	defer cancel()
	if _, err := f.e.cli.Delete(ctx, f.dir(key), clientv3.WithPrefix()); err != nil {
		return f.e.etcdError("a delete", err)
	}
	return nil
}
