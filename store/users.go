package store

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// NewUser is what AddUser needs. Names refer to existing profiles, clients, sites and teams.
type NewUser struct {
	First, Last, Email string
	Type               UserType
	Profile            string
	Clients            []string
	Sites              []string
	Teams              []string
	DefaultSite        string
}

// UserPatch changes some fields of a user; nil means unchanged.
type UserPatch struct {
	First, Last, Email *string
	Profile            *string
	Client             *string // a client user's one client (or the client an employee becomes a client user of)
	DefaultSite        *string // "" clears it
	// ProfileUntil makes Profile temporary: at that time the user falls back
	// to the profile they hold before it (zero: the profile is for good)
	ProfileUntil time.Time
}

func userRef(u *User) Ref { return Ref{Kind: "user", ID: u.ID, Label: u.Email} }

// mutable returns a clone of the user to change, checking the version the
// caller read (0: read inside this change set) and the actor's reach.
func (t *Tx) mutable(id, version uint64) (*User, error) {
	u := t.user(id)
	if u == nil {
		return nil, notFound("no user with id %d", id)
	}
	if err := t.require("users", false); err != nil {
		return nil, err
	}
	if !t.visible(u) {
		return nil, notFound("no user with id %d", id) // as for one that does not exist
	}
	if err := t.reach(u); err != nil {
		return nil, err
	}
	// after the rights checks: an actor who may not touch the record learns
	// nothing of who changed it
	if version != 0 {
		// compare with the committed record, as Grant does for profiles: an
		// earlier edit in this same change set is not someone else's change
		committed := t.committedUser(id)
		if committed != nil && version != committed.Version {
			by := committed.UpdatedBy
			if w := t.userByEmail(by); w != nil && !t.visible(w) {
				by = HiddenActor
			}
			return nil, &ConflictError{Entity: committed.Email, By: by, At: committed.Updated, Want: version, Have: committed.Version}
		}
	}
	return u.clone(), nil
}

// touch bumps the version and writes the user.
func (t *Tx) touch(u *User) error {
	u.Version++
	u.Updated, u.UpdatedBy = t.now, t.actor.Name
	return t.putUser(u)
}

// UserByEmail finds a user inside the change set, as the actor may know
// them: a user they may not see gets the answer a missing one gets (the
// same words, the same kind), and an actor without view on Users &
// permissions is refused the same way whether the user exists or not.
func (t *Tx) UserByEmail(email string) (*User, error) {
	u := t.userByEmail(email)
	if t.actor.local {
		if u == nil {
			return nil, noSuchUser(email)
		}
		return u, nil
	}
	if u != nil && u.ID == t.actor.UserID {
		return u, nil
	}
	if t.actorProfile == nil || t.actorProfile.Level("users") < View {
		return nil, t.require("users", false)
	}
	if u == nil || !t.visible(u) {
		return nil, noSuchUser(email)
	}
	return u, nil
}

// emailTaken refuses an email some other user holds, naming them only to
// an actor who may see them.
func (t *Tx) emailTaken(email string, self uint64) error {
	other := t.userByEmail(email)
	if other == nil || other.ID == self {
		return nil
	}
	if t.visible(other) {
		return atField(refused("email %s is already used by %s (%s); emails are unique whatever their case", email, other.Name(), other.Email), FieldEmail)
	}
	return atField(refused("email %s is already in use; emails are unique whatever their case", email), FieldEmail)
}

// AddUser creates a user, their invitation and its outbox message (rules 1, 2, 5, 6).
func (t *Tx) AddUser(n NewUser) (*User, error) { return t.addUser(n, Invited) }

