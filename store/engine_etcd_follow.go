//go:build etcd

package store

import (
	"context"
	"errors"
	"sync"
	"time"

	"go.etcd.io/etcd/api/v3/mvccpb"
	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"
)

// Following the other nodes: a watch on the prefix from the revision memory
// reflects. Every commit is one revision (one Txn) that puts the head; a
// revision whose head names a commit of this engine is its own (already
// applied), any other is another node's, delivered whole with its writes.

// ownCommits are the tokens of this engine's commits that may still come
// back through the watch.
type ownCommits struct {
	mu     sync.Mutex
	tokens map[string]struct{}
}

func (o *ownCommits) add(token string) {
	o.mu.Lock()
	if o.tokens == nil {
		o.tokens = map[string]struct{}{}
	}
	o.tokens[token] = struct{}{}
	o.mu.Unlock()
}

// take says whether token is one of ours, and forgets it.
func (o *ownCommits) take(token string) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	_, ok := o.tokens[token]
	delete(o.tokens, token)
	return ok
}

func (e *etcdEngine) applied(rev int64) {
	for {
		cur := e.known.Load()
		if rev <= cur || e.known.CompareAndSwap(cur, rev) {
			return
		}
	}
}

func (e *etcdEngine) reflected() int64 { return e.known.Load() }

func (e *etcdEngine) headRevision() (int64, error) {
	ctx, cancel := e.ctx()
	defer cancel()
	resp, err := e.cli.Get(ctx, e.headKey, clientv3.WithKeysOnly())
	if err != nil {
		return 0, e.etcdError("a read", err)
	}
	if len(resp.Kvs) == 0 {
		return 0, nil
	}
	return resp.Kvs[0].ModRevision, nil
}

func (e *etcdEngine) viewAt(rev int64, fn func(rtx) error) error {
	t, err := e.beginAt(rev)
	if err != nil {
		return err
	}
	err = fn(t)
	if t.err != nil {
		return t.err
	}
	return err
}

// followRetry is how long a watch that failed waits before it is begun
// again.
const followRetry = 100 * time.Millisecond

func (e *etcdEngine) follow(h followHandlers) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	probed := make(chan struct{})
	go func() {
		defer close(probed)
		e.probeHealth(ctx) // whether the cluster answers, how current memory is
	}()
	go func() {
		defer close(done)
		defer func() { <-probed }()
		next := e.known.Load() + 1
		for ctx.Err() == nil {
			next = e.watchFrom(ctx, next, h)
			if ctx.Err() != nil {
				return
			}
			select {
			case <-ctx.Done():
			case <-time.After(followRetry):
			}
		}
	}()
	return func() { cancel(); <-done }
}

// watchFrom watches from revision next until the watch ends, delivering
// each commit; it returns the revision to watch from next.
func (e *etcdEngine) watchFrom(ctx context.Context, next int64, h followHandlers) int64 {
	// a member that loses its leader ends the watch: it is begun again on
	// one that has one
	wctx, cancel := context.WithCancel(clientv3.WithRequireLeader(ctx))
	defer cancel()
	for resp := range e.cli.Watch(wctx, e.prefix, clientv3.WithPrefix(), clientv3.WithRev(next)) {
		if resp.CompactRevision != 0 || errors.Is(resp.Err(), rpctypes.ErrCompacted) {
			// the commits in between are forgotten: read everything again,
			// and follow from there
			if err := h.reload(); err != nil {
				return next
			}
			return e.known.Load() + 1
		}
		if resp.Err() != nil {
			return next
		}
		evs := resp.Events
		for len(evs) > 0 {
			rev := evs[0].Kv.ModRevision
			n := 1
			for n < len(evs) && evs[n].Kv.ModRevision == rev {
				n++
			}
			rc, ok, err := e.remoteCommit(rev, evs[:n])
			if err != nil {
				// a commit that cannot be read write by write: read
				// everything again, and follow from there
				if err := h.reload(); err != nil {
					return next
				}
				return e.known.Load() + 1
			}
			if ok {
				h.commit(rc)
			}
			evs = evs[n:]
			next = rev + 1
		}
	}
	return next
}

// remoteCommit is one revision's events as another node's commit; ok is
// false for this engine's own commits and for writes that are not a
// commit (no head).
func (e *etcdEngine) remoteCommit(rev int64, evs []*clientv3.Event) (remoteCommit, bool, error) {
	var head *clientv3.Event
	for _, ev := range evs {
		if string(ev.Kv.Key) == e.headKey {
			head = ev
		}
	}
	if head == nil || head.Type != mvccpb.PUT {
		return remoteCommit{}, false, nil
	}
	if hd, err := decodeHead(head.Kv.Value); err == nil && hd.Commit != "" && e.mine.take(hd.Commit) {
		return remoteCommit{}, false, nil
	}
	rc := remoteCommit{rev: rev, writes: make([]logicalWrite, 0, len(evs)-1)}
	for _, ev := range evs {
		if ev == head {
			continue
		}
		var value []byte
		if ev.Type == mvccpb.PUT {
			value = ev.Kv.Value
		}
		ws, err := e.logical(string(ev.Kv.Key), value, ev.Type == mvccpb.DELETE)
		if err != nil {
			return remoteCommit{}, false, err
		}
		rc.writes = append(rc.writes, ws...)
	}
	return rc, true, nil
}
