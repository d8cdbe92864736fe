//go:build etcd

package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// The etcd engine when its cluster has no quorum (a majority of members
// down or cut off). Left to itself a put waits 7 s for "request timed out"
// and a linearizable read as long as it is let. Here every call asks for a
// leader (clientv3.WithRequireLeader: a member that has none answers at
// once) and is bounded, so a change set is refused within etcdWriteBound
// with one line that says what it means (KindUnavailable). The engine keeps
// since when calls fail and the last time memory was known to hold every
// commit (a probe of the head every etcdProbeEvery), for Freshness: checks
// answer from memory meanwhile, and say how old it is. Nothing is kept
// across the outage but that: once the cluster answers, the next change
// set is tried as any other.

const (
	// etcdCallTimeout bounds one read (EtcdConfig.CallTimeout's default).
	etcdCallTimeout = 2 * time.Second
	// etcdCommitBudget bounds a commit: its Txn, and settling its outcome
	// when the answer was lost. With a change set's reads before it
	// (answered at once, or no later than etcdCallTimeout when the cluster
	// was already gone) a write is refused within etcdWriteBound.
	etcdCommitBudget = 2500 * time.Millisecond
	// etcdTxnShare is what of the commit's budget its Txn may take (tried
	// again while the member has no leader: the rest is the settle's.
	etcdTxnShare = 1500 * time.Millisecond
	// etcdWriteBound is the promise: a write is refused within it.
	etcdWriteBound = 3 * time.Second
	// etcdNoLeaderRetry is the pause before a Txn refused for want of a
	// leader is sent again (an election takes about a second).
	etcdNoLeaderRetry = 50 * time.Millisecond
	// etcdProbeEvery and etcdProbeTimeout: how often the head is read to
	// learn whether the cluster answers and memory is current, and how
	// long a probe waits.
	etcdProbeEvery   = time.Second
	etcdProbeTimeout = time.Second
	// etcdRefuseFor is how long after a call failed for want of a quorum a
	// read is refused without being sent: the longest a silent cluster
	// leaves between two of the probe's failures.
	etcdRefuseFor = etcdProbeEvery + etcdProbeTimeout
)

// etcdHealth is what the engine knows of its cluster's answers.
type etcdHealth struct {
	mu     sync.Mutex
	down   time.Time // the first call that failed for want of a quorum since the last answer (zero: answering)
	last   time.Time // the latest such call
	reason string    // why, for people
	asOf   time.Time // memory was last known to hold every commit made by then
}

// answered records that the cluster answered a linearizable call.
func (h *etcdHealth) answered() {
	h.mu.Lock()
	h.down, h.reason = time.Time{}, ""
	h.mu.Unlock()
}

// current records that memory held every commit made by at.
func (h *etcdHealth) current(at time.Time) {
	h.mu.Lock()
	if at.After(h.asOf) {
		h.asOf = at
	}
	h.mu.Unlock()
}

// failed records a call that failed for want of a quorum.
func (h *etcdHealth) failed(reason string) {
	h.mu.Lock()
	now := time.Now()
	if h.down.IsZero() {
		h.down = now
	}
	h.last, h.reason = now, reason
	h.mu.Unlock()
}

// refusing is why a read is not sent now ("" to send it): a call failed
// for want of a quorum within etcdRefuseFor, with no answer since. A read
// would wait out its bound for the same silence, and a console that reads
// as its cursor moves would stop for that long at every key; the probe (or,
// where none runs, the first read after etcdRefuseFor) learns when the
// cluster is back.
func (h *etcdHealth) refusing() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.down.IsZero() || time.Since(h.last) >= etcdRefuseFor {
		return ""
	}
	return h.reason
}

func (h *etcdHealth) knownCurrent() time.Time {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.asOf
}

func (e *etcdEngine) freshness() Freshness {
	e.health.mu.Lock()
	defer e.health.mu.Unlock()
	h := &e.health
	return Freshness{Writable: h.down.IsZero(), Since: h.down.UTC(), AsOf: h.asOf.UTC(), Reason: h.reason}
}

