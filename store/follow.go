package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"time"
)

// Following other nodes: an engine that other nodes write to as well
// (etcd) tells the store of each change set another node committed, in
// commit order, and the store applies it to memory as its own commits are
// applied (publish), then tells subscribers the same event. Own commits
// never come back this way.

// followed is a follower engine that can say what other nodes commit.
type followed interface {
	follower
	// follow delivers, in commit order and until stop, every commit of
	// another node after the one memory reflects; reload is called when
	// that can no longer be told commit by commit (the engine forgot the
	// history in between: compaction), and returns once memory was read
	// again.
	follow(h followHandlers) (stop func())
	// headRevision is the revision of the last commit the engine holds.
	headRevision() (int64, error)
	// applied records that memory reflects the commit at rev.
	applied(rev int64)
	// reflected is the revision memory reflects.
	reflected() int64
	// viewAt reads the snapshot at rev.
	viewAt(rev int64, fn func(rtx) error) error
}

type followHandlers struct {
	commit func(remoteCommit)
	reload func() error
}

// remoteCommit is one change set committed by another node: every write it
// made, as (bucket, key) writes of this store (logicalWrite).
type remoteCommit struct {
	rev    int64
	writes []logicalWrite
}

// logicalWrite is one write as the store made it: a key of a bucket set
// to a value, or deleted; key nil: the bucket was created.
type logicalWrite struct {
	bucket, key, value []byte
	deleted            bool
}

// remotes is the queue of other nodes' commits not yet applied: the engine
// fills it as it hears of them, and whoever holds wmu empties it (the
// applier, or a change set that must catch up before it runs again).
type remotes struct {
	mu      sync.Mutex
	queue   []remoteCommit
	more    chan struct{} // a commit was queued (cap 1)
	stop    func()        // ends following
	applier sync.WaitGroup
	done    chan struct{}
	err     error // the last commit that could not be applied (then memory is read again)
}

// catchUpWait bounds how long a change set that lost the race waits for
// this node to hear of the winner before it reads everything again.
const catchUpWait = 2 * time.Second

// startFollowing starts applying other nodes' commits (an engine that has
// none: nothing).
func (s *Store) startFollowing() {
	f, ok := s.db.(followed)
	if !ok {
		return
	}
	s.remote.more = make(chan struct{}, 1)
	s.remote.done = make(chan struct{})
	s.remote.applier.Add(1)
	go s.applyRemotes()
	s.remote.stop = f.follow(followHandlers{commit: s.queueRemote, reload: s.reloadFollowing})
}

// stopFollowing ends it (Close).
func (s *Store) stopFollowing() {
	if s.remote.stop == nil {
		return
	}
	s.remote.stop()
	close(s.remote.done)
	s.remote.applier.Wait()
	s.remote.stop = nil
}

func (s *Store) queueRemote(rc remoteCommit) {
	s.remote.mu.Lock()
	s.remote.queue = append(s.remote.queue, rc)
	s.remote.mu.Unlock()
	select {
	case s.remote.more <- struct{}{}:
	default:
	}
}

// applyRemotes applies queued commits as they come.
func (s *Store) applyRemotes() {
	defer s.remote.applier.Done()
	for {
		select {
		case <-s.remote.more:
		case <-s.remote.done:
			return
		}
		s.wmu.Lock()
		err := s.drainRemotes()
		s.wmu.Unlock()
		if err != nil {
			s.remote.mu.Lock()
			s.remote.err = err
			s.remote.mu.Unlock()
		}
	}
}

// drainRemotes applies every queued commit (the caller holds wmu). A commit
// that cannot be applied (unreadable) makes memory be read again whole.
func (s *Store) drainRemotes() error {
	s.remote.mu.Lock()
	q := s.remote.queue
	s.remote.queue = nil
	s.remote.mu.Unlock()
	for _, rc := range q {
		if err := s.applyRemote(rc); err != nil {
			if rerr := s.reload(); rerr != nil {
				return rerr
			}
			return err
		}
	}
	return nil
}

