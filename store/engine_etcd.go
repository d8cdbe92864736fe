//go:build etcd

package store

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"
)

// The etcd engine: the store on an etcd cluster, shared by several nodes.
// Every etcd type in the store is in this file.
//
// Layout under the prefix P:
//
//	P d/<bucket>\x00<key>   a bucket's key (buckets become key prefixes)
//	P p/audit\x00<seq>      a pack: consecutive entries of the audit log,
//	                        <seq> the last one's 8-byte sequence number,
//	                        written by one change set, deflated
//	                        (engine_etcd_pack.go); the audit bucket has no
//	                        d/ keys
//	P b/<bucket>            the bucket exists
//	P head                  the head: the audit chain's head as the store
//	                        wrote it (its sequence and hash), every
//	                        bucket's last id, the audit log's last key,
//	                        and who committed last
//	P lead/<role>/<lease>   the nodes campaigning for a role (Lead), first
//	                        is the one doing it
//	P fails/<hash>/<time>   failed sign-ins, counted across the nodes
//	                        (engine_etcd_failures.go)
//
// logical (engine_etcd_pack.go) turns any of these keys, put or deleted,
// into the bucket writes it stands for: what a node watching the prefix
// applies (engine_etcd_follow.go). A change set's keys all change at one
// revision, the head last.
//
// A read-only transaction reads the head, then everything at the head's
// read revision: one snapshot. A read-write transaction reads the same way,
// buffers its writes (reading its own), and commits them as one etcd Txn
// guarded by the head's ModRevision, with the head put last. Every commit
// puts the head, so one compare serialises all writers, as bbolt's lock does
// on one node, and the audit chain cannot fork. A lost compare is errRaced:
// nothing was written.

const (
	defaultEtcdMaxTxnOps       = 16384
	defaultEtcdMaxRequestBytes = 4 << 20
	// etcdRequestSlack is kept free of a request's limit for what the
	// server wraps around a Txn (its raft request header).
	etcdRequestSlack = 256
)

// OpenEtcd opens (creating and seeding if new) the store held by an etcd
// cluster under cfg.Prefix.
func OpenEtcd(cfg EtcdConfig, opt Options) (*Store, error) {
	e, err := openEtcd(cfg)
	if err != nil {
		return nil, err
	}
	if err := e.refuseUnfinished(); err != nil {
		e.close()
		return nil, err
	}
	s, err := openOn(e, e.where(), opt)
	<-e.limitsChecked
	switch {
	case e.limitsErr != nil && err == nil:
		s.Close()
		return nil, e.limitsErr
	case e.limitsErr != nil:
		return nil, e.limitsErr
	}
	return s, err
}

// etcdEngine is a store's prefix on an etcd cluster.
type etcdEngine struct {
	cli     *clientv3.Client
	own     bool // the engine made cli and closes it
	prefix  string
	headKey string
	limits  EtcdConfig
	timeout time.Duration
	// known is the head's ModRevision that the node's memory reflects
	// (loadedAt, and each commit of its own): a write transaction that
	// finds another head was begun behind, and is errRaced at once
	known atomic.Int64
	// commitHook, for tests, sends a commit's Txn in place of the engine:
	// it may do something first, or lose the answer (nil: send it)
	commitHook func(send func() (*clientv3.TxnResponse, error)) (*clientv3.TxnResponse, error)
	// mine are the commits of this engine the watch will see (follow)
	mine ownCommits
	// failLease is the lease failed sign-ins are put on (engine_etcd_failures.go)
	failLease failureLease
	// limitsChecked is closed once the cluster's limits were checked
	// (engine_etcd_limits.go), with limitsErr the answer
	limitsChecked <-chan struct{}
	limitsErr     error
	// sentOps and sentBytes are the last commit's Txn: its operations and
	// its size (benchmarks and tests)
	sentOps, sentBytes atomic.Int64
	// health is whether the cluster answers, and how current memory is
	// (engine_etcd_quorum.go)
	health etcdHealth
}

func (e *etcdEngine) loadedAt(tx rtx) {
	e.known.Store(tx.(*etcdTx).headRev)
	e.health.current(tx.(*etcdTx).sent)
}

