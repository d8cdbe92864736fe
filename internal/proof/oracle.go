package proof

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/store"
)

// The oracle: rule 9 of DESIGN.md written again, apart from the store's own
// checks, as a judgement of what a change set did. A snapshot of everything
// an actor could change is taken before and after each case; every
// difference must be one the actor's rights (read before the case) allow.
// Anything else is an escalation, whatever path let it through.

// UserSnap is what a user record holds that a change could touch.
type UserSnap struct {
	Email, First, Last string
	Type               store.UserType
	Profile            uint64
	Clients            []uint64
	Sites              []uint64 // direct and through teams
	Teams              []uint64
	Default            uint64
	Features           string
	Disabled           bool
	Password           string
	Version            uint64
	Keys               string
	Invites            string
	Ends               string // grants that end by themselves
	Outbox             int
	// bookkeeping the actor's own sign-in and authorship change
	Activated, Authored bool
	LastSignIn          string
}

// ProfileSnap is a profile.
type ProfileSnap struct {
	Name   string
	Type   store.UserType
	Scope  store.Scope
	Levels map[string]store.Level
	Extra  string // client restriction, built-in
}

// Snap is the state a case may change.
type Snap struct {
	Users    map[uint64]UserSnap
	Profiles map[uint64]ProfileSnap
	Screens  string
	Settings string
	Clients  map[uint64]string
	Sites    map[uint64]string
	Teams    map[uint64]string
	Files    map[string]bool
	Audit    uint64 // the newest audit entry
}

// Take snapshots a store; files are paths whose existence matters (backups).
func Take(s *store.Store, files ...string) (*Snap, error) {
	sn := &Snap{Users: map[uint64]UserSnap{}, Profiles: map[uint64]ProfileSnap{}, Clients: map[uint64]string{},
		Sites: map[uint64]string{}, Teams: map[uint64]string{}, Files: map[string]bool{}}
	names := s.Names()
	users, err := s.Users(store.UserFilter{})
	if err != nil {
		return nil, err
	}
	outbox, err := s.Outbox()
	if err != nil {
		return nil, err
	}
	toEmail := map[string]int{}
	for _, m := range outbox {
		toEmail[strings.ToLower(m.To)]++
	}
	invs, err := s.Invitations()
	if err != nil {
		return nil, err
	}
	invOf := map[uint64][]string{}
	for _, inv := range invs {
		invOf[inv.UserID] = append(invOf[inv.UserID], fmt.Sprintf("%s/%v/%v/%s", inv.Created, inv.Revoked, !inv.Used.IsZero(), inv.Email))
	}
	for _, u := range users {
		keys, err := s.KeysOf(u.ID)
		if err != nil {
			return nil, err
		}
		var fps []string
		for _, k := range keys {
			fps = append(fps, k.Fingerprint)
		}
		slices.Sort(fps)
		inv := invOf[u.ID]
		slices.Sort(inv)
		sites := map[uint64]bool{}
		for _, id := range u.SiteIDs {
			sites[id] = true
		}
		for _, id := range u.TeamIDs {
			if st := names.TeamSite(id); st != 0 {
				sites[st] = true
			}
		}
		sn.Users[u.ID] = UserSnap{
			Email: u.Email, First: u.First, Last: u.Last, Type: u.Type, Profile: u.ProfileID,
			Clients: sorted(u.ClientIDs), Sites: slices.Sorted(maps.Keys(sites)), Teams: sorted(u.TeamIDs),
			Default: u.DefaultSiteID, Features: fmt.Sprint(u.Features), Disabled: u.Disabled, Password: u.PasswordHash,
			Version: u.Version, Keys: strings.Join(fps, ","), Invites: strings.Join(inv, ","), Outbox: toEmail[strings.ToLower(u.Email)],
			Ends:      fmt.Sprint(u.Expiries),
			Activated: u.Activated, Authored: u.Authored, LastSignIn: u.LastSignIn.String(),
		}
	}
	for _, p := range s.Profiles() {
		lv := map[string]store.Level{}
		for k, l := range p.Levels {
			if l != store.None {
				lv[k] = l
			}
		}
		sn.Profiles[p.ID] = ProfileSnap{Name: p.Name, Type: p.Type, Scope: p.Scope, Levels: lv, Extra: fmt.Sprint(p.ClientRestricted, p.Builtin)}
	}
	var scr []string
	for _, sc := range s.Screens() {
		scr = append(scr, fmt.Sprintf("%s|%s|%s|%v", sc.Key, sc.Title, sc.Group, sc.Sensitive))
	}
	sn.Screens = strings.Join(scr, ";")
	st := s.Settings()
	st.Version, st.UpdatedBy, st.Updated = 0, "", time.Time{}
	sn.Settings = fmt.Sprint(st)
	for _, c := range s.AllClients() {
		sn.Clients[c.ID] = fmt.Sprintf("%s|%v", c.Name, c.IsRetired())
	}
	for _, x := range s.AllSites() {
		sn.Sites[x.ID] = fmt.Sprintf("%s|%d|%v", x.Name, x.ClientID, x.IsRetired())
	}
	for _, x := range s.AllTeams() {
		sn.Teams[x.ID] = fmt.Sprintf("%s|%d|%v", x.Name, x.SiteID, x.IsRetired())
	}
	for _, f := range files {
		_, err := os.Stat(f)
		sn.Files[f] = err == nil
	}
	last, err := s.AuditLog(store.AuditFilter{Limit: 1})
	if err != nil {
		return nil, err
	}
	if len(last) == 1 {
		sn.Audit = last[0].Seq
	}
	return sn, nil
}

