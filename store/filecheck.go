package store

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"slices"
	"strconv"
)

// A damaged database file must be refused with one line, never crash the
// process. bbolt trusts what its meta pages declare and reads the file through
// a memory map: a page id past the end of the file is a SIGBUS or SIGSEGV
// there, not an error. checkFile reads the pages bbolt trusts first with
// ordinary reads, and checks them against the file, before bbolt maps it:
// the two meta pages, the freelist, and the branch pages of every bucket's
// tree (the root bucket's leaves too, but no other leaf): every page id they
// name must be in the file, not free, and named once. At 100k users that is
// 38 reads, 384 KiB, about 0.2 ms. The leaves are read by bbolt under the
// guards of damage.go, which turn a bad page into the same one-line error.
//
// The layout is bbolt's (go.etcd.io/bbolt v1.5.0, internal/common), in the
// machine's byte order. Every page starts with a 16-byte header (id u64,
// flags u16, count u16, overflow u32); a page and its overflow pages are one
// span. Pages 0 and 1 are meta pages; bbolt uses the valid one with the
// higher transaction id.
const (
	boltMagic        = 0xED0CDAED
	boltVersion      = 2
	boltPageHeader   = 16
	boltMetaSize     = 64 // magic, version, page size, flags u32; root, sequence, freelist, pgid, txid, checksum u64
	boltElement      = 16 // leaf: flags, pos, ksize, vsize u32; branch: pos, ksize u32, child pgid u64
	boltBucketHeader = 16 // a bucket's value: root pgid, sequence u64 (root 0: an inline page follows)
	boltBranchPage   = 0x01
	boltLeafPage     = 0x02
	boltFreelistPage = 0x10
	boltBucketLeaf   = 0x01
	boltNoFreelist   = ^uint64(0) // the freelist is not in the file (NoFreelistSync)
	boltMinPageSize  = 1024       // bbolt looks for the second meta page from 1 KiB…
	boltMaxPageSize  = 1 << 24    // …to 16 MiB
)

var order = binary.NativeEndian

// boltMeta is what a meta page declares.
type boltMeta struct {
	pageSize uint64
	root     uint64 // the root bucket's page
	freelist uint64
	pgid     uint64 // the high-water mark: pages in use
	txid     uint64
}

// fileCheck is one check of an open file.
type fileCheck struct {
	r        io.ReaderAt
	size     int64
	pageSize uint64
	meta     boltMeta
	free     []uint64 // the freelist's page ids, ascending
	freeSet  pageSet  // the same, one bit per page
	seen     pageSet  // pages named by the meta or a branch
	scratch  []byte   // the buckets' branch pages are read into it, one at a time
	// ahead are the pages of the users bucket's tree below its root, which
	// opening the store reads whole (readAhead)
	ahead []uint64
}

// checkFile checks the existing database file f (bbolt's own file, opened
// for it but not yet locked or mapped) at path. The error is one line.
func checkFile(f *os.File, path string) error {
	st, err := f.Stat()
	if err != nil {
		return nil // bbolt says what is wrong, as before
	}
	if !st.Mode().IsRegular() {
		return badInput("database %s is %s, not a file; give the path of a gatehouse database file", path, kindOfFile(st.Mode()))
	}
	what := ""
	if st.Size() > 0 {
		c := &fileCheck{r: f, size: st.Size()}
		if what = c.result(); what == "" {
			readAhead(f, c.pageSize, c.ahead)
			return nil
		}
	}
	// Another process may be creating or writing the file under the reads:
	// while it holds the file bbolt says so; once we hold it, ask again.
	if heldByAnother(f) {
		return nil
	}
	if st, err = f.Stat(); err != nil {
		return nil
	}
	if st.Size() == 0 {
		return &Error{Kind: KindDamaged, Msg: fmt.Sprintf("database %s is empty (0 bytes): a failed copy, not a database; restore a backup (see README: Backup and restore), or delete it to start a new one", path)}
	}
	if what = checkReader(f, st.Size()); what == "" {
		return nil
	}
	return damaged(path, what)
}

func kindOfFile(m os.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&(os.ModeDevice|os.ModeCharDevice) != 0:
		return "a device"
	case m&os.ModeNamedPipe != 0:
		return "a named pipe"
	}
	return "a special file"
}

