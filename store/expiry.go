package store

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
)

// Access that ends by itself. A site, team or client can be granted until a
// date, and a profile given until a date falls back to the one before it.
// At the date the store takes the grant back as its own change set (actor
// system:expiry, audited): a timer while the store is open, and at open for
// what ended while nothing held the file. Until then a check already treats
// an ended grant as gone, so nobody keeps access by the minute it takes.

// ExpiryActor is who takes ended grants back.
var ExpiryActor = Actor{Name: "system:expiry", local: true}

const maxUntil = 10 * 365 * 24 * time.Hour

// ParseUntil reads when a grant ends: a date (through the end of that day,
// UTC) or an RFC 3339 time; it must be in the future, within ten years.
func ParseUntil(v string, now time.Time) (time.Time, error) {
	v = strings.TrimSpace(v)
	var at time.Time
	if d, err := time.Parse("2006-01-02", v); err == nil {
		at = d.AddDate(0, 0, 1) // the whole day is still granted
	} else if t, err := time.Parse(time.RFC3339, v); err == nil {
		at = t.UTC()
	} else {
		return time.Time{}, badInput("until %s is not a date like 2027-01-31 (or an RFC 3339 time)", quoteShort(v))
	}
	switch {
	case !at.After(now):
		return time.Time{}, badInput("until %s is already past; give a date to come", v)
	case at.Sub(now) > maxUntil:
		return time.Time{}, badInput("until %s is more than ten years away; grant it without --until instead", v)
	}
	return at, nil
}

// UntilText is how an end reads: the last day granted.
func UntilText(at time.Time) string {
	if at.IsZero() {
		return ""
	}
	if at.Equal(at.Truncate(24 * time.Hour)) {
		return at.AddDate(0, 0, -1).Format("2006-01-02")
	}
	return at.Format(time.RFC3339)
}

// setExpiry gives u's grant an end (at zero: none), recording the change.
func (t *Tx) setExpiry(u *User, g Grant, id uint64, at time.Time, back uint64) {
	before := u.Until(g, id)
	if before.IsZero() && at.IsZero() {
		return
	}
	t.expiriesTouched = true
	u.Expiries = slices.DeleteFunc(u.Expiries, func(x Expiry) bool { return x.Grant == g && x.ID == id })
	if !at.IsZero() {
		u.Expiries = append(u.Expiries, Expiry{Grant: g, ID: id, At: at, Back: back})
	}
	if len(u.Expiries) == 0 {
		u.Expiries = nil
	}
	if before.Equal(at) {
		return
	}
	t.recordIDs(userRef(u), untilField(t.catalog(), g, id), UntilText(before), UntilText(at), []uint64{id}, []uint64{id})
}

// untilField is the audit field of a grant's end: "until site North Depot",
// so that a user's history says which grant (undo reads the kind, the first
// word after "until", and the record from the entry's ids).
func untilField(c *catalog, g Grant, id uint64) string {
	return "until " + g.String() + " " + grantName(c, g, id)
}

// grantName is how a grant's record is called now.
func grantName(c *catalog, g Grant, id uint64) string {
	switch g {
	case GrantSite:
		return siteName(c, id)
	case GrantTeam:
		return teamLabel(c, id)
	case GrantClient:
		if cl := c.clients[id]; cl != nil {
			return cl.Name
		}
	case GrantProfile:
		if p := c.profiles[id]; p != nil {
			return p.Name
		}
	}
	return fmt.Sprintf("%s %d", g, id)
}

// ---- taking back what ended

// expiries keeps which users hold grants that end, and the timer for the
// next end. Guarded by its own lock; changed only under wmu.
type expiries struct {
	mu    sync.Mutex
	users map[uint64]time.Time // user id → their soonest end
	timer *time.Timer
	off   bool // the store is closing
}

// noteExpiries keeps the set after a change set (the caller holds s.mu);
// it reports whether the set changed.
func (s *Store) noteExpiries(users map[uint64]*User) bool {
	s.exp.mu.Lock()
	defer s.exp.mu.Unlock()
	if s.exp.users == nil {
		s.exp.users = map[uint64]time.Time{}
	}
	changed := false
	for id, u := range users {
		at, had := s.exp.users[id]
		if u == nil || len(u.Expiries) == 0 {
			if had {
				delete(s.exp.users, id)
				changed = true
			}
			continue
		}
		if next := soonest(u); !had || !next.Equal(at) {
			s.exp.users[id] = next
			changed = true
		}
	}
	return changed
}

func soonest(u *User) time.Time {
	var at time.Time
	for _, x := range u.Expiries {
		if at.IsZero() || x.At.Before(at) {
			at = x.At
		}
	}
	return at
}

