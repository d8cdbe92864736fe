package store

import (
	"slices"
	"strings"
)

// Completion: what a command line may offer an actor as they type (shell
// completion, locally and over SSH). Each answer holds only what that
// actor could read through the command that lists it, so completing
// never tells anyone more than listing would: emails of the users the
// actor may see (Visible: a scoped actor, their sites' users; an actor
// without view on Users & permissions, themselves), profiles to those who
// may list them, the sites, teams and clients of the catalog to those
// with view on their screen and otherwise only their own. Read-only.

// Completable names a kind of value a command line takes.
type Completable uint8

const (
	CompleteProfile Completable = iota + 1
	CompleteSite
	CompleteTeam // as "Site/Team"
	CompleteClient
	CompleteScreen // every screen: effective shows the whole catalog to anyone
	CompleteSetting
)

// Choice is one completion: the value to type, and a note shown beside it.
type Choice struct {
	Value string
	Note  string
}

// EmailsFor lists the users the actor may see whose email starts with
// prefix (any case), sorted by email: at most max of them (0: all), and
// how many matched in all.
func (s *Store) EmailsFor(a Actor, prefix string, max int) (users []*User, matched int) {
	seen := s.Visible(a) // before the read lock below: it takes it itself
	prefix = strings.TrimSpace(prefix)
	byEmail := func(x, y *User) int { return compareFold(x.Email, y.Email) }
	s.EachUser(func(u *User) {
		if !hasPrefixFold(u.Email, prefix) || !seen(u) {
			return
		}
		matched++
		if max <= 0 {
			users = append(users, u)
			return
		}
		// the first max by email, kept in order as they come: a Tab with
		// nothing typed at 100k users sorts 200 of them, not 100,000
		if len(users) == max {
			if byEmail(u, users[max-1]) >= 0 {
				return
			}
			users = users[:max-1]
		}
		i, _ := slices.BinarySearchFunc(users, u, byEmail)
		users = slices.Insert(users, i, u)
	})
	if max <= 0 {
		slices.SortFunc(users, byEmail)
	}
	return users, matched
}

// ChoicesFor lists the values of one kind the actor may read that start
// with prefix (any case), in the order their list command prints them.
func (s *Store) ChoicesFor(a Actor, what Completable, prefix string) []Choice {
	var out []Choice
	add := func(value, note string) {
		if hasPrefixFold(value, prefix) {
			out = append(out, Choice{value, note})
		}
	}
	// what the actor holds themselves, for a kind they may not list
	var self *User
	if !a.local {
		u, _, err := s.actorProfile(a)
		if err != nil {
			return nil // no longer there, disabled: nothing to offer
		}
		self = u
	}
	lists := func(screen string) bool { return s.CanView(a, screen) == nil }
	n := s.Names()
	switch what {
	case CompleteProfile:
		if !lists("users") {
			return nil
		}
		for _, p := range s.Profiles() {
			add(p.Name, p.Type.String()+", "+p.Scope.String())
		}
	case CompleteSite:
		all := lists("sites")
		var mine map[uint64]bool
		if !all {
			mine = userSites(self, n.c)
		}
		for _, st := range s.Sites() {
			if all || mine[st.ID] {
				add(st.Name, clientNote(n.Client(st.ClientID)))
			}
		}
	case CompleteTeam:
		all := lists("sites")
		for _, t := range s.Teams() {
			if all || slices.Contains(self.TeamIDs, t.ID) {
				add(n.Team(t.ID), "")
			}
		}
	case CompleteClient:
		all := lists("clients")
		for _, c := range s.Clients() {
			if all || slices.Contains(self.ClientIDs, c.ID) {
				add(c.Name, "")
			}
		}
	case CompleteScreen:
		for _, sc := range s.Screens() {
			note := sc.Title
			if sc.Sensitive {
				note += " (sensitive)"
			}
			add(sc.Key, note)
		}
	case CompleteSetting:
		if !lists("settings") {
			return nil
		}
		for _, k := range SettingKeys {
			add(k, SettingHelp[k])
		}
	}
	return out
}

func clientNote(client string) string {
	if client == "" {
		return "own site"
	}
	return client
}

// hasPrefixFold is strings.HasPrefix ignoring case.
func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// compareFold orders strings ignoring case, then as written.
func compareFold(a, b string) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return int(x) - int(y)
		}
	}
	if len(a) != len(b) {
		return len(a) - len(b)
	}
	return strings.Compare(a, b)
}
