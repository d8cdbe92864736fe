package store

import (
	"bytes"
	"errors"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Damaged files: each case damages a real database the way a failed copy,
// a bad disk or a stray write would, and Open must refuse it with one line
// (or, where bbolt can recover, open it whole) — never crash the process.

// damageSource builds a real database: the demo's 300 users, then a few
// change sets, closed. It returns the path and the file's bytes.
func damageSource(t *testing.T) (string, []byte) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "real.db")
	s, err := Open(path, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	local := LocalActor("test")
	if _, err := s.Demo(local, DemoOptions{Users: 300}); err != nil {
		t.Fatal(err)
	}
	users, err := s.Users(UserFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if _, err := s.Apply(local, fmt.Sprintf("damage source %d", i), func(tx *Tx) error {
			if _, err := tx.AddClient(fmt.Sprintf("Damage %d", i)); err != nil {
				return err
			}
			return tx.SetDisabled(users[i].ID, 0, true)
		}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return path, b
}

// layout reads a good file's structure with the file check's own reader.
func layout(t *testing.T, b []byte) *fileCheck {
	t.Helper()
	c := &fileCheck{r: bytes.NewReader(b), size: int64(len(b))}
	if err := c.check(); err != nil {
		t.Fatalf("the source database fails the check: %v", err)
	}
	return c
}

// metaOffsets are the file offsets of the current and the other meta.
func (c *fileCheck) metaOffsets(b []byte) (current, other int) {
	m0, m1 := boltPageHeader, int(c.pageSize)+boltPageHeader
	if order.Uint64(b[m1+48:]) > order.Uint64(b[m0+48:]) {
		return m1, m0
	}
	return m0, m1
}

// rewriteMeta changes the meta at off and seals it with a valid checksum,
// so only the check of what it declares can catch the lie.
func rewriteMeta(b []byte, off int, change func(m []byte)) {
	m := b[off : off+boltMetaSize]
	change(m)
	h := fnv.New64a()
	h.Write(m[:56])
	order.PutUint64(m[56:], h.Sum64())
}

// rootEntry is one bucket in the root bucket's leaf page.
type rootEntry struct {
	name      string
	keyOff    int // file offset of the bucket's name
	valueOff  int // file offset of its value (root pgid, sequence, inline page)
	elemOff   int
	valueSize int
}

func (c *fileCheck) rootEntries(t *testing.T, b []byte) map[string]rootEntry {
	t.Helper()
	page := int(c.meta.root * c.pageSize)
	if flags := order.Uint16(b[page+8:]); flags != boltLeafPage {
		t.Fatalf("the root bucket's page is not a leaf (flags %#x)", flags)
	}
	out := map[string]rootEntry{}
	for i := range int(order.Uint16(b[page+10:])) {
		e := page + boltPageHeader + i*boltElement
		pos, ksize, vsize := int(order.Uint32(b[e+4:])), int(order.Uint32(b[e+8:])), int(order.Uint32(b[e+12:]))
		name := string(b[e+pos : e+pos+ksize])
		out[name] = rootEntry{name: name, keyOff: e + pos, valueOff: e + pos + ksize, elemOff: e, valueSize: vsize}
	}
	return out
}

// leafAt returns the file offset of leaf i of bucket name; -1 is the last.
func (c *fileCheck) leafAt(t *testing.T, b []byte, name string, i int) int {
	t.Helper()
	root := order.Uint64(b[c.rootEntries(t, b)[name].valueOff:])
	page := int(root * c.pageSize)
	if root == 0 || order.Uint16(b[page+8:]) != boltBranchPage {
		t.Fatalf("bucket %s has no branch root page (root %d): make the source bigger", name, root)
	}
	if i < 0 {
		i += int(order.Uint16(b[page+10:]))
	}
	child := order.Uint64(b[page+boltPageHeader+i*boltElement+8:])
	leaf := int(child * c.pageSize)
	if order.Uint16(b[leaf+8:]) != boltLeafPage {
		t.Fatalf("bucket %s is deeper than two levels", name)
	}
	return leaf
}

// writeDB writes b to a new file and returns its path.
func writeDB(t *testing.T, b []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "t.db")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// wantOneLine fails unless err is one line of kind want naming every part.
func wantOneLine(t *testing.T, err error, want error, parts ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error; want one of kind %d", KindOf(want))
	}
	msg := err.Error()
	if !errors.Is(err, want) {
		t.Fatalf("kind %d, want %d: %s", KindOf(err), KindOf(want), msg)
	}
	if strings.ContainsAny(msg, "\n\r") {
		t.Fatalf("not one line: %q", msg)
	}
	for _, p := range parts {
		if !strings.Contains(msg, p) {
			t.Errorf("%q does not say %q", msg, p)
		}
	}
}

const restoreHint = "; restore a backup (see README: Backup and restore)"

func TestDamagedFilesAreRefusedWithOneLine(t *testing.T) {
	_, good := damageSource(t)
	c := layout(t, good)
	P, hwm := int(c.pageSize), int(c.meta.pgid)
	t.Logf("source: %d bytes, %d pages of %d bytes in use, root %d, freelist %d (%d free)", len(good), hwm, P, c.meta.root, c.meta.freelist, len(c.free))
	if len(good) < 100000 || hwm*P < 100000 {
		t.Fatalf("the source is too small for the issue's reproduction")
	}
	rng := rand.New(rand.NewPCG(7, 7))
	random := make([]byte, 64<<10)
	for i := range random {
		random[i] = byte(rng.Uint32())
	}
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	cur, _ := c.metaOffsets(good)
	entries := c.rootEntries(t, good)

	cases := []struct {
		name  string
		bytes func() []byte
		parts []string // the message says these
	}{
		{"cut at 100000 bytes (the issue: head -c 100000)", func() []byte { return good[:100000] }, []string{"cut short"}},
		{"cut one page short of what it declares", func() []byte { return good[:(hwm-1)*P] }, []string{fmt.Sprintf("declares %d pages", hwm), "cut short"}},
		{"cut inside the first meta page", func() []byte { return good[:60] }, []string{"neither meta page is valid"}},
		{"cut inside the second meta page", func() []byte { return good[:P+40] }, []string{"shorter than its two meta pages"}},
		{"random bytes", func() []byte { return random }, []string{"neither meta page is valid"}},
		{"a text file", func() []byte { return readme }, []string{"not a bbolt meta page"}},
		{"both meta pages fail their checksum", func() []byte {
			b := bytes.Clone(good)
			b[boltPageHeader+48] ^= 0xFF   // txid of meta 0
			b[P+boltPageHeader+48] ^= 0xFF // txid of meta 1
			return b
		}, []string{"checksum mismatch"}},
		{"both meta pages of another bbolt version", func() []byte {
			b := bytes.Clone(good)
			for _, off := range []int{boltPageHeader, P + boltPageHeader} {
				rewriteMeta(b, off, func(m []byte) { order.PutUint32(m[4:], 1) })
			}
			return b
		}, []string{"version 1, not 2"}},
		{"the meta declares more pages than the file holds", func() []byte {
			b := bytes.Clone(good)
			rewriteMeta(b, cur, func(m []byte) { order.PutUint64(m[40:], 1<<40) })
			return b
		}, []string{"cut short"}},
		{"the meta declares a root page past its pages", func() []byte {
			b := bytes.Clone(good)
			rewriteMeta(b, cur, func(m []byte) { order.PutUint64(m[16:], uint64(hwm)) })
			return b
		}, []string{"root page"}},
		{"the meta declares a freelist past its pages", func() []byte {
			b := bytes.Clone(good)
			rewriteMeta(b, cur, func(m []byte) { order.PutUint64(m[32:], uint64(hwm)+5) })
			return b
		}, []string{"freelist page"}},
		{"the meta names a leaf as its freelist", func() []byte {
			b := bytes.Clone(good)
			rewriteMeta(b, cur, func(m []byte) { order.PutUint64(m[32:], c.meta.root) })
			return b
		}, []string{"root page and freelist"}},
		{"the meta lies about the page size", func() []byte {
			b := bytes.Clone(good)
			for _, off := range []int{boltPageHeader, P + boltPageHeader} {
				rewriteMeta(b, off, func(m []byte) { order.PutUint32(m[8:], 4096) })
			}
			return b
		}, []string{"says it is page"}},
		{"a page size that is not a power of two", func() []byte {
			b := bytes.Clone(good)
			rewriteMeta(b, boltPageHeader, func(m []byte) { order.PutUint32(m[8:], 5000) })
			return b
		}, []string{"page size of 5000"}},
		{"the freelist lists a meta page", func() []byte {
			if len(c.free) == 0 {
				t.Skip("the source has no free pages")
			}
			b := bytes.Clone(good)
			order.PutUint64(b[int(c.meta.freelist)*P+boltPageHeader:], 1)
			return b
		}, []string{"freelist lists page 1"}},
		{"the freelist claims more ids than its page holds", func() []byte {
			b := bytes.Clone(good)
			order.PutUint16(b[int(c.meta.freelist)*P+10:], 0xFFFF)
			order.PutUint64(b[int(c.meta.freelist)*P+boltPageHeader:], 1<<50)
			return b
		}, []string{"more than it can hold"}},
		{"the freelist page is not a freelist", func() []byte {
			b := bytes.Clone(good)
			order.PutUint16(b[int(c.meta.freelist)*P+8:], boltLeafPage)
			return b
		}, []string{"wrong kind"}},
		{"the root bucket's page holds an entry past its end", func() []byte {
			b := bytes.Clone(good)
			order.PutUint32(b[entries["users"].elemOff+4:], 1<<31)
			return b
		}, []string{"points past the page"}},
		{"a bucket's root page is past the pages in use", func() []byte {
			b := bytes.Clone(good)
			order.PutUint64(b[entries["audit"].valueOff:], uint64(hwm)+1)
			return b
		}, []string{`bucket "audit"`, "outside"}},
		{"a bucket's branch points past the pages in use", func() []byte {
			b := bytes.Clone(good)
			root := int(order.Uint64(b[entries["audit"].valueOff:])) * P
			if order.Uint16(b[root+8:]) != boltBranchPage {
				t.Skip("the audit bucket's root is not a branch")
			}
			order.PutUint64(b[root+boltPageHeader+8:], uint64(hwm)+3)
			return b
		}, []string{`bucket "audit"'s page`, "points to page", "outside the"}},
		{"a bucket renamed by a flipped bit", func() []byte {
			b := bytes.Clone(good)
			b[entries["users"].keyOff+4] ^= 0x01 // users → usert (still in order)
			return b
		}, []string{"its users bucket is missing"}},
		{"a sequence below the last id (the next user would overwrite one)", func() []byte {
			b := bytes.Clone(good)
			order.PutUint64(b[entries["users"].valueOff+8:], 7)
			return b
		}, []string{"users bucket's sequence (7) is below its last id"}},
		{"a user record past the end of the file (decoded on the second goroutine)", func() []byte {
			// the file ends at its last page in use, short of bbolt's
			// mapping (a power of two): reading past it is a SIGBUS
			b := bytes.Clone(good[:hwm*P])
			if len(b)&(len(b)-1) == 0 {
				t.Skip("the file is a power of two long: nothing is mapped past it")
			}
			leaf := c.leafAt(t, b, "users", 1) // not the first leaf: the file check reads that one
			e := leaf + boltPageHeader         // its first user: in the first half, decoded by part 0 on its own goroutine
			ksize := int(order.Uint32(b[e+8:]))
			order.PutUint32(b[e+4:], uint32(len(b)-e-ksize)) // the value starts at the end of the file
			order.PutUint32(b[e+12:], 200)
			return b
		}, []string{"a page points outside the file"}},
		{"a user record 4 GiB away", func() []byte {
			b := bytes.Clone(good)
			e := c.leafAt(t, b, "users", 1) + boltPageHeader
			order.PutUint32(b[e+4:], 0xFFFFFF00)
			return b
		}, nil},
		{"a user record declaring 1 GiB", func() []byte {
			b := bytes.Clone(good)
			e := c.leafAt(t, b, "users", 1) + boltPageHeader
			order.PutUint32(b[e+12:], 1<<30)
			return b
		}, []string{"a user record of"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := tc.bytes()
			path := writeDB(t, b)
			s, err := Open(path, Options{NoSync: true, Timeout: 2 * time.Second})
			if err == nil {
				s.Close()
			} else {
				t.Log(err)
			}
			wantOneLine(t, err, ErrDamaged, append(tc.parts, "database "+path+" is damaged: ", restoreHint)...)
			if after, _ := os.ReadFile(path); !bytes.Equal(after, b) {
				t.Errorf("refusing it changed the file")
			}
		})
	}
}

func TestNotDamagedButNotADatabase(t *testing.T) {
	dir := t.TempDir()
	t.Run("an empty file is a failed copy, not a new database", func(t *testing.T) {
		path := writeDB(t, nil)
		_, err := Open(path, Options{NoSync: true})
		wantOneLine(t, err, ErrDamaged, "database "+path+" is empty (0 bytes): a failed copy, not a database; restore a backup (see README: Backup and restore), or delete it to start a new one")
		if st, _ := os.Stat(path); st.Size() != 0 {
			t.Errorf("the empty file was written: %d bytes", st.Size())
		}
	})
	t.Run("a missing file is a new database", func(t *testing.T) {
		s, err := Open(filepath.Join(dir, "new.db"), Options{NoSync: true})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		if n := len(s.Profiles()); n != 6 {
			t.Errorf("a new database has %d profiles, want the 6 built-ins", n)
		}
	})
	t.Run("a directory", func(t *testing.T) {
		_, err := Open(dir, Options{NoSync: true})
		wantOneLine(t, err, ErrInput, "is a directory")
	})
	t.Run("another program's bbolt file is not seeded", func(t *testing.T) {
		path := filepath.Join(dir, "other.db")
		db, err := bolt.Open(path, 0o600, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Update(func(tx *bolt.Tx) error {
			b, err := tx.CreateBucket([]byte("widgets"))
			if err != nil {
				return err
			}
			return b.Put([]byte("k"), []byte("v"))
		}); err != nil {
			t.Fatal(err)
		}
		db.Close()
		before, _ := os.ReadFile(path)
		_, err = Open(path, Options{NoSync: true})
		wantOneLine(t, err, ErrInput, `is not a gatehouse database (it holds bucket "widgets")`)
		if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
			t.Errorf("the other program's file was written")
		}
	})
}

// bbolt falls back to the other meta page when one is bad: the file opens,
// with every change set up to the one before the last, and its chain verifies.
func TestOneBadMetaPageStillOpens(t *testing.T) {
	_, good := damageSource(t)
	c := layout(t, good)
	cur, other := c.metaOffsets(good)
	for _, tc := range []struct {
		name string
		off  int
	}{{"the newer meta page", cur}, {"the older meta page", other}} {
		t.Run(tc.name, func(t *testing.T) {
			b := bytes.Clone(good)
			b[tc.off+48] ^= 0x40 // its txid: the checksum no longer matches
			path := writeDB(t, b)
			s, err := Open(path, Options{NoSync: true})
			if err != nil {
				t.Fatalf("one bad meta page: %v", err)
			}
			defer s.Close()
			if n := s.UserCount(); n != 300 {
				t.Errorf("%d users, want 300", n)
			}
			if r, err := s.VerifyAudit(); err != nil || !r.OK {
				t.Errorf("audit verify: %v %v", err, r.Problems)
			}
		})
	}
}

// A bad audit page met after a clean open — by audit verify, the audit
// log, a change set — is the same one line, whether bbolt faults on it or
// panics.
func TestDamagedAuditPageIsOneLineAfterOpen(t *testing.T) {
	_, good := damageSource(t)
	c := layout(t, good)
	P, hwm := int(c.pageSize), int(c.meta.pgid)
	if hwm*P&(hwm*P-1) == 0 {
		t.Skip("the pages in use are a power of two long: nothing is mapped past them")
	}
	for _, damage := range []struct {
		name  string
		apply func(b []byte, leaf int)
		says  string
	}{
		{"an entry past the end of the file (a fault)", func(b []byte, leaf int) {
			e := leaf + boltPageHeader
			ksize := int(order.Uint32(b[e+8:]))
			order.PutUint32(b[e+4:], uint32(len(b)-e-ksize)) // the first entry's value starts at the end of the file
			order.PutUint32(b[e+12:], 400)
		}, "a page points outside the file"},
		{"a page of the wrong kind (bbolt panics)", func(b []byte, leaf int) {
			b[leaf+9] = 0x6a // the campaign's: flags 0x6a02
		}, "reading it failed (assertion failed: page"},
	} {
		for _, read := range []struct {
			name string
			fn   func(s *Store) error
		}{
			{"audit verify", func(s *Store) error { _, err := s.VerifyAudit(); return err }},
			{"audit log", func(s *Store) error { _, err := s.AuditLog(AuditFilter{}); return err }},
			{"a change set", func(s *Store) error {
				_, err := s.Apply(LocalActor("test"), "after damage", func(tx *Tx) error { _, err := tx.AddClient("After"); return err })
				for _, cl := range s.Clients() {
					if cl.Name == "After" {
						t.Errorf("the failed change set's client is visible")
					}
				}
				return err
			}},
		} {
			t.Run(damage.name+", "+read.name, func(t *testing.T) {
				b := bytes.Clone(good[:hwm*P])               // ends short of bbolt's mapping: past it is a SIGBUS
				damage.apply(b, c.leafAt(t, b, "audit", 1))  // read by verify and the log, not by the file check
				damage.apply(b, c.leafAt(t, b, "audit", -1)) // where a change set appends
				path := writeDB(t, b)
				s, err := Open(path, Options{NoSync: true})
				if err != nil {
					t.Fatalf("the audit bucket is not read at open: %v", err)
				}
				defer s.Close()
				err = read.fn(s)
				wantOneLine(t, err, ErrDamaged, "database "+path+" is damaged: "+damage.says, restoreHint)
			})
		}
	}
}

// A panic that is not bbolt's, nor a fault on its file, is a bug, not
// damage: it is not turned into "restore a backup".
func TestBugIsNotDamage(t *testing.T) {
	f := openStore(t)
	for _, bug := range []struct {
		name string
		fn   func()
	}{
		{"a panic", func() { panic("a bug") }},
		{"an index out of range", func() { _ = os.Args[len(os.Args)] }},
		{"a nil pointer", func() { var u *User; _ = u.Email }},
	} {
		t.Run(bug.name, func(t *testing.T) {
			var got any
			func() {
				defer func() { got = recover() }()
				_ = f.s.boltDB().View(func(*bolt.Tx) error { bug.fn(); return nil })
			}()
			if got == nil {
				t.Fatalf("the bug's panic was swallowed")
			}
		})
	}
}

// deepSource is a real database with small (1 KiB) pages, so that its
// users bucket is three levels deep: a bbolt file made with that page size,
// then opened by gatehouse (which keeps a file's own page size) and filled.
func deepSource(t *testing.T) []byte {
	t.Helper()
	path := filepath.Join(t.TempDir(), "deep.db")
	db, err := bolt.Open(path, 0o600, &bolt.Options{PageSize: 1024})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	s, err := Open(path, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Demo(LocalActor("test"), DemoOptions{Users: 300}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// child returns the file offset of branch page at's child pgid i.
func (c *fileCheck) child(at, i int) int { return at + boltPageHeader + i*boltElement + 8 }

// Damage inside a tree, below the root pages: a child that names an
// ancestor (bbolt's cursor would descend forever, growing until memory runs
// out), a page two parents share, a free page, a leaf among branches.
func TestDamagedTreesAreRefused(t *testing.T) {
	good := deepSource(t)
	c := layout(t, good)
	P := int(c.pageSize)
	root := int(order.Uint64(good[c.rootEntries(t, good)["users"].valueOff:])) * P
	b0 := int(order.Uint64(good[c.child(root, 0):])) * P // a branch below the root
	if P != 1024 || order.Uint16(good[root+8:]) != boltBranchPage || order.Uint16(good[b0+8:]) != boltBranchPage {
		t.Fatalf("the users bucket is not three levels deep (page size %d)", P)
	}
	leaf := order.Uint64(good[c.child(b0, 0):]) // a leaf at the bottom
	if order.Uint16(good[root+10:]) < 3 {
		t.Fatalf("the users bucket's root has fewer than 3 children")
	}
	b2 := int(order.Uint64(good[c.child(root, 2):])) * P
	farLeaf := order.Uint64(good[c.child(b2, 0):]) // a leaf the walk meets after the root's child 1
	auditRoot := order.Uint64(good[c.rootEntries(t, good)["audit"].valueOff:])
	cases := []struct {
		name  string
		at    int    // the child pgid to change
		to    uint64 // what it names instead
		parts []string
	}{
		{"a branch naming the root above it (a cycle)", c.child(b0, 1), uint64(root / P), []string{"named twice (a cycle?)"}},
		{"a branch naming itself", c.child(b0, 1), uint64(b0 / P), []string{"named twice"}},
		{"a page two parents share", c.child(b0, 1), leaf, []string{fmt.Sprintf("page %d, which is named twice", leaf)}},
		{"a page of another bucket", c.child(b0, 1), auditRoot, []string{"named twice"}},
		{"a leaf among branches", c.child(root, 1), farLeaf, []string{"not at the depth of its siblings"}},
	}
	if len(c.free) > 0 {
		cases = append(cases, struct {
			name  string
			at    int
			to    uint64
			parts []string
		}{"a free page", c.child(b0, 1), c.free[0], []string{"which is on the freelist"}})
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := bytes.Clone(good)
			order.PutUint64(b[tc.at:], tc.to)
			path := writeDB(t, b)
			_, err := Open(path, Options{NoSync: true})
			wantOneLine(t, err, ErrDamaged, append(tc.parts, "is damaged: ", restoreHint)...)
		})
	}
}

// A file another process holds and is writing may look damaged for a moment:
// it is reported in use, not damaged; once free, it is checked again.
func TestHeldFileIsInUseNotDamaged(t *testing.T) {
	src, _ := damageSource(t)
	holder, err := Open(src, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(src, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	// both meta pages torn, as a reader might catch them mid-write
	if _, err := f.WriteAt(bytes.Repeat([]byte{0xAA}, 64), boltPageHeader); err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt(bytes.Repeat([]byte{0xAA}, 64), 16384+boltPageHeader); err != nil {
		t.Fatal(err)
	}
	f.Close()
	_, err = Open(src, Options{NoSync: true, Timeout: 100 * time.Millisecond})
	wantOneLine(t, err, ErrLocked, "in use by another gatehouse process")
	holder.boltDB().Close() // not holder.Close: nothing may write the torn meta pages back
	_, err = Open(src, Options{NoSync: true})
	wantOneLine(t, err, ErrDamaged, "neither meta page is valid", restoreHint)
}