// addUser creates a user in the given status: invited users get an
// invitation; demo data may start active or disabled.
func (t *Tx) addUser(n NewUser, status Status) (*User, error) {
	if err := t.require("users", false); err != nil {
		return nil, err
	}
	first, err := ValidateName("first", n.First)
	if err != nil {
		return nil, err
	}
	last, err := ValidateName("last", n.Last)
	if err != nil {
		return nil, err
	}
	email, err := ValidateEmail(n.Email)
	if err != nil {
		return nil, err
	}
	if err := t.emailTaken(email, 0); err != nil {
		return nil, err
	}
	c := t.catalog()
	if strings.TrimSpace(n.Profile) == "" {
		return nil, with(badInput("a profile is required"), Ref{}, fixList(RecordProfile))
	}
	p, err := c.profileNamed(n.Profile)
	if err != nil {
		return nil, err
	}
	if p.Type != n.Type {
		return nil, refused("profile %s is for %s users, not %s users; pick a %s profile, or make them a %s user", p.Name, p.Type, n.Type, n.Type, p.Type)
	}
	if err := t.notAbove(p, "profile "+p.Name); err != nil {
		return nil, err
	}
	id, err := t.w.nextID(bucketUsers)
	if err != nil {
		return nil, err
	}
	u := &User{ID: id, First: first, Last: last, Email: email, Type: n.Type, ProfileID: p.ID, Created: t.now, CreatedBy: t.actor.Name}
	for _, name := range n.Clients {
		cl, err := c.clientNamed(name)
		if err != nil {
			return nil, err
		}
		if cl.IsRetired() {
			return nil, refused("%s", describeRetired("client", cl.Name))
		}
		if !slices.Contains(u.ClientIDs, cl.ID) {
			u.ClientIDs = append(u.ClientIDs, cl.ID)
		}
	}
	if u.Type == ClientUser && len(u.ClientIDs) != 1 {
		return nil, atField(with(badInput("a client user belongs to exactly one client (got %d)", len(u.ClientIDs)), Ref{}, Fix{Do: FixGiveClient}), FieldClient)
	}
	if u.Type == ClientUser {
		if err := t.mayServeClient(u.ClientIDs[0]); err != nil {
			return nil, err
		}
	}
	if err := t.addPlaces(u, n.Sites, n.Teams); err != nil {
		return nil, err
	}
	if n.DefaultSite != "" {
		if err := t.setDefaultSite(u, n.DefaultSite); err != nil {
			return nil, err
		}
	}
	if err := t.checkLocations(u); err != nil {
		return nil, err
	}
	if err := t.reach(u); err != nil {
		return nil, err
	}
	u.Version, u.Updated, u.UpdatedBy = 1, t.now, t.actor.Name
	u.Activated, u.Disabled = status != Invited, status == Disabled
	if err := t.lookalike(u); err != nil {
		return nil, err
	}
	t.renamed(u.ID, u)
	if err := t.putUser(u); err != nil {
		return nil, err
	}
	t.emails[lower(email)] = u.ID
	if err := t.w.put(bucketEmails, []byte(lower(email)), itob(u.ID)); err != nil {
		return nil, err
	}
	t.record(userRef(u), "created", "", t.describeUser(u))
	if status == Invited {
		if err := t.invite(u); err != nil {
			return nil, err
		}
	}
	return u, nil
}

// describeUser is the one-line summary kept in the audit when a user is created.
func (t *Tx) describeUser(u *User) string {
	c := t.catalog()
	parts := []string{u.Name(), u.Type.String(), c.profiles[u.ProfileID].Name, u.Status().String()}
	if len(u.ClientIDs) > 0 {
		parts = append(parts, "clients "+joinNames(u.ClientIDs, func(id uint64) string { return c.clients[id].Name }))
	}
	if len(u.SiteIDs) > 0 {
		parts = append(parts, "sites "+joinNames(u.SiteIDs, func(id uint64) string { return c.sites[id].Name }))
	}
	if len(u.TeamIDs) > 0 {
		parts = append(parts, "teams "+joinNames(u.TeamIDs, func(id uint64) string { return teamLabel(c, id) }))
	}
	return strings.Join(parts, ", ")
}

func joinNames(ids []uint64, name func(uint64) string) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = name(id)
	}
	return strings.Join(s, "; ")
}

func teamLabel(c *catalog, id uint64) string {
	t := c.teams[id]
	if t == nil {
		return fmt.Sprintf("team %d", id)
	}
	return c.sites[t.SiteID].Name + "/" + t.Name
}

