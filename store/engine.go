package store

import (
	"bytes"
	"encoding/json"
	"errors"
)

// The engine seam: what the store needs from where it keeps its bytes. The
// rules, Tx, change sets, the audit chain, events and the in-memory indexes
// sit above it once; below it sit the bbolt engine (engine_bolt.go, the
// default: one file) and the etcd engine (engine_etcd.go: several nodes).
//
// The model is bbolt's: named buckets of ordered keys, read-only and
// read-write transactions scoped to a function, and ids per bucket. An
// engine over a flat key space keeps a bucket as a key prefix; one whose
// writes go over the network buffers a read-write transaction's writes and
// commits them at once when its function returns.
type engine interface {
	// view runs fn in a read-only transaction: every read in it sees one
	// snapshot.
	view(fn func(rtx) error) error
	// update runs fn in a read-write transaction: its reads see one
	// snapshot and its own writes; its writes are committed together when
	// fn returns nil, and none of them when fn errs. An engine that cannot
	// hold a lock across nodes returns errRaced when another writer
	// committed since the snapshot: nothing was written, and fn may be run
	// again once the caller's own state has caught up.
	update(fn func(wtx) error) error
	close() error
}

// rtx reads one snapshot. Bytes it returns are valid until the transaction
// ends: copy what is kept. Reads never fail one by one: an engine whose
// reads can fail (over a network) returns nil, and its transaction returns
// the first such failure in place of fn's own result (and writes nothing).
type rtx interface {
	// get is the value of key in bucket; nil when there is none, or no
	// such bucket.
	get(bucket, key []byte) []byte
	// hasBucket says whether the bucket was created.
	hasBucket(bucket []byte) bool
	// scan calls fn for each key of bucket in key order from the first
	// key at or after from (nil: the first), or, reverse, in reverse order
	// from the last key at or before from (nil: the last). fn returning
	// errStop ends the scan with no error; any other error ends it with
	// that error. A missing bucket has no keys.
	scan(bucket, from []byte, reverse bool, fn func(k, v []byte) error) error
	// sequence is the last id nextID gave for bucket (0: none yet).
	sequence(bucket []byte) uint64
}

// wtx is a read-write transaction.
type wtx interface {
	rtx
	// put sets key in bucket; the engine may keep value until commit, so
	// the caller does not change it afterwards.
	put(bucket, key, value []byte) error
	// del removes key from bucket (nothing when it is not there).
	del(bucket, key []byte) error
	// nextID is the next id of bucket: one more than the last it gave,
	// and given back when the transaction does not commit.
	nextID(bucket []byte) (uint64, error)
	// createBucket creates bucket unless it exists.
	createBucket(bucket []byte) error
}

// errRaced says another writer committed after the transaction's snapshot
// was read: nothing was written (engine.update).
var errRaced = errors.New("another change was committed first")

// errStop ends a scan early without an error.
var errStop = errors.New("stop")

// writeJSON stores v as JSON at key in bucket.
func writeJSON(w wtx, bucket, key []byte, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return w.put(bucket, key, data)
}

// scanPrefix calls fn for each key of bucket that starts with prefix, in
// key order.
func scanPrefix(r rtx, bucket, prefix []byte, fn func(k, v []byte) error) error {
	return r.scan(bucket, prefix, false, func(k, v []byte) error {
		if !bytes.HasPrefix(k, prefix) {
			return errStop
		}
		return fn(k, v)
	})
}

// lastKey is the last key of bucket (nil: none), copied.
func lastKey(r rtx, bucket []byte) []byte {
	var last []byte
	_ = r.scan(bucket, nil, true, func(k, _ []byte) error {
		last = bytes.Clone(k)
		return errStop
	})
	return last
}

// count is how many keys bucket holds.
func count(r rtx, bucket []byte) (int, error) {
	n := 0
	err := r.scan(bucket, nil, false, func(_, _ []byte) error { n++; return nil })
	return n, err
}
