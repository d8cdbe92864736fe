package store

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/gatehouse/gatehouse/internal/safetext"
	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// A damaged database file gets one line that says to restore a backup, and
// never crashes the process. checkFile (filecheck.go) checks what bbolt
// trusts before it maps the file; openGuard catches what the rest of the file
// can still make bbolt and load do while Open reads it.

// damaged is that one line.
func damaged(path, what string) error {
	return &Error{Kind: KindDamaged, Msg: fmt.Sprintf("database %s is damaged: %s; restore a backup (see README: Backup and restore)", path, safetext.Escape(what))}
}

// maxUserRecord bounds a user record at open: a damaged page can declare a
// value of up to 4 GiB, which decoding would copy. Real ones are well under
// a kilobyte (a few kilobytes with thousands of sites).
const maxUserRecord = 1 << 20

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

// schema1Buckets are the buckets every gatehouse database has held since
// schema 1: all of them or, in a new file, none.
var schema1Buckets = [][]byte{bucketMeta, bucketUsers, bucketEmails, bucketClients, bucketSites, bucketTeams,
	bucketProfiles, bucketScreens, bucketInvitations, bucketUserInvites, bucketOutbox, bucketAudit, bucketBatches}

// sequenced are the buckets keyed by ids from NextSequence.
var sequenced = [][]byte{bucketUsers, bucketClients, bucketSites, bucketTeams, bucketProfiles, bucketOutbox, bucketBatches}

var errStop = errors.New("stop")

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

// readPanic is a panic caught while reading the file.
type readPanic struct{ what string }

func (p *readPanic) Error() string { return p.what }

// catchPanics runs fn with faults on mapped memory turned into panics, and
// returns a panic as a *readPanic.
func catchPanics(fn func() error) (err error) {
	defer catchDamage(&err)()
	return fn()
}

// catchDamage makes a fault on mapped memory (bbolt's file, read past its
// end) a panic in the calling goroutine, not the end of the process; the
// function it returns, deferred, turns that panic, or one of bbolt's own,
// into *err. Any other panic is a bug, not damage: it goes on. Every
// goroutine that reads the file needs its own: defer catchDamage(&err)().
func catchDamage(err *error) func() {
	old := debug.SetPanicOnFault(true)
	return func() {
		debug.SetPanicOnFault(old)
		r := recover()
		if r == nil {
			return
		}
		if f, ok := r.(interface{ Addr() uintptr }); ok {
			*err = &readPanic{what: fmt.Sprintf("a page points outside the file (read fault at %#x)", f.Addr())}
			return
		}
		if !panickedInBbolt() {
			panic(r)
		}
		*err = &readPanic{what: fmt.Sprintf("reading it failed (%v)", r)}
	}
}

// panickedInBbolt reports whether the panic being handled was raised in
// bbolt: called from a deferred function, the innermost frame below the
// runtime's own is the one that panicked.
func panickedInBbolt() bool {
	pcs := make([]uintptr, 64)
	frames := runtime.CallersFrames(pcs[:runtime.Callers(3, pcs)])
	for {
		f, more := frames.Next()
		if !strings.HasPrefix(f.Function, "runtime.") {
			return strings.HasPrefix(f.Function, "go.etcd.io/bbolt")
		}
		if !more {
			return false
		}
	}
}