// addPlaces assigns sites and teams (rule 2 for client users; rule 9 scope).
func (t *Tx) addPlaces(u *User, sites, teams []string) error {
	c := t.catalog()
	for _, name := range sites {
		s, err := c.siteNamed(name)
		if err != nil {
			return err
		}
		if err := t.placeAllowed(u, s); err != nil {
			return err
		}
		if !slices.Contains(u.SiteIDs, s.ID) {
			u.SiteIDs = append(u.SiteIDs, s.ID)
		}
	}
	for _, name := range teams {
		tm, err := c.teamNamed(name)
		if err != nil {
			return err
		}
		if tm.IsRetired() {
			return refused("%s", describeRetired("team", teamLabel(c, tm.ID)))
		}
		if err := t.placeAllowed(u, c.sites[tm.SiteID]); err != nil {
			return err
		}
		if !slices.Contains(u.TeamIDs, tm.ID) {
			u.TeamIDs = append(u.TeamIDs, tm.ID)
		}
	}
	return nil
}

func (t *Tx) placeAllowed(u *User, s *Site) error {
	if s.IsRetired() {
		return refused("%s", describeRetired("site", s.Name))
	}
	if u.Type == ClientUser {
		if err := t.siteOfTheirClient(u, s, "a client user sees only their own client's sites"); err != nil {
			return err
		}
	}
	return t.mayAssignSite(s.ID)
}

func (t *Tx) clientName(u *User) string {
	if len(u.ClientIDs) == 0 {
		return "(none)"
	}
	if cl := t.catalog().clients[u.ClientIDs[0]]; cl != nil {
		return cl.Name
	}
	return "(unknown)"
}

// setDefaultSite sets a user's default location: a site that user may be
// assigned (their client's, for a client user) and, for a scoped actor, one
// of the actor's own sites — whatever restrict-locations says.
func (t *Tx) setDefaultSite(u *User, name string) error {
	return atField(t.setDefaultSiteNamed(u, name), FieldDefaultSite)
}

func (t *Tx) setDefaultSiteNamed(u *User, name string) error {
	if strings.TrimSpace(name) == "" {
		u.DefaultSiteID = 0
		return nil
	}
	s, err := t.catalog().siteNamed(name)
	if err != nil {
		return err
	}
	if s.ID == u.DefaultSiteID {
		return nil // unchanged (an import names every user's)
	}
	if s.IsRetired() {
		return refused("%s", describeRetired("site", s.Name))
	}
	if u.Type == ClientUser {
		if err := t.siteOfTheirClient(u, s, "a client user's default site is one of their client's sites"); err != nil {
			return err
		}
	}
	if t.scoped() && !t.actorSites()[s.ID] {
		return denied("%s may only give their own sites as a default site; %s is not one of them", t.actor.Name, s.Name)
	}
	u.DefaultSiteID = s.ID
	return nil
}

// siteOfTheirClient refuses a site that is not a client user's client's.
func (t *Tx) siteOfTheirClient(u *User, s *Site, why string) error {
	if len(u.ClientIDs) == 1 && s.ClientID == u.ClientIDs[0] {
		return nil
	}
	owner := "no client"
	if cl := t.catalog().clients[s.ClientID]; cl != nil {
		owner = cl.Name
	}
	return refused("site %s belongs to %s, not to %s's client %s; %s", s.Name, owner, u.Email, t.clientName(u), why)
}

// mayServeClient lets a scoped actor add client users only for a client
// whose sites they hold.
func (t *Tx) mayServeClient(clientID uint64) error {
	if !t.scoped() {
		return nil
	}
	c := t.catalog()
	for id := range t.actorSites() {
		if st := c.sites[id]; st != nil && st.ClientID == clientID {
			return nil
		}
	}
	name := "that client"
	if cl := c.clients[clientID]; cl != nil {
		name = cl.Name
	}
	return denied("%s may only add client users of clients whose sites they hold; none of %s's sites is theirs", t.actor.Name, name)
}

// checkLocations is rule 6.
func (t *Tx) checkLocations(u *User) error {
	if u.DefaultSiteID == 0 || !t.catalog().settings.RestrictLocations {
		return nil
	}
	if !userSites(u, t.catalog())[u.DefaultSiteID] {
		return refused("locations are restricted: %s's default location %s must be one of their assigned sites; assign it first or choose another",
			u.Email, t.catalog().sites[u.DefaultSiteID].Name)
	}
	return nil
}

