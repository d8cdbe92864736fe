package store

import (
	"slices"
	"strings"
	"time"
)

// An access review: who holds what where, with when and by whom each grant
// was last changed, for a person to sign off; or, since a time, only what
// changed, with what it was before.

// ReviewFilter says what a review covers; every filter given must hold.
type ReviewFilter struct {
	Profile string // users holding this profile
	// Site: users who reach this site — assigned directly or through a
	// team, or holding a profile that reaches all sites (an employee
	// limited to their clients' data reaches only those clients' sites),
	// as check decides it at any level.
	Site string
	// Client: users assigned this client (its client users, employees
	// limited to or allowed its data), or who reach any of its sites.
	Client string
	// Since: only the grants changed at or after this time, each with what
	// it was before; and the users deleted since (for a reader who sees
	// everyone, in a review without other filters).
	Since time.Time
}

// ReviewKind is what kind of grant a review line is about.
type ReviewKind string

// Kinds of grant in a review.
const (
	ReviewStatus      ReviewKind = "status"       // active, invited, disabled: a disabled user passes no check
	ReviewProfile     ReviewKind = "profile"      // the profile and its scope
	ReviewScreen      ReviewKind = "screen"       // a level on a screen, through the profile
	ReviewSites       ReviewKind = "sites"        // sites assigned directly
	ReviewTeams       ReviewKind = "teams"        // teams assigned ("Site/Team")
	ReviewClients     ReviewKind = "clients"      // clients assigned
	ReviewDefaultSite ReviewKind = "default site" // the default location
	ReviewFeature     ReviewKind = "feature"      // a feature override
	ReviewDeleted     ReviewKind = "deleted"      // with Since: a user deleted since (Before describes them)
)

// ReviewGrant is one thing a user holds, and its last change.
type ReviewGrant struct {
	Kind   ReviewKind
	Key    string // a screen's or a feature's key
	Title  string // a screen's or a feature's title
	Value  string // "maintain", "North Depot; South Yard", "Manager (assigned sites)", "" for none
	Source string // where it comes from: "profile Manager" for a screen

	Changed   time.Time
	ChangeSet uint64 // 0 when the audit log does not say (a built-in profile's levels as seeded)
	By        string // who, as the reader may read it (ActorNames)

	// With Since: what it was before the first change since ("" for
	// nothing), and New when the user was created since.
	Before string
	New    bool
}

// ReviewUser is one user's grants. Each hands out one value, reused.
type ReviewUser struct {
	ID     uint64 // 0 for a user deleted since
	Email  string
	Name   string
	Type   string
	Status string // or "deleted"
	Grants []ReviewGrant
}

// Review is a review, ready to be read user by user (Each).
type Review struct {
	AsOf    uint64 // the last change set it reflects
	Profile string // the filters, as the store names them
	Site    string
	Client  string
	Since   time.Time
	Partial bool // the reader may not see every user: only those they may see are in it

	users   []*User
	deleted []AuditEntry
	c       *catalog
	idx     *reviewIndex
	names   func(string) string
	// with Since: the profiles with a change since
	profilesChanged map[uint64]bool
}