// checkReader returns what is wrong with the file, or "".
func checkReader(r io.ReaderAt, size int64) string {
	return (&fileCheck{r: r, size: size}).result()
}

// result is what is wrong with the file, or "".
func (c *fileCheck) result() string {
	if err := c.check(); err != nil {
		return err.Error()
	}
	return ""
}

func (c *fileCheck) check() error {
	if err := c.readMetas(); err != nil {
		return err
	}
	m := c.meta
	switch {
	case m.root < 2 || m.root >= m.pgid:
		return fmt.Errorf("its root page %d is outside the %d pages in use", m.root, m.pgid)
	case m.freelist != boltNoFreelist && (m.freelist < 2 || m.freelist >= m.pgid):
		return fmt.Errorf("its freelist page %d is outside the %d pages in use", m.freelist, m.pgid)
	case m.root == m.freelist:
		return fmt.Errorf("its root page and freelist are both page %d", m.root)
	}
	if m.freelist != boltNoFreelist {
		if err := c.readFreelist(); err != nil {
			return err
		}
	}
	return c.checkRootBucket()
}

// readMetas finds the page size and the meta page as bbolt does (db.go:
// getPageSize, mmap, meta), and checks the file holds what it declares.
func (c *fileCheck) readMetas() error {
	m0, err0 := c.metaAt(0)
	switch {
	case err0 == nil:
		c.pageSize = m0.pageSize
	default:
		// page 0 is bad: bbolt looks for page 1 at each page size it allows
		for pos := int64(boltMinPageSize); pos <= boltMaxPageSize && pos < c.size-boltMinPageSize; pos *= 2 {
			if m, err := c.metaAt(pos); err == nil {
				c.pageSize = m.pageSize
				break
			}
		}
		if c.pageSize == 0 {
			return fmt.Errorf("neither meta page is valid (page 0: %v; page 1: not found)", err0)
		}
	}
	if p := c.pageSize; p < boltMinPageSize || p > boltMaxPageSize || p&(p-1) != 0 {
		return fmt.Errorf("its meta page declares a page size of %d bytes", p)
	}
	if c.size < 2*int64(c.pageSize) {
		return fmt.Errorf("the file is %d bytes, shorter than its two meta pages of %d bytes", c.size, c.pageSize)
	}
	m1, err1 := c.metaAt(int64(c.pageSize))
	if err0 == nil && err1 == nil && m1.pageSize != m0.pageSize {
		return fmt.Errorf("its meta pages declare page sizes of %d and %d bytes", m0.pageSize, m1.pageSize)
	}
	// bbolt uses the valid meta with the higher txid, else the other one
	a, errA, b, errB := m0, err0, m1, err1
	if m1.txid > m0.txid {
		a, errA, b, errB = m1, err1, m0, err0
	}
	switch {
	case errA == nil:
		c.meta = a
	case errB == nil:
		c.meta = b
	default:
		return fmt.Errorf("neither meta page is valid (page 0: %v; page 1: %v)", err0, err1)
	}
	if c.meta.pageSize != c.pageSize {
		return fmt.Errorf("its meta page declares a page size of %d bytes, the file uses %d", c.meta.pageSize, c.pageSize)
	}
	if pages := uint64(c.size) / c.pageSize; c.meta.pgid > pages {
		return fmt.Errorf("it declares %d pages of %d bytes but holds %d bytes, %d pages (cut short?)", c.meta.pgid, c.pageSize, c.size, pages)
	}
	return nil
}

// metaAt reads and validates the meta page at pos as meta.Validate does.
func (c *fileCheck) metaAt(pos int64) (boltMeta, error) {
	var b [boltPageHeader + boltMetaSize]byte
	if _, err := c.r.ReadAt(b[:], pos); err != nil {
		return boltMeta{}, errors.New("unreadable")
	}
	raw := b[boltPageHeader:]
	h := fnv.New64a()
	h.Write(raw[:56])
	switch {
	case order.Uint32(raw[0:]) != boltMagic:
		return boltMeta{}, errors.New("not a bbolt meta page")
	case order.Uint32(raw[4:]) != boltVersion:
		return boltMeta{}, fmt.Errorf("version %d, not %d", order.Uint32(raw[4:]), boltVersion)
	case order.Uint64(raw[56:]) != h.Sum64():
		return boltMeta{}, errors.New("checksum mismatch")
	}
	return boltMeta{
		pageSize: uint64(order.Uint32(raw[8:])),
		root:     order.Uint64(raw[16:]),
		freelist: order.Uint64(raw[32:]),
		pgid:     order.Uint64(raw[40:]),
		txid:     order.Uint64(raw[48:]),
	}, nil
}

