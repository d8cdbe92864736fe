package store

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	"github.com/gatehouse/gatehouse/internal/safetext"
	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// The bbolt engine: one file, one process. Every bbolt type in the store is
// in this file. Beyond the engine it offers what only a file has: the
// checks of a file at open (checked), and an online backup (backup).

// boltEngine is one open bbolt file.
type boltEngine struct {
	db   *guardedDB // every transaction guarded against a damaged file (damage.go)
	path string
	g    *openGuard
}

// errFileLocked says another process holds the file (bbolt's lock timeout).
var errFileLocked = errors.New("the database file is locked by another process")

// boltOpen is how to open a file.
type boltOpen struct {
	timeout  time.Duration
	noSync   bool
	readOnly bool
}

// openBolt opens the bbolt file at path, checked first (filecheck.go); a
// missing file is a new database (unless read-only). A file locked past the
// timeout is errFileLocked; a damaged one the one-line error.
func openBolt(path string, o boltOpen) (*boltEngine, error) {
	g := &openGuard{path: path}
	opt := &bolt.Options{Timeout: o.timeout, ReadOnly: o.readOnly}
	if !o.readOnly {
		// 16 KiB pages (new files): a bulk change set of 10,000 scattered users
		// rewrites a quarter as many pages, in a quarter as many writes
		opt.NoSync, opt.NoFreelistSync, opt.FreelistType, opt.PageSize = o.noSync, false, bolt.FreelistMapType, 16384
	}
	db, err := g.open(opt)
	if err != nil {
		if errors.Is(err, bolterrors.ErrTimeout) {
			return nil, errFileLocked
		}
		return nil, err
	}
	return &boltEngine{db: &guardedDB{DB: db, path: path}, path: path, g: g}, nil
}

func (e *boltEngine) view(fn func(rtx) error) error {
	return e.db.View(func(tx *bolt.Tx) error { return fn(boltTx{tx}) })
}

func (e *boltEngine) update(fn func(wtx) error) error {
	return e.db.Update(func(tx *bolt.Tx) error { return fn(boltTx{tx}) })
}

func (e *boltEngine) close() error { return e.db.Close() }

// checked runs fn (the store's init and load) after checking what the file
// holds; an error from an existing file that is not one of the store's own
// is damage.
func (e *boltEngine) checked(fn func() error) error { return e.g.read(e.db.DB, fn) }

// boltTx is a bbolt transaction as the store sees one.
type boltTx struct{ tx *bolt.Tx }

func (t boltTx) get(bucket, key []byte) []byte {
	if b := t.tx.Bucket(bucket); b != nil {
		return b.Get(key)
	}
	return nil
}

func (t boltTx) hasBucket(bucket []byte) bool { return t.tx.Bucket(bucket) != nil }

func (t boltTx) scan(bucket, from []byte, reverse bool, fn func(k, v []byte) error) error {
	b := t.tx.Bucket(bucket)
	if b == nil {
		return nil
	}
	c := b.Cursor()
	var k, v []byte
	switch {
	case !reverse && from == nil:
		k, v = c.First()
	case !reverse:
		k, v = c.Seek(from)
	case from == nil:
		k, v = c.Last()
	default:
		if k, v = c.Seek(from); k == nil {
			k, v = c.Last()
		} else if !bytes.Equal(k, from) {
			k, v = c.Prev()
		}
	}
	for k != nil {
		if err := fn(k, v); err != nil {
			if err == errStop {
				return nil
			}
			return err
		}
		if reverse {
			k, v = c.Prev()
		} else {
			k, v = c.Next()
		}
	}
	return nil
}

func (t boltTx) sequence(bucket []byte) uint64 {
	if b := t.tx.Bucket(bucket); b != nil {
		return b.Sequence()
	}
	return 0
}

func (t boltTx) writable(bucket []byte) (*bolt.Bucket, error) {
	b := t.tx.Bucket(bucket)
	if b == nil {
		return nil, fmt.Errorf("no %s bucket", bucket)
	}
	if bytes.Equal(bucket, bucketAudit) {
		b.FillPercent = 1 // keys only ever grow: pack pages full
	}
	return b, nil
}

func (t boltTx) put(bucket, key, value []byte) error {
	b, err := t.writable(bucket)
	if err != nil {
		return err
	}
	return b.Put(key, value)
}

func (t boltTx) del(bucket, key []byte) error {
	b, err := t.writable(bucket)
	if err != nil {
		return err
	}
	return b.Delete(key)
}

func (t boltTx) nextID(bucket []byte) (uint64, error) {
	b, err := t.writable(bucket)
	if err != nil {
		return 0, err
	}
	return b.NextSequence()
}

