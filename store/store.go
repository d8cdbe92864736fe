package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gatehouse/gatehouse/store/dbpath"
)

var (
	bucketMeta        = []byte("meta")
	bucketUsers       = []byte("users")
	bucketEmails      = []byte("emails") // lower(email) → user id
	bucketClients     = []byte("clients")
	bucketSites       = []byte("sites")
	bucketTeams       = []byte("teams")
	bucketProfiles    = []byte("profiles")
	bucketScreens     = []byte("screens")
	bucketInvitations = []byte("invitations")  // sha256(token) → invitation
	bucketUserInvites = []byte("user_invites") // user id ‖ sha256(token) → nil
	bucketOutbox      = []byte("outbox")
	bucketAudit       = []byte("audit")   // seq → entry, hash-chained
	bucketBatches     = []byte("batches") // change set id → batch
	allBuckets        = [][]byte{bucketMeta, bucketUsers, bucketEmails, bucketClients, bucketSites,
		bucketTeams, bucketProfiles, bucketScreens, bucketInvitations, bucketUserInvites, bucketOutbox, bucketAudit, bucketBatches}

	keySchema    = []byte("schema")
	keySettings  = []byte("settings")
	keyAuditHead = []byte("audit_head")
)

const schemaVersion = 1

// Options tune Open.
type Options struct {
	// Timeout bounds the wait for another process's lock (default 1s).
	Timeout time.Duration
	// NoSync skips fsync: for benchmarks and throwaway data only.
	NoSync bool
	// Now replaces the clock (tests).
	Now func() time.Time
	// EmailIndexLater builds the email index on first use, or when
	// StartEmailIndex is called, instead of at once in the background: a
	// console's first frame needs none of it, and the core it took.
	EmailIndexLater bool
}

// Store is an open gatehouse database. All methods are safe for concurrent use.
type Store struct {
	db   engine // where the bytes are kept (engine.go)
	path string
	now  func() time.Time

	wmu sync.Mutex // one change set at a time: memory follows the file exactly
	grp group      // change sets applied at once, written in one transaction (group.go)

	mu    sync.RWMutex
	users userTable
	batch uint64 // the last committed change set
	cat   *catalog

	// byEmail maps lower(email) to the user, with what a check needs inline.
	// It is built in the background after open, or later (EmailIndexLater):
	// only checks, sign-ins and writes need it, not a console's first frame.
	// Use emails(), which waits for it or builds it, never the field.
	byEmail     map[string]emailEntry
	emailsOnce  sync.Once
	emailsBuilt atomic.Bool // the fast path of every check
	emailsLater bool        // Options.EmailIndexLater

	events   events
	signIns  signIns
	keyCache keyCache
	looks    *lookalikes // built by the first change set that needs them (wmu)
	exp      expiries    // who holds grants that end, and the timer for the next end
	remote   remotes     // other nodes' commits, to apply (follow.go)
}

// DefaultPath is where the database is when a command line names none
// (dbpath.Default).
func DefaultPath() string { return dbpath.Default() }

// Open opens (creating and seeding if new) the database at path.
func Open(path string, opt Options) (*Store, error) {
	if opt.Timeout <= 0 {
		opt.Timeout = time.Second
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, badInput("cannot create the database folder: %v", err)
	}
	// a damaged file is refused with one line, never a crash (damage.go)
	eng, err := openBolt(path, boltOpen{timeout: opt.Timeout, noSync: opt.NoSync})
	if err != nil {
		if errors.Is(err, errFileLocked) {
			return nil, &Error{Kind: KindLocked, Msg: fmt.Sprintf("database %s is in use by another gatehouse process%s; use that one (over SSH if it is the server) or stop it", path, holderHint(path))}
		}
		if KindOf(err) != 0 {
			return nil, err
		}
		return nil, badInput("cannot open database %s: %v", path, err)
	}
	return openOn(eng, path, opt)
}

// openChecker is an engine that checks what it holds before the store
// reads it (the bbolt engine: a damaged file is one line, never a crash).
type openChecker interface {
	checked(fn func() error) error
}

// openOn opens the store on an engine: init (creating and seeding what is
// new) and load, under the engine's checks; then what has ended is taken
// back. The engine is closed when this fails.
func openOn(eng engine, where string, opt Options) (*Store, error) {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	s := &Store{db: eng, path: where, now: func() time.Time { return opt.Now().UTC() }, emailsLater: opt.EmailIndexLater}
	run := func(fn func() error) error { return fn() }
	if c, ok := eng.(openChecker); ok {
		run = c.checked
	}
	if err := run(s.init); err != nil {
		eng.close()
		return nil, err
	}
	// what ended while nothing held the file is taken back before anyone
	// is served; what ends later, by a timer
	if _, err := s.ExpireDue(); err != nil {
		s.Close()
		return nil, err
	}
	s.armExpiry()
	s.startFollowing()
	return s, nil
}