// pageHeader is a page's first 16 bytes.
type pageHeader struct {
	id       uint64
	flags    uint16
	count    uint16
	overflow uint32
}

// checkHeader checks that the page read at id is that page, of one of the
// kinds in flags, and that its span lies inside the pages in use.
func (c *fileCheck) checkHeader(b []byte, id uint64, what string, flags ...uint16) (pageHeader, error) {
	h := pageHeader{id: order.Uint64(b[0:]), flags: order.Uint16(b[8:]), count: order.Uint16(b[10:]), overflow: order.Uint32(b[12:])}
	switch {
	case h.id != id:
		return h, fmt.Errorf("%s page %d says it is page %d", what, id, h.id)
	case !slices.Contains(flags, h.flags):
		return h, fmt.Errorf("%s page %d is of the wrong kind (flags %#x)", what, id, h.flags)
	case uint64(h.overflow) >= c.meta.pgid-id:
		return h, fmt.Errorf("%s page %d runs past the %d pages in use", what, id, c.meta.pgid)
	}
	return h, nil
}

// inUse checks that page id is a data page below the high-water mark.
func (c *fileCheck) inUse(id uint64, what string) error {
	if id < 2 || id >= c.meta.pgid {
		return fmt.Errorf("%s page %d is outside the %d pages in use", what, id, c.meta.pgid)
	}
	return nil
}

// readFreelist checks the freelist page as bbolt's freelist.Read will read
// it, and that every free page is a data page in use, listed once, in order.
// It streams the list: a damaged count cannot make it allocate much.
func (c *fileCheck) readFreelist() error {
	id := c.meta.freelist
	if err := c.inUse(id, "its freelist"); err != nil {
		return err
	}
	pos := int64(id * c.pageSize)
	r := bufio.NewReaderSize(io.NewSectionReader(c.r, pos, c.size-pos), int(c.pageSize)) // one read for most
	unreadable := func() error { return fmt.Errorf("its freelist page %d is unreadable", id) }
	head, err := r.Peek(boltPageHeader)
	if err != nil {
		return unreadable()
	}
	h, err := c.checkHeader(head, id, "its freelist", boltFreelistPage)
	if err != nil {
		return err
	}
	_, _ = r.Discard(boltPageHeader)
	span := (uint64(h.overflow) + 1) * c.pageSize
	var word [8]byte
	count := uint64(h.count)
	skip := uint64(0)
	if h.count == 0xFFFF { // more than fit in count: the first id is the count
		if _, err := io.ReadFull(r, word[:]); err != nil {
			return unreadable()
		}
		count, skip = order.Uint64(word[:]), 1
	}
	if count > (span-boltPageHeader)/8-skip {
		return fmt.Errorf("its freelist page %d lists %d pages, more than it can hold", id, count)
	}
	c.free = make([]uint64, 0, min(count, 1<<16))
	c.freeSet = newPageSet(c.meta.pgid)
	var prev uint64
	for i := uint64(0); i < count; i++ {
		if _, err := io.ReadFull(r, word[:]); err != nil {
			return unreadable()
		}
		p := order.Uint64(word[:])
		switch {
		case p < 2 || p >= c.meta.pgid:
			return fmt.Errorf("its freelist lists page %d, outside the %d pages in use", p, c.meta.pgid)
		case i > 0 && p <= prev:
			return fmt.Errorf("its freelist lists page %d after page %d (out of order)", p, prev)
		case p == c.meta.root || p >= id && p <= id+uint64(h.overflow):
			return fmt.Errorf("its freelist lists page %d, which is in use", p)
		}
		c.free = append(c.free, p)
		c.freeSet.add(p)
		prev = p
	}
	return nil
}

// isFree reports whether page id is on the freelist.
func (c *fileCheck) isFree(id uint64) bool { return c.freeSet != nil && c.freeSet.has(id) }

