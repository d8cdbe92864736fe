//go:build etcd

package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/server/v3/embed"
)

// Bulk change sets on etcd: one Txn within the limits gatehouse documents
// (the EtcdConfig defaults), the audit log in packs.

// bulkOnEtcd is a store on the test member holding demo users, reopened
// with the default limits, and the ids of n of its User employees.
func bulkOnEtcd(t *testing.T, n int) (*Store, EtcdConfig, []uint64) {
	t.Helper()
	big := etcdConfig(t)
	s, err := OpenEtcd(big, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Demo(LocalActor("test"), DemoOptions{Users: 3 * n}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Apply(LocalActor("test"), "site", func(tx *Tx) error { _, err := tx.AddSite("Bulk Site", ""); return err }); err != nil {
		t.Fatal(err)
	}
	s.Close()
	cfg := EtcdConfig{Endpoints: big.Endpoints, Prefix: big.Prefix} // the defaults
	if s, err = OpenEtcd(cfg, Options{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	us, err := s.Users(UserFilter{Profile: "User"})
	if err != nil || len(us) < n {
		t.Fatalf("%d User employees, %v", len(us), err)
	}
	ids := make([]uint64, n)
	for i := range ids {
		ids[i] = us[i].ID
	}
	return s, cfg, ids
}

// assignBulk is one change set giving (or taking) the bulk site to each user.
func assignBulk(ids []uint64, add bool) func(*Tx) error {
	return func(tx *Tx) error {
		for _, id := range ids {
			if err := tx.AssignSites(id, 0, []string{"Bulk Site"}, nil, add); err != nil {
				return err
			}
		}
		return nil
	}
}

// keysAt is how many keys under prefix were last written at rev.
func keysAt(t *testing.T, prefix string, rev int64) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	resp, err := testEtcdClient(t).Get(ctx, prefix, clientv3.WithPrefix(), clientv3.WithKeysOnly())
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, kv := range resp.Kvs {
		if kv.ModRevision == rev {
			n++
		}
	}
	return n
}

// A bulk edit of 2,000 users is one change set on etcd under the default
// limits: one Txn (every key it wrote at one revision, the head's), well
// inside them; its audit entries read back exactly (verify, a user's
// history, the change set's entries), and its undo is one change set too.
func TestEtcdBulkIsOneChangeSet(t *testing.T) {
	const n = 2000
	s, cfg, ids := bulkOnEtcd(t, n)
	e := s.db.(*etcdEngine)
	rec := &recordingEngine{engine: e}
	s.db = rec
	before := headRevision(t, cfg)
	cs, err := s.Apply(LocalActor("test"), "bulk", assignBulk(ids, true))
	if err != nil {
		t.Fatal(err)
	}
	s.db = e
	rev := headRevision(t, cfg)
	ops, size := e.sentOps.Load(), e.sentBytes.Load()
	wereOps, wereBytes := rec.unpacked()
	t.Logf("bulk of %d users: %d operations, %d bytes in one Txn (one key per entry: %d, %d)", n, ops, size, wereOps, wereBytes)
	if got := keysAt(t, cfg.Prefix, rev); rev <= before || int64(got) != ops {
		t.Fatalf("the Txn of %d operations left %d keys at its revision %d (the head was at %d)", ops, got, rev, before)
	}
	// users one key each, the entries in packs: far fewer than one per entry
	if ops > n+n/20 || size > defaultEtcdMaxRequestBytes/2 {
		t.Fatalf("%d operations and %d bytes for %d users", ops, size, n)
	}
	if len(cs.Entries) != n {
		t.Fatalf("%d entries", len(cs.Entries))
	}
	if r, err := s.VerifyAudit(); err != nil || !r.OK {
		t.Fatalf("the chain: %+v %v", r, err)
	}
	got, err := s.AuditLog(AuditFilter{Batch: cs.Batch})
	if err != nil || len(got) != n {
		t.Fatalf("the change set's entries: %d, %v", len(got), err)
	}
	for i := range got {
		if got[i].Seq != cs.Entries[i].Seq || got[i].Hash != cs.Entries[i].Hash || got[i].After != cs.Entries[i].After {
			t.Fatalf("entry %d reads back as %+v, was written as %+v", i, got[i], cs.Entries[i])
		}
	}
	some := userOf(t, s, ids[n/2])
	h, err := s.History(some.Email)
	if err != nil || !slices.ContainsFunc(h, func(e AuditEntry) bool { return e.Batch == cs.Batch && e.Field == "sites" }) {
		t.Fatalf("the history of %s does not list the bulk edit: %v %v", some.Email, h, err)
	}
	undo, err := s.Undo(LocalActor("test"), cs.Batch)
	if err != nil {
		t.Fatal(err)
	}
	if len(undo.Entries) != n || e.sentOps.Load() > int64(n+n/20) {
		t.Fatalf("the undo: %d entries in %d operations", len(undo.Entries), e.sentOps.Load())
	}
	for _, id := range ids {
		if u := userOf(t, s, id); slices.Contains(s.Names().Sites(u.SiteIDs), "Bulk Site") {
			t.Fatalf("%s still holds the site after the undo", u.Email)
		}
	}
	if r, err := s.VerifyAudit(); err != nil || !r.OK {
		t.Fatalf("the chain after the undo: %+v %v", r, err)
	}
}

// A bulk change set whose Txn fails writes none of it; one whose answer is
// lost after it landed is all there.
func TestEtcdBulkIsAllOrNothing(t *testing.T) {
	const n = 2000
	s, cfg, ids := bulkOnEtcd(t, n)
	e := s.db.(*etcdEngine)
	entries, batch := auditCount(t, s), s.LastBatch()
	lost := errors.New("the answer was lost")
	e.commitHook = func(func() (*clientv3.TxnResponse, error)) (*clientv3.TxnResponse, error) { return nil, lost }
	_, err := s.Apply(LocalActor("test"), "bulk", assignBulk(ids, true))
	if err == nil || !strings.Contains(err.Error(), "nothing was written") {
		t.Fatalf("a bulk change set whose Txn never went: %v", err)
	}
	fresh, err := OpenEtcd(cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer fresh.Close()
	for _, st := range []*Store{s, fresh} {
		if auditCount(t, st) != entries || st.LastBatch() != batch {
			t.Fatalf("something was written: %d entries (had %d), batch %d (had %d)", auditCount(t, st), entries, st.LastBatch(), batch)
		}
		for _, id := range ids {
			if u := userOf(t, st, id); slices.Contains(st.Names().Sites(u.SiteIDs), "Bulk Site") {
				t.Fatalf("%s holds the site", u.Email)
			}
		}
	}
	e.commitHook = func(send func() (*clientv3.TxnResponse, error)) (*clientv3.TxnResponse, error) {
		if _, err := send(); err != nil {
			return nil, err
		}
		return nil, lost
	}
	cs, err := s.Apply(LocalActor("test"), "bulk", assignBulk(ids, true))
	if err != nil {
		t.Fatalf("a bulk change set that landed, its answer lost: %v", err)
	}
	e.commitHook = nil
	again, err := OpenEtcd(cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if got := auditCount(t, again); got != entries+n || again.LastBatch() != cs.Batch {
		t.Fatalf("after it landed: %d entries (want %d), batch %d (want %d)", got, entries+n, again.LastBatch(), cs.Batch)
	}
	for _, id := range ids {
		if u := userOf(t, again, id); !slices.Contains(again.Names().Sites(u.SiteIDs), "Bulk Site") {
			t.Fatalf("%s lacks the site", u.Email)
		}
	}
	if r, err := again.VerifyAudit(); err != nil || !r.OK {
		t.Fatalf("the chain: %+v %v", r, err)
	}
}

func userOf(t *testing.T, s *Store, id uint64) *User {
	t.Helper()
	u, err := s.UserByID(id)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func auditCount(t *testing.T, s *Store) int {
	t.Helper()
	r, err := s.VerifyAudit()
	if err != nil {
		t.Fatal(err)
	}
	return int(r.Entries)
}

// The audit bucket in packs reads as on bbolt: the same writes made on
// both engines (appends of one to a few hundred entries, large and small,
// and now and then a rewrite or delete below the end) give the same gets
// and the same scans, forward and backward from anywhere, with and without
// a transaction's own writes pending.
func TestEtcdPackedBucketReadsAsOnBbolt(t *testing.T) {
	bolt, err := openBolt(filepath.Join(t.TempDir(), "ref.db"), boltOpen{noSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer bolt.close()
	cfg := etcdDefaults(etcdConfig(t))
	etcd := newEtcdEngine(testEtcdClient(t), false, cfg)
	engines := []engine{bolt, etcd}
	for _, eng := range engines {
		if err := eng.update(func(w wtx) error { return w.createBucket(bucketAudit) }); err != nil {
			t.Fatal(err)
		}
	}
	rng := rand.New(rand.NewPCG(13, 13))
	var last uint64
	value := func(seq uint64) []byte {
		v := fmt.Appendf(nil, `{"seq":%d,"pad":"%s"}`, seq, strings.Repeat("x", rng.IntN(2000)))
		if rng.IntN(50) == 0 {
			v = bytes.Repeat([]byte{byte(seq)}, 100<<10) // a pack of its own
		}
		return v
	}
	// writes is one round's writes, then reads inside the transaction
	type write struct {
		key, value []byte
		del        bool
	}
	check := func(round int, r rtx, other rtx) {
		t.Helper()
		for _, q := range probesOf(rng, last) {
			a, b := readsOf(r, q), readsOf(other, q)
			if a != b {
				t.Fatalf("round %d, %s: bbolt reads %q\netcd reads %q", round, q, short(a), short(b))
			}
		}
	}
	for round := range 40 {
		var ws []write
		for range 1 + rng.IntN(300) {
			last++
			ws = append(ws, write{key: itob(last), value: value(last)})
		}
		if round%5 == 4 && last > 10 {
			k := itob(1 + rng.Uint64N(last-1))
			ws = append(ws, write{key: k, value: []byte("rewritten")}, write{key: itob(1 + rng.Uint64N(last-1)), del: true})
		}
		// the same writes on both, reads compared inside each transaction
		// (its own writes pending) against the other engine's view after
		var inside [2][]string
		for i, eng := range engines {
			if err := eng.update(func(w wtx) error {
				for _, x := range ws {
					var err error
					if x.del {
						err = w.del(bucketAudit, x.key)
					} else {
						err = w.put(bucketAudit, x.key, x.value)
					}
					if err != nil {
						return err
					}
				}
				for _, q := range probesOf(rand.New(rand.NewPCG(uint64(round), 1)), last) {
					inside[i] = append(inside[i], readsOf(w, q))
				}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
		}
		for j := range inside[0] {
			if inside[0][j] != inside[1][j] {
				t.Fatalf("round %d, inside the transaction, probe %d: bbolt reads %q\netcd reads %q", round, j, short(inside[0][j]), short(inside[1][j]))
			}
		}
		if err := bolt.view(func(a rtx) error {
			return etcd.view(func(b rtx) error { check(round, a, b); return nil })
		}); err != nil {
			t.Fatal(err)
		}
	}
}

// probe is one read: a get, or a scan from a key (nil: the end) one way.
type probe struct {
	get     bool
	from    []byte
	reverse bool
	limit   int
}

func (q probe) String() string {
	return fmt.Sprintf("get %v from %x reverse %v limit %d", q.get, q.from, q.reverse, q.limit)
}

func probesOf(rng *rand.Rand, last uint64) []probe {
	out := []probe{{}, {reverse: true}, {reverse: true, limit: 3}, {from: itob(last), reverse: true}, {from: itob(last + 5), reverse: true, limit: 2}}
	for range 12 {
		k := itob(rng.Uint64N(last + 3))
		out = append(out, probe{get: true, from: k}, probe{from: k, limit: 1 + rng.IntN(600)}, probe{from: k, reverse: true, limit: 1 + rng.IntN(600)})
	}
	return out
}

// readsOf is what a probe reads, as text: the keys and values' sums.
func readsOf(r rtx, q probe) string {
	if q.get {
		v := r.get(bucketAudit, q.from)
		return fmt.Sprintf("%v %x", v == nil, v)
	}
	var b strings.Builder
	n := 0
	err := r.scan(bucketAudit, q.from, q.reverse, func(k, v []byte) error {
		fmt.Fprintf(&b, "%x=%d:%x ", k, len(v), v[:min(len(v), 24)])
		if n++; q.limit > 0 && n >= q.limit {
			return errStop
		}
		return nil
	})
	return fmt.Sprint(b.String(), err)
}

func short(s string) string {
	if len(s) > 400 {
		return s[:400] + "…"
	}
	return s
}

// logical turns what a commit put under the prefix (as a watch sees it, at
// the commit's revision) back into the writes the store made: the same
// buckets, keys and values, packed or not.
func TestEtcdLogicalIsTheStoresWrites(t *testing.T) {
	cfg := etcdConfig(t)
	s, err := OpenEtcd(cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	e := s.db.(*etcdEngine)
	rec := &recordingEngine{engine: e}
	s.db = rec
	cli := testEtcdClient(t)
	for _, c := range []struct {
		name string
		fn   func(*Tx) error
	}{
		{"users added", addUsers("logical", 300)},
		{"one renamed", func(tx *Tx) error {
			u, err := s.User("logical0@example.com")
			if err != nil {
				return err
			}
			_, err = tx.EditUser(u.ID, u.Version, UserPatch{First: ptr("Renamed")})
			return err
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			rec.writes = nil
			from := headRevision(t, cfg)
			if _, err := s.Apply(LocalActor("test"), c.name, c.fn); err != nil {
				t.Fatal(err)
			}
			rev := headRevision(t, cfg)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			w := cli.Watch(ctx, cfg.Prefix, clientv3.WithPrefix(), clientv3.WithRev(from+1))
			seen := map[string]string{}
			for resp := range w {
				for _, ev := range resp.Events {
					if ev.Kv.ModRevision != rev {
						t.Fatalf("a key at revision %d, the commit is %d", ev.Kv.ModRevision, rev)
					}
					ws, err := e.logical(string(ev.Kv.Key), ev.Kv.Value, ev.Type == clientv3.EventTypeDelete)
					if err != nil {
						t.Fatal(err)
					}
					for _, lw := range ws {
						seen[string(lw.bucket)+"/"+string(lw.key)] = lw.String()
					}
				}
				if resp.Header.Revision >= rev {
					break
				}
			}
			if len(seen) != len(rec.writes) || len(seen) == 0 {
				t.Fatalf("the watch stands for %d writes, the store made %d", len(seen), len(rec.writes))
			}
			for k, v := range rec.writes {
				if seen[k] != v.String() {
					t.Fatalf("%q: the store wrote %.80s, logical says %.80s", k, v, seen[k])
				}
			}
		})
	}
}

// recordingEngine keeps what the last committed transaction wrote, by
// bucket and key.
type recordingEngine struct {
	engine
	writes map[string]logicalWrite
}

func (r *recordingEngine) loadedAt(tx rtx) { r.engine.(follower).loadedAt(tx) }

func (r *recordingEngine) update(fn func(wtx) error) error {
	writes := map[string]logicalWrite{}
	err := r.engine.update(func(w wtx) error { return fn(recordingWtx{w, writes}) })
	if err == nil {
		r.writes = writes
	}
	return err
}

type recordingWtx struct {
	wtx
	writes map[string]logicalWrite
}

func (w recordingWtx) put(bucket, key, value []byte) error {
	w.writes[string(bucket)+"/"+string(key)] = logicalWrite{bucket: bucket, key: key, value: value}
	return w.wtx.put(bucket, key, value)
}

func (w recordingWtx) del(bucket, key []byte) error {
	w.writes[string(bucket)+"/"+string(key)] = logicalWrite{bucket: bucket, key: key, deleted: true}
	return w.wtx.del(bucket, key)
}

func (w logicalWrite) String() string { return fmt.Sprintf("%v %q", w.deleted, w.value) }

// unpacked is the Txn the last recorded commit would have been with one
// etcd key per bucket key (the layout before packs): its operations and
// bytes, the head as it is now.
func (r *recordingEngine) unpacked() (ops, size int) {
	e := r.engine.(*etcdEngine)
	var writes []etcdOp
	for _, w := range r.writes {
		if !isHead(w.bucket, w.key) {
			writes = append(writes, etcdOp{key: e.dataKey(w.bucket, w.key), value: w.value, del: w.deleted})
		}
	}
	head := make([]byte, 200) // about what the head key holds
	return len(writes) + 1, etcdTxnSize(e.headKey, writes, head)
}

// A store is not opened on a cluster whose limits are below its own: one
// line says what the cluster allows, what gatehouse needs and the flag to
// start its members with; nothing is written. With the cluster's limits
// given, it opens.
func TestEtcdRefusesAClusterBelowItsLimits(t *testing.T) {
	for _, c := range []struct {
		name  string
		tune  func(*embed.Config)
		wants []string
	}{
		{"etcd's defaults", func(*embed.Config) {}, []string{"allows requests of 1572864 bytes", fmt.Sprintf("needs %d", defaultEtcdMaxRequestBytes), fmt.Sprintf("--max-request-bytes=%d", defaultEtcdMaxRequestBytes)}},
		{"large requests, few operations", func(cfg *embed.Config) { cfg.MaxRequestBytes = defaultEtcdMaxRequestBytes }, []string{"allows 128 operations per transaction", fmt.Sprintf("needs %d", defaultEtcdMaxTxnOps), fmt.Sprintf("--max-txn-ops=%d", defaultEtcdMaxTxnOps)}},
	} {
		t.Run(c.name, func(t *testing.T) {
			url, _ := ownEtcdMember(t, func(cfg *embed.Config) { cfg.UnsafeNoFsync = true; c.tune(cfg) })
			cfg := EtcdConfig{Endpoints: []string{url}, Prefix: "p/"}
			_, err := OpenEtcd(cfg, Options{})
			checkErr(t, err, ErrInput, c.wants...)
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("the refusal is more than one line: %q", err)
			}
			cli, cerr := clientv3.New(clientv3.Config{Endpoints: []string{url}, DialTimeout: 5 * time.Second})
			if cerr != nil {
				t.Fatal(cerr)
			}
			defer cli.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if resp, err := cli.Get(ctx, "", clientv3.WithFromKey(), clientv3.WithCountOnly()); err != nil || resp.Count != 0 {
				t.Fatalf("the refused open left %v keys (%v)", resp, err)
			}
			cfg.MaxTxnOps, cfg.MaxRequestBytes = 128, 1536<<10
			if c.name != "etcd's defaults" {
				cfg.MaxRequestBytes = defaultEtcdMaxRequestBytes
			}
			s, err := OpenEtcd(cfg, Options{})
			if err != nil {
				t.Fatalf("with the cluster's limits: %v", err)
			}
			s.Close()
		})
	}
}
