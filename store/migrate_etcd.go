//go:build etcd

package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// Migrating into etcd (migrate.go). Beside the store's layout
// (engine_etcd.go) a migrate under way keeps one key:
//
//	P migrating   who is copying what since when, and the copy's token
//
// It is put first, into an empty prefix; every transaction of the copy is
// guarded by it (a second migrate that clears the prefix stops the first);
// the last one writes the buckets' markers and the head, and deletes it.
// While it is there OpenEtcd refuses the prefix.

func (e *etcdEngine) migratingKey() string { return e.prefix + "migrating" }

// etcdMigrating is the migrating key's value.
type etcdMigrating struct {
	From    string    `json:"from"`
	Started time.Time `json:"started"`
	Token   string    `json:"token"`
}

// refuseUnfinished refuses a prefix that holds keys but no head: what a
// migrate cut short left (the next migrate clears it), or something that
// is not a gatehouse store. Opened as new, either would be seeded over.
func (e *etcdEngine) refuseUnfinished() error {
	ctx, cancel := e.ctx()
	defer cancel()
	resp, err := e.cli.Txn(ctx).Then(
		clientv3.OpGet(e.headKey, clientv3.WithCountOnly()),
		clientv3.OpGet(e.migratingKey()),
		clientv3.OpGet(e.prefix, clientv3.WithPrefix(), clientv3.WithCountOnly()),
	).Commit()
	if err != nil {
		return e.etcdError("a read", err)
	}
	head, migrating, all := resp.Responses[0].GetResponseRange(), resp.Responses[1].GetResponseRange(), resp.Responses[2].GetResponseRange()
	switch {
	case head.Count > 0 || all.Count == 0:
		return nil
	case len(migrating.Kvs) > 0:
		var m etcdMigrating
		_ = json.Unmarshal(migrating.Kvs[0].Value, &m)
		return refused("etcd prefix %s holds a migrate from %s that did not finish (started %s): run that migrate again (it starts over), or delete the prefix (etcdctl del --prefix %s)",
			e.prefix, m.From, m.Started.UTC().Format(time.RFC3339), e.prefix)
	}
	return refused("etcd prefix %s holds %d keys but no gatehouse store (it has no head key): give the prefix of a gatehouse store, or an empty one", e.prefix, all.Count)
}

// etcdLoader copies a store into an etcd prefix that holds none.
type etcdLoader struct {
	e       *etcdEngine
	cfg     EtcdConfig
	marker  string // this migrate's migrating key, as stored
	cleared bool   // an unfinished migrate's keys were cleared first
}

func newEtcdLoader(cfg EtcdConfig, from string) (loader, error) {
	e, err := openEtcd(cfg)
	if err != nil {
		return nil, err
	}
	m, _ := json.Marshal(etcdMigrating{From: from, Started: time.Now().UTC().Truncate(time.Second), Token: newCommitToken()})
	return &etcdLoader{e: e, cfg: cfg, marker: string(m)}, nil
}

func (l *etcdLoader) where() string   { return l.e.where() }
func (l *etcdLoader) engine() engine  { return l.e }
func (l *etcdLoader) restarted() bool { return l.cleared }
func (l *etcdLoader) close()          { l.e.close() }

func (l *etcdLoader) open() (*Store, error) { return OpenEtcd(l.cfg, Options{}) }

// owns is the compare that guards every transaction of the copy: the
// migrating key is still this migrate's.
func (l *etcdLoader) owns() clientv3.Cmp {
	return clientv3.Compare(clientv3.Value(l.e.migratingKey()), "=", l.marker)
}