// holderHint names the server holding the file, when one left its address beside it.
func holderHint(path string) string {
	b, err := os.ReadFile(path + ".serving")
	if err != nil || len(b) == 0 {
		return ""
	}
	return fmt.Sprintf(" (it serves SSH on %s)", string(trimSpace(b)))
}

func trimSpace(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == ' ') {
		b = b[:len(b)-1]
	}
	return b
}

// Close releases the file.
func (s *Store) Close() error {
	s.stopFollowing()
	s.stopExpiry()
	s.signIns.mu.Lock()
	s.signIns.closed = true
	s.signIns.mu.Unlock()
	s.signIns.running.Wait() // sign-ins recorded in the background are written first
	s.events.closeAll()
	return s.db.close()
}

// Path is the database file.
func (s *Store) Path() string { return s.path }

func (s *Store) init() error {
	// an existing, complete database needs no write (and so no fsync) to open
	ready := false
	if err := s.db.view(func(tx rtx) error {
		ready = true
		for _, b := range allBuckets {
			if !tx.hasBucket(b) {
				ready = false
			}
		}
		if ready && tx.get(bucketMeta, keySchema) == nil {
			ready = false
		}
		return nil
	}); err != nil {
		return err
	}
	if ready {
		if err := s.checkSchema(); err != nil {
			return err
		}
		if err := s.scrubLegacyTokens(); err != nil {
			return err
		}
		return s.load()
	}
	err := s.update(func(tx wtx) error {
		for _, b := range allBuckets {
			if err := tx.createBucket(b); err != nil {
				return err
			}
		}
		if v := tx.get(bucketMeta, keySchema); v != nil {
			if binary.BigEndian.Uint64(v) > schemaVersion {
				return badInput("database %s was written by a newer gatehouse (schema %d); upgrade gatehouse", s.path, binary.BigEndian.Uint64(v))
			}
			return nil
		}
		return seedCatalog(tx, s.now())
	})
	if err != nil {
		return err
	}
	return s.load()
}

func (s *Store) checkSchema() error {
	return s.db.view(func(tx rtx) error {
		if v := tx.get(bucketMeta, keySchema); binary.BigEndian.Uint64(v) > schemaVersion {
			return badInput("database %s was written by a newer gatehouse (schema %d); upgrade gatehouse", s.path, binary.BigEndian.Uint64(v))
		}
		return nil
	})
}

// load reads what reads and checks need into memory.
func (s *Store) load() error {
	return s.db.view(func(tx rtx) error {
		users, table, cat, batch, err := readState(tx)
		if err != nil {
			return err
		}
		s.loadedAt(tx)
		s.mu.Lock()
		s.batch = batch
		s.users, s.cat = table, cat
		s.mu.Unlock()
		s.noteExpiries(usersWithEnds(users))
		if !s.emailsLater {
			// from the users as loaded: whoever changes one waits in emails()
			go s.emailsOnce.Do(func() {
				s.buildEmails(len(users), func(f func(*User)) {
					for _, u := range users {
						f(u)
					}
				})
			})
		}
		return nil
	})
}

// readState reads the users, the catalog and the last change set.
func readState(tx rtx) (users []*User, table userTable, cat *catalog, batch uint64, err error) {
	if cat, err = loadCatalog(tx); err != nil {
		return
	}
	if users, err = loadUsers(tx); err != nil {
		return
	}
	if table, err = newUserTable(users); err != nil {
		return
	}
	if k := lastKey(tx, bucketBatches); k != nil {
		batch = btoi(k)
	}
	return
}

func usersWithEnds(users []*User) map[uint64]*User {
	out := map[uint64]*User{}
	for _, u := range users {
		if len(u.Expiries) > 0 {
			out[u.ID] = u
		}
	}
	return out
}

// follower is an engine that other nodes write to as well (etcd): a write
// transaction begun while this node's memory is behind what the engine
// holds returns errRaced before its function runs.
type follower interface {
	// loadedAt records that memory was read from tx's snapshot.
	loadedAt(tx rtx)
}

func (s *Store) loadedAt(tx rtx) {
	if f, ok := s.db.(follower); ok {
		f.loadedAt(tx)
	}
}