func openEtcd(cfg EtcdConfig) (*etcdEngine, error) {
	if len(cfg.Endpoints) == 0 {
		return nil, badInput("no etcd endpoints given")
	}
	cfg = etcdDefaults(cfg)
	tlsConfig, err := etcdTLS(cfg, time.Now())
	if err != nil {
		return nil, err
	}
	cli, err := clientv3.New(clientv3.Config{
		Endpoints:   cfg.Endpoints,
		DialTimeout: cfg.DialTimeout,
		TLS:         tlsConfig,
		// what a request may carry, with room for gRPC's own
		MaxCallSendMsgSize: max(2<<20, cfg.MaxRequestBytes+512<<10),
		Logger:             zap.NewNop(),
	})
	if err != nil {
		return nil, badInput("cannot reach etcd at %s: %v", strings.Join(cfg.Endpoints, ","), err)
	}
	e := newEtcdEngine(cli, true, cfg)
	// the check of the limits goes on while the store loads: no write
	// waits for it (update), and OpenEtcd does not return before it
	checked := make(chan struct{})
	e.limitsChecked = checked
	go func() {
		defer close(checked)
		e.limitsErr = e.checkLimits()
	}()
	return e, nil
}

func etcdDefaults(cfg EtcdConfig) EtcdConfig {
	if cfg.Prefix == "" {
		cfg.Prefix = "gatehouse/"
	}
	if cfg.MaxTxnOps <= 0 {
		cfg.MaxTxnOps = defaultEtcdMaxTxnOps
	}
	if cfg.MaxRequestBytes <= 0 {
		cfg.MaxRequestBytes = defaultEtcdMaxRequestBytes
	}
	if cfg.DialTimeout <= 0 {
		cfg.DialTimeout = 5 * time.Second
	}
	if cfg.CallTimeout <= 0 {
		cfg.CallTimeout = etcdCallTimeout
	}
	return cfg
}

func newEtcdEngine(cli *clientv3.Client, own bool, cfg EtcdConfig) *etcdEngine {
	cfg = etcdDefaults(cfg)
	checked := make(chan struct{})
	close(checked)
	return &etcdEngine{cli: cli, own: own, prefix: cfg.Prefix, headKey: cfg.Prefix + "head", limits: cfg, timeout: cfg.CallTimeout, limitsChecked: checked}
}

// where names the store in messages: the endpoints and the prefix.
func (e *etcdEngine) where() string {
	return "etcd " + strings.Join(e.cli.Endpoints(), ",") + " prefix " + e.prefix
}

func (e *etcdEngine) close() error {
	if e.own {
		return e.cli.Close()
	}
	return nil
}

func (e *etcdEngine) dataKey(bucket, key []byte) string {
	b := make([]byte, 0, len(e.prefix)+3+len(bucket)+len(key))
	b = append(b, e.prefix...)
	b = append(b, "d/"...)
	b = append(b, bucket...)
	b = append(b, 0)
	b = append(b, key...)
	return string(b)
}

func (e *etcdEngine) bucketStart(bucket []byte) string {
	return e.prefix + "d/" + string(bucket) + "\x00"
}

func (e *etcdEngine) bucketEnd(bucket []byte) string {
	return e.prefix + "d/" + string(bucket) + "\x01"
}

func (e *etcdEngine) markerKey(bucket []byte) string { return e.prefix + "b/" + string(bucket) }

// etcdHead is the head key's value.
type etcdHead struct {
	// Audit is what the store keeps at meta/audit_head: the chain's last
	// sequence and hash.
	Audit []byte `json:"audit,omitempty"`
	// IDs are the last id given in each bucket.
	IDs map[string]uint64 `json:"ids,omitempty"`
	// Batch is the last change set committed (the batches bucket's id).
	Batch uint64 `json:"batch,omitempty"`
	// Commit names the last commit: a commit whose outcome was not
	// heard finds itself here if it landed.
	Commit string `json:"commit,omitempty"`
	// Last is the last key (a sequence number) each packed bucket was
	// given: where a backward scan of its packs starts.
	Last map[string]uint64 `json:"last,omitempty"`
}

// decodeHead reads the head key's value.
func decodeHead(v []byte) (etcdHead, error) {
	var h etcdHead
	err := json.Unmarshal(v, &h)
	return h, err
}

