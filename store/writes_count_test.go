package store

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// countingEngine counts what each committed read-write transaction writes,
// bucket by bucket: how a change set spends an engine's operations and
// bytes (the etcd engine's limits are per transaction).
type countingEngine struct {
	engine
	commits []writeCount
}

// writeCount is one transaction's writes by bucket.
type writeCount map[string]*bucketWrites

type bucketWrites struct{ puts, dels, bytes int }

func (c writeCount) String() string {
	names := make([]string, 0, len(c))
	for b := range c {
		names = append(names, b)
	}
	slices.Sort(names)
	var out []string
	for _, b := range names {
		w := c[b]
		out = append(out, fmt.Sprintf("%s: %d puts %d dels %d B", b, w.puts, w.dels, w.bytes))
	}
	return strings.Join(out, ", ")
}

func (c *countingEngine) update(fn func(wtx) error) error {
	counts := writeCount{}
	err := c.engine.update(func(w wtx) error { return fn(countingWtx{w, counts}) })
	if err == nil {
		c.commits = append(c.commits, counts)
	}
	return err
}

type countingWtx struct {
	wtx
	counts writeCount
}

func (w countingWtx) of(bucket []byte) *bucketWrites {
	b := w.counts[string(bucket)]
	if b == nil {
		b = &bucketWrites{}
		w.counts[string(bucket)] = b
	}
	return b
}

func (w countingWtx) put(bucket, key, value []byte) error {
	b := w.of(bucket)
	b.puts++
	b.bytes += len(key) + len(value)
	return w.wtx.put(bucket, key, value)
}

func (w countingWtx) del(bucket, key []byte) error {
	b := w.of(bucket)
	b.dels++
	b.bytes += len(key)
	return w.wtx.del(bucket, key)
}

// A bulk edit (one site to n users) writes one user record and one audit
// entry per user, one batch and the audit head: the users and the audit
// entries are what a change set's size is made of.
func TestBulkEditWritesUsersAndAudit(t *testing.T) {
	path := filepath.Join(t.TempDir(), "count.db")
	be, err := openBolt(path, boltOpen{noSync: true})
	if err != nil {
		t.Fatal(err)
	}
	eng := &countingEngine{engine: be}
	s, err := openOn(eng, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	const n = 1000
	if _, err := s.Demo(LocalActor("test"), DemoOptions{Users: 3 * n}); err != nil {
		t.Fatal(err)
	}
	t.Logf("demo's users change set: %v", eng.commits[len(eng.commits)-1])
	us, err := s.Users(UserFilter{Profile: "User"})
	if err != nil || len(us) < n {
		t.Fatalf("%d User employees, %v", len(us), err)
	}
	if _, err := s.Apply(LocalActor("test"), "site", func(tx *Tx) error { _, err := tx.AddSite("Bulk Site", ""); return err }); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Apply(LocalActor("test"), "bulk", func(tx *Tx) error {
		for _, u := range us[:n] {
			if err := tx.AssignSites(u.ID, 0, []string{"Bulk Site"}, nil, true); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	bulk := eng.commits[len(eng.commits)-1]
	t.Logf("bulk edit of %d users: %v", n, bulk)
	if bulk["users"].puts != n || bulk["audit"].puts != n || bulk["batches"].puts != 1 || bulk["meta"].puts != 1 || len(bulk) != 4 {
		t.Fatalf("the bulk edit of %d users wrote %v", n, bulk)
	}
}