// EditUser applies a patch (rules 1, 2, 6, 9). version is what the caller read (0: now).
func (t *Tx) EditUser(id, version uint64, p UserPatch) (*User, error) {
	u, err := t.mutable(id, version)
	if err != nil {
		return nil, err
	}
	before := *u
	c := t.catalog()
	ref := userRef(t.user(id))
	recorded := len(t.entries)
	reinvite := false
	if p.First != nil {
		if u.First, err = ValidateName("first", *p.First); err != nil {
			return nil, err
		}
		t.record(ref, "first", before.First, u.First)
	}
	if p.Last != nil {
		if u.Last, err = ValidateName("last", *p.Last); err != nil {
			return nil, err
		}
		t.record(ref, "last", before.Last, u.Last)
	}
	if p.Email != nil {
		e, err := ValidateEmail(*p.Email)
		if err != nil {
			return nil, err
		}
		if err := t.emailTaken(e, u.ID); err != nil {
			return nil, err
		}
		if lower(e) != lower(u.Email) {
			t.emails[lower(u.Email)] = 0
			if err := t.w.del(bucketEmails, []byte(lower(u.Email))); err != nil {
				return nil, err
			}
			t.emails[lower(e)] = u.ID
			if err := t.w.put(bucketEmails, []byte(lower(e)), itob(u.ID)); err != nil {
				return nil, err
			}
		}
		u.Email = e
		t.record(ref, "email", before.Email, u.Email)
		if lower(e) != lower(before.Email) {
			// a token mailed to the old address must not open the account
			// under the new one; an invited user is invited again there
			if err := t.revokeInvites(u.ID); err != nil {
				return nil, err
			}
			reinvite = u.Status() == Invited
		}
	}
	if p.Client != nil && p.Profile == nil {
		if u.Type != ClientUser {
			return nil, with(badInput("%s is an employee: assign them clients, or give them a client profile to make them a client user", u.Email), userRef(u), Fix{Do: FixAssignClient, Ref: userRef(u)})
		}
		cl, err := c.clientNamed(*p.Client)
		if err != nil {
			return nil, err
		}
		if cl.IsRetired() {
			return nil, refused("%s", describeRetired("client", cl.Name))
		}
		if !slices.Equal(u.ClientIDs, []uint64{cl.ID}) {
			if err := t.mayCrossClients("moving a client user to another client"); err != nil {
				return nil, err
			}
		}
		u.ClientIDs = []uint64{cl.ID}
		if err := t.sitesFitClient(u); err != nil {
			return nil, err
		}
		t.recordIDs(ref, "client", namesOf(before.ClientIDs, c.clients), cl.Name, before.ClientIDs, u.ClientIDs)
	}
	if p.Profile != nil {
		if err := t.changeProfile(u, &before, *p.Profile, p.Client, ref); err != nil {
			return nil, err
		}
		if err := t.temporaryProfile(u, &before, p.ProfileUntil); err != nil {
			return nil, err
		}
	} else if !p.ProfileUntil.IsZero() {
		return nil, badInput("an end date goes with a profile: give the temporary profile too")
	}
	if p.DefaultSite != nil {
		if err := t.setDefaultSite(u, *p.DefaultSite); err != nil {
			return nil, err
		}
		t.recordIDs(ref, "default site", siteName(c, before.DefaultSiteID), siteName(c, u.DefaultSiteID), []uint64{before.DefaultSiteID}, []uint64{u.DefaultSiteID})
	}
	if u.DefaultSiteID != before.DefaultSiteID || u.Type != before.Type || !slices.Equal(u.ClientIDs, before.ClientIDs) {
		if err := t.defaultSiteFits(u); err != nil {
			return nil, err
		}
	}
	if err := t.checkLocations(u); err != nil {
		return nil, err
	}
	if err := t.reach(u); err != nil {
		return nil, err
	}
	if len(t.entries) == recorded {
		return t.user(id), nil // nothing changed: no new version
	}
	if u.Email != before.Email || u.Name() != before.Name() {
		if err := t.lookalike(u); err != nil {
			return nil, err
		}
		t.renamed(u.ID, u)
	}
	if err := t.touch(u); err != nil {
		return nil, err
	}
	if reinvite {
		if err := t.invite(u); err != nil {
			return nil, err
		}
	}
	return u, nil
}

