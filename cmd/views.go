package cmd

import (
	"time"

	"github.com/gatehouse/gatehouse/store"
)

// The JSON shapes printed by --json. They are documented in JSON.md: change
// both together.

type featureView struct {
	Org       bool   `json:"org"`
	Override  string `json:"override"`
	Effective bool   `json:"effective"`
}

type userView struct {
	ID          uint64                 `json:"id"`
	FirstName   string                 `json:"first_name"`
	LastName    string                 `json:"last_name"`
	Name        string                 `json:"name"`
	Email       string                 `json:"email"`
	Type        string                 `json:"type"`
	Profile     string                 `json:"profile"`
	Client      string                 `json:"client,omitempty"`
	Clients     []string               `json:"clients"`
	Sites       []string               `json:"sites"`
	Teams       []string               `json:"teams"`
	DefaultSite string                 `json:"default_site"`
	Status      string                 `json:"status"`
	Changed     bool                   `json:"changed"`
	HasRecords  bool                   `json:"has_records"`
	Version     uint64                 `json:"version"`
	Created     time.Time              `json:"created"`
	CreatedBy   string                 `json:"created_by"`
	Updated     time.Time              `json:"updated"`
	UpdatedBy   string                 `json:"updated_by"`
	LastSignIn  *time.Time             `json:"last_sign_in"`
	Features    map[string]featureView `json:"features"`
	Ends        []store.End            `json:"ends,omitempty"`
}