func (t boltTx) createBucket(bucket []byte) error {
	_, err := t.tx.CreateBucketIfNotExists(bucket)
	return err
}

// backup writes a copy of the live contents into a new file at name
// (Store.Backup).
func (e *boltEngine) backup(name string) error {
	// no fsync per batch: one at the end, before the rename makes it a backup
	dst, err := bolt.Open(name, 0o600, &bolt.Options{Timeout: time.Second, NoSync: true, PageSize: 16384, NoFreelistSync: false, FreelistType: bolt.FreelistMapType})
	if err != nil {
		return badInput("cannot write the backup: %v", err)
	}
	if err := e.copyLive(dst); err != nil {
		dst.Close()
		return fmt.Errorf("backup: %w", err)
	}
	if err := dst.Sync(); err != nil {
		dst.Close()
		return fmt.Errorf("backup: %w", err)
	}
	return dst.Close()
}

// copyLive copies every bucket, key, value and sequence of the database
// into dst inside one read transaction (a consistent copy), committing dst
// every 4 MiB (bigger batches only cost memory and time: BENCH.md); keys and
// values are copied out of the memory map first.
func (e *boltEngine) copyLive(dst *bolt.DB) error {
	const batch = 4 << 20
	return e.db.View(func(src *bolt.Tx) error {
		out, err := dst.Begin(true)
		if err != nil {
			return err
		}
		defer func() { _ = out.Rollback() }()
		size := 0
		var walk func(from *bolt.Bucket, path [][]byte) error
		walk = func(from *bolt.Bucket, path [][]byte) error {
			return from.ForEach(func(k, v []byte) error {
				if size >= batch {
					if err := out.Commit(); err != nil {
						return err
					}
					if out, err = dst.Begin(true); err != nil {
						return err
					}
					size = 0
				}
				to := out.Bucket(path[0])
				for _, name := range path[1:] {
					to = to.Bucket(name)
				}
				to.FillPercent = 1
				if v == nil { // a nested bucket
					sub := from.Bucket(k)
					nb, err := to.CreateBucket(bytes.Clone(k))
					if err != nil {
						return err
					}
					if err := nb.SetSequence(sub.Sequence()); err != nil {
						return err
					}
					return walk(sub, append(path, bytes.Clone(k)))
				}
				size += len(k) + len(v)
				return to.Put(bytes.Clone(k), bytes.Clone(v))
			})
		}
		if err := src.ForEach(func(name []byte, b *bolt.Bucket) error {
			nb, err := out.CreateBucket(bytes.Clone(name))
			if err != nil {
				return err
			}
			if err := nb.SetSequence(b.Sequence()); err != nil {
				return err
			}
			return walk(b, [][]byte{bytes.Clone(name)})
		}); err != nil {
			return err
		}
		return out.Commit()
	})
}

// load copies every bucket of src (another engine's snapshot) into this
// new, empty file: keys, values and ids, and the audit head, committing
// every 4 MiB (as copyLive); the file is fsynced by sync, once (migrate.go).
func (e *boltEngine) load(src rtx) (int, error) {
	const batch = 4 << 20
	out, err := e.db.Begin(true)
	if err != nil {
		return 0, err
	}
	defer func() { _ = out.Rollback() }()
	for _, name := range allBuckets {
		b, err := out.CreateBucket(name)
		if err != nil {
			return 0, err
		}
		if err := b.SetSequence(src.sequence(name)); err != nil {
			return 0, err
		}
	}
	if head := src.get(bucketMeta, keyAuditHead); head != nil {
		if err := out.Bucket(bucketMeta).Put(keyAuditHead, bytes.Clone(head)); err != nil {
			return 0, err
		}
	}
	n, size := 0, 0
	err = eachRecord(src, func(bucket, k, v []byte) error {
		if size >= batch {
			if err := out.Commit(); err != nil {
				return err
			}
			if out, err = e.db.Begin(true); err != nil {
				return err
			}
			size = 0
		}
		b := out.Bucket(bucket)
		b.FillPercent = 1 // keys come in order: pack pages full
		n++
		size += len(k) + len(v)
		return b.Put(bytes.Clone(k), bytes.Clone(v))
	})
	if err != nil {
		return 0, err
	}
	return n, out.Commit()
}

// sync writes the file out (after a load without an fsync per batch).
func (e *boltEngine) sync() error { return e.db.Sync() }

