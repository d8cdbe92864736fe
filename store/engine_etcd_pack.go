//go:build etcd

package store

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"

	"go.etcd.io/etcd/api/v3/mvccpb"
	clientv3 "go.etcd.io/etcd/client/v3"
)

// Packs: the etcd engine keeps the audit log's entries in few etcd keys
// instead of one key per entry, so that a bulk change set (10,000 users:
// 10,000 entries of about 450 bytes) fits one etcd transaction. A pack is
// consecutive keys of the bucket, written by one change set, compressed;
// its etcd key ends with its last key, so the pack holding a key is the
// first pack at or after it (one range read, in etcd's own key order).
// Above the seam nothing changes: get, scan and sequence of the audit
// bucket behave as on bbolt, and any write (not only an append) is taken.
//
// Packs are written once: a change set's entries go into new packs of at
// most packMaxRaw bytes each; only a write below the log's end (which the
// store never makes) rewrites the pack it falls in.

// packMaxRaw bounds a pack's entries before compression: a read of one
// entry (undo, a change set's entries) fetches and inflates one pack.
const packMaxRaw = 128 << 10

// Pack formats: the first byte of a pack's value.
const (
	packRaw     = 1 // the entries as they are
	packDeflate = 2 // the entries, deflated (compress/flate)
)

// isPacked says whether bucket is kept in packs: the audit log, whose keys
// are 8-byte sequence numbers, only ever appended.
func isPacked(bucket []byte) bool { return bytes.Equal(bucket, bucketAudit) }

func (e *etcdEngine) packKey(bucket, key []byte) string {
	return e.prefix + "p/" + string(bucket) + "\x00" + string(key)
}

func (e *etcdEngine) packStart(bucket []byte) string {
	return e.prefix + "p/" + string(bucket) + "\x00"
}
func (e *etcdEngine) packEnd(bucket []byte) string { return e.prefix + "p/" + string(bucket) + "\x01" }

// packEntry is one key of a packed bucket and its value.
type packEntry struct {
	key, value []byte
}

// pack is one decoded pack.
type pack struct {
	etcdKey string
	entries []packEntry // in key order; the last one's key ends etcdKey
}

func (p *pack) first() []byte { return p.entries[0].key }
func (p *pack) last() []byte  { return p.entries[len(p.entries)-1].key }

// find is the value of key in the pack (nil: not there).
func (p *pack) find(key []byte) []byte {
	i, ok := slices.BinarySearchFunc(p.entries, key, func(e packEntry, k []byte) int { return bytes.Compare(e.key, k) })
	if !ok {
		return nil
	}
	return p.entries[i].value
}

var deflaters = sync.Pool{New: func() any {
	w, _ := flate.NewWriter(nil, flate.BestSpeed)
	return w
}}

// encodePack is a pack's value: the entries, deflated when that is smaller.
func encodePack(entries []packEntry) []byte {
	raw := make([]byte, 1, 1+packRawSize(entries))
	raw[0] = packRaw
	for _, e := range entries {
		raw = binary.AppendUvarint(raw, uint64(len(e.key)))
		raw = append(raw, e.key...)
		raw = binary.AppendUvarint(raw, uint64(len(e.value)))
		raw = append(raw, e.value...)
	}
	var out bytes.Buffer
	out.Grow(len(raw)/4 + 64)
	out.WriteByte(packDeflate)
	w := deflaters.Get().(*flate.Writer)
	defer deflaters.Put(w)
	w.Reset(&out)
	if _, err := w.Write(raw[1:]); err != nil || w.Close() != nil || out.Len() >= len(raw) {
		return raw
	}
	return out.Bytes()
}

// packRawSize is what entries take in a pack before compression.
func packRawSize(entries []packEntry) int {
	n := 0
	for _, e := range entries {
		n += entrySize(e)
	}
	return n
}

func entrySize(e packEntry) int {
	return uvarintLen(uint64(len(e.key))) + len(e.key) + uvarintLen(uint64(len(e.value))) + len(e.value)
}

var inflaters = sync.Pool{New: func() any { return flate.NewReader(bytes.NewReader(nil)) }}