// isHead says whether (bucket, key) is the one the head keeps.
func isHead(bucket, key []byte) bool {
	return bytes.Equal(bucket, bucketMeta) && bytes.Equal(key, keyAuditHead)
}

// ctx bounds one call, which asks for a leader: a member without one
// answers at once (engine_etcd_quorum.go).
func (e *etcdEngine) ctx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(clientv3.WithRequireLeader(context.Background()), e.timeout)
}

// etcdError is one line for an etcd call that failed; what is "a read",
// "a change set's read" or "a commit" (that settled as not written).
func (e *etcdEngine) etcdError(what string, err error) error {
	if noQuorum(err) {
		outcome := outcomeNotRead
		if what != "a read" {
			outcome = outcomeNotWritten
		}
		return e.refuseNoQuorum(err, outcome)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("the etcd store (%s) did not answer %s within %s", strings.Join(e.cli.Endpoints(), ","), what, e.timeout)
	}
	return fmt.Errorf("the etcd store (%s) failed %s: %v", strings.Join(e.cli.Endpoints(), ","), what, err)
}

// begin reads the head: the snapshot's revision and the compare's.
func (e *etcdEngine) begin(writable bool) (*etcdTx, error) {
	what := "a read"
	if writable {
		what = "a change set's read"
	} else if err := e.refuseRead(); err != nil {
		return nil, err
	}
	t, err := e.read(0, what)
	if err == nil && writable {
		t.writable, t.writes = true, map[string]etcdWrite{}
	}
	return t, err
}

// beginAt begins a read-only transaction on the snapshot at rev.
func (e *etcdEngine) beginAt(rev int64) (*etcdTx, error) { return e.read(rev, "a read") }

// read reads the head at rev (0: the latest).
func (e *etcdEngine) read(rev int64, what string) (*etcdTx, error) {
	sent := time.Now()
	ctx, cancel := e.ctx()
	defer cancel()
	var opts []clientv3.OpOption
	if rev != 0 {
		opts = append(opts, clientv3.WithRev(rev))
	}
	resp, err := e.cli.Get(ctx, e.headKey, opts...)
	if err != nil {
		return nil, e.etcdError(what, err)
	}
	e.health.answered()
	t := &etcdTx{e: e, rev: resp.Header.Revision, buckets: map[string]bool{}, sent: sent}
	if rev != 0 {
		t.rev = rev
	}
	if len(resp.Kvs) == 1 {
		kv := resp.Kvs[0]
		t.headRev = kv.ModRevision
		if t.head, err = decodeHead(kv.Value); err != nil {
			return nil, fmt.Errorf("the etcd store's head (%s) is unreadable: %v", e.headKey, err)
		}
	}
	if t.head.IDs == nil {
		t.head.IDs = map[string]uint64{}
	}
	if t.head.Last == nil {
		t.head.Last = map[string]uint64{}
	}
	return t, nil
}

func (e *etcdEngine) view(fn func(rtx) error) error {
	t, err := e.begin(false)
	if err != nil {
		return err
	}
	err = fn(t)
	if t.err != nil {
		return t.err
	}
	return err
}

func (e *etcdEngine) update(fn func(wtx) error) error {
	if <-e.limitsChecked; e.limitsErr != nil {
		return e.limitsErr
	}
	t, err := e.begin(true)
	if err != nil {
		return err
	}
	if t.headRev != e.known.Load() {
		return errRaced // memory is behind: catch up first
	}
	err = fn(t)
	if t.err != nil {
		return t.err
	}
	if err != nil {
		return err
	}
	return t.commit()
}

// etcdWrite is one buffered write: a value, or a delete.
type etcdWrite struct {
	value []byte
	del   bool
}

// etcdTx is one transaction on the etcd engine.
type etcdTx struct {
	e        *etcdEngine
	rev      int64 // the snapshot: every read is at this revision
	headRev  int64 // the head's ModRevision at the snapshot (0: none yet)
	head     etcdHead
	headSet  bool // the transaction changed the head
	writable bool
	writes   map[string]etcdWrite // by full key
	buckets  map[string]bool      // known to exist or not
	packs    []*pack              // packs read by gets, the last packsKept
	err      error                // the first read that failed
	sent     time.Time            // when the head was asked for: the snapshot is at least that new
}