// changeProfile is "change role", including turning a client user into an
// employee and back (rule 2).
func (t *Tx) changeProfile(u, before *User, name string, client *string, ref Ref) error {
	c := t.catalog()
	p, err := c.profileNamed(name)
	if err != nil {
		return err
	}
	if err := t.notAbove(p, "profile "+p.Name); err != nil {
		return err
	}
	u.ProfileID = p.ID
	if p.Type != u.Type {
		what := "turning a client user into an employee"
		if p.Type == ClientUser {
			what = "turning an employee into a client user"
		}
		if err := t.mayCrossClients(what); err != nil {
			return err
		}
		switch p.Type {
		case Employee: // a client user becomes an employee; their client stays assigned
			u.Type = Employee
		case ClientUser:
			if client != nil {
				cl, err := c.clientNamed(*client)
				if err != nil {
					return err
				}
				if cl.IsRetired() {
					return refused("%s", describeRetired("client", cl.Name))
				}
				u.ClientIDs = []uint64{cl.ID}
			}
			if len(u.ClientIDs) != 1 {
				return with(badInput("%s becomes a client user with profile %s and needs exactly one client", u.Email, p.Name), userRef(u), Fix{Do: FixGiveClient})
			}
			u.Type = ClientUser
			if err := t.sitesFitClient(u); err != nil {
				return err
			}
			for f := range u.Features {
				if u.Features[f] != Inherit {
					t.record(ref, "feature "+Feature(f).String(), u.Features[f].String(), Inherit.String())
					u.Features[f] = Inherit // client users have no overrides
				}
			}
		}
		t.record(ref, "type", before.Type.String(), u.Type.String())
	} else if client != nil {
		if u.Type != ClientUser {
			return with(badInput("a client is set on a client user; %s is an employee: assign them clients", u.Email), userRef(u), Fix{Do: FixAssignClient, Ref: userRef(u)})
		}
		cl, err := c.clientNamed(*client)
		if err != nil {
			return err
		}
		if cl.IsRetired() {
			return refused("%s", describeRetired("client", cl.Name))
		}
		if !slices.Equal(u.ClientIDs, []uint64{cl.ID}) {
			if err := t.mayCrossClients("moving a client user to another client"); err != nil {
				return err
			}
		}
		u.ClientIDs = []uint64{cl.ID}
		if err := t.sitesFitClient(u); err != nil {
			return err
		}
	}
	t.recordIDs(ref, "client", namesOf(before.ClientIDs, c.clients), namesOf(u.ClientIDs, c.clients), before.ClientIDs, u.ClientIDs)
	t.recordIDs(ref, "profile", Names{c}.Profile(before.ProfileID), p.Name, []uint64{before.ProfileID}, []uint64{p.ID})
	return nil
}

// temporaryProfile gives the profile just set an end (or takes an earlier
// temporary profile's end away): at until the user falls back to the
// profile they held before — the one an earlier temporary profile falls
// back to, should they hold one.
func (t *Tx) temporaryProfile(u, before *User, until time.Time) error {
	back := before.ProfileID
	for _, x := range before.Expiries {
		if x.Grant == GrantProfile {
			back = x.Back
			t.setExpiry(u, GrantProfile, x.ID, time.Time{}, 0)
		}
	}
	if until.IsZero() || u.ProfileID == back {
		return nil
	}
	if u.Type != before.Type {
		return badInput("a temporary profile keeps the user a%s %s; change their type for good, without an end date", article(before.Type.String()), before.Type)
	}
	t.setExpiry(u, GrantProfile, u.ProfileID, until, back)
	return nil
}

func article(word string) string {
	if strings.ContainsRune("aeiou", rune(word[0])) {
		return "n"
	}
	return ""
}

// defaultSiteFits refuses a client user whose default site is not their client's.
func (t *Tx) defaultSiteFits(u *User) error {
	if u.Type != ClientUser || u.DefaultSiteID == 0 {
		return nil
	}
	s := t.catalog().sites[u.DefaultSiteID]
	if s == nil {
		return nil
	}
	return t.siteOfTheirClient(u, s, "clear the default site (--default-site \"\") or give one of their client's")
}