// armExpiry sets the timer for the soonest end.
func (s *Store) armExpiry() {
	s.exp.mu.Lock()
	defer s.exp.mu.Unlock()
	if s.exp.off {
		return
	}
	var next time.Time
	for _, at := range s.exp.users {
		if next.IsZero() || at.Before(next) {
			next = at
		}
	}
	if s.exp.timer != nil {
		s.exp.timer.Stop()
		s.exp.timer = nil
	}
	if next.IsZero() {
		return
	}
	wait := max(next.Sub(s.now()), 0)
	s.exp.timer = time.AfterFunc(wait, func() {
		if _, err := s.ExpireDue(); err != nil {
			// a busy or closing store: try again in a minute
			s.exp.mu.Lock()
			if !s.exp.off {
				s.exp.timer = time.AfterFunc(time.Minute, s.armExpiry)
			}
			s.exp.mu.Unlock()
		}
	})
}

func (s *Store) stopExpiry() {
	s.exp.mu.Lock()
	defer s.exp.mu.Unlock()
	s.exp.off = true
	if s.exp.timer != nil {
		s.exp.timer.Stop()
	}
}

// ExpireDue takes back every grant that has ended, as one change set by
// system:expiry; it returns that change set (nil when nothing had ended).
func (s *Store) ExpireDue() (*ChangeSet, error) {
	now := s.now()
	s.exp.mu.Lock()
	var due []uint64
	for id, at := range s.exp.users {
		if !at.After(now) {
			due = append(due, id)
		}
	}
	s.exp.mu.Unlock()
	if len(due) == 0 {
		return nil, nil
	}
	slices.Sort(due)
	cs, err := s.Apply(ExpiryActor, "expiry: access that ended", func(t *Tx) error {
		for _, id := range due {
			if err := t.expireUser(id); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil && cs.Batch == 0 {
		// nothing was left to take back (the set was stale): forget them,
		// or the timer would fire again at once
		s.exp.mu.Lock()
		for _, id := range due {
			delete(s.exp.users, id)
		}
		s.exp.mu.Unlock()
	}
	if err == nil {
		s.armExpiry()
	}
	return cs, err
}

// expireUser takes back the user's grants whose end has come.
func (t *Tx) expireUser(id uint64) error {
	cur := t.user(id)
	if cur == nil {
		return nil
	}
	u := cur.clone()
	c := t.catalog()
	ref := userRef(u)
	before := *cur
	var kept []Expiry
	changed := false
	for _, x := range u.Expiries {
		if x.At.After(t.now) {
			kept = append(kept, x)
			continue
		}
		changed = true
		switch x.Grant {
		case GrantSite:
			u.SiteIDs = slices.DeleteFunc(u.SiteIDs, func(s uint64) bool { return s == x.ID })
			if u.DefaultSiteID == x.ID && c.settings.RestrictLocations {
				u.DefaultSiteID = 0
			}
		case GrantTeam:
			u.TeamIDs = slices.DeleteFunc(u.TeamIDs, func(s uint64) bool { return s == x.ID })
		case GrantClient:
			u.ClientIDs = slices.DeleteFunc(u.ClientIDs, func(s uint64) bool { return s == x.ID })
		case GrantProfile:
			if u.ProfileID == x.ID && c.profiles[x.Back] != nil {
				u.ProfileID = x.Back
			}
		}
		t.recordIDs(ref, untilField(c, x.Grant, x.ID), UntilText(x.At), "", []uint64{x.ID}, []uint64{x.ID})
	}
	if !changed {
		return nil
	}
	t.expiriesTouched = true
	u.Expiries = kept
	label := func(id uint64) string { return teamLabel(c, id) }
	t.recordIDs(ref, "sites", namesOf(before.SiteIDs, c.sites), namesOf(u.SiteIDs, c.sites), before.SiteIDs, u.SiteIDs)
	t.recordIDs(ref, "teams", joinSorted(before.TeamIDs, label), joinSorted(u.TeamIDs, label), before.TeamIDs, u.TeamIDs)
	t.recordIDs(ref, "clients", namesOf(before.ClientIDs, c.clients), namesOf(u.ClientIDs, c.clients), before.ClientIDs, u.ClientIDs)
	t.recordIDs(ref, "default site", siteName(c, before.DefaultSiteID), siteName(c, u.DefaultSiteID), []uint64{before.DefaultSiteID}, []uint64{u.DefaultSiteID})
	if u.ProfileID != before.ProfileID {
		t.recordIDs(ref, "profile", Names{c}.Profile(before.ProfileID), Names{c}.Profile(u.ProfileID), []uint64{before.ProfileID}, []uint64{u.ProfileID})
	}
	return t.touch(u)
}

// ---- reading what ends

// ExpiringGrant is one grant that ends by itself.
type ExpiringGrant struct {
	Email string
	Grant Grant
	Name  string // the site, team, client or profile, as it is called now
	Back  string // a profile's fallback
	At    time.Time
}

// Expiring lists the grants of users the actor may see that end within d
// (d ≤ 0: all of them), soonest first.
func (s *Store) Expiring(a Actor, d time.Duration) ([]ExpiringGrant, error) {
	if err := s.Capabilities(a).May(ReadUsers); err != nil {
		return nil, err
	}
	seen := s.Visible(a)
	now := s.now()
	s.exp.mu.Lock()
	ids := make([]uint64, 0, len(s.exp.users))
	for id := range s.exp.users {
		ids = append(ids, id)
	}
	s.exp.mu.Unlock()
	s.mu.RLock()
	c := s.cat
	var out []ExpiringGrant
	for _, id := range ids {
		u := s.users.get(id)
		if u == nil || !seen(u) {
			continue
		}
		for _, x := range u.Expiries {
			if d > 0 && x.At.Sub(now) > d {
				continue
			}
			g := ExpiringGrant{Email: u.Email, Grant: x.Grant, Name: grantName(c, x.Grant, x.ID), At: x.At}
			if x.Grant == GrantProfile {
				g.Back = grantName(c, GrantProfile, x.Back)
			}
			out = append(out, g)
		}
	}
	s.mu.RUnlock()
	slices.SortFunc(out, func(a, b ExpiringGrant) int {
		if c := a.At.Compare(b.At); c != 0 {
			return c
		}
		return strings.Compare(a.Email, b.Email)
	})
	return out, nil
}

// heldAt is the user as their grants stand at a time: ended sites, teams and
// clients gone, an ended temporary profile fallen back (no expiries left).
func (u *User) heldAt(at time.Time) *User {
	h := u.clone()
	h.Expiries = nil
	for _, x := range u.Expiries {
		if x.At.After(at) {
			continue
		}
		switch x.Grant {
		case GrantSite:
			h.SiteIDs = slices.DeleteFunc(h.SiteIDs, func(s uint64) bool { return s == x.ID })
		case GrantTeam:
			h.TeamIDs = slices.DeleteFunc(h.TeamIDs, func(s uint64) bool { return s == x.ID })
		case GrantClient:
			h.ClientIDs = slices.DeleteFunc(h.ClientIDs, func(s uint64) bool { return s == x.ID })
		case GrantProfile:
			if h.ProfileID == x.ID && x.Back != 0 {
				h.ProfileID = x.Back
			}
		}
	}
	return h
}

// allowedUntil is when what allows an allowed decision ends: the temporary
// profile, the site assigned until a date, or the team it comes through.
func (u *User) allowedUntil(c *catalog, d Decision, at time.Time) time.Time {
	var until time.Time
	sooner := func(t time.Time) {
		if !t.IsZero() && t.After(at) && (until.IsZero() || t.Before(until)) {
			until = t
		}
	}
	h := u.heldAt(at)
	sooner(u.Until(GrantProfile, h.ProfileID))
	if d.Site != "" && d.Code == CodeAllowed {
		if sid, ok := c.siteByName[lower(d.Site)]; ok {
			if d.Via != "" {
				for _, tid := range h.TeamIDs {
					if tm := c.teams[tid]; tm != nil && tm.SiteID == sid && tm.Name == d.Via {
						sooner(u.Until(GrantTeam, tid))
					}
				}
			} else {
				sooner(u.Until(GrantSite, sid))
			}
		}
	}
	return until
}

// End is one of a user's grants that end, as people read it.
type End struct {
	Grant string    `json:"grant"`          // site, team, client, profile
	Name  string    `json:"name"`           // what is granted, as it is called now
	Until time.Time `json:"until"`          // when it ends
	Back  string    `json:"back,omitempty"` // a profile's: the one it falls back to
}

// Ends lists a user's grants that end, soonest first.
func (n Names) Ends(u *User) []End {
	out := make([]End, 0, len(u.Expiries))
	for _, x := range u.Expiries {
		e := End{Grant: x.Grant.String(), Name: grantName(n.c, x.Grant, x.ID), Until: x.At}
		if x.Grant == GrantProfile {
			e.Back = grantName(n.c, GrantProfile, x.Back)
		}
		out = append(out, e)
	}
	slices.SortFunc(out, func(a, b End) int { return a.Until.Compare(b.Until) })
	return out
}

// String is one end as a line: "site South Yard until 2027-01-31".
func (e End) String() string {
	s := e.Grant + " " + e.Name + " until " + UntilText(e.Until)
	if e.Back != "" {
		s += ", then " + e.Back
	}
	return s
}