// span reads a whole page span into buf (grown as needed): its first page,
// then, once its header is checked, its overflow pages.
func (c *fileCheck) span(buf []byte, id uint64, what string, flags ...uint16) ([]byte, pageHeader, error) {
	if err := c.inUse(id, what); err != nil {
		return nil, pageHeader{}, err
	}
	if c.isFree(id) {
		return nil, pageHeader{}, fmt.Errorf("%s page %d is also on the freelist", what, id)
	}
	pos := int64(id * c.pageSize)
	buf = slices.Grow(buf[:0], int(c.pageSize))[:c.pageSize]
	if _, err := c.r.ReadAt(buf, pos); err != nil {
		return nil, pageHeader{}, fmt.Errorf("%s page %d is unreadable", what, id)
	}
	h, err := c.checkHeader(buf, id, what, flags...)
	if err != nil {
		return nil, h, err
	}
	if n := (uint64(h.overflow) + 1) * c.pageSize; n > c.pageSize {
		buf = slices.Grow(buf, int(n-c.pageSize))[:n]
		if _, err := c.r.ReadAt(buf[c.pageSize:], pos+int64(c.pageSize)); err != nil {
			return nil, h, fmt.Errorf("%s page %d is unreadable", what, id)
		}
	}
	return buf, h, nil
}

// element is one entry of a leaf or branch page.
type element struct {
	flags uint32
	key   []byte
	value []byte // leaf
	child uint64 // branch
}

// eachElement checks the entries of page p (a span, or an inline page
// inside a bucket's value) and gives each to fn (if not nil): each must lie
// inside the page and the keys ascend, as bbolt's binary searches need.
// where names the page, for the error.
func eachElement(p []byte, h pageHeader, where func() string, fn func(element) error) error {
	n := uint64(h.count)
	if uint64(len(p)) < boltPageHeader+n*boltElement {
		return fmt.Errorf("%s claims %d entries, more than it can hold", where(), n)
	}
	if h.flags == boltBranchPage && n == 0 {
		return fmt.Errorf("%s is an empty branch", where())
	}
	var prev []byte
	for i := range n {
		off := boltPageHeader + i*boltElement
		b := p[off:]
		var e element
		var pos, ksize, vsize uint64
		if h.flags == boltLeafPage {
			e.flags = order.Uint32(b[0:])
			pos, ksize, vsize = uint64(order.Uint32(b[4:])), uint64(order.Uint32(b[8:])), uint64(order.Uint32(b[12:]))
		} else {
			pos, ksize = uint64(order.Uint32(b[0:])), uint64(order.Uint32(b[4:]))
			e.child = order.Uint64(b[8:])
		}
		start, end := off+pos, off+pos+ksize+vsize
		if end > uint64(len(p)) {
			return fmt.Errorf("%s: entry %d points past the page", where(), i)
		}
		e.key, e.value = p[start:start+ksize], p[start+ksize:end]
		if i > 0 && bytes.Compare(prev, e.key) >= 0 {
			return fmt.Errorf("%s: its keys are out of order", where())
		}
		prev = e.key
		if fn != nil {
			if err := fn(e); err != nil {
				return err
			}
		}
	}
	return nil
}

// pageSet is a set of page ids below the high-water mark, one bit each.
type pageSet []uint64

func newPageSet(pages uint64) pageSet { return make(pageSet, (pages+63)/64) }
func (s pageSet) has(id uint64) bool  { return s[id/64]&(1<<(id%64)) != 0 }
func (s pageSet) add(id uint64)       { s[id/64] |= 1 << (id % 64) }
func pageName(what string, id uint64) func() string {
	return func() string { return what + " page " + strconv.FormatUint(id, 10) }
}

// checkRootBucket walks the root bucket's tree (a gatehouse file has one
// leaf: a dozen buckets) and the branch pages of every bucket in it.
func (c *fileCheck) checkRootBucket() error {
	c.seen = newPageSet(c.meta.pgid)
	if c.meta.freelist != boltNoFreelist {
		c.seen.add(c.meta.freelist)
	}
	var buf []byte // its own: the buckets' walks use c.scratch meanwhile
	return c.walkTree(&buf, c.meta.root, "the root bucket's", true, nil, func(id uint64, e element) error {
		if e.flags&boltBucketLeaf == 0 {
			return fmt.Errorf("the root bucket's page %d holds %q, which is not a bucket", id, e.key)
		}
		return c.checkBucket(e.key, e.value)
	})
}