func (t *etcdTx) fail(what string, err error) {
	if t.writable {
		what = "a change set's read"
	}
	if t.err == nil {
		t.err = t.e.etcdError(what, err)
	}
}

func (t *etcdTx) get(bucket, key []byte) []byte {
	if isHead(bucket, key) {
		return t.head.Audit
	}
	k := t.e.dataKey(bucket, key)
	if w, ok := t.writes[k]; ok {
		if w.del {
			return nil
		}
		return w.value
	}
	if t.err != nil {
		return nil
	}
	if isPacked(bucket) {
		return t.getPacked(bucket, key)
	}
	ctx, cancel := t.e.ctx()
	defer cancel()
	resp, err := t.e.cli.Get(ctx, k, clientv3.WithRev(t.rev))
	if err != nil {
		t.fail("a read", err)
		return nil
	}
	if len(resp.Kvs) == 0 {
		return nil
	}
	if v := resp.Kvs[0].Value; v != nil {
		return v
	}
	return []byte{} // a key with an empty value is there
}

func (t *etcdTx) hasBucket(bucket []byte) bool {
	if ok, known := t.buckets[string(bucket)]; known {
		return ok
	}
	if t.err != nil {
		return false
	}
	ctx, cancel := t.e.ctx()
	defer cancel()
	resp, err := t.e.cli.Get(ctx, t.e.markerKey(bucket), clientv3.WithRev(t.rev), clientv3.WithCountOnly())
	if err != nil {
		t.fail("a read", err)
		return false
	}
	ok := resp.Count > 0
	t.buckets[string(bucket)] = ok
	return ok
}

func (t *etcdTx) sequence(bucket []byte) uint64 { return t.head.IDs[string(bucket)] }

// scanPage is how many keys one range read asks for: a few at first (a
// prefix scan often wants one or two), more as the scan goes on.
const (
	scanFirstPage = 64
	scanMaxPage   = 4096
)

func (t *etcdTx) scan(bucket, from []byte, reverse bool, fn func(k, v []byte) error) error {
	if t.err != nil {
		return t.err
	}
	start, end := t.e.bucketStart(bucket), t.e.bucketEnd(bucket)
	if from != nil {
		if reverse {
			end = t.e.dataKey(bucket, from) + "\x00" // from itself is in
		} else {
			start = t.e.dataKey(bucket, from)
		}
	}
	pending := t.pendingIn(start, end, reverse)
	strip := len(t.e.bucketStart(bucket))
	emit := func(k string, v []byte) error { return fn([]byte(k[strip:]), v) }
	// before says whether a comes first in the scan's order
	before := func(a, b string) bool {
		if reverse {
			return a > b
		}
		return a < b
	}
	// stored is each stored key, in the scan's order, with the
	// transaction's own writes merged in
	stored := func(k string, v []byte) error {
		for len(pending) > 0 && before(pending[0].key, k) {
			if !pending[0].del {
				if err := emit(pending[0].key, pending[0].value); err != nil {
					return err
				}
			}
			pending = pending[1:]
		}
		if len(pending) > 0 && pending[0].key == k {
			w := pending[0]
			pending = pending[1:]
			if w.del {
				return nil
			}
			v = w.value
		}
		if v == nil {
			v = []byte{}
		}
		return emit(k, v)
	}
	var err error
	if isPacked(bucket) {
		err = t.scanPacks(bucket, from, reverse, stored)
	} else {
		err = t.scanKeys(start, end, reverse, stored)
	}
	if t.err != nil {
		return t.err
	}
	if err != nil {
		return stopped(err)
	}
	for _, w := range pending {
		if !w.del {
			if err := emit(w.key, w.value); err != nil {
				return stopped(err)
			}
		}
	}
	return nil
}