// decodePack reads a pack's value.
func decodePack(v []byte) ([]packEntry, error) {
	if len(v) == 0 {
		return nil, errors.New("an empty pack")
	}
	raw := v[1:]
	switch v[0] {
	case packRaw:
	case packDeflate:
		r := inflaters.Get().(io.ReadCloser)
		defer inflaters.Put(r)
		if err := r.(flate.Resetter).Reset(bytes.NewReader(raw), nil); err != nil {
			return nil, err
		}
		var err error
		if raw, err = io.ReadAll(r); err != nil {
			return nil, fmt.Errorf("a pack does not inflate: %v", err)
		}
	default:
		return nil, fmt.Errorf("a pack of unknown format %d", v[0])
	}
	var out []packEntry
	for len(raw) > 0 {
		var e packEntry
		var ok bool
		if e.key, raw, ok = cutField(raw); !ok {
			return nil, errors.New("a pack ends inside an entry")
		}
		if e.value, raw, ok = cutField(raw); !ok {
			return nil, errors.New("a pack ends inside an entry")
		}
		if len(out) > 0 && bytes.Compare(out[len(out)-1].key, e.key) >= 0 {
			return nil, errors.New("a pack's keys are out of order")
		}
		out = append(out, e)
	}
	if len(out) == 0 {
		return nil, errors.New("an empty pack")
	}
	return out, nil
}

// cutField reads one length-prefixed field.
func cutField(b []byte) (field, rest []byte, ok bool) {
	n, w := binary.Uvarint(b)
	if w <= 0 || n > uint64(len(b)-w) {
		return nil, nil, false
	}
	return b[w : w+int(n) : w+int(n)], b[w+int(n):], true
}

// readPack decodes a pack as etcd returned it; its key must name its last
// entry.
func (e *etcdEngine) readPack(bucket []byte, key, value []byte) (*pack, error) {
	entries, err := decodePack(value)
	if err == nil && e.packKey(bucket, entries[len(entries)-1].key) != string(key) {
		err = errors.New("a pack's key does not name its last entry")
	}
	if err != nil {
		return nil, fmt.Errorf("the etcd store's %s is unreadable: %v", key, err)
	}
	return &pack{etcdKey: string(key), entries: entries}, nil
}

// packsKept is how many packs a transaction keeps decoded for its gets
// (a change set's entries read one by one, as undo does).
const packsKept = 8

// packAt is the stored pack holding key, or the first one after it (nil:
// none), read at the snapshot.
func (t *etcdTx) packAt(bucket, key []byte) *pack {
	for _, p := range t.packs {
		if p.etcdKey >= t.e.packKey(bucket, key) && bytes.Compare(p.first(), key) <= 0 {
			return p
		}
	}
	if t.err != nil {
		return nil
	}
	ctx, cancel := t.e.ctx()
	defer cancel()
	resp, err := t.e.cli.Get(ctx, t.e.packKey(bucket, key), clientv3.WithRange(t.e.packEnd(bucket)), clientv3.WithRev(t.rev), clientv3.WithLimit(1))
	if err != nil {
		t.fail("a read", err)
		return nil
	}
	if len(resp.Kvs) == 0 {
		return nil
	}
	p, err := t.e.readPack(bucket, resp.Kvs[0].Key, resp.Kvs[0].Value)
	if err != nil {
		t.err = err
		return nil
	}
	if len(t.packs) == packsKept {
		t.packs = t.packs[1:]
	}
	t.packs = append(t.packs, p)
	return p
}

// getPacked is get on a packed bucket, below the transaction's own writes.
func (t *etcdTx) getPacked(bucket, key []byte) []byte {
	p := t.packAt(bucket, key)
	if p == nil {
		return nil
	}
	return p.find(key)
}

// Pages of a packed scan: packs per forward range read, and sequence
// numbers per backward window.
const (
	packScanFirstPage = 4
	packScanMaxPage   = 64
	packFirstWindow   = 256
	packMaxWindow     = 4096
)