// reloadFollowing is the engine's reload: memory read again whole, under wmu.
func (s *Store) reloadFollowing() error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	s.remote.mu.Lock()
	s.remote.queue = nil // all older than what is about to be read
	s.remote.mu.Unlock()
	return s.reload()
}

// catchUp brings memory up to what the engine holds after another writer
// committed first (errRaced), so that the change set runs again on what
// that writer left. The caller holds wmu. Following, it applies the
// winners' commits as they are heard of; otherwise (or when they are not
// heard of in time) it reads everything again.
func (s *Store) catchUp() error {
	f, ok := s.db.(followed)
	if !ok || s.remote.stop == nil {
		return s.reload()
	}
	target, err := f.headRevision()
	if err != nil {
		return err
	}
	deadline := time.NewTimer(catchUpWait)
	defer deadline.Stop()
	for {
		if err := s.drainRemotes(); err != nil {
			return err
		}
		if f.reflected() >= target {
			return nil
		}
		select {
		case <-s.remote.more:
		case <-deadline.C:
			return s.reload()
		}
	}
}

// isCatalog says whether a write changes what the catalog holds.
func isCatalog(bucket, key []byte) bool {
	switch {
	case bytes.Equal(bucket, bucketClients), bytes.Equal(bucket, bucketSites), bytes.Equal(bucket, bucketTeams),
		bytes.Equal(bucket, bucketProfiles), bytes.Equal(bucket, bucketScreens):
		return true
	}
	return bytes.Equal(bucket, bucketMeta) && bytes.Equal(key, keySettings)
}

// applyRemote applies one commit of another node to memory, as publish does
// for this node's own, and tells subscribers (caller holds wmu).
func (s *Store) applyRemote(rc remoteCommit) error {
	f := s.db.(followed)
	if rc.rev <= f.reflected() {
		return nil // memory was read at or after it
	}
	users := map[uint64]*User{}
	var entries []AuditEntry
	var batch *Batch
	catalogChanged, keysChanged := false, false
	intern := map[string]string{}
	for _, w := range rc.writes {
		if w.key == nil {
			continue // a bucket created
		}
		switch {
		case bytes.Equal(w.bucket, bucketUsers):
			if len(w.key) != 8 {
				return fmt.Errorf("a user key of %d bytes", len(w.key))
			}
			if w.deleted {
				users[btoi(w.key)] = nil
				continue
			}
			if len(w.value) > maxUserRecord {
				return fmt.Errorf("a user record of %d bytes", len(w.value))
			}
			u, err := decodeUser(w.value, intern)
			if err != nil {
				return err
			}
			// as at open: a record under another id, or an id no table
			// can hold, is damage, never a huge allocation
			if u.ID != btoi(w.key) || u.ID == 0 || u.ID > maxUserID {
				return fmt.Errorf("user record with id %d under key %d (a damaged store?)", u.ID, btoi(w.key))
			}
			users[u.ID] = u
		case bytes.Equal(w.bucket, bucketAudit):
			if w.deleted {
				continue
			}
			var e AuditEntry
			if err := json.Unmarshal(w.value, &e); err != nil {
				return err
			}
			entries = append(entries, e)
		case bytes.Equal(w.bucket, bucketBatches):
			if w.deleted {
				continue
			}
			var b Batch
			if err := json.Unmarshal(w.value, &b); err != nil {
				return err
			}
			batch = &b
		case bytes.Equal(w.bucket, bucketPubKeys), bytes.Equal(w.bucket, bucketUserKeys):
			keysChanged = true
		case isCatalog(w.bucket, w.key):
			catalogChanged = true
		}
	}
	var cat *catalog
	if catalogChanged {
		if err := f.viewAt(rc.rev, func(tx rtx) error {
			var err error
			cat, err = loadCatalog(tx)
			return err
		}); err != nil {
			return err
		}
	}
	slices.SortFunc(entries, func(a, b AuditEntry) int { return cmpUint(a.Seq, b.Seq) })

	s.mu.Lock()
	if s.looks != nil {
		for id, u := range users {
			if old := s.users.get(id); old != nil {
				s.looks.emails.remove(old.Email, id)
				s.looks.names.remove(old.Name(), id)
			}
			if u != nil {
				s.looks.emails.add(u.Email, id)
				s.looks.names.add(u.Name(), id)
			}
		}
	}
	expiriesChanged := s.noteExpiries(users)
	byEmail := s.emails()
	for id := range users {
		if old := s.users.get(id); old != nil {
			if e, ok := byEmail[lower(old.Email)]; ok && e.u.ID == id {
				delete(byEmail, lower(old.Email))
			}
		}
	}
	for id, u := range users {
		if u == nil {
			s.users.del(id)
			continue
		}
		s.users.set(u)
		byEmail[lower(u.Email)] = entryOf(u)
	}
	if cat != nil {
		s.cat = cat
	}
	if batch != nil {
		s.batch = batch.ID
	}
	s.mu.Unlock()
	f.applied(rc.rev)
	if keysChanged {
		s.dropKeyCache()
	}
	if expiriesChanged {
		s.armExpiry()
	}
	if batch != nil {
		s.events.publish(Event{Batch: batch.ID, Actor: batch.Actor, Time: batch.Time, Summary: batch.Summary,
			Changes: changesOf(entries), SignIn: onlySignIns(entries), Refs: refsOf(entries)})
	}
	return nil
}