func sorted(v []uint64) []uint64 { return slices.Sorted(slices.Values(v)) }

// Changed reports whether anything at all differs (bookkeeping included).
func Changed(a, b *Snap) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) != string(jb)
}

// Judge returns every difference between before and after that the actor
// (a user id; the judge reads their rights from before) may not make, and
// every difference the audit log does not record.
func Judge(s *store.Store, before, after *Snap, actorID uint64) []string {
	var out []string
	bad := func(format string, a ...any) { out = append(out, fmt.Sprintf(format, a...)) }
	me, ok := before.Users[actorID]
	if !ok {
		return []string{fmt.Sprintf("actor %d is not in the world", actorID)}
	}
	mine := before.Profiles[me.Profile]
	scoped := mine.Scope != store.ScopeAll
	mySites := map[uint64]bool{}
	for _, id := range me.Sites {
		mySites[id] = true
	}
	level := func(screen string) store.Level { return mine.Levels[screen] }
	above := func(p ProfileSnap) string {
		if p.Scope == store.ScopeAll && scoped {
			return "reaches all sites"
		}
		for _, k := range slices.Sorted(maps.Keys(p.Levels)) {
			if l := p.Levels[k]; l > mine.Levels[k] {
				return fmt.Sprintf("has %s on %s", l, k)
			}
		}
		return ""
	}
	audited := auditedSince(s, before.Audit, after.Audit)
	needAudit := func(kind string, id uint64, label string) {
		if !audited[kind+":"+fmt.Sprint(id)] && !audited[kind+":*"] {
			bad("%s %s changed without an audit entry", kind, label)
		}
	}

	// users
	for _, id := range unionKeys(before.Users, after.Users) {
		b, hadB := before.Users[id]
		a, hasA := after.Users[id]
		if id == actorID {
			b.Activated, b.Authored, b.LastSignIn = a.Activated, a.Authored, a.LastSignIn
		}
		if hadB && hasA && equalUser(b, a) {
			continue
		}
		label := b.Email
		if !hadB {
			label = a.Email
		}
		needAudit("user", id, label)
		if level("users") < store.Maintain {
			bad("changed user %s without maintain on Users & permissions (holds %s)", label, level("users"))
		}
		// the client boundary: a client user made an employee or back, or
		// moved to another client, only by an all-sites actor
		if scoped && hadB && hasA {
			if b.Type != a.Type {
				bad("turned %s from %s into %s, across the client boundary, as a scoped actor", label, b.Type, a.Type)
			}
			if a.Type == store.ClientUser && b.Type == store.ClientUser && !slices.Equal(b.Clients, a.Clients) {
				bad("moved client user %s to another client as a scoped actor", label)
			}
		}
		if scoped && !hadB && hasA && a.Type == store.ClientUser && !servesAny(before, mySites, a.Clients) {
			bad("added client user %s of a client none of whose sites the actor holds", label)
		}
		// a default site: one the user may be assigned, and the actor's own when scoped
		if hasA && a.Default != 0 && (!hadB || a.Default != b.Default) {
			if a.Type == store.ClientUser && (len(a.Clients) != 1 || siteClient(before, after, a.Default) != a.Clients[0]) {
				bad("gave client user %s the default site %s, not their client's", label, before.siteName(a.Default, after))
			}
			if scoped && !mySites[a.Default] {
				bad("gave %s the default site %s, outside the actor's sites", label, before.siteName(a.Default, after))
			}
		}
		for _, side := range []struct {
			u  UserSnap
			ok bool
			at string
		}{{b, hadB, "before"}, {a, hasA, "after"}} {
			if !side.ok {
				continue
			}
			if scoped {
				for _, st := range side.u.Sites {
					if !mySites[st] {
						bad("changed user %s, assigned %s to site %s outside the actor's sites", label, side.at, before.siteName(st, after))
					}
				}
			}
			if p, ok := profileOf(side.u.Profile, before, after); ok {
				if why := above(p); why != "" {
					bad("changed user %s whose profile %s (%s) %s is above the actor's %s", label, p.Name, side.at, why, mine.Name)
				}
			}
		}
	}
	// profiles
	for _, id := range unionKeys(before.Profiles, after.Profiles) {
		b, hadB := before.Profiles[id]
		a, hasA := after.Profiles[id]
		if hadB && hasA && equalProfile(b, a) {
			continue
		}
		label := b.Name
		if !hadB {
			label = a.Name
		}
		needAudit("profile", id, label)
		if level("users") < store.Maintain || scoped {
			bad("changed profile %s without being an all-sites actor with maintain on Users & permissions", label)
		}
		// nothing above the actor is changed, down as well as up, and
		// nothing is left above them (their own profile raised included)
		if hadB {
			if why := above(b); why != "" {
				bad("changed profile %s, which %s: above the actor's %s (before)", label, why, mine.Name)
			}
		}
		if hasA {
			if why := above(a); why != "" {
				bad("left profile %s above the actor's %s: it %s", label, mine.Name, why)
			}
		}
		if hasA {
			for k, l := range a.Levels {
				if l > b.Levels[k] && l > mine.Levels[k] {
					bad("raised profile %s to %s on %s, above the actor's own %s", label, l, k, mine.Levels[k])
				}
			}
			if a.Scope == store.ScopeAll && (!hadB || b.Scope != store.ScopeAll) {
				if why := above(a); why != "" {
					bad("widened profile %s to all sites though it %s, above the actor's %s", label, why, mine.Name)
				}
			}
		}
	}
	if before.Screens != after.Screens {
		needAudit("screen", 0, "catalog")
		if level("setup") < store.Maintain || scoped {
			bad("changed the screen catalog without being an all-sites actor with maintain on Setup")
		}
	}
	if before.Settings != after.Settings {
		needAudit("settings", 1, "org")
		if level("settings") < store.Maintain || scoped {
			bad("changed org settings without being an all-sites actor with maintain on Settings")
		}
	}
	for _, id := range unionKeys(before.Clients, after.Clients) {
		if before.Clients[id] != after.Clients[id] {
			needAudit("client", id, after.Clients[id])
			if level("clients") < store.Maintain {
				bad("changed client %s without maintain on Clients", after.Clients[id])
			}
			// a client that already was (renamed, retired, restored, deleted) is shared
			if _, existed := before.Clients[id]; existed && scoped {
				bad("changed client %s, which everyone shares, as a scoped actor", after.Clients[id])
			}
		}
	}
	for kind, m := range map[string][2]map[uint64]string{"site": {before.Sites, after.Sites}, "team": {before.Teams, after.Teams}} {
		for _, id := range unionKeys(m[0], m[1]) {
			if m[0][id] != m[1][id] {
				needAudit(kind, id, m[1][id])
				if level("sites") < store.Maintain {
					bad("changed %s %s without maintain on Sites & teams", kind, m[1][id])
				}
				// a scoped actor changes only a site of theirs, or a team at one,
				// and moves a team only to one
				if _, existed := m[0][id]; existed && scoped {
					for _, side := range []string{m[0][id], m[1][id]} {
						if side == "" {
							continue
						}
						site := id
						if kind == "team" {
							site = placeParent(side)
						}
						if !mySites[site] {
							bad("changed %s %s, outside the actor's sites", kind, side)
						}
					}
				}
			}
		}
	}
	for f, had := range before.Files {
		if !had && after.Files[f] && (level("setup") < store.Maintain || scoped) {
			bad("wrote %s (a copy of everything) without being an all-sites actor with maintain on Setup", f)
		}
	}
	return out
}