// scanPacks gives each stored key of a packed bucket from from (nil: the
// first, or the last when reverse) to yield, as the data key it stands for.
func (t *etcdTx) scanPacks(bucket, from []byte, reverse bool, yield func(k string, v []byte) error) error {
	base := t.e.bucketStart(bucket)
	each := func(p *pack, fn func(e packEntry) bool) error {
		n := len(p.entries)
		for i := range n {
			e := p.entries[i]
			if reverse {
				e = p.entries[n-1-i]
			}
			if !fn(e) {
				continue
			}
			if err := yield(base+string(e.key), e.value); err != nil {
				return err
			}
		}
		return nil
	}
	if !reverse {
		start := t.e.packStart(bucket)
		if from != nil {
			start = t.e.packKey(bucket, from)
		}
		for page := int64(packScanFirstPage); ; page = min(page*4, packScanMaxPage) {
			kvs, more, err := t.packRange(start, t.e.packEnd(bucket), page)
			if err != nil {
				return err
			}
			for _, kv := range kvs {
				p, err := t.e.readPack(bucket, kv.Key, kv.Value)
				if err != nil {
					t.err = err
					return err
				}
				if err := each(p, func(e packEntry) bool { return from == nil || bytes.Compare(e.key, from) >= 0 }); err != nil {
					return err
				}
			}
			if !more || len(kvs) == 0 {
				return nil
			}
			start = string(kvs[len(kvs)-1].Key) + "\x00"
		}
	}
	// backward: the pack holding from, then windows of sequence numbers
	// below it, each read in etcd's own order (a range sorted the other
	// way is read whole by the server before its limit applies)
	var below uint64 // packs whose last key is below this are left
	switch {
	case from == nil:
		below = t.head.Last[string(bucket)] + 1
	case len(from) != 8:
		return fmt.Errorf("the %s bucket's keys are 8-byte sequence numbers, not %x", bucket, from)
	default:
		below = btoi(from) + 1
		if last := t.head.Last[string(bucket)]; last < below {
			below = last + 1
		} else if p := t.packAt(bucket, from); p != nil {
			if err := each(p, func(e packEntry) bool { return bytes.Compare(e.key, from) <= 0 }); err != nil {
				return err
			}
			below = btoi(p.last())
		}
		if t.err != nil {
			return t.err
		}
	}
	for window := uint64(packFirstWindow); below > 0; window = min(window*4, packMaxWindow) {
		lo := below - min(below, window)
		kvs, _, err := t.packRange(t.e.packKey(bucket, itob(lo)), t.e.packKey(bucket, itob(below)), 0)
		if err != nil {
			return err
		}
		for i := len(kvs) - 1; i >= 0; i-- {
			p, err := t.e.readPack(bucket, kvs[i].Key, kvs[i].Value)
			if err != nil {
				t.err = err
				return err
			}
			if err := each(p, func(packEntry) bool { return true }); err != nil {
				return err
			}
		}
		below = lo
	}
	return nil
}

// packRange reads the packs in [start, end) at the snapshot, at most limit
// (0: all) of them.
func (t *etcdTx) packRange(start, end string, limit int64) (kvs []*mvccpb.KeyValue, more bool, err error) {
	ctx, cancel := t.e.ctx()
	defer cancel()
	resp, err := t.e.cli.Get(ctx, start, clientv3.WithRange(end), clientv3.WithRev(t.rev), clientv3.WithLimit(limit))
	if err != nil {
		t.fail("a read", err)
		return nil, false, t.err
	}
	return resp.Kvs, resp.More, nil
}

// etcdOp is one write of a commit's Txn, as etcd will see it.
type etcdOp struct {
	key   string
	value []byte
	del   bool
}

