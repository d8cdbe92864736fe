// Package store is gatehouse's domain: users, clients, sites, teams, screens,
// profiles, assignments, invitations, the outbox and the audit log, every rule
// of DESIGN.md, persisted in one bbolt file. It knows nothing of terminals or SSH.
package store

import (
	"fmt"
	"strings"
	"time"
)

// Level is how much a profile may do on a screen: none < view < maintain.
type Level uint8

const (
	None Level = iota
	View
	Maintain
)

var levelNames = [...]string{"none", "view", "maintain"}

func (l Level) String() string {
	if int(l) < len(levelNames) {
		return levelNames[l]
	}
	return fmt.Sprintf("level(%d)", l)
}

// ParseLevel reads none, view or maintain (any case).
func ParseLevel(s string) (Level, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "none":
		return None, nil
	case "view":
		return View, nil
	case "maintain":
		return Maintain, nil
	}
	return None, badInput("level %q is not one of none, view, maintain", s)
}

// UserType is employee or client.
type UserType uint8

const (
	Employee UserType = iota
	ClientUser
)

func (t UserType) String() string {
	if t == ClientUser {
		return "client"
	}
	return "employee"
}

// ParseUserType reads employee or client.
func ParseUserType(s string) (UserType, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "employee", "employees":
		return Employee, nil
	case "client", "clients":
		return ClientUser, nil
	}
	return Employee, badInput("type %q is not one of employee, client", s)
}

// Scope says which sites a profile's holder reaches: all, or only their assigned ones.
type Scope uint8

const (
	ScopeAssigned Scope = iota
	ScopeAll
)

func (s Scope) String() string {
	if s == ScopeAll {
		return "all sites"
	}
	return "assigned sites"
}

// Status of a user, derived from their record.
type Status uint8

const (
	Invited Status = iota
	Active
	Disabled
)

func (s Status) String() string {
	switch s {
	case Active:
		return "active"
	case Disabled:
		return "disabled"
	}
	return "invited"
}

// ParseStatus reads active, invited or disabled.
func ParseStatus(s string) (Status, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "invited":
		return Invited, nil
	case "active":
		return Active, nil
	case "disabled":
		return Disabled, nil
	}
	return Invited, badInput("status %q is not one of active, invited, disabled, all", s)
}

// Feature is an org feature with a per-employee override.
type Feature uint8

const (
	FeatureAdhocClockIn Feature = iota
	FeaturePortal
	FeatureMobileApp
	numFeatures
)

var featureKeys = [...]string{"adhoc-clock-in", "portal", "mobile-app"}
var featureTitles = [...]string{"Clock-in against ad-hoc shifts", "Employee portal", "Mobile app"}

// Features lists every feature in display order.
func Features() []Feature { return []Feature{FeatureAdhocClockIn, FeaturePortal, FeatureMobileApp} }

func (f Feature) String() string { return featureKeys[f] }

// Title is the feature's human name.
func (f Feature) Title() string { return featureTitles[f] }

// ParseFeature reads a feature key.
func ParseFeature(s string) (Feature, error) {
	for i, k := range featureKeys {
		if strings.EqualFold(strings.TrimSpace(s), k) {
			return Feature(i), nil
		}
	}
	return 0, badInput("feature %q is not one of %s", s, strings.Join(featureKeys[:], ", "))
}

// Override is an employee's own setting for a feature.
type Override uint8

const (
	Inherit Override = iota
	Allow
	Deny
)

func (o Override) String() string {
	switch o {
	case Allow:
		return "allow"
	case Deny:
		return "deny"
	}
	return "inherit"
}

// ParseOverride reads allow, deny or inherit.
func ParseOverride(s string) (Override, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "inherit":
		return Inherit, nil
	case "allow":
		return Allow, nil
	case "deny":
		return Deny, nil
	}
	return Inherit, badInput("override %q is not one of allow, deny, inherit", s)
}

// User is a person who signs in. Values handed out by the store are shared
// snapshots: treat them as read-only.
type User struct {
	// the fields a check reads come first, to share a cache line or two
	Email     string
	ProfileID uint64
	Disabled  bool
	Type      UserType
	SiteIDs   []uint64
	TeamIDs   []uint64
	ClientIDs []uint64 // a client user has exactly one

	ID            uint64
	Version       uint64
	First, Last   string
	DefaultSiteID uint64
	Features      [numFeatures]Override
	Activated     bool // accepted an invitation or signed in (a password set by an admin does not activate)
	Authored      bool // has made a change as an actor
	PasswordHash  string
	Created       time.Time
	CreatedBy     string
	Updated       time.Time
	UpdatedBy     string
	LastSignIn    time.Time
	Expiries      []Expiry // grants that end by themselves
}

// Grant is what kind of grant ends at an expiry.
type Grant uint8

// The grants that may end by themselves.
const (
	GrantSite    Grant = iota + 1 // a site assigned directly
	GrantTeam                     // a team
	GrantClient                   // a client an employee sees
	GrantProfile                  // a temporary profile, falling back to another
)