// emails is the email index, built first if nothing has yet. Callers hold
// s.mu (read or write), so the users hold still while it builds; the
// background builder never takes it, so waiting here cannot deadlock.
func (s *Store) emails() map[string]emailEntry {
	if !s.emailsBuilt.Load() {
		s.emailsOnce.Do(func() { s.buildEmails(s.users.len(), s.users.each) })
	}
	return s.byEmail
}

func (s *Store) buildEmails(n int, each func(func(*User))) {
	byEmail := make(map[string]emailEntry, n)
	each(func(u *User) { byEmail[lower(u.Email)] = entryOf(u) })
	s.byEmail = byEmail // read only after emailsOnce or emailsBuilt says so
	s.emailsBuilt.Store(true)
}

// StartEmailIndex builds the email index in the background, unless it is
// built or building (Options.EmailIndexLater).
func (s *Store) StartEmailIndex() {
	if s.emailsBuilt.Load() {
		return
	}
	go func() {
		s.mu.RLock()
		defer s.mu.RUnlock()
		s.emails()
	}()
}

// loadUsers decodes every user on two cores: at 100k users this is most of
// the time to open a database. One decoder starts on the first records
// while this goroutine is still walking the bucket, then it decodes too.
func loadUsers(tx rtx) ([]*User, error) {
	work := make(chan *userChunk, 256)
	var wg sync.WaitGroup
	decoder := func() {
		defer wg.Done()
		var arena []byte
		var backing []uint64
		l := &userLoader{intern: make(map[string]string, 1024), arena: &arena, backing: &backing}
		for c := range work {
			c.decode(l)
		}
	}
	wg.Add(1)
	go decoder()
	var chunks []*userChunk
	slabs := newUserSlabs(tx.sequence(bucketUsers))
	c := &userChunk{}
	err := tx.scan(bucketUsers, nil, false, func(k, v []byte) error {
		if len(v) > maxUserRecord {
			return fmt.Errorf("a user record of %d bytes", len(v))
		}
		if c.recs == nil {
			c.first = len(chunks) * userChunkSize
			c.recs = make([][]byte, 0, userChunkSize)
			c.slab = slabs.take(userChunkSize)
		}
		c.recs = append(c.recs, v) // valid for the transaction: decoded before it ends
		if len(c.recs) == userChunkSize {
			chunks = append(chunks, c)
			work <- c
			c = &userChunk{}
		}
		return nil
	})
	if err == nil && len(c.recs) > 0 {
		chunks = append(chunks, c)
		work <- c
	}
	close(work)
	if err == nil {
		wg.Add(1)
		decoder()
	}
	wg.Wait()
	if err != nil {
		return nil, err
	}
	n := 0
	for _, c := range chunks {
		if c.err != nil {
			return nil, c.err // the first in the file: one line says what is wrong
		}
		n += len(c.users)
	}
	users := make([]*User, 0, n)
	for _, c := range chunks {
		users = append(users, c.users...)
	}
	return users, nil
}

// userChunkSize is how many records one decoder takes at a time.
const userChunkSize = 2048

// userChunk is a run of user records in the file's order, and their users.
type userChunk struct {
	first int // the index of its first record in the bucket
	recs  [][]byte
	slab  []User // memory for its users (nil: it allocates its own)
	users []*User
	err   error
}

func (c *userChunk) decode(l *userLoader) {
	defer catchDamage(&c.err)() // a bad page here is in this goroutine
	// one allocation for the chunk's users, not one per user: the
	// allocator's fresh spans were a third of the decode
	slab := c.slab
	if len(slab) < len(c.recs) {
		slab = make([]User, len(c.recs))
	}
	users := make([]*User, len(c.recs))
	for i, raw := range c.recs {
		if err := decodeUserInto(&slab[i], raw, l); err != nil {
			c.err = fmt.Errorf("user record %d: %w", c.first+i, err)
			return
		}
		users[i] = &slab[i]
	}
	c.users = users
}

func itob(v uint64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, v)
	return b
}

func btoi(b []byte) uint64 { return binary.BigEndian.Uint64(b) }

// update runs fn in a read-write transaction of its own (not a change set:
// fn reads what it needs in the transaction, not from memory), again when
// another writer raced it (errRaced), after catching up with that writer.
func (s *Store) update(fn func(wtx) error) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	for races := 0; ; races++ {
		err := s.db.update(fn)
		if !errors.Is(err, errRaced) {
			return err
		}
		if races == maxRaces {
			return &Error{Kind: KindConflict, Msg: fmt.Sprintf("%d other changes were committed while this one was tried; nothing was written, try again", races)}
		}
		if err := s.catchUp(); err != nil {
			return err
		}
	}
}