// load claims the prefix, copies src in transactions that fit the
// cluster's limits, and writes the buckets' markers and the head last.
func (l *etcdLoader) load(src rtx) (int, error) {
	if err := l.fits(src); err != nil {
		return 0, err
	}
	if err := l.claim(); err != nil {
		return 0, err
	}
	lim := l.e.limits
	budget := lim.MaxRequestBytes - etcdRequestSlack - etcdOpSize(l.e.migratingKey(), []byte(l.marker)) // the compare
	var ops []clientv3.Op
	size, n := 0, 0
	flush := func() error {
		if len(ops) == 0 {
			return nil
		}
		err := l.commit(ops...)
		ops, size = ops[:0], 0
		return err
	}
	put := func(key string, v []byte) error {
		op := etcdOpSize(key, v)
		if len(ops)+1 > lim.MaxTxnOps || size+op > budget {
			if err := flush(); err != nil {
				return err
			}
		}
		ops = append(ops, clientv3.OpPut(key, string(v)))
		size += op
		return nil
	}
	// a packed bucket (the audit log) goes in packs, as the engine keeps
	// it (engine_etcd_pack.go): entries gathered until a pack is full
	last := map[string]uint64{}
	var packBucket []byte
	var pending []packEntry
	pendingSize := 0
	putPacks := func() error {
		for _, op := range l.e.packsOf(packBucket, pending) {
			if err := put(op.key, op.value); err != nil {
				return err
			}
		}
		pending, pendingSize = nil, 0
		return nil
	}
	err := eachRecord(src, func(bucket, k, v []byte) error {
		n++
		if !isPacked(bucket) {
			return put(l.e.dataKey(bucket, k), v)
		}
		if packBucket != nil && !bytes.Equal(packBucket, bucket) {
			if err := putPacks(); err != nil {
				return err
			}
		}
		packBucket = bucket
		en := packEntry{bytes.Clone(k), bytes.Clone(v)}
		if pendingSize+entrySize(en) > packMaxRaw && len(pending) > 0 {
			if err := putPacks(); err != nil {
				return err
			}
		}
		pending = append(pending, en)
		pendingSize += entrySize(en)
		last[string(bucket)] = btoi(k)
		return nil
	})
	if err == nil && len(pending) > 0 {
		err = putPacks()
	}
	if err == nil {
		err = flush()
	}
	if err != nil {
		return 0, err
	}
	// last: what makes the prefix a store, and the migrating key's end
	head := etcdHead{Audit: bytes.Clone(src.get(bucketMeta, keyAuditHead)), IDs: map[string]uint64{}, Commit: newCommitToken(), Last: last}
	for _, b := range allBuckets {
		if id := src.sequence(b); id > 0 {
			head.IDs[string(b)] = id
		}
	}
	head.Batch = head.IDs[string(bucketBatches)]
	hv, err := json.Marshal(head)
	if err != nil {
		return 0, err
	}
	final := make([]clientv3.Op, 0, len(allBuckets)+2)
	for _, b := range allBuckets {
		final = append(final, clientv3.OpPut(l.e.markerKey(b), ""))
	}
	final = append(final, clientv3.OpPut(l.e.headKey, string(hv)), clientv3.OpDelete(l.e.migratingKey()))
	return n, l.commit(final...)
}

// fits refuses, before anything is written, a copy the cluster's limits
// cannot take: a record too big for one request, or limits too small for
// the last transaction.
func (l *etcdLoader) fits(src rtx) error {
	lim := l.e.limits
	if need := len(allBuckets) + 2; lim.MaxTxnOps < need {
		return refused("the etcd limit of %d operations per transaction is below the %d a migrate's last transaction needs: raise --max-txn-ops on every etcd member (and in gatehouse's etcd settings)", lim.MaxTxnOps, need)
	}
	budget := lim.MaxRequestBytes - etcdRequestSlack - etcdOpSize(l.e.migratingKey(), []byte(l.marker))
	return eachRecord(src, func(bucket, k, v []byte) error {
		if op := etcdOpSize(l.e.dataKey(bucket, k), v); op > budget {
			return refused("record %s of %s is %d bytes, more than one etcd request may carry (%d): raise --max-request-bytes on every etcd member (and in gatehouse's etcd settings)", safeKey(k), bucket, op, budget)
		}
		return nil
	})
}