// Review prepares an access review as the actor may read it: it needs
// view on Users & permissions (whom it lists) and on the Audit log (when
// and by whom), holds only the users the actor may see (Visible), and
// names whoever changed something as ActorNames does.
func (s *Store) Review(a Actor, f ReviewFilter) (*Review, error) {
	if err := s.CanView(a, "users"); err != nil {
		return nil, err
	}
	if err := s.CanView(a, "audit"); err != nil {
		return nil, denied("%s: a review says when and by whom each grant changed, from the audit log", err.Error())
	}
	seen, partial, names := s.Visible(a), !s.seesEveryone(a), s.ActorNames(a)
	r := &Review{Since: f.Since, Partial: partial}
	s.mu.RLock()
	c := s.cat
	r.c, r.AsOf = c, s.batch
	keep, err := r.filter(f, c)
	if err == nil {
		s.users.each(func(u *User) {
			if keep(u) && seen(u) {
				r.users = append(r.users, u)
			}
		})
	}
	nUsers := len(s.users.byID)
	s.mu.RUnlock()
	if err != nil {
		return nil, err
	}
	sortUsersFast(r.users)
	err = s.db.view(func(tx rtx) error {
		var err error
		r.idx, err = readReviewIndex(tx, r.AsOf, nUsers, f.Since)
		return err
	})
	if err != nil {
		return nil, err
	}
	if !partial && f.Profile == "" && f.Site == "" && f.Client == "" {
		r.deleted = r.idx.deleted
		slices.Reverse(r.deleted) // read newest first: oldest first, as the log reads
	}
	// who changed what, as the reader may read it: once per change set
	// (and per name for what the log does not say), not once per grant
	known := map[string]string{}
	r.names = func(name string) string {
		v, ok := known[name]
		if !ok {
			v = names(name)
			known[name] = v
		}
		return v
	}
	for i := range r.idx.batches {
		r.idx.batches[i].By = r.names(r.idx.batches[i].By)
	}
	if !f.Since.IsZero() {
		r.profilesChanged = map[uint64]bool{}
		for pf, ref := range r.idx.profile {
			if st, _ := r.idx.stamp(ref); !st.At.Before(f.Since) {
				r.profilesChanged[pf.id] = true
			}
		}
	}
	return r, nil
}

// unchangedSince says, with Since, that nothing of the user's changed
// since: neither a field of theirs nor their profile.
func (r *Review) unchangedSince(u *User) bool {
	if r.Since.IsZero() || r.profilesChanged[u.ProfileID] {
		return false
	}
	if u.ID < uint64(len(r.idx.users)) {
		for _, ref := range r.idx.users[u.ID] {
			if st, ok := r.idx.stamp(ref); ok && !st.At.Before(r.Since) {
				return false
			}
		}
	}
	return true
}

// filter compiles f into a predicate over users.
func (r *Review) filter(f ReviewFilter, c *catalog) (func(*User) bool, error) {
	var profile, site uint64
	var clientSites []uint64
	var client *Client
	if f.Profile != "" {
		p, err := c.profileNamed(f.Profile)
		if err != nil {
			return nil, err
		}
		profile, r.Profile = p.ID, p.Name
	}
	if f.Site != "" {
		st, err := c.siteNamed(f.Site)
		if err != nil {
			return nil, err
		}
		site, r.Site = st.ID, st.Name
	}
	if f.Client != "" {
		cl, err := c.clientNamed(f.Client)
		if err != nil {
			return nil, err
		}
		client, r.Client = cl, cl.Name
		for id, st := range c.sites {
			if st.ClientID == cl.ID {
				clientSites = append(clientSites, id)
			}
		}
	}
	return func(u *User) bool {
		p := at(c.profileAt, u.ProfileID)
		if profile != 0 && u.ProfileID != profile {
			return false
		}
		if site != 0 && (p == nil || !reachesSite(u, p, site, c)) {
			return false
		}
		if client != nil && !slices.Contains(u.ClientIDs, client.ID) && !slices.ContainsFunc(clientSites, func(id uint64) bool {
			return p != nil && reachesSite(u, p, id, c)
		}) {
			return false
		}
		return true
	}, nil
}

// Each calls fn for every user of the review, in the users list's order,
// then for the users deleted since; with Since, only for users with a
// change since, and with only those grants. fn must not keep the value.
// It returns how many users and grants it handed out.
func (r *Review) Each(fn func(*ReviewUser) error) (users, grants int, err error) {
	var ru ReviewUser
	for _, u := range r.users {
		if r.unchangedSince(u) {
			continue
		}
		ru = ReviewUser{ID: u.ID, Email: u.Email, Name: u.Name(), Type: u.Type.String(), Status: u.Status().String(), Grants: ru.Grants[:0]}
		ru.Grants = r.grants(u, ru.Grants)
		if len(ru.Grants) == 0 {
			continue
		}
		if err := fn(&ru); err != nil {
			return users, grants, err
		}
		users, grants = users+1, grants+len(ru.Grants)
	}
	for _, e := range r.deleted {
		ru = ReviewUser{Email: e.Entity.Label, Status: string(ReviewDeleted), Grants: append(ru.Grants[:0], ReviewGrant{
			Kind: ReviewDeleted, Changed: e.Time, ChangeSet: e.Batch, By: r.names(e.Actor), Before: e.Before})}
		if err := fn(&ru); err != nil {
			return users, grants, err
		}
		users, grants = users+1, grants+1
	}
	return users, grants, nil
}