func (t *Tx) sitesFitClient(u *User) error {
	c := t.catalog()
	for id := range userSites(u, c) {
		if st := c.sites[id]; st != nil && st.ClientID != u.ClientIDs[0] {
			return refused("%s is assigned to site %s, which is not %s's; unassign it first", u.Email, st.Name, Names{c}.Client(u.ClientIDs[0]))
		}
	}
	return nil
}

func namesOf[T interface{ name() string }](ids []uint64, m map[uint64]T) string {
	s := make([]string, 0, len(ids))
	for _, id := range ids {
		if v, ok := m[id]; ok {
			s = append(s, v.name())
		}
	}
	slices.Sort(s)
	return strings.Join(s, "; ")
}

func (c *Client) name() string { return c.Name }
func (s *Site) name() string   { return s.Name }

func siteName(c *catalog, id uint64) string {
	if s := c.sites[id]; s != nil {
		return s.Name
	}
	return ""
}

// SetDisabled disables or enables a user (rule 4: disable instead of delete).
func (t *Tx) SetDisabled(id, version uint64, disabled bool) error {
	u, err := t.mutable(id, version)
	if err != nil {
		return err
	}
	if u.ID == t.actor.UserID && disabled {
		return refused("you cannot disable yourself; ask another administrator")
	}
	if u.Disabled == disabled {
		return nil
	}
	before := u.Status()
	u.Disabled = disabled
	t.record(userRef(u), "status", before.String(), u.Status().String())
	if disabled {
		if err := t.revokeInvites(u.ID); err != nil {
			return err
		}
	}
	return t.touch(u)
}

// DeleteUser removes a user who has no records (rule 4).
func (t *Tx) DeleteUser(id, version uint64) error {
	u, err := t.mutable(id, version)
	if err != nil {
		return err
	}
	if u.ID == t.actor.UserID {
		return refused("you cannot delete yourself")
	}
	if u.HasRecords() {
		why := "has made changes"
		if u.Activated {
			why = "has signed in or accepted an invitation"
		}
		return with(refused("%s %s, so deleting them would break the records", u.Email, why), userRef(u), Fix{Do: FixDisable, Ref: userRef(u)})
	}
	t.users[u.ID] = nil
	t.renamed(u.ID, nil)
	t.emails[lower(u.Email)] = 0
	if err := t.w.del(bucketUsers, itob(u.ID)); err != nil {
		return err
	}
	if err := t.w.del(bucketEmails, []byte(lower(u.Email))); err != nil {
		return err
	}
	t.record(userRef(u), "deleted", t.describeUser(u), "")
	return t.revokeInvites(u.ID)
}

// SetFeature sets an employee's override of an org feature (rule 7).
func (t *Tx) SetFeature(id, version uint64, f Feature, o Override) error {
	u, err := t.mutable(id, version)
	if err != nil {
		return err
	}
	if !MayOverrideFeatures(u) {
		return refused("%s is a client user; feature overrides are for employees (client users follow the org setting)", u.Email)
	}
	if u.Features[f] == o {
		return nil
	}
	t.record(userRef(u), "feature "+f.String(), u.Features[f].String(), o.String())
	u.Features[f] = o
	return t.touch(u)
}

// AssignClients adds (or removes) clients whose data an employee may see (rule 3).
func (t *Tx) AssignClients(id, version uint64, clients []string, add bool) error {
	return t.assignClients(id, version, clients, add, time.Time{})
}

// AssignClientsUntil adds clients an employee sees until a date (zero: for good).
func (t *Tx) AssignClientsUntil(id, version uint64, clients []string, until time.Time) error {
	return t.assignClients(id, version, clients, true, until)
}

