package bench

import (
	"cmp"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/gatehouse/gatehouse/store"
)

// Bulk edits side by side: one site assigned to (then, on the next
// iteration, taken from) 10,000 users of the 100k demo database, with fsync
// on, as
//
//   - change-set: one s.Apply holding 10,000 tx.AssignSites (one bbolt
//     transaction, one audit batch, one fsync);
//   - change-set-per-user: 10,000 s.Apply of one AssignSites each;
//   - bbolt-batch-8 (a stand-in, not gatehouse): the same per-user work
//     written with bbolt directly through DB.Batch from 8 goroutines, on a
//     copy of the demo file opened with bbolt: per user, read the user
//     record, write it back changed (8 bytes appended or taken off: the
//     record's encoding is gatehouse's own and unexported), and append an
//     audit-like entry (JSON like gatehouse's, sha256-chained to the
//     previous entry through a head record) — what one gatehouse change set
//     of one user writes, minus its rules and indexes. DB.Batch's defaults
//     (MaxBatchSize 1000, MaxBatchDelay 10 ms);
//   - bbolt-batch-8-size8: the same with MaxBatchSize 8, so a batch commits
//     as soon as all 8 goroutines have joined it instead of after 10 ms.

var actor = store.LocalActor("bench")

// benchSites adds a site no one holds, and one per client (client users
// may only hold their client's sites); it returns the site to assign to
// each user.
func benchSites(tb testing.TB, s *store.Store) func(u *store.User) string {
	tb.Helper()
	names := s.Names()
	if _, err := s.Apply(actor, "bench sites", func(t *store.Tx) error {
		if _, err := t.AddSite("Bench Site", ""); err != nil {
			return err
		}
		for _, c := range s.Clients() {
			if _, err := t.AddSite(c.Name+" Bench", c.Name); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		tb.Fatal(err)
	}
	return func(u *store.User) string {
		if u.Type == store.ClientUser {
			return names.Client(u.ClientIDs[0]) + " Bench"
		}
		return "Bench Site"
	}
}

// profileUsers are the first n users holding the profile ("" for any).
func profileUsers(tb testing.TB, s *store.Store, profile string, n int) []*store.User {
	us, err := s.Users(store.UserFilter{Profile: profile})
	if err != nil {
		tb.Fatal(err)
	}
	if len(us) < n {
		tb.Fatalf("only %d users with profile %q", len(us), profile)
	}
	return us[:n]
}

// assignAll is one change set assigning (or unassigning) each user's site.
func assignAll(tb testing.TB, s *store.Store, us []*store.User, site func(*store.User) string, add bool) {
	cs, err := s.Apply(actor, "bulk", func(t *store.Tx) error {
		for _, u := range us {
			if err := t.AssignSites(u.ID, 0, []string{site(u)}, nil, add); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	if len(cs.Entries) != len(us) {
		tb.Fatalf("%d entries for %d users", len(cs.Entries), len(us))
	}
}

func BenchmarkBulkAssign10k(b *testing.B) {
	const n = 10_000
	b.Run("change-set", func(b *testing.B) {
		s, err := store.Open(demoCopy(b, 100_000), store.Options{})
		if err != nil {
			b.Fatal(err)
		}
		defer s.Close()
		site := benchSites(b, s)
		us := profileUsers(b, s, "User", n)
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			assignAll(b, s, us, site, i%2 == 0)
		}
		b.ReportMetric(1, "commits/op")
	})
	b.Run("change-set-per-user", func(b *testing.B) {
		s, err := store.Open(demoCopy(b, 100_000), store.Options{})
		if err != nil {
			b.Fatal(err)
		}
		defer s.Close()
		site := benchSites(b, s)
		us := profileUsers(b, s, "User", n)
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			for _, u := range us {
				assignAll(b, s, []*store.User{u}, site, i%2 == 0)
			}
		}
		b.ReportMetric(n, "commits/op")
	})
	for _, size := range []int{0, 8} {
		name := "bbolt-batch-8"
		if size > 0 {
			name += fmt.Sprintf("-size%d", size)
		}
		b.Run(name, func(b *testing.B) {
			path := demoCopy(b, 100_000)
			// the user ids, read through gatehouse before bbolt takes the file
			s, err := store.Open(path, store.Options{})
			if err != nil {
				b.Fatal(err)
			}
			var ids []uint64
			for _, u := range profileUsers(b, s, "User", n) {
				ids = append(ids, u.ID)
			}
			s.Close()
			db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second, NoFreelistSync: true, FreelistType: bolt.FreelistMapType})
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			if size > 0 {
				db.MaxBatchSize = size
			}
			sa := &standIn{db: db}
			b.ReportAllocs()
			commits := 0
			for i := 0; b.Loop(); i++ {
				commits += sa.assign(b, ids, i%2 == 0, 8)
			}
			b.ReportMetric(float64(commits)/float64(b.N), "commits/op")
		})
	}
}

// standIn is the DB.Batch stand-in: gatehouse's per-user write, by hand.
type standIn struct {
	db  *bolt.DB
	mu  sync.Mutex
	txs map[int]bool
}

var (
	bUsers = []byte("users")
	bAudit = []byte("audit")
	bMeta  = []byte("meta")
	kHead  = []byte("bench_head")
)

type standInEntry struct {
	Seq    uint64    `json:"seq"`
	Batch  uint64    `json:"batch"`
	Time   time.Time `json:"time"`
	Actor  string    `json:"actor"`
	Entity struct {
		Kind  string `json:"kind"`
		ID    uint64 `json:"id"`
		Label string `json:"label"`
	} `json:"entity"`
	Field  string `json:"field"`
	Before string `json:"before"`
	After  string `json:"after"`
	Prev   string `json:"prev"`
	Hash   string `json:"hash"`
}

// assign does the per-user write for every id through DB.Batch from
// workers goroutines, and returns how many transactions committed.
func (sa *standIn) assign(tb testing.TB, ids []uint64, add bool, workers int) int {
	sa.txs = map[int]bool{}
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := w; i < len(ids); i += workers {
				id := ids[i]
				if err := sa.db.Batch(func(tx *bolt.Tx) error { return sa.write(tx, id, add) }); err != nil {
					errs <- err
					return
				}
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		tb.Fatal(err)
	}
	return len(sa.txs)
}

func (sa *standIn) write(tx *bolt.Tx, id uint64, add bool) error {
	sa.mu.Lock()
	sa.txs[tx.ID()] = true
	sa.mu.Unlock()
	var k [8]byte
	binary.BigEndian.PutUint64(k[:], id)
	users := tx.Bucket(bUsers)
	v := users.Get(k[:])
	if v == nil {
		return fmt.Errorf("no user %d", id)
	}
	var rec []byte
	if add {
		rec = append(append(make([]byte, 0, len(v)+8), v...), "benchsit"...)
	} else {
		rec = append([]byte(nil), v[:len(v)-8]...)
	}
	if err := users.Put(k[:], rec); err != nil {
		return err
	}
	// the audit entry, chained to the head
	meta := tx.Bucket(bMeta)
	var head struct {
		Seq  uint64 `json:"seq"`
		Hash string `json:"hash"`
	}
	if h := meta.Get(kHead); h != nil {
		if err := json.Unmarshal(h, &head); err != nil {
			return err
		}
	} else {
		last, _ := tx.Bucket(bAudit).Cursor().Last()
		head.Seq = binary.BigEndian.Uint64(last)
	}
	e := standInEntry{Seq: head.Seq + 1, Time: time.Now().UTC(), Actor: "local:bench", Field: "sites", Prev: head.Hash}
	e.Entity.Kind, e.Entity.ID, e.Entity.Label = "user", id, fmt.Sprintf("user%d@staff.example.com", id)
	if add {
		e.Before, e.After = "North Depot", "Bench Site; North Depot"
	} else {
		e.Before, e.After = "Bench Site; North Depot", "North Depot"
	}
	body, err := json.Marshal(&e)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(body)
	e.Hash = hex.EncodeToString(sum[:])
	if body, err = json.Marshal(&e); err != nil {
		return err
	}
	binary.BigEndian.PutUint64(k[:], e.Seq)
	ab := tx.Bucket(bAudit)
	ab.FillPercent = 1
	if err := ab.Put(append([]byte(nil), k[:]...), body); err != nil {
		return err
	}
	head.Seq, head.Hash = e.Seq, e.Hash
	hb, err := json.Marshal(&head)
	if err != nil {
		return err
	}
	return meta.Put(kHead, hb)
}

// BenchmarkGrowthBulkAssign1k: one change set assigning a site to 1,000
// users (every kind: client users get a site of their client), fsync on, in
// databases of 1k, 10k and 100k users. "spread": the 1,000 users are taken
// evenly from the list sorted by name, so their records are scattered over
// the file (a bulk edit of a filtered list); "adjacent": the 1,000 lowest
// ids, whose records share pages. The difference is pages written.
func BenchmarkGrowthBulkAssign1k(b *testing.B) {
	for _, n := range sizes {
		for _, adjacent := range []bool{false, true} {
			name := "users=" + sizeName(n) + "/spread"
			if adjacent {
				name = "users=" + sizeName(n) + "/adjacent"
			}
			b.Run(name, func(b *testing.B) {
				s, err := store.Open(demoCopy(b, n), store.Options{})
				if err != nil {
					b.Fatal(err)
				}
				defer s.Close()
				site := benchSites(b, s)
				all := profileUsers(b, s, "", n)
				us := spread(all, 1_000)
				if adjacent {
					us = slices.SortedFunc(slices.Values(all), func(a, b *store.User) int { return cmp.Compare(a.ID, b.ID) })[:1_000]
				}
				b.ReportAllocs()
				for i := 0; b.Loop(); i++ {
					assignAll(b, s, us, site, i%2 == 0)
				}
			})
		}
	}
}

// spread picks k users evenly across the list (so the changed records are
// scattered over the whole file, as in a real bulk edit of a filtered list).
func spread(us []*store.User, k int) []*store.User {
	out := make([]*store.User, 0, k)
	for i := 0; i < k; i++ {
		out = append(out, us[i*len(us)/k])
	}
	return out
}