// grants appends a user's grants to out: every one, or with Since those
// changed since (removals included, as the value "").
func (r *Review) grants(u *User, out []ReviewGrant) []ReviewGrant {
	c, x := r.c, r.idx
	since := !r.Since.IsZero()
	created, fromLog := x.userStamp(u.ID, slotCreated)
	if !fromLog {
		created = stamp{At: u.Created, By: r.names(u.CreatedBy)}
	}
	isNew := since && fromLog && !created.At.Before(r.Since)
	showEmpty := since && !isNew // a removal since shows as the value ""
	changed := func(st stamp) bool { return !since || !st.At.Before(r.Since) }
	userSide := func(slot int) stamp {
		if st, ok := x.userStamp(u.ID, slot); ok {
			return st
		}
		return created
	}
	before := func(k fieldKey) string { return x.before[k] }
	add := func(out []ReviewGrant, g ReviewGrant, st stamp, was string) []ReviewGrant {
		g.Changed, g.ChangeSet, g.By = st.At, st.Batch, st.By // the log's names are the reader's already
		if since {
			g.Before, g.New = was, isNew
			if isNew {
				g.Before = ""
			}
		}
		return append(out, g)
	}

	if st := userSide(slotStatus); changed(st) {
		out = add(out, ReviewGrant{Kind: ReviewStatus, Value: u.Status().String()}, st, before(fieldKey{user: u.ID, slot: slotStatus}))
	}
	p := c.profiles[u.ProfileID]
	held := userSide(slotProfile) // since when they hold this profile
	if p == nil {
		if changed(held) {
			out = add(out, ReviewGrant{Kind: ReviewProfile}, held, before(fieldKey{user: u.ID, slot: slotProfile}))
		}
	} else {
		st, was := held, before(fieldKey{user: u.ID, slot: slotProfile})
		if sc, ok := x.profileStamp(p.ID, "scope"); ok && st.before(sc) {
			st = sc
			if scope, ok := x.before[fieldKey{profileField: profileField{p.ID, "scope"}}]; ok && was == "" {
				was = p.Name + " (" + scope + ")"
			}
		}
		if changed(st) {
			v := p.Name + " (" + p.Scope.String() + ")"
			profileEnd := func(end string) string {
				if end == "" {
					return v
				}
				back := ""
				for _, e := range u.Expiries {
					if e.Grant == GrantProfile && e.ID == p.ID {
						back = ", then " + grantName(c, GrantProfile, e.Back)
					}
				}
				return v + ", until " + end + back
			}
			if _, logged := x.before[fieldKey{user: u.ID, slot: slotProfile}]; since && !logged && !isNew && st == held {
				// the same profile: only its end changed since
				end, ok := x.ends[endKey{u.ID, "profile " + p.Name}]
				if !ok {
					end = UntilText(u.Until(GrantProfile, p.ID))
				}
				was = profileEnd(end)
			}
			v = profileEnd(UntilText(u.Until(GrantProfile, p.ID)))
			out = add(out, ReviewGrant{Kind: ReviewProfile, Value: v}, st, was)
		}
		out = r.screens(u, p, held, out, add, changed)
	}
	list := func(kind ReviewKind, slot int, g Grant, ids []uint64, name func(uint64) string, source string) {
		if st := userSide(slot); (len(ids) > 0 || showEmpty) && changed(st) {
			v := strings.Join(withEnds(ids, name, func(id uint64) string { return UntilText(u.Until(g, id)) }), "; ")
			was, logged := x.before[fieldKey{user: u.ID, slot: slot}]
			if since && !logged && !isNew { // the same records: only an end changed since
				was = strings.Join(withEnds(ids, name, func(id uint64) string {
					if end, ok := x.ends[endKey{u.ID, g.String() + " " + name(id)}]; ok {
						return end
					}
					return UntilText(u.Until(g, id))
				}), "; ")
			}
			out = add(out, ReviewGrant{Kind: kind, Value: v, Source: source}, st, was)
		}
	}
	n := Names{c}
	list(ReviewSites, slotSites, GrantSite, u.SiteIDs, n.Site, "")
	list(ReviewTeams, slotTeams, GrantTeam, u.TeamIDs, n.Team, "")
	clientsWhy := ""
	switch {
	case u.Type == ClientUser:
		clientsWhy = "their client"
	case p != nil && p.ClientRestricted && len(u.ClientIDs) > 0:
		clientsWhy = "sees only these clients' data"
	}
	list(ReviewClients, slotClients, GrantClient, u.ClientIDs, n.Client, clientsWhy)
	var def []uint64
	if u.DefaultSiteID != 0 {
		def = []uint64{u.DefaultSiteID}
	}
	list(ReviewDefaultSite, slotDefault, 0, def, n.Site, "")
	if u.Type == Employee {
		for _, f := range Features() {
			st := userSide(slotFeature + int(f))
			if o := u.Features[f]; (o != Inherit || showEmpty) && changed(st) {
				eff := "off"
				if c.settings.EffectiveFeature(u, f) {
					eff = "on"
				}
				out = add(out, ReviewGrant{Kind: ReviewFeature, Key: f.String(), Title: f.Title(), Value: o.String(), Source: "effective " + eff},
					st, before(fieldKey{user: u.ID, slot: slotFeature + int(f)}))
			}
		}
	}
	return out
}