// placeParent is the site id a team's snapshot names ("name|site|retired").
func placeParent(v string) uint64 {
	parts := strings.Split(v, "|")
	if len(parts) < 2 {
		return 0
	}
	n, _ := strconv.ParseUint(parts[1], 10, 64)
	return n
}

// siteClient is the client owning a site (0: the business's own).
func siteClient(before, after *Snap, id uint64) uint64 {
	v, ok := before.Sites[id]
	if !ok {
		v = after.Sites[id]
	}
	parts := strings.Split(v, "|") // name|client|retired
	if len(parts) < 2 {
		return 0
	}
	n, _ := strconv.ParseUint(parts[1], 10, 64)
	return n
}

// servesAny says whether one of the actor's sites belongs to one of clients.
func servesAny(before *Snap, mine map[uint64]bool, clients []uint64) bool {
	for id := range mine {
		if slices.Contains(clients, siteClient(before, before, id)) {
			return true
		}
	}
	return false
}

func (sn *Snap) siteName(id uint64, other *Snap) string {
	if v, ok := sn.Sites[id]; ok {
		name, _, _ := strings.Cut(v, "|")
		return name
	}
	if v, ok := other.Sites[id]; ok {
		name, _, _ := strings.Cut(v, "|")
		return name
	}
	return fmt.Sprintf("#%d", id)
}

