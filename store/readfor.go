package store

import (
	"strings"
)

// Reads on behalf of an actor. Whoever asks about a user they may not see
// gets the answer a user who does not exist gets — the same words, the same
// kind (so the same exit code), and the same work (so the same time) — and
// an actor without view on Users & permissions is told so about anyone but
// themselves, whether that someone exists or not.

// UserFor finds the user a read by the actor is about.
func (s *Store) UserFor(a Actor, email string) (*User, error) {
	if a.local {
		return s.User(email)
	}
	self, p, err := s.actorProfile(a)
	if err != nil {
		return nil, err
	}
	key := foldKey(email)
	s.mu.RLock()
	e, found := s.emails()[key]
	c := s.cat
	s.mu.RUnlock()
	if found && e.u.ID == self.ID {
		return e.u, nil
	}
	if p.Level("users") < View {
		title := "Users & permissions"
		if sc, err := c.screen("users"); err == nil {
			title = sc.Title
		}
		return nil, denied("%s (%s) may look up only themselves; anyone else needs view on %s", self.Email, p.Name, title)
	}
	// a missing user is weighed against the actor themselves: the same
	// work either way
	target := self
	if found {
		target = e.u
	}
	seen := visibleTo(self, p, c)(target)
	if !found || !seen {
		return nil, noSuchUser(email)
	}
	return target, nil
}

// UsersFor lists the users matching f that the actor may see.
func (s *Store) UsersFor(a Actor, f UserFilter) ([]*User, error) {
	users, err := s.Users(f)
	if err != nil {
		return nil, err
	}
	if a.local {
		return users, nil
	}
	seen := s.Visible(a)
	out := users[:0]
	for _, u := range users {
		if seen(u) {
			out = append(out, u)
		}
	}
	return out, nil
}

// HistoryFor is the audit of one user the actor may see.
func (s *Store) HistoryFor(a Actor, email string) ([]AuditEntry, error) {
	u, err := s.UserFor(a, email)
	if err != nil {
		return nil, err
	}
	if a.local || u.ID != a.UserID {
		if err := s.CanView(a, "users"); err != nil {
			return nil, err
		}
	}
	entries, err := s.History(u.Email)
	if err != nil {
		return nil, err
	}
	return s.maskActors(a, entries), nil
}

// AuditLogFor is the audit log as the actor may read it (view on the Audit
// log screen): for an actor who may not see every user, entries about users
// outside their reach are left out, and an actor outside it is not named.
func (s *Store) AuditLogFor(a Actor, f AuditFilter) ([]AuditEntry, error) {
	if err := s.CanView(a, "audit"); err != nil {
		return nil, err
	}
	if s.seesEveryone(a) {
		return s.AuditLog(f)
	}
	seen := s.Visible(a)
	users := func(id uint64) *User { u, _ := s.UserByID(id); return u }
	f.keep = func(e *AuditEntry) bool {
		if e.Entity.Kind != "user" {
			return true
		}
		u := users(e.Entity.ID)
		return u != nil && seen(u)
	}
	entries, err := s.AuditLog(f)
	if err != nil {
		return nil, err
	}
	return s.maskActors(a, entries), nil
}

// OutboxFor lists the outbox as the actor may read it: it holds invitation
// tokens, so only an all-sites actor with maintain on Users & permissions
// reads it, and never the messages of a user above them (whose token would
// open that account).
func (s *Store) OutboxFor(a Actor) ([]Message, error) {
	if err := s.CanMaintain(a, "users", true); err != nil {
		return nil, err
	}
	msgs, err := s.Outbox()
	if err != nil || a.local {
		return msgs, err
	}
	_, mine, err := s.actorProfile(a)
	if err != nil {
		return nil, err
	}
	s.mu.RLock()
	c := s.cat
	s.mu.RUnlock()
	out := msgs[:0]
	for _, m := range msgs {
		u, err := s.UserByID(m.UserID)
		if m.UserID == 0 || err != nil {
			u, _ = s.User(m.To)
		}
		if u != nil && aboveProfile(c.profiles[u.ProfileID], mine, c) != "" {
			continue
		}
		out = append(out, m)
	}
	return out, nil
}

// seesEveryone: the local operator, or an all-sites actor with view on
// Users & permissions.
func (s *Store) seesEveryone(a Actor) bool {
	if a.local {
		return true
	}
	_, p, err := s.actorProfile(a)
	return err == nil && p.Scope == ScopeAll && p.Level("users") >= View
}

// HiddenActor stands for a user the reader may not see, where a record
// names who changed it.
const HiddenActor = "(someone outside your sites)"

// ActorNames is how the actor may read the names of whoever made changes
// (audit entries, "updated by", "added by"): as they are, or HiddenActor
// for a user the actor may not see.
func (s *Store) ActorNames(a Actor) func(name string) string {
	if s.seesEveryone(a) {
		return func(name string) string { return name }
	}
	seen := s.Visible(a)
	return func(name string) string {
		if strings.Contains(name, ":") { // local:<os user>, system:…
			return name
		}
		if u, err := s.User(name); err == nil && !seen(u) {
			return HiddenActor
		}
		return name
	}
}

// maskActors replaces the names of actors the reader may not see.
func (s *Store) maskActors(a Actor, entries []AuditEntry) []AuditEntry {
	name := s.ActorNames(a)
	for i := range entries {
		entries[i].Actor = name(entries[i].Actor)
	}
	return entries
}

// MayChangeUser says whether the actor may change this user at all (the
// checks every user change makes first: maintain on Users & permissions,
// the user in reach, their profile not above the actor's), so a command can
// refuse before it asks for a password it could not set.
func (s *Store) MayChangeUser(a Actor, id uint64) error {
	_, err := s.Preview(a, "may change", func(t *Tx) error {
		_, err := t.mutable(id, 0)
		return err
	})
	return err
}