// scanKeys gives each stored key in [start, end) to yield, in the scan's
// order, a page of keys at a time.
func (t *etcdTx) scanKeys(start, end string, reverse bool, yield func(k string, v []byte) error) error {
	page := int64(scanFirstPage)
	for {
		opts := []clientv3.OpOption{clientv3.WithRange(end), clientv3.WithRev(t.rev), clientv3.WithLimit(page)}
		if reverse {
			opts = append(opts, clientv3.WithSort(clientv3.SortByKey, clientv3.SortDescend))
		}
		ctx, cancel := t.e.ctx()
		resp, err := t.e.cli.Get(ctx, start, opts...)
		cancel()
		if err != nil {
			t.fail("a read", err)
			return t.err
		}
		for _, kv := range resp.Kvs {
			if err := yield(string(kv.Key), kv.Value); err != nil {
				return err
			}
		}
		if !resp.More || len(resp.Kvs) == 0 {
			return nil
		}
		last := string(resp.Kvs[len(resp.Kvs)-1].Key)
		if reverse {
			end = last
		} else {
			start = last + "\x00"
		}
		page = min(page*4, scanMaxPage)
	}
}

// stopped is a scan's result when fn ended it.
func stopped(err error) error {
	if err == errStop {
		return nil
	}
	return err
}

type pendingWrite struct {
	key   string
	value []byte
	del   bool
}

// pendingIn is the transaction's own writes in [start, end), in the scan's
// order.
func (t *etcdTx) pendingIn(start, end string, reverse bool) []pendingWrite {
	var out []pendingWrite
	for k, w := range t.writes {
		if k >= start && k < end {
			out = append(out, pendingWrite{k, w.value, w.del})
		}
	}
	slices.SortFunc(out, func(a, b pendingWrite) int {
		if reverse {
			return strings.Compare(b.key, a.key)
		}
		return strings.Compare(a.key, b.key)
	})
	return out
}

func (t *etcdTx) put(bucket, key, value []byte) error {
	if !t.writable {
		return errors.New("a write in a read-only transaction")
	}
	if isHead(bucket, key) {
		t.head.Audit, t.headSet = value, true
		return nil
	}
	if err := packedKey(bucket, key); err != nil {
		return err
	}
	if value == nil {
		value = []byte{}
	}
	t.writes[t.e.dataKey(bucket, key)] = etcdWrite{value: value}
	return nil
}

func (t *etcdTx) del(bucket, key []byte) error {
	if !t.writable {
		return errors.New("a write in a read-only transaction")
	}
	if isHead(bucket, key) {
		t.head.Audit, t.headSet = nil, true
		return nil
	}
	if err := packedKey(bucket, key); err != nil {
		return err
	}
	t.writes[t.e.dataKey(bucket, key)] = etcdWrite{del: true}
	return nil
}

func (t *etcdTx) nextID(bucket []byte) (uint64, error) {
	if !t.writable {
		return 0, errors.New("a write in a read-only transaction")
	}
	id := t.head.IDs[string(bucket)] + 1
	t.head.IDs[string(bucket)] = id
	if bytes.Equal(bucket, bucketBatches) {
		t.head.Batch = id
	}
	t.headSet = true
	return id, nil
}

func (t *etcdTx) createBucket(bucket []byte) error {
	if !t.writable {
		return errors.New("a write in a read-only transaction")
	}
	if t.hasBucket(bucket) {
		return nil
	}
	t.writes[t.e.markerKey(bucket)] = etcdWrite{value: []byte{}}
	t.buckets[string(bucket)] = true
	return nil
}