func profileOf(id uint64, before, after *Snap) (ProfileSnap, bool) {
	if p, ok := before.Profiles[id]; ok {
		return p, true
	}
	p, ok := after.Profiles[id]
	return p, ok
}

// auditedSince lists "kind:id" of every record the audit log names after seq.
func auditedSince(s *store.Store, seq, last uint64) map[string]bool {
	out := map[string]bool{}
	if last <= seq {
		return out
	}
	entries, err := s.AuditLog(store.AuditFilter{Limit: int(last - seq)})
	if err != nil {
		return out
	}
	for _, e := range entries {
		if e.Seq <= seq {
			continue
		}
		out[string(e.Entity.Kind)+":"+fmt.Sprint(e.Entity.ID)] = true
		if e.Entity.Kind == "screen" || e.Entity.Kind == "settings" {
			out[string(e.Entity.Kind)+":*"] = true
			out[string(e.Entity.Kind)+":0"] = true
		}
	}
	return out
}

func equalUser(a, b UserSnap) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}

func equalProfile(a, b ProfileSnap) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}

func unionKeys[V any](a, b map[uint64]V) []uint64 {
	m := map[uint64]bool{}
	for k := range a {
		m[k] = true
	}
	for k := range b {
		m[k] = true
	}
	return slices.Sorted(maps.Keys(m))
}

func dumpJSON(d *store.Dump) ([]byte, error) { return json.Marshal(d) }