func cmpUint(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// onlySignIns says whether a change set only recorded a sign-in (as
// recordSignIn marks its own).
func onlySignIns(entries []AuditEntry) bool {
	for _, e := range entries {
		if e.Field != "sign-in" {
			return false
		}
	}
	return len(entries) > 0
}

// reload reads memory again whole from the engine (the caller holds wmu),
// and, when that changed users or the catalog, tells subscribers one event
// naming every user whose record changed.
func (s *Store) reload() error {
	var users []*User
	var table userTable
	var cat *catalog
	var batch uint64
	if err := s.db.view(func(tx rtx) error {
		var err error
		if users, table, cat, batch, err = readState(tx); err == nil {
			s.loadedAt(tx)
		}
		return err
	}); err != nil {
		return err
	}
	s.mu.Lock()
	s.emails() // built (or building) from the old users: let it finish, then replace it
	byEmail := make(map[string]emailEntry, len(users))
	for _, u := range users {
		byEmail[lower(u.Email)] = entryOf(u)
	}
	var refs []Ref
	changed := false
	if s.remote.stop != nil {
		refs = changedUsers(&s.users, &table)
		changed = len(refs) > 0 || batch != s.batch
	}
	s.users, s.cat, s.batch, s.byEmail = table, cat, batch, byEmail
	s.looks = nil // built again from these users by the next change set that needs them
	s.exp.mu.Lock()
	s.exp.users = nil
	s.exp.mu.Unlock()
	s.noteExpiries(usersWithEnds(users))
	s.mu.Unlock()
	s.dropKeyCache()
	s.armExpiry()
	if changed {
		// what changed is not known change set by change set: everything may have
		s.events.publish(Event{Batch: batch, Time: s.now(), Summary: "read again from the store",
			Changes: ChangedUser | ChangedProfile | ChangedClient | ChangedSite | ChangedTeam | ChangedScreen |
				ChangedSettings | ChangedKey | ChangedInvitation | ChangedPassword, Refs: refs})
	}
	return nil
}

// changedUsers names every user added, changed (a new version) or gone
// between two tables.
func changedUsers(old, now *userTable) []Ref {
	var refs []Ref
	n := max(len(old.byID), len(now.byID))
	for id := 1; id < n; id++ {
		a, b := old.get(uint64(id)), now.get(uint64(id))
		switch {
		case a == nil && b == nil:
		case a == nil || b == nil || a.Version != b.Version:
			u := b
			if u == nil {
				u = a
			}
			refs = append(refs, Ref{Kind: RecordUser, ID: u.ID, Label: u.Email})
		}
	}
	return refs
}
