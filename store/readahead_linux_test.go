package store

import (
	"os"
	"path/filepath"
	"testing"
	"time"
	"unsafe"

	bolt "go.etcd.io/bbolt"
	"golang.org/x/sys/unix"
)

// Opening a file reads its users bucket's tree ahead (readAhead): the
// file's check names every page of that tree below its root, the same pages
// bbolt counts, and once the file has left the page cache, asking for them
// brings them back with nobody reading them.
func TestOpenReadsTheUsersTreeAhead(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "gatehouse.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Demo(LocalActor("test"), DemoOptions{Users: 3000}); err != nil {
		t.Fatal(err)
	}
	s.Close()

	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	var st bolt.BucketStats
	_ = db.View(func(tx *bolt.Tx) error { st = tx.Bucket(bucketUsers).Stats(); return nil })
	db.Close()
	if st.Depth < 2 {
		t.Fatalf("the users tree is %d deep: too small to have pages below its root", st.Depth)
	}

	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fi, _ := f.Stat()
	c := &fileCheck{r: f, size: fi.Size()}
	if what := c.result(); what != "" {
		t.Fatal(what)
	}
	if want := st.BranchPageN + st.LeafPageN - 1; len(c.ahead) != want {
		t.Fatalf("the check names %d pages of the users tree below its root; bbolt counts %d", len(c.ahead), want)
	}

	mem, err := unix.Mmap(int(f.Fd()), 0, int(fi.Size()), unix.PROT_READ, unix.MAP_SHARED)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Munmap(mem)
	vec := make([]byte, (len(mem)+os.Getpagesize()-1)/os.Getpagesize())
	resident := func() int {
		if _, _, e := unix.Syscall(unix.SYS_MINCORE, uintptr(unsafe.Pointer(&mem[0])), uintptr(len(mem)), uintptr(unsafe.Pointer(&vec[0]))); e != 0 {
			t.Fatal(e)
		}
		n := 0
		for _, id := range c.ahead {
			if vec[id*c.pageSize/uint64(os.Getpagesize())]&1 != 0 {
				n++
			}
		}
		return n
	}
	_ = unix.Fadvise(int(f.Fd()), 0, 0, unix.FADV_DONTNEED)
	if before := resident(); before > len(c.ahead)/2 {
		t.Skipf("%d of %d pages stayed cached after they were dropped: this file system keeps them (tmpfs?)", before, len(c.ahead))
	}
	readAhead(f, c.pageSize, c.ahead)
	// nine in ten: this machine's page cache may drop a few meanwhile
	for deadline := time.Now().Add(30 * time.Second); resident() < len(c.ahead)*9/10; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("30 s after the read ahead, %d of the users tree's %d pages are in the page cache", resident(), len(c.ahead))
		}
	}
}