func (t *Tx) assignClients(id, version uint64, clients []string, add bool, until time.Time) error {
	u, err := t.mutable(id, version)
	if err != nil {
		return err
	}
	if !MayBeGivenClients(u) {
		return with(refused("%s is a client user and has exactly one client", u.Email), userRef(u), Fix{Do: FixSetClient, Ref: userRef(u)})
	}
	c := t.catalog()
	before, beforeIDs := namesOf(u.ClientIDs, c.clients), slices.Clone(u.ClientIDs)
	recorded := len(t.entries)
	for _, name := range clients {
		cl, err := c.clientNamed(name)
		if err != nil {
			return err
		}
		has := slices.Contains(u.ClientIDs, cl.ID)
		if add && !has && cl.IsRetired() {
			return refused("%s", describeRetired("client", cl.Name))
		}
		switch {
		case add && !has:
			u.ClientIDs = append(u.ClientIDs, cl.ID)
		case !add && has:
			u.ClientIDs = slices.DeleteFunc(u.ClientIDs, func(x uint64) bool { return x == cl.ID })
		}
		if add {
			t.setExpiry(u, GrantClient, cl.ID, until, 0)
		} else {
			t.setExpiry(u, GrantClient, cl.ID, time.Time{}, 0)
		}
	}
	after := namesOf(u.ClientIDs, c.clients)
	t.recordIDs(userRef(u), "clients", before, after, beforeIDs, u.ClientIDs)
	if len(t.entries) == recorded {
		return nil
	}
	return t.touch(u)
}

// AssignSites adds or removes sites and teams ("Site/Team" or a unique team name).
func (t *Tx) AssignSites(id, version uint64, sites, teams []string, add bool) error {
	return t.assignSites(id, version, sites, teams, add, time.Time{})
}

// AssignSitesUntil adds sites and teams that end by themselves at until
// (zero: for good; a site already held gets that end, or loses its end).
func (t *Tx) AssignSitesUntil(id, version uint64, sites, teams []string, until time.Time) error {
	return t.assignSites(id, version, sites, teams, true, until)
}

func (t *Tx) assignSites(id, version uint64, sites, teams []string, add bool, until time.Time) error {
	u, err := t.mutable(id, version)
	if err != nil {
		return err
	}
	c := t.catalog()
	oldSites, oldTeams := slices.Clone(u.SiteIDs), slices.Clone(u.TeamIDs)
	recorded := len(t.entries)
	if add {
		if err := t.addPlaces(u, sites, teams); err != nil {
			return err
		}
		// the sites and teams named get their end (or lose one)
		for _, name := range sites {
			if s, err := c.siteNamed(name); err == nil {
				t.setExpiry(u, GrantSite, s.ID, until, 0)
			}
		}
		for _, name := range teams {
			if tm, err := c.teamNamed(name); err == nil {
				t.setExpiry(u, GrantTeam, tm.ID, until, 0)
			}
		}
	} else {
		for _, name := range sites {
			s, err := c.siteNamed(name)
			if err != nil {
				return err
			}
			if err := t.mayAssignSite(s.ID); err != nil {
				return err
			}
			u.SiteIDs = slices.DeleteFunc(u.SiteIDs, func(x uint64) bool { return x == s.ID })
			t.setExpiry(u, GrantSite, s.ID, time.Time{}, 0)
		}
		for _, name := range teams {
			tm, err := c.teamNamed(name)
			if err != nil {
				return err
			}
			if err := t.mayAssignSite(tm.SiteID); err != nil {
				return err
			}
			u.TeamIDs = slices.DeleteFunc(u.TeamIDs, func(x uint64) bool { return x == tm.ID })
			t.setExpiry(u, GrantTeam, tm.ID, time.Time{}, 0)
		}
	}
	sitesChanged, teamsChanged := !slices.Equal(oldSites, u.SiteIDs), !slices.Equal(oldTeams, u.TeamIDs)
	if !sitesChanged && !teamsChanged {
		if len(t.entries) > recorded { // only an end given or taken
			return t.touch(u)
		}
		return nil
	}
	if err := t.checkLocations(u); err != nil {
		return err
	}
	ref := userRef(u)
	if sitesChanged {
		t.recordIDs(ref, "sites", namesOf(oldSites, c.sites), namesOf(u.SiteIDs, c.sites), oldSites, u.SiteIDs)
	}
	if teamsChanged {
		label := func(id uint64) string { return teamLabel(c, id) }
		t.recordIDs(ref, "teams", joinSorted(oldTeams, label), joinSorted(u.TeamIDs, label), oldTeams, u.TeamIDs)
	}
	return t.touch(u)
}

func joinSorted(ids []uint64, name func(uint64) string) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = name(id)
	}
	slices.Sort(s)
	return strings.Join(s, "; ")
}
