package store

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/gatehouse/gatehouse/internal/safetext"
)

// A damaged database file gets one line that says to restore a backup, and
// never crashes the process. checkFile (filecheck.go) checks what bbolt
// trusts before it maps the file; openGuard (engine_bolt.go) catches what the rest of the file
// can still make bbolt and load do while Open reads it.

// damaged is that one line.
func damaged(path, what string) error {
	return &Error{Kind: KindDamaged, Msg: fmt.Sprintf("database %s is damaged: %s; restore a backup (see README: Backup and restore)", path, safetext.Escape(what))}
}

// maxUserRecord bounds a user record at open: a damaged page can declare a
// value of up to 4 GiB, which decoding would copy. Real ones are well under
// a kilobyte (a few kilobytes with thousands of sites).
const maxUserRecord = 1 << 20

// schema1Buckets are the buckets every gatehouse database has held since
// schema 1: all of them or, in a new file, none.
var schema1Buckets = [][]byte{bucketMeta, bucketUsers, bucketEmails, bucketClients, bucketSites, bucketTeams,
	bucketProfiles, bucketScreens, bucketInvitations, bucketUserInvites, bucketOutbox, bucketAudit, bucketBatches}

// sequenced are the buckets keyed by ids from NextSequence.
var sequenced = [][]byte{bucketUsers, bucketClients, bucketSites, bucketTeams, bucketProfiles, bucketOutbox, bucketBatches}

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
