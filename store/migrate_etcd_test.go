//go:build etcd

package store

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// etcdRevision is the test member's current revision: one more for each
// transaction that wrote.
func etcdRevision(t *testing.T) int64 {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	resp, err := testEtcdClient(t).Get(ctx, "no such key")
	if err != nil {
		t.Fatal(err)
	}
	return resp.Header.Revision
}

// A bbolt store copied into etcd and back holds every record as stored at
// each step: the same users, profiles and audit log, an audit chain that
// verifies with the same head, the same bytes. Into etcd the copy goes in
// transactions within the cluster's limits (etcd's defaults here).
func TestMigrateRoundTripThroughEtcd(t *testing.T) {
	f := migrateFixture(t)
	cfg := etcdConfig(t)
	cfg.MaxTxnOps, cfg.MaxRequestBytes = 128, 1536<<10 // etcd's defaults
	before := etcdRevision(t)
	in, err := f.s.MigrateToEtcd(cfg)
	if err != nil {
		t.Fatal(err)
	}
	// the audit entries go in packs: the other records one key each
	if keyed, txns := in.Records-int(in.Entries), etcdRevision(t)-before; keyed <= 128 || txns < int64(keyed/128)+2 {
		t.Errorf("%d records (%d of them keyed) copied in %d transactions; want more than 128 keyed, in transactions of at most 128", in.Records, keyed, txns)
	}
	if in.Entries != uint64(f.auditLen()) || in.Head == "" || in.Restarted {
		t.Errorf("migrated %+v; want %d audit entries and a head", in, f.auditLen())
	}
	onEtcd, err := OpenEtcd(cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer onEtcd.Close()
	sameStore(t, "bbolt -> etcd", f.s, onEtcd)

	path := filepath.Join(t.TempDir(), "back.db")
	out, err := onEtcd.MigrateToFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if out.Records != in.Records || out.Head != in.Head || out.Entries != in.Entries {
		t.Errorf("back: %+v; into etcd: %+v", out, in)
	}
	back, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer back.Close()
	sameStore(t, "etcd -> bbolt", onEtcd, back)
	sameStore(t, "bbolt -> etcd -> bbolt", f.s, back)

	// the copy is a store like any: it takes change sets on both engines
	for _, s := range []*Store{onEtcd, back} {
		if _, err := s.Apply(f.local, "after", invitedUsers("after", 2)); err != nil {
			t.Fatalf("a change set on the copy: %v", err)
		}
		if r, err := s.VerifyAudit(); err != nil || !r.OK {
			t.Fatalf("the copy's chain after a change set: %+v %v", r, err)
		}
	}
}

// Migrate writes only into a prefix that holds nothing: one holding a
// store, or keys of something else, is refused and left as it was.
func TestMigrateToEtcdRefusesAPrefixInUse(t *testing.T) {
	f := migrateFixture(t)
	store := etcdConfig(t)
	s, err := OpenEtcd(store, Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	other := etcdConfig(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := testEtcdClient(t).Put(ctx, other.Prefix+"something/else", "x"); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		cfg  EtcdConfig
		want []string
	}{
		{store, []string{"holds a gatehouse store already", "never writes over", "etcdctl del --prefix " + store.Prefix}},
		{other, []string{"1 keys that are not a gatehouse store", "empty prefix"}},
	} {
		held := etcdStoredBytes(t, c.cfg.Prefix)
		_, err := f.s.MigrateToEtcd(c.cfg)
		checkErr(t, err, ErrRefused, c.want...)
		if !bytes.Equal(etcdStoredBytes(t, c.cfg.Prefix), held) {
			t.Errorf("prefix %s changed under a refused migrate", c.cfg.Prefix)
		}
	}
	// and a prefix holding something else is never opened as a new store
	_, err = OpenEtcd(other, Options{})
	checkErr(t, err, ErrRefused, "no gatehouse store", "no head key")
}

// A migrate cut short leaves no store: OpenEtcd refuses the prefix with
// one line saying to run the migrate again, which clears it and starts
// over.
func TestMigrateCutShortIsNeverAStore(t *testing.T) {
	f := migrateFixture(t)
	cfg := etcdConfig(t)
	l, err := newEtcdLoader(cfg, f.path)
	if err != nil {
		t.Fatal(err)
	}
	el := l.(*etcdLoader)
	// the migrate claims the prefix and writes its first records, then
	// its process dies
	if err := el.claim(); err != nil {
		t.Fatal(err)
	}
	if err := f.s.db.view(func(tx rtx) error {
		var ops []clientv3.Op
		_ = eachRecord(tx, func(b, k, v []byte) error {
			if len(ops) < 100 {
				ops = append(ops, clientv3.OpPut(el.e.dataKey(b, k), string(v)))
			}
			return nil
		})
		return el.commit(ops...)
	}); err != nil {
		t.Fatal(err)
	}
	l.close()

	_, err = OpenEtcd(cfg, Options{})
	checkErr(t, err, ErrRefused, "holds a migrate from "+f.path+" that did not finish", "run that migrate again", "etcdctl del --prefix")
	if strings.Contains(err.Error(), "\n") {
		t.Errorf("more than one line: %q", err)
	}
	m, err := f.s.MigrateToEtcd(cfg)
	if err != nil {
		t.Fatalf("the migrate again: %v", err)
	}
	if !m.Restarted {
		t.Error("the migrate again did not say it cleared what the first left")
	}
	s, err := OpenEtcd(cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	sameStore(t, "after a restarted migrate", f.s, s)
	if n := strings.Count(string(etcdStoredBytes(t, cfg.Prefix)), cfg.Prefix+"migrating"); n != 0 {
		t.Errorf("the migrating key is still there after the migrate finished")
	}
}

// A record bigger than one etcd request may carry is refused before
// anything is written, with the limit to raise.
func TestMigrateToEtcdRefusesARecordTooBig(t *testing.T) {
	f := migrateFixture(t)
	cfg := etcdConfig(t)
	// the biggest record, alone in a request, is just over the limit
	biggest := 0
	_ = f.s.db.view(func(tx rtx) error {
		return eachRecord(tx, func(b, k, v []byte) error {
			biggest = max(biggest, etcdOpSize(cfg.Prefix+"d/"+string(b)+"\x00"+string(k), v))
			return nil
		})
	})
	cfg.MaxRequestBytes = biggest + etcdRequestSlack + 50 // less than the guard takes
	_, err := f.s.MigrateToEtcd(cfg)
	checkErr(t, err, ErrRefused, "more than one etcd request may carry", "--max-request-bytes")
	if held := etcdStoredBytes(t, cfg.Prefix); len(held) != 0 {
		t.Errorf("a refused migrate wrote %d bytes", len(held))
	}
}