// packOps turns the transaction's writes to a packed bucket (in key order)
// into the etcd writes that keep its packs: new packs after the stored
// ones for keys past its end, the pack a key falls in rewritten for any
// other. Deletes of packs come first, so a reader applying the Txn's
// writes in order never sees an entry twice.
func (t *etcdTx) packOps(bucket []byte, writes []pendingWrite) (dels, puts []etcdOp, err error) {
	strip := len(t.e.bucketStart(bucket))
	for len(writes) > 0 {
		p := t.packAt(bucket, []byte(writes[0].key[strip:]))
		if t.err != nil {
			return nil, nil, t.err
		}
		if p == nil { // past the stored packs: new ones
			var entries []packEntry
			for _, w := range writes {
				if !w.del {
					entries = append(entries, packEntry{[]byte(w.key[strip:]), w.value})
				}
			}
			puts = append(puts, t.e.packsOf(bucket, entries)...)
			break
		}
		n := 0
		for n < len(writes) && bytes.Compare([]byte(writes[n].key[strip:]), p.last()) <= 0 {
			n++
		}
		merged := slices.Clone(p.entries)
		for _, w := range writes[:n] {
			k := []byte(w.key[strip:])
			i, found := slices.BinarySearchFunc(merged, k, func(e packEntry, k []byte) int { return bytes.Compare(e.key, k) })
			switch {
			case w.del && found:
				merged = slices.Delete(merged, i, i+1)
			case w.del:
			case found:
				merged[i].value = w.value
			default:
				merged = slices.Insert(merged, i, packEntry{k, w.value})
			}
		}
		writes = writes[n:]
		rewritten := t.e.packsOf(bucket, merged)
		if !slices.ContainsFunc(rewritten, func(op etcdOp) bool { return op.key == p.etcdKey }) {
			dels = append(dels, etcdOp{key: p.etcdKey, del: true})
		}
		puts = append(puts, rewritten...)
		// the pack changed: later reads in this transaction do not use it
		t.packs = slices.DeleteFunc(t.packs, func(q *pack) bool { return q == p })
	}
	return dels, puts, nil
}

// packsOf cuts entries (in key order) into packs of at most packMaxRaw
// bytes each (at least one entry), as puts.
func (e *etcdEngine) packsOf(bucket []byte, entries []packEntry) []etcdOp {
	var out []etcdOp
	for len(entries) > 0 {
		n, size := 0, 0
		for n < len(entries) && (n == 0 || size+entrySize(entries[n]) <= packMaxRaw) {
			size += entrySize(entries[n])
			n++
		}
		out = append(out, etcdOp{key: e.packKey(bucket, entries[n-1].key), value: encodePack(entries[:n])})
		entries = entries[n:]
	}
	return out
}

// logical is what one etcd key under the prefix, put with value or
// deleted, stands for in the store's buckets: a bucket's key, a bucket
// created, the audit head (the head key; its ids and commit are the
// engine's own), or each entry of a pack. A deleted pack stands for its
// entries deleted when value is what it held (a watch's previous value),
// for nothing known when value is nil: the store deletes packs only when
// it rewrites them, and then puts their entries again in the same Txn,
// after the delete.
func (e *etcdEngine) logical(key string, value []byte, deleted bool) ([]logicalWrite, error) {
	rest, ok := strings.CutPrefix(key, e.prefix)
	if !ok {
		return nil, fmt.Errorf("%s is not a key of the store under %s", key, e.prefix)
	}
	switch {
	case rest == "head":
		if deleted {
			return nil, fmt.Errorf("the etcd store's head (%s) was deleted", key)
		}
		h, err := decodeHead(value)
		if err != nil {
			return nil, fmt.Errorf("the etcd store's head (%s) is unreadable: %v", key, err)
		}
		return []logicalWrite{{bucket: bucketMeta, key: keyAuditHead, value: h.Audit, deleted: h.Audit == nil}}, nil
	case len(rest) > 2 && rest[:2] == "b/":
		if deleted {
			return nil, fmt.Errorf("the etcd store's bucket marker %s was deleted", key)
		}
		return []logicalWrite{{bucket: []byte(rest[2:])}}, nil
	case len(rest) > 2 && (rest[:2] == "d/" || rest[:2] == "p/"):
		bucket, k, ok := bytes.Cut([]byte(rest[2:]), []byte{0})
		if !ok {
			return nil, fmt.Errorf("%s is not a key of the store under %s", key, e.prefix)
		}
		if rest[:2] == "d/" {
			return []logicalWrite{{bucket: bucket, key: k, value: value, deleted: deleted}}, nil
		}
		if deleted && value == nil {
			return nil, nil
		}
		p, err := e.readPack(bucket, []byte(key), value)
		if err != nil {
			return nil, err
		}
		out := make([]logicalWrite, len(p.entries))
		for i, en := range p.entries {
			out[i] = logicalWrite{bucket: bucket, key: en.key, value: en.value, deleted: deleted}
		}
		return out, nil
	}
	return nil, fmt.Errorf("%s is not a key of the store under %s", key, e.prefix)
}