// commit writes what the transaction buffered as one Txn guarded by the
// head, the head last. Nothing buffered: nothing to commit.
func (t *etcdTx) commit() error {
	if len(t.writes) == 0 && !t.headSet {
		return nil
	}
	writes, err := t.ops()
	if err != nil {
		return err
	}
	token := newCommitToken()
	t.head.Commit = token
	head, err := json.Marshal(t.head)
	if err != nil {
		return err
	}
	size, err := t.fits(writes, head)
	if err != nil {
		return err
	}
	t.e.sentOps.Store(int64(len(writes) + 1))
	t.e.sentBytes.Store(int64(size))
	ops := make([]clientv3.Op, 0, len(writes)+1)
	for _, w := range writes {
		if w.del {
			ops = append(ops, clientv3.OpDelete(w.key))
		} else {
			ops = append(ops, clientv3.OpPut(w.key, string(w.value)))
		}
	}
	ops = append(ops, clientv3.OpPut(t.e.headKey, string(head)))
	ctx, cancel := t.e.commitCtx() // the Txn and its settle
	defer cancel()
	sent := time.Now()
	send := func() (*clientv3.TxnResponse, error) {
		return sendTxn(ctx, func(ctx context.Context) (*clientv3.TxnResponse, error) {
			return t.e.cli.Txn(ctx).
				If(clientv3.Compare(clientv3.ModRevision(t.e.headKey), "=", t.headRev)).
				Then(ops...).
				Commit()
		})
	}
	t.e.mine.add(token)
	landed := false
	defer func() {
		if !landed {
			t.e.mine.take(token)
		}
	}()
	var resp *clientv3.TxnResponse
	if t.e.commitHook != nil {
		resp, err = t.e.commitHook(send)
	} else {
		resp, err = send()
	}
	switch {
	case err == nil && resp.Succeeded:
		landed = true
		t.e.applied(resp.Header.Revision) // the head's, put in this Txn
		t.e.health.answered()
		t.e.health.current(sent) // nothing came between the snapshot memory holds and this commit
		return nil
	case err == nil:
		return errRaced
	case errors.Is(err, rpctypes.ErrTooManyOps):
		return t.tooBig(fmt.Sprintf("%d operations in one etcd transaction, more than the cluster allows", len(ops)), "--max-txn-ops")
	case errors.Is(err, rpctypes.ErrRequestTooLarge):
		return t.tooBig("a request larger than the cluster allows", "--max-request-bytes")
	case errors.Is(err, rpctypes.ErrNoLeader):
		return t.e.refuseNoQuorum(err, outcomeNotWritten) // refused unread: nothing to settle
	}
	// the outcome is unknown (a deadline, a lost connection): settle it
	rev, serr := t.e.settle(ctx, token, t.headRev)
	switch {
	case serr != nil && (noQuorum(err) || noQuorum(serr)):
		// not known: should it have landed, the watch brings it as
		// another node's commit (its token is no longer this engine's)
		if !noQuorum(err) {
			err = serr
		}
		return t.e.refuseNoQuorum(err, outcomeUnknown)
	case serr != nil:
		return fmt.Errorf("%w; whether it was written is not known until the store answers again (%v)", t.e.etcdError("a commit", err), serr)
	case rev != 0:
		landed = true
		t.e.applied(rev) // it landed
		return nil
	}
	if noQuorum(err) {
		return t.e.refuseNoQuorum(err, outcomeNotWritten)
	}
	return fmt.Errorf("%w; nothing was written", t.e.etcdError("a commit", err))
}