var grantNames = [...]string{GrantSite: "site", GrantTeam: "team", GrantClient: "client", GrantProfile: "profile"}

func (g Grant) String() string {
	if int(g) < len(grantNames) && grantNames[g] != "" {
		return grantNames[g]
	}
	return "grant"
}

// Expiry is a grant that the store takes back by itself at At (as
// system:expiry, audited): a site, team or client, or a profile that falls
// back to Back.
type Expiry struct {
	Grant Grant
	ID    uint64 // the site, team, client, or the temporary profile
	At    time.Time
	Back  uint64 // GrantProfile: the profile it falls back to
}

// Until is when the user's grant of g and id ends (zero: it does not).
func (u *User) Until(g Grant, id uint64) time.Time {
	for _, x := range u.Expiries {
		if x.Grant == g && x.ID == id {
			return x.At
		}
	}
	return time.Time{}
}

// Name is "First Last".
func (u *User) Name() string { return strings.TrimSpace(u.First + " " + u.Last) }

// Status is derived: disabled wins, then active once activated, else invited.
func (u *User) Status() Status {
	switch {
	case u.Disabled:
		return Disabled
	case u.Activated:
		return Active
	}
	return Invited
}

// HasRecords says whether the user has left records (rule 4) and so may only be disabled.
func (u *User) HasRecords() bool { return u.Activated || u.Authored || !u.LastSignIn.IsZero() }

// Changed says whether the record was edited after it was created.
func (u *User) Changed() bool { return u.Version > 1 }

func (u *User) clone() *User {
	c := *u
	c.ClientIDs = append([]uint64(nil), u.ClientIDs...)
	c.SiteIDs = append([]uint64(nil), u.SiteIDs...)
	c.TeamIDs = append([]uint64(nil), u.TeamIDs...)
	if u.Expiries != nil {
		c.Expiries = append([]Expiry(nil), u.Expiries...)
	}
	return &c
}

// Client is a customer company.
type Client struct {
	ID        uint64
	Version   uint64
	Name      string
	Created   time.Time
	UpdatedBy string
	Updated   time.Time
	Retired   time.Time `json:",omitzero"` // its contract ended: kept with its history, assignable no more
}

// IsRetired says the client is out of use (restorable).
func (c *Client) IsRetired() bool { return !c.Retired.IsZero() }

// Site is a place the business works at, optionally owned by a client.
type Site struct {
	ID        uint64
	Version   uint64
	Name      string
	ClientID  uint64 // 0: the business's own
	Created   time.Time
	UpdatedBy string
	Updated   time.Time
	Retired   time.Time `json:",omitzero"` // out of use: kept with its history, assignable no more
}

// IsRetired says the site is out of use (restorable).
func (s *Site) IsRetired() bool { return !s.Retired.IsZero() }

// Team lives in one site.
type Team struct {
	ID        uint64
	Version   uint64
	Name      string
	SiteID    uint64
	Created   time.Time
	UpdatedBy string
	Updated   time.Time
	Retired   time.Time `json:",omitzero"` // out of use: kept with its history, assignable no more
}

// IsRetired says the team is out of use (restorable).
func (t *Team) IsRetired() bool { return !t.Retired.IsZero() }

// Screen is one area of the administered system.
type Screen struct {
	Key       string `json:"key"`
	Title     string `json:"title"`
	Group     string `json:"group"`
	Sensitive bool   `json:"sensitive"`
	Builtin   bool   `json:"builtin"`
}

// Profile is a role: a level per screen, a user type and an admin scope.
type Profile struct {
	ID               uint64
	Version          uint64
	Name             string
	Type             UserType
	Scope            Scope
	ClientRestricted bool // employees holding it who are assigned clients see only those clients
	Builtin          bool
	Levels           map[string]Level // screen key → level; missing means none
	Created          time.Time
	Updated          time.Time
	UpdatedBy        string
}

// Level is the profile's level on a screen.
func (p *Profile) Level(screen string) Level { return p.Levels[screen] }

func (p *Profile) clone() *Profile {
	c := *p
	c.Levels = make(map[string]Level, len(p.Levels))
	for k, v := range p.Levels {
		c.Levels[k] = v
	}
	return &c
}

// Settings are the org's settings and feature defaults.
type Settings struct {
	Version           uint64
	RestrictLocations bool
	ClientGuardrail   bool
	InviteExpiry      time.Duration
	Features          [numFeatures]bool
	LockoutAttempts   int
	LockoutWindow     time.Duration
	Updated           time.Time
	UpdatedBy         string
}

// Feature is the org-level value of a feature.
func (s Settings) Feature(f Feature) bool { return s.Features[f] }

// EffectiveFeature combines the org value and the user's override. Client users
// have no overrides: they follow the org value.
func (s Settings) EffectiveFeature(u *User, f Feature) bool {
	if u.Type == Employee {
		switch u.Features[f] {
		case Allow:
			return true
		case Deny:
			return false
		}
	}
	return s.Features[f]
}