// openGuard runs Open's reads of a file. bbolt panics on a bad page (failed
// assertions, slices out of range), and a read through its mapping past the
// end of the file faults; both become the one-line error, and bbolt's file
// is released.
type openGuard struct {
	path     string
	existing bool     // the file was there: a failure reading it is damage
	file     *os.File // bbolt's, to release when bbolt panics before returning it
}

// open opens bbolt on the file checked first (checkFile): the check reads
// the very file bbolt will map, handed to it through OpenFile. A missing
// file is a new database. bbolt's own errors about its meta pages, and its
// panics, are damage too.
func (g *openGuard) open(opt *bolt.Options) (db *bolt.DB, err error) {
	opt.OpenFile = func(name string, flag int, perm os.FileMode) (*os.File, error) {
		f, err := os.OpenFile(name, flag&^os.O_CREATE, perm)
		if errors.Is(err, fs.ErrNotExist) {
			f, err = os.OpenFile(name, flag, perm) // a new database
		} else if err == nil {
			g.existing = true
			if err = checkFile(f, name); err != nil {
				f.Close()
				return nil, err
			}
		}
		g.file = f
		return f, err
	}
	err = catchPanics(func() error {
		db, err = bolt.Open(g.path, 0o600, opt)
		return err
	})
	var p *readPanic
	switch {
	case errors.As(err, &p):
		if g.file != nil {
			g.file.Close() // bbolt never returned it: release the file and its lock
		}
		return nil, damaged(g.path, p.what)
	case errors.Is(err, bolterrors.ErrInvalid), errors.Is(err, bolterrors.ErrVersionMismatch), errors.Is(err, bolterrors.ErrChecksum):
		return nil, damaged(g.path, err.Error())
	}
	return db, err
}

// read runs fn (init and load) after checking what the file holds; an error
// from an existing file that is not one of the store's own is damage.
func (g *openGuard) read(db *bolt.DB, fn func() error) error {
	err := catchPanics(func() error {
		if err := db.View(func(tx *bolt.Tx) error { return checkContents(g.path, tx) }); err != nil {
			return err
		}
		return fn()
	})
	var p *readPanic
	switch {
	case errors.As(err, &p):
		return damaged(g.path, p.what)
	case err != nil && KindOf(err) == 0 && g.existing:
		return damaged(g.path, err.Error())
	}
	return err
}

// checkContents checks what a damaged file would make init do wrong rather
// than fail: a bucket renamed by a flipped byte would be created again empty,
// a lost schema record would seed the file again, and a sequence below the
// last id would make the next record overwrite an existing one.
func checkContents(path string, tx *bolt.Tx) error {
	var missing []byte
	present := 0
	for _, name := range schema1Buckets {
		if tx.Bucket(name) != nil {
			present++
		} else if missing == nil {
			missing = name
		}
	}
	if present == 0 {
		var other []byte
		_ = tx.ForEach(func(name []byte, _ *bolt.Bucket) error { other = name; return errStop })
		if other != nil {
			return badInput("database %s is not a gatehouse database (it holds bucket %s); give the path of a gatehouse database", path, safetext.Escape(fmt.Sprintf("%q", other)))
		}
		return nil // a new file
	}
	if missing != nil {
		return damaged(path, fmt.Sprintf("its %s bucket is missing", missing))
	}
	if v := tx.Bucket(bucketMeta).Get(keySchema); len(v) != 8 {
		return damaged(path, "its schema record is missing")
	}
	for _, name := range sequenced {
		b := tx.Bucket(name)
		k, _ := b.Cursor().Last()
		switch {
		case k == nil:
		case len(k) != 8:
			return damaged(path, fmt.Sprintf("its %s bucket holds a key that is not an id", name))
		case btoi(k) > b.Sequence():
			return damaged(path, fmt.Sprintf("its %s bucket's sequence (%d) is below its last id (%d)", name, b.Sequence(), btoi(k)))
		}
	}
	return nil
}

// guardedDB is bbolt's DB with every transaction guarded: a bad page that a
// read or a change set meets after open (audit log, history, verify) is the
// one-line error too, returned where bbolt was called, so nothing above it
// sees half a change. View and Update are what the store uses; Begin and
// Batch are not guarded.
type guardedDB struct {
	*bolt.DB
	path string
}

func (db *guardedDB) View(fn func(*bolt.Tx) error) error {
	return db.guard(func() error { return db.DB.View(fn) })
}

func (db *guardedDB) Update(fn func(*bolt.Tx) error) error {
	return db.guard(func() error { return db.DB.Update(fn) })
}

func (db *guardedDB) guard(fn func() error) error {
	err := catchPanics(fn)
	if p := (*readPanic)(nil); errors.As(err, &p) {
		return damaged(db.path, p.what)
	}
	return err
}