// ops is the Txn's writes, the head aside: the buckets' keys in key order,
// then, for each packed bucket written, its packs' deletes and puts (which
// moves the bucket's last key in the head).
func (t *etcdTx) ops() ([]etcdOp, error) {
	keys := make([]string, 0, len(t.writes))
	for k := range t.writes {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	out := make([]etcdOp, 0, len(keys))
	packed := map[string][]pendingWrite{}
	var buckets []string
	for _, k := range keys {
		w := t.writes[k]
		if bucket, ok := t.e.packedBucketOf(k); ok {
			if packed[bucket] == nil {
				buckets = append(buckets, bucket)
			}
			packed[bucket] = append(packed[bucket], pendingWrite{k, w.value, w.del})
			continue
		}
		out = append(out, etcdOp{key: k, value: w.value, del: w.del})
	}
	for _, bucket := range buckets {
		writes := packed[bucket]
		dels, puts, err := t.packOps([]byte(bucket), writes)
		if err != nil {
			return nil, err
		}
		out = append(append(out, dels...), puts...)
		strip := len(t.e.bucketStart([]byte(bucket)))
		for _, w := range writes {
			if seq := btoi([]byte(w.key[strip:])); !w.del && seq > t.head.Last[bucket] {
				t.head.Last[bucket] = seq
			}
		}
	}
	return out, nil
}

// packedBucketOf is the packed bucket a data key is in, if it is in one.
func (e *etcdEngine) packedBucketOf(k string) (string, bool) {
	rest := k[len(e.prefix)+len("d/"):]
	bucket, _, ok := strings.Cut(rest, "\x00")
	return bucket, ok && isPacked([]byte(bucket))
}

// packedKey refuses a key a packed bucket cannot hold.
func packedKey(bucket, key []byte) error {
	if isPacked(bucket) && len(key) != 8 {
		return fmt.Errorf("the %s bucket's keys are 8-byte sequence numbers, not %x", bucket, key)
	}
	return nil
}

// settle finds out whether the commit named token, guarded by the head at
// headRev, landed, when its answer was lost: the first head written after
// headRev is the one commit that won the compare. Until the head moves the
// commit may still be on its way, so a fence (the head put again, under the
// same compare) takes its place: once the fence is in, the commit can never
// land. It returns the head's ModRevision of the landed commit, or 0 when
// it did not land.
func (e *etcdEngine) settle(ctx context.Context, token string, headRev int64) (int64, error) {
	resp, err := e.cli.Get(ctx, e.headKey)
	if err != nil {
		return 0, err
	}
	if len(resp.Kvs) == 1 && resp.Kvs[0].ModRevision == headRev || len(resp.Kvs) == 0 && headRev == 0 {
		var value []byte
		if len(resp.Kvs) == 1 {
			value = resp.Kvs[0].Value
		} else {
			value, _ = json.Marshal(etcdHead{})
		}
		fence, err := e.cli.Txn(ctx).
			If(clientv3.Compare(clientv3.ModRevision(e.headKey), "=", headRev)).
			Then(clientv3.OpPut(e.headKey, string(value))).
			Commit()
		if err != nil {
			return 0, err
		}
		if fence.Succeeded {
			return 0, nil // fenced out: it never lands
		}
	}
	// the head moved since headRev: its first version after headRev won
	wctx, wcancel := context.WithCancel(ctx)
	defer wcancel()
	for w := range e.cli.Watch(wctx, e.headKey, clientv3.WithRev(headRev+1)) {
		if err := w.Err(); err != nil {
			return 0, err
		}
		for _, ev := range w.Events {
			var h etcdHead
			if err := json.Unmarshal(ev.Kv.Value, &h); err != nil {
				return 0, err
			}
			if h.Commit == token {
				return ev.Kv.ModRevision, nil
			}
			return 0, nil
		}
	}
	return 0, ctx.Err()
}

// fits refuses a commit that the cluster's limits would refuse, before
// anything is written: the number of operations in one Txn, and the size
// of the request, which it returns.
func (t *etcdTx) fits(writes []etcdOp, head []byte) (int, error) {
	lim := t.e.limits
	if n := len(writes) + 1; n > lim.MaxTxnOps {
		return 0, t.tooBig(fmt.Sprintf("%d writes in one etcd transaction, over the limit of %d", n, lim.MaxTxnOps), "--max-txn-ops")
	}
	size := etcdTxnSize(t.e.headKey, writes, head)
	if size+etcdRequestSlack > lim.MaxRequestBytes {
		return 0, t.tooBig(fmt.Sprintf("a request of %d bytes, over the limit of %d", size+etcdRequestSlack, lim.MaxRequestBytes), "--max-request-bytes")
	}
	return size, nil
}

// tooBig is the one line that refuses a change set the cluster cannot take
// in one transaction.
func (t *etcdTx) tooBig(what, flag string) error {
	return refused("this change is too big for one etcd transaction: %s; raise %s on every etcd member (and in gatehouse's etcd settings), or split the change into smaller ones", what, flag)
}

// etcdTxnSize is the size of the Txn request's protobuf encoding: the
// compare, each put or delete, and the head.
func etcdTxnSize(headKey string, writes []etcdOp, head []byte) int {
	field := func(n int) int { return 1 + uvarintLen(uint64(n)) + n } // a tag, a length, the bytes
	size := field(1 + 1 + field(len(headKey)) + 1 + 10)               // the compare: result, target, key, revision
	op := func(k string, v []byte, del bool) int {
		inner := field(len(k))
		if !del && len(v) > 0 {
			inner += field(len(v))
		}
		return field(field(inner)) // RequestOp{request_put|request_delete_range{...}}
	}
	for _, w := range writes {
		size += op(w.key, w.value, w.del)
	}
	size += op(headKey, head, false)
	return size
}

func uvarintLen(v uint64) int {
	n := 1
	for v >= 0x80 {
		v >>= 7
		n++
	}
	return n
}

func newCommitToken() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
