package store

import (
	"github.com/mtibben/confusables"
)

// Lookalikes: an email or name that reads the same as an existing user's but
// is spelled differently (Cyrillic "аda@…" beside "ada@…", "rn" for "m",
// a typographic apostrophe) is refused, so nobody can be impersonated in a
// list or a log. Skeletons are Unicode's (UTS #39, via mtibben/confusables),
// taken of the lower-cased text; identical spellings — two people both
// called Sam Lee — are not lookalikes.

// skeleton is the form two lookalike texts share.
func skeleton(s string) string { return lower(confusables.Skeleton(lower(s))) }

// lookalikeIndex maps a skeleton to the exact (lower-cased) spellings that
// have it, and to the users holding each.
type lookalikeIndex map[string]map[string][]uint64

func (ix lookalikeIndex) add(text string, id uint64) {
	sk, ex := skeleton(text), lower(text)
	m := ix[sk]
	if m == nil {
		m = map[string][]uint64{}
		ix[sk] = m
	}
	m[ex] = append(m[ex], id)
}

func (ix lookalikeIndex) remove(text string, id uint64) {
	sk, ex := skeleton(text), lower(text)
	m := ix[sk]
	ids := m[ex]
	for i, x := range ids {
		if x == id {
			ids = append(ids[:i:i], ids[i+1:]...)
			break
		}
	}
	if len(ids) == 0 {
		delete(m, ex)
		if len(m) == 0 {
			delete(ix, sk)
		}
	} else {
		m[ex] = ids
	}
}

// other returns a user with a different spelling of the same skeleton,
// skipping self and the ids skip says are stale.
func (ix lookalikeIndex) other(sk, ex string, self uint64, skip func(uint64) bool) uint64 {
	for spelling, ids := range ix[sk] {
		if spelling == ex {
			continue
		}
		for _, id := range ids {
			if id != self && !skip(id) {
				return id
			}
		}
	}
	return 0
}

// lookalikes are the indexes of every user's email and full name, built on
// the first change set that needs them (a console opening needs neither)
// and kept up to date by publish. Guarded by the write lock (wmu).
type lookalikes struct {
	emails, names lookalikeIndex
}

// lookalikes builds the indexes if they are not yet; the caller holds wmu.
func (s *Store) lookalikes() *lookalikes {
	if s.looks != nil {
		return s.looks
	}
	l := &lookalikes{emails: lookalikeIndex{}, names: lookalikeIndex{}}
	s.mu.RLock()
	s.users.each(func(u *User) {
		l.emails.add(u.Email, u.ID)
		l.names.add(u.Name(), u.ID)
	})
	s.mu.RUnlock()
	s.looks = l
	return l
}

// renamed notes that this change set set u's email or name (or deleted
// them: u nil, id given): the change set's own index follows at once, the
// store's at publish.
func (t *Tx) renamed(id uint64, u *User) {
	if t.named == nil {
		t.named = map[uint64][2]string{}
		t.looks = &lookalikes{emails: lookalikeIndex{}, names: lookalikeIndex{}}
	}
	if prev, ok := t.named[id]; ok && prev != [2]string{} {
		t.looks.emails.remove(prev[0], id)
		t.looks.names.remove(prev[1], id)
	}
	if u == nil {
		t.named[id] = [2]string{}
		return
	}
	t.named[id] = [2]string{u.Email, u.Name()}
	t.looks.emails.add(u.Email, id)
	t.looks.names.add(u.Name(), id)
}

// lookalike refuses an email or name of u that reads like another user's.
// Call it before renamed(u).
func (t *Tx) lookalike(u *User) error {
	l := t.s.lookalikes()
	stale := func(id uint64) bool { _, ok := t.named[id]; return ok }
	mine := &lookalikes{}
	if t.looks != nil {
		mine = t.looks
	}
	for _, c := range []struct {
		what   string
		field  Field
		text   func(*User) string
		global lookalikeIndex
		mine   lookalikeIndex
	}{
		{"email", FieldEmail, func(u *User) string { return u.Email }, l.emails, mine.emails},
		{"name", FieldFirstName, (*User).Name, l.names, mine.names},
	} {
		text := c.text(u)
		sk, ex := skeleton(text), lower(text)
		id := c.global.other(sk, ex, u.ID, stale)
		if id == 0 && c.mine != nil {
			id = c.mine.other(sk, ex, u.ID, func(uint64) bool { return false })
		}
		other := t.user(id)
		if id == 0 || other == nil {
			continue
		}
		if t.visible(other) {
			return atField(refused("%s %s reads like %s's %s %s but is spelled differently; use the same spelling or a clearly different one",
				c.what, quoteShort(text), other.Email, c.what, quoteShort(c.text(other))), c.field)
		}
		return atField(refused("%s %s reads like an existing user's %s but is spelled differently; use a clearly different one", c.what, quoteShort(text), c.what), c.field)
	}
	return nil
}

// publishLookalikes moves the indexes to the committed state; the caller
// holds wmu and s.mu, before the users of t are published.
func (s *Store) publishLookalikes(t *Tx) {
	if s.looks == nil {
		return
	}
	for id := range t.named {
		if old := s.users.get(id); old != nil {
			s.looks.emails.remove(old.Email, id)
			s.looks.names.remove(old.Name(), id)
		}
		if u := t.users[id]; u != nil {
			s.looks.emails.add(u.Email, id)
			s.looks.names.add(u.Name(), id)
		}
	}
}