// claim puts this migrate's migrating key into an empty prefix, or into
// one that holds only what an unfinished migrate wrote, which it clears.
func (l *etcdLoader) claim() error {
	e := l.e
	ctx, cancel := e.ctx()
	defer cancel()
	resp, err := e.cli.Txn(ctx).Then(
		clientv3.OpGet(e.headKey, clientv3.WithCountOnly()),
		clientv3.OpGet(e.migratingKey()),
		clientv3.OpGet(e.prefix, clientv3.WithPrefix(), clientv3.WithCountOnly()),
	).Commit()
	if err != nil {
		return e.etcdError("a read", err)
	}
	head, migrating, all := resp.Responses[0].GetResponseRange(), resp.Responses[1].GetResponseRange(), resp.Responses[2].GetResponseRange()
	var claim *clientv3.TxnResponse
	switch {
	case head.Count > 0:
		return refused("etcd prefix %s holds a gatehouse store already; migrate never writes over one: choose another prefix, or delete this one (etcdctl del --prefix %s)", e.prefix, e.prefix)
	case len(migrating.Kvs) > 0:
		// an unfinished migrate: cleared, unless it moves on meanwhile
		// (then it is running, and this one stops)
		kv := migrating.Kvs[0]
		claim, err = e.cli.Txn(ctx).
			If(clientv3.Compare(clientv3.ModRevision(e.migratingKey()), "=", kv.ModRevision),
				clientv3.Compare(clientv3.CreateRevision(e.headKey), "=", 0)).
			Then( // all but the migrating key, which is put over (a Txn may not put a key it deletes)
				clientv3.OpDelete(e.prefix, clientv3.WithRange(e.migratingKey())),
				clientv3.OpDelete(e.migratingKey()+"\x00", clientv3.WithRange(clientv3.GetPrefixRangeEnd(e.prefix))),
				clientv3.OpPut(e.migratingKey(), l.marker)).
			Commit()
		l.cleared = true
	case all.Count > 0:
		return refused("etcd prefix %s holds %d keys that are not a gatehouse store; migrate writes only into an empty prefix: choose another one", e.prefix, all.Count)
	default:
		claim, err = e.cli.Txn(ctx).
			If(clientv3.Compare(clientv3.CreateRevision(e.prefix), "=", 0).WithPrefix()).
			Then(clientv3.OpPut(e.migratingKey(), l.marker)).
			Commit()
	}
	if err != nil {
		return e.etcdError("a write", err)
	}
	if !claim.Succeeded {
		return refused("etcd prefix %s changed while the migrate began (another migrate, or a gatehouse opening it): nothing was copied; run the migrate again once nothing else writes there", e.prefix)
	}
	return nil
}

// commit writes ops under this migrate's migrating key.
func (l *etcdLoader) commit(ops ...clientv3.Op) error {
	ctx, cancel := l.e.ctx()
	defer cancel()
	resp, err := l.e.cli.Txn(ctx).If(l.owns()).Then(ops...).Commit()
	if err != nil {
		return fmt.Errorf("%w; the copy is not finished: run the migrate again (it starts over)", l.e.etcdError("a write", err))
	}
	if !resp.Succeeded {
		return refused("another migrate into etcd prefix %s began meanwhile: this one stopped, and what it wrote is that one's to clear", l.e.prefix)
	}
	return nil
}

// etcdOpSize is the size of one put in a Txn request (as etcdTxnSize
// counts it).
func etcdOpSize(key string, value []byte) int {
	field := func(n int) int { return 1 + uvarintLen(uint64(n)) + n }
	inner := field(len(key))
	if len(value) > 0 {
		inner += field(len(value))
	}
	return field(field(inner))
}

// safeKey is a record's key for a message: an id as a number.
func safeKey(k []byte) string {
	if len(k) == 8 {
		return fmt.Sprint(btoi(k))
	}
	return fmt.Sprintf("%q", k)
}