// viewUser is the JSON form of a user; who is how the reader sees the names
// of those who changed them (store.ActorNames).
func viewUser(u *store.User, n store.Names, st store.Settings, who func(string) string) userView {
	v := userView{
		ID: u.ID, FirstName: u.First, LastName: u.Last, Name: u.Name(), Email: u.Email,
		Type: u.Type.String(), Profile: n.Profile(u.ProfileID),
		Clients: nonNil(n.Clients(u.ClientIDs)), Sites: nonNil(n.Sites(u.SiteIDs)), Teams: nonNil(n.Teams(u.TeamIDs)),
		DefaultSite: n.Site(u.DefaultSiteID), Status: u.Status().String(), Changed: u.Changed(), HasRecords: u.HasRecords(),
		Version: u.Version, Created: u.Created, CreatedBy: who(u.CreatedBy), Updated: u.Updated, UpdatedBy: who(u.UpdatedBy),
		Features: map[string]featureView{},
	}
	if u.Type == store.ClientUser && len(u.ClientIDs) > 0 {
		v.Client = n.Client(u.ClientIDs[0])
	}
	if len(u.Expiries) > 0 {
		v.Ends = n.Ends(u)
	}
	if !u.LastSignIn.IsZero() {
		t := u.LastSignIn
		v.LastSignIn = &t
	}
	for _, f := range store.Features() {
		o := store.Inherit
		if u.Type == store.Employee {
			o = u.Features[f]
		}
		v.Features[f.String()] = featureView{Org: st.Feature(f), Override: o.String(), Effective: st.EffectiveFeature(u, f)}
	}
	return v
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

type levelView struct {
	Screen    string `json:"screen"`
	Title     string `json:"title"`
	Group     string `json:"group"`
	Level     string `json:"level"`
	Sensitive bool   `json:"sensitive"`
}

type profileView struct {
	ID               uint64      `json:"id"`
	Name             string      `json:"name"`
	Type             string      `json:"type"`
	Scope            string      `json:"scope"`
	ClientRestricted bool        `json:"client_restricted"`
	Builtin          bool        `json:"builtin"`
	Users            int         `json:"users"`
	Version          uint64      `json:"version"`
	Updated          time.Time   `json:"updated"`
	UpdatedBy        string      `json:"updated_by"`
	Levels           []levelView `json:"levels,omitempty"`
}

func scopeKey(s store.Scope) string {
	if s == store.ScopeAll {
		return "all"
	}
	return "assigned"
}

func viewProfile(p *store.Profile, users int, screens []*store.Screen, withLevels bool) profileView {
	v := profileView{ID: p.ID, Name: p.Name, Type: p.Type.String(), Scope: scopeKey(p.Scope), ClientRestricted: p.ClientRestricted,
		Builtin: p.Builtin, Users: users, Version: p.Version, Updated: p.Updated, UpdatedBy: p.UpdatedBy}
	if withLevels {
		v.Levels = []levelView{}
		for _, sc := range screens {
			v.Levels = append(v.Levels, levelView{Screen: sc.Key, Title: sc.Title, Group: sc.Group, Level: p.Level(sc.Key).String(), Sensitive: sc.Sensitive})
		}
	}
	return v
}

type screenView struct {
	Key       string `json:"key"`
	Title     string `json:"title"`
	Group     string `json:"group"`
	Sensitive bool   `json:"sensitive"`
	Builtin   bool   `json:"builtin"`
}

type clientView struct {
	ID      uint64   `json:"id"`
	Name    string   `json:"name"`
	Sites   []string `json:"sites"`
	Users   int      `json:"users"`
	Retired string   `json:"retired,omitempty"`
}

type siteView struct {
	ID      uint64   `json:"id"`
	Name    string   `json:"name"`
	Client  string   `json:"client"`
	Teams   []string `json:"teams"`
	Users   int      `json:"users"`
	Retired string   `json:"retired,omitempty"`
}

type teamView struct {
	ID      uint64 `json:"id"`
	Name    string `json:"name"`
	Site    string `json:"site"`
	Label   string `json:"label"`
	Users   int    `json:"users"`
	Retired string `json:"retired,omitempty"`
}

// retiredOn is a retired record's date ("" while in use).
func retiredOn(at time.Time) string {
	if at.IsZero() {
		return ""
	}
	return at.Local().Format("2006-01-02")
}

type settingView struct {
	Key   string `json:"key"`
	Value string `json:"value"`
	Help  string `json:"help"`
}

type featureSummaryView struct {
	Feature   string `json:"feature"`
	Title     string `json:"title"`
	Org       bool   `json:"org"`
	Allow     int    `json:"allow_overrides"`
	Deny      int    `json:"deny_overrides"`
	Effective int    `json:"employees_with_it"`
	Employees int    `json:"employees"`
}

type settingsView struct {
	Settings  []settingView        `json:"settings"`
	Features  []featureSummaryView `json:"features"`
	Version   uint64               `json:"version"`
	Updated   time.Time            `json:"updated"`
	UpdatedBy string               `json:"updated_by"`
}

type checkView struct {
	Allowed bool   `json:"allowed"`
	Reason  string `json:"reason"`
	User    string `json:"user"`
	Profile string `json:"profile"`
	Screen  string `json:"screen"`
	Level   string `json:"level"`
	Held    string `json:"held"`
	Site    string `json:"site"`
	Via     string `json:"via_team"`
}

type effectiveLevelView struct {
	Screen    string `json:"screen"`
	Title     string `json:"title"`
	Level     string `json:"level"`
	Sensitive bool   `json:"sensitive"`
}

type effectiveView struct {
	Email       string                 `json:"email"`
	Name        string                 `json:"name"`
	Type        string                 `json:"type"`
	Status      string                 `json:"status"`
	Profile     string                 `json:"profile"`
	Scope       string                 `json:"scope"`
	Levels      []effectiveLevelView   `json:"levels"`
	Sites       []string               `json:"sites"`
	Teams       []string               `json:"teams"`
	Clients     []string               `json:"clients"`
	DefaultSite string                 `json:"default_site"`
	Features    map[string]featureView `json:"features"`
	Ends        []store.End            `json:"ends"`
	Notes       []string               `json:"notes"`
}

func viewEffective(e *store.Effective) effectiveView {
	v := effectiveView{Email: e.Email, Name: e.Name, Type: e.Type, Status: e.Status, Profile: e.Profile, Scope: e.Scope,
		Levels: []effectiveLevelView{}, Sites: nonNil(e.Sites), Teams: nonNil(e.Teams), Clients: nonNil(e.Clients),
		DefaultSite: e.Default, Features: map[string]featureView{}, Ends: e.Ends, Notes: nonNil(e.Notes)}
	if v.Ends == nil {
		v.Ends = []store.End{}
	}
	for _, l := range e.Levels {
		v.Levels = append(v.Levels, effectiveLevelView{Screen: l.Screen, Title: l.Title, Level: l.Level, Sensitive: l.Sensitive})
	}
	for _, f := range e.Features {
		v.Features[f.Feature] = featureView{Org: f.Org, Override: f.Override, Effective: f.Effective}
	}
	return v
}

type messageView struct {
	ID        uint64    `json:"id"`
	Kind      string    `json:"kind"`
	To        string    `json:"to"`
	Subject   string    `json:"subject"`
	Body      string    `json:"body"`
	State     string    `json:"state"`
	Attempts  int       `json:"attempts"`
	LastError string    `json:"last_error"`
	Created   time.Time `json:"created"`
	Updated   time.Time `json:"updated"`
}

type verifyView struct {
	OK       bool     `json:"ok"`
	Entries  uint64   `json:"entries"`
	Problems []string `json:"problems"`
}