// checkBucket checks a bucket's inline page, or walks its tree.
func (c *fileCheck) checkBucket(name, value []byte) error {
	what := "bucket " + strconv.Quote(string(name)) + "'s"
	if len(value) < boltBucketHeader {
		return errors.New(what + " header is cut short")
	}
	if root := order.Uint64(value); root != 0 {
		var named func(uint64)
		if bytes.Equal(name, bucketUsers) {
			named = func(id uint64) { c.ahead = append(c.ahead, id) }
		}
		return c.walkTree(&c.scratch, root, what, false, named, nil)
	}
	p := value[boltBucketHeader:] // inline: a leaf page inside the value
	if len(p) < boltPageHeader {
		return errors.New(what + " inline page is cut short")
	}
	h := pageHeader{flags: order.Uint16(p[8:]), count: order.Uint16(p[10:])}
	if h.flags != boltLeafPage {
		return fmt.Errorf("%s inline page is of the wrong kind (flags %#x)", what, h.flags)
	}
	return eachElement(p, h, func() string { return what + " inline page" }, nil)
}

// walkTree reads the branch pages of the tree rooted at root, level by
// level, and checks every child they name: a data page in use, not free,
// named once in the whole file. A page named twice is a cycle (bbolt's
// cursor would descend forever, growing its stack until memory runs out)
// or a page two parents share (a change set would free it under the other).
// The leaves are not read — one header says the level below is theirs
// (bbolt's trees are balanced) — unless the root is one, or readLeaves:
// then every entry of theirs is checked and given to leaf. named, if set,
// is told every page below the root once it is checked.
func (c *fileCheck) walkTree(buf *[]byte, root uint64, what string, readLeaves bool, named func(uint64), leaf func(uint64, element) error) error {
	if err := c.refer(root, func() string { return what[:len(what)-2] + " header" }); err != nil {
		return err
	}
	level := []uint64{root}
	for {
		var next []uint64
		collect, leavesBelow := true, false
		var kind uint16
		for i, id := range level {
			p, h, err := c.span(*buf, id, what, boltBranchPage, boltLeafPage)
			if err != nil {
				return err
			}
			*buf = p
			if i == 0 {
				kind = h.flags
			} else if h.flags != kind {
				return fmt.Errorf("%s page %d is not at the depth of its siblings", what, id)
			}
			where := pageName(what, id)
			if kind == boltLeafPage {
				var fn func(element) error
				if leaf != nil {
					fn = func(e element) error { return leaf(id, e) }
				}
				if err := eachElement(p, h, where, fn); err != nil {
					return err
				}
				continue
			}
			if err := eachElement(p, h, where, func(e element) error {
				if err := c.refer(e.child, where); err != nil {
					return err
				}
				if named != nil {
					named(e.child)
				}
				if collect {
					next = append(next, e.child)
				}
				return nil
			}); err != nil {
				return err
			}
			if i == 0 && !readLeaves && c.kind(next[0]) == boltLeafPage {
				collect, leavesBelow = false, true // named and checked: enough
			}
		}
		if kind == boltLeafPage || leavesBelow {
			return nil
		}
		level = next
	}
}

// kind is the flags of page id (span checks them when it reads the page).
func (c *fileCheck) kind(id uint64) uint16 {
	var b [boltPageHeader]byte
	if _, err := c.r.ReadAt(b[:], int64(id*c.pageSize)); err != nil {
		return 0
	}
	return order.Uint16(b[8:])
}

// refer checks a reference to page id: in use, not free, not named before.
func (c *fileCheck) refer(id uint64, from func() string) error {
	switch {
	case id < 2 || id >= c.meta.pgid:
		return fmt.Errorf("%s points to page %d, outside the %d pages in use", from(), id, c.meta.pgid)
	case c.isFree(id):
		return fmt.Errorf("%s points to page %d, which is on the freelist", from(), id)
	case c.seen.has(id):
		return fmt.Errorf("%s points to page %d, which is named twice (a cycle?)", from(), id)
	}
	c.seen.add(id)
	return nil
}