// noQuorum says whether err means the cluster cannot answer now: no leader,
// a deadline, a member stopping, no member reachable.
func noQuorum(err error) bool {
	for _, e := range []error{context.DeadlineExceeded, rpctypes.ErrNoLeader, rpctypes.ErrTimeout,
		rpctypes.ErrTimeoutDueToLeaderFail, rpctypes.ErrTimeoutDueToConnectionLost, rpctypes.ErrTimeoutWaitAppliedIndex,
		rpctypes.ErrLeaderChanged, rpctypes.ErrStopped} {
		if errors.Is(err, e) {
			return true
		}
	}
	switch status.Code(err) {
	case codes.Unavailable, codes.DeadlineExceeded:
		return true
	}
	return false
}

// unanswered is what the cluster's silence means, for people.
func (e *etcdEngine) unanswered(err error) string {
	at := "the etcd cluster at " + strings.Join(e.cli.Endpoints(), ",")
	switch {
	case errors.Is(err, rpctypes.ErrNoLeader):
		return at + " has no leader (a majority of its members is down or cut off)"
	case errors.Is(err, context.DeadlineExceeded), status.Code(err) == codes.DeadlineExceeded:
		return at + " does not answer in time (a majority of its members may be down or cut off)"
	}
	return at + " does not answer (" + rpctypes.ErrorDesc(err) + ")"
}

// Outcomes a refusal names.
const (
	outcomeNotWritten = "nothing was written"
	outcomeUnknown    = "whether it was written is known once the cluster answers again"
	outcomeNotRead    = "nothing could be read"
)

// refuseNoQuorum is the one line for a call the cluster could not answer,
// and marks the store not writable.
func (e *etcdEngine) refuseNoQuorum(err error, outcome string) error {
	why := e.unanswered(err)
	e.health.failed(why)
	return e.noQuorumError(why, outcome)
}

// refuseRead is the refusal of a read not sent (nil: send it; see refusing).
func (e *etcdEngine) refuseRead() error {
	if why := e.health.refusing(); why != "" {
		return e.noQuorumError(why, outcomeNotRead)
	}
	return nil
}

// noQuorumError is the refusal itself: why, what became of the call, and
// how current the answers from memory are.
func (e *etcdEngine) noQuorumError(why, outcome string) error {
	msg := fmt.Sprintf("the store has no quorum: %s; %s", why, outcome)
	if asOf := e.health.knownCurrent(); !asOf.IsZero() {
		msg += "; checks answer from this node's memory as of " + clock(asOf)
	}
	return &Error{Kind: KindUnavailable, Msg: msg}
}

// commitCtx bounds a commit, its settle included.
func (e *etcdEngine) commitCtx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(clientv3.WithRequireLeader(context.Background()), etcdCommitBudget)
}

// sendTxn sends a commit's Txn within its share of the commit's budget, and
// again while the member reached has no leader: such a member refuses a
// request before reading it, so nothing was proposed (and the head's
// compare guards a second one anyway).
func sendTxn(ctx context.Context, txn func(context.Context) (*clientv3.TxnResponse, error)) (*clientv3.TxnResponse, error) {
	tctx, cancel := context.WithTimeout(ctx, etcdTxnShare)
	defer cancel()
	for {
		resp, err := txn(tctx)
		if !errors.Is(err, rpctypes.ErrNoLeader) {
			return resp, err
		}
		select {
		case <-tctx.Done():
			return nil, err
		case <-time.After(etcdNoLeaderRetry):
		}
	}
}

// probeHealth reads the head every etcdProbeEvery until ctx ends: an answer says
// the cluster answers, and, when memory reflects that head, that memory
// held every commit made by the time the probe was sent.
func (e *etcdEngine) probeHealth(ctx context.Context) {
	tick := time.NewTicker(etcdProbeEvery)
	defer tick.Stop()
	for {
		sent := time.Now()
		pctx, cancel := context.WithTimeout(clientv3.WithRequireLeader(ctx), etcdProbeTimeout)
		resp, err := e.cli.Get(pctx, e.headKey, clientv3.WithKeysOnly())
		cancel()
		switch {
		case ctx.Err() != nil:
			return
		case err == nil:
			e.health.answered()
			head := int64(0)
			if len(resp.Kvs) == 1 {
				head = resp.Kvs[0].ModRevision
			}
			if e.known.Load() >= head {
				e.health.current(sent)
			}
		case noQuorum(err):
			e.health.failed(e.unanswered(err))
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}