// screens appends the levels a user holds through profile p (held: since
// when they hold it), each changed when they got the profile or when the
// profile's level on that screen last changed, whichever is later.
func (r *Review) screens(u *User, p *Profile, held stamp, out []ReviewGrant,
	add func([]ReviewGrant, ReviewGrant, stamp, string) []ReviewGrant, changed func(stamp) bool) []ReviewGrant {
	c, x := r.c, r.idx
	since := !r.Since.IsZero()
	levelAt := func(q *Profile, key string) string { // the level q held at Since
		if b, ok := x.before[fieldKey{profileField: profileField{q.ID, key}}]; ok {
			return b
		}
		return q.Levels[key].String()
	}
	oldProfile, switched := x.before[fieldKey{user: u.ID, slot: slotProfile}]
	switched = switched && changed(held)
	fallback, ok := x.profileStamp(p.ID, "created")
	if !ok {
		fallback = stamp{At: p.Created}
		if p.Builtin {
			fallback.By = "system"
		}
	}
	source := "profile " + p.Name
	for i, sc := range c.screens {
		level := c.levelsAt[p.ID][i]
		st, ok := x.profileStamp(p.ID, sc.Key)
		if !ok {
			st = fallback
		}
		if st.before(held) {
			st = held
		}
		was := ""
		if since {
			was = levelAt(p, sc.Key)
			if switched {
				was = "(profile " + oldProfile + ")"
				if q, err := c.profileNamed(oldProfile); err == nil {
					was = levelAt(q, sc.Key) + " (profile " + q.Name + ")"
				}
			}
		}
		if !changed(st) || level == None && (!since || was == "" || strings.HasPrefix(was, None.String())) {
			continue
		}
		out = add(out, ReviewGrant{Kind: ReviewScreen, Key: sc.Key, Title: sc.Title, Value: level.String(), Source: source}, st, was)
	}
	return out
}

// before orders stamps by change set, or by time when one is not from the
// audit log; what is not (a built-in profile as seeded) comes before any
// change set of the same instant.
func (a stamp) before(b stamp) bool {
	switch {
	case a.Batch != 0 && b.Batch != 0:
		return a.Batch < b.Batch
	case a.Batch == 0 && b.Batch != 0:
		return !a.At.After(b.At)
	}
	return a.At.Before(b.At)
}

// withEnds names records, sorted, each that ends by itself with its end
// (as end says it, "" for none): "South Yard (until 2027-01-31)".
func withEnds(ids []uint64, name func(uint64) string, end func(uint64) string) []string {
	return mapNames(ids, func(id uint64) string {
		if e := end(id); e != "" {
			return name(id) + " (until " + e + ")"
		}
		return name(id)
	})
}
