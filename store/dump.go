package store

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// DumpFormat names the export format; Import refuses any other.
const DumpFormat = "gatehouse/1"

// Dump is the portable JSON form of a database (export/import). It holds no
// secrets (password hashes, tokens) and no audit log: that is what backups are for.
type Dump struct {
	Format   string            `json:"format"`
	Exported time.Time         `json:"exported"`
	Settings map[string]string `json:"settings"`
	Screens  []Screen          `json:"screens"`
	Profiles []DumpProfile     `json:"profiles"`
	Clients  []string          `json:"clients"`
	Sites    []DumpSite        `json:"sites"`
	Teams    []DumpTeam        `json:"teams"`
	Users    []DumpUser        `json:"users"`
}

// DumpProfile is a profile by name.
type DumpProfile struct {
	Name             string            `json:"name"`
	Type             string            `json:"type"`
	Scope            string            `json:"scope"` // all | assigned
	ClientRestricted bool              `json:"client_restricted,omitempty"`
	Levels           map[string]string `json:"levels"`
}

// DumpSite is a site by name.
type DumpSite struct {
	Name   string `json:"name"`
	Client string `json:"client,omitempty"`
}

// DumpTeam is a team by name and site.
type DumpTeam struct {
	Name string `json:"name"`
	Site string `json:"site"`
}

// DumpUser is a user by email, with names instead of ids.
type DumpUser struct {
	First       string            `json:"first_name"`
	Last        string            `json:"last_name"`
	Email       string            `json:"email"`
	Type        string            `json:"type"`
	Profile     string            `json:"profile"`
	Status      string            `json:"status"`
	Clients     []string          `json:"clients,omitempty"`
	Sites       []string          `json:"sites,omitempty"`
	Teams       []string          `json:"teams,omitempty"` // "Site/Team"
	DefaultSite string            `json:"default_site,omitempty"`
	Features    map[string]string `json:"features,omitempty"`
}

// Backup writes a consistent copy of the database to path while readers and
// writers go on. The copy holds only what is live: bbolt keeps the old
// contents of freed pages in its file (a token taken out of a sent message,
// a record since changed), and a backup travels, so it is written record by
// record (bbolt's Compact over one read transaction) rather than page by
// page. It refuses to overwrite an existing file, and writes through a
// temporary file so a failed backup leaves nothing behind.
//
// bbolt's own Compact is not used: it commits its last batch after its read
// transaction has ended, with values still pointing into the source's
// memory map, which a writer growing the file may remap meanwhile (seen as
// altered audit entries in backups taken during a write storm).
func (s *Store) Backup(path string) error {
	b, ok := s.db.(backuper)
	if !ok {
		return refused("this store keeps no file to back up: back up its engine instead")
	}
	if _, err := os.Stat(path); err == nil {
		return refused("%s already exists; choose a new file name (backups never overwrite)", path)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".gatehouse-backup-*")
	if err != nil {
		return badInput("cannot write the backup: %v", err)
	}
	name := tmp.Name()
	tmp.Close()
	defer os.Remove(name)
	if err := b.backup(name); err != nil {
		return err
	}
	return os.Rename(name, path)
}

// backuper is an engine that writes a consistent copy of what it holds into
// a new file, while readers and writers go on (the bbolt engine).
type backuper interface {
	backup(name string) error
}

// Export returns the portable form of everything but secrets and the audit log.
func (s *Store) Export() (*Dump, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	c := s.cat
	d := &Dump{Format: DumpFormat, Exported: s.now(), Settings: map[string]string{}}
	for _, k := range SettingKeys {
		d.Settings[k] = c.settings.Value(k)
	}
	for _, sc := range c.screens {
		d.Screens = append(d.Screens, *sc)
	}
	ps := make([]*Profile, 0, len(c.profiles))
	for _, p := range c.profiles {
		ps = append(ps, p)
	}
	slices.SortFunc(ps, func(a, b *Profile) int { return int(a.ID) - int(b.ID) })
	for _, p := range ps {
		dp := DumpProfile{Name: p.Name, Type: p.Type.String(), Scope: "assigned", ClientRestricted: p.ClientRestricted, Levels: map[string]string{}}
		if p.Scope == ScopeAll {
			dp.Scope = "all"
		}
		for k, l := range p.Levels {
			if l != None {
				dp.Levels[k] = l.String()
			}
		}
		d.Profiles = append(d.Profiles, dp)
	}
	n := Names{c}
	d.Clients = mapNames(keys(c.clients), n.Client)
	for _, id := range keys(c.sites) {
		d.Sites = append(d.Sites, DumpSite{Name: c.sites[id].Name, Client: n.Client(c.sites[id].ClientID)})
	}
	slices.SortFunc(d.Sites, func(a, b DumpSite) int { return cmpLower(a.Name, b.Name) })
	for _, id := range keys(c.teams) {
		t := c.teams[id]
		d.Teams = append(d.Teams, DumpTeam{Name: t.Name, Site: n.Site(t.SiteID)})
	}
	slices.SortFunc(d.Teams, func(a, b DumpTeam) int { return cmpLower(a.Site+"/"+a.Name, b.Site+"/"+b.Name) })
	s.users.each(func(u *User) {
		du := DumpUser{First: u.First, Last: u.Last, Email: u.Email, Type: u.Type.String(), Profile: n.Profile(u.ProfileID),
			Status: u.Status().String(), Clients: n.Clients(u.ClientIDs), Sites: n.Sites(u.SiteIDs), Teams: n.Teams(u.TeamIDs), DefaultSite: n.Site(u.DefaultSiteID)}
		for _, f := range Features() {
			if u.Features[f] != Inherit {
				if du.Features == nil {
					du.Features = map[string]string{}
				}
				du.Features[f.String()] = u.Features[f].String()
			}
		}
		d.Users = append(d.Users, du)
	})
	slices.SortFunc(d.Users, func(a, b DumpUser) int { return cmpLower(a.Email, b.Email) })
	return d, nil
}

func keys[V any](m map[uint64]V) []uint64 {
	out := make([]uint64, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func cmpLower(a, b string) int {
	a, b = lower(a), lower(b)
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// ReadDump decodes and checks a dump.
func ReadDump(r io.Reader) (*Dump, error) {
	var d Dump
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&d); err != nil {
		return nil, badInput("not an export file (gatehouse/1 JSON): %v", err)
	}
	if d.Format != DumpFormat {
		return nil, badInput("not an export file (format %q, want %q)", d.Format, DumpFormat)
	}
	return &d, nil
}

// Import applies a dump as one change set: missing records are created and
// existing ones changed to match, every difference audited. With dry, nothing
// is written and the change set lists what would change. Users new to this
// database are created invited (with an invitation), since secrets are not exported.
func (s *Store) Import(actor Actor, d *Dump, dry bool) (*ChangeSet, error) {
	if d.Format != DumpFormat {
		return nil, badInput("not an export file (format %q, want %q)", d.Format, DumpFormat)
	}
	fn := func(t *Tx) error { return t.importDump(d) }
	if dry {
		return s.Preview(actor, "import", fn)
	}
	return s.Apply(actor, "import", fn)
}

func (t *Tx) importDump(d *Dump) error {
	for _, k := range SettingKeys {
		if v, ok := d.Settings[k]; ok && k != "client-guardrail" && k != "restrict-locations" {
			if err := t.SetSetting(k, v); err != nil {
				return fmt.Errorf("settings %s: %w", k, err)
			}
		}
	}
	for _, sc := range d.Screens {
		if _, err := t.catalog().screen(sc.Key); err != nil {
			if _, err := t.AddScreen(sc.Key, sc.Title, sc.Group, sc.Sensitive); err != nil {
				return fmt.Errorf("screen %s: %w", sc.Key, err)
			}
		}
	}
	for _, name := range d.Clients {
		if _, err := t.catalog().clientNamed(name); err != nil {
			if _, err := t.AddClient(name); err != nil {
				return fmt.Errorf("client %s: %w", name, err)
			}
		}
	}
	for _, ds := range d.Sites {
		if s, err := t.catalog().siteNamed(ds.Name); err == nil {
			if have := siteClientName(t.catalog(), s); !equalFold(have, ds.Client) {
				return refused("site %s belongs to %q here but to %q in the file; sites do not change owner on import", ds.Name, have, ds.Client)
			}
			continue
		}
		if _, err := t.AddSite(ds.Name, ds.Client); err != nil {
			return fmt.Errorf("site %s: %w", ds.Name, err)
		}
	}
	for _, dt := range d.Teams {
		if _, err := t.catalog().teamNamed(dt.Site + "/" + dt.Name); err != nil {
			if _, err := t.AddTeam(dt.Name, dt.Site); err != nil {
				return fmt.Errorf("team %s/%s: %w", dt.Site, dt.Name, err)
			}
		}
	}
	// guardrail off while profiles are shaped, then set as the file says
	if err := t.importProfiles(d); err != nil {
		return err
	}
	for _, u := range d.Users {
		if err := t.importUser(u); err != nil {
			return fmt.Errorf("user %s: %w", u.Email, err)
		}
	}
	for _, k := range []string{"client-guardrail", "restrict-locations"} {
		if v, ok := d.Settings[k]; ok {
			if err := t.SetSetting(k, v); err != nil {
				return fmt.Errorf("settings %s: %w", k, err)
			}
		}
	}
	return nil
}

func siteClientName(c *catalog, s *Site) string {
	if cl := c.clients[s.ClientID]; cl != nil {
		return cl.Name
	}
	return ""
}

func equalFold(a, b string) bool { return lower(a) == lower(b) }

func (t *Tx) importProfiles(d *Dump) error {
	for _, dp := range d.Profiles {
		typ, err := ParseUserType(dp.Type)
		if err != nil {
			return fmt.Errorf("profile %s: %w", dp.Name, err)
		}
		p, err := t.catalog().profileNamed(dp.Name)
		if err != nil {
			if _, err = t.CreateProfile(dp.Name, typ, ""); err != nil {
				return fmt.Errorf("profile %s: %w", dp.Name, err)
			}
		} else if p.Type != typ {
			return refused("profile %s is for %s users here but %s users in the file", dp.Name, p.Type, typ)
		}
		scope, err := ParseScope(dp.Scope)
		if err != nil {
			return fmt.Errorf("profile %s: %w", dp.Name, err)
		}
		if err := t.SetProfileScope(dp.Name, scope); err != nil {
			return fmt.Errorf("profile %s: %w", dp.Name, err)
		}
		for _, sc := range t.catalog().screens {
			want := None
			if v, ok := dp.Levels[sc.Key]; ok {
				if want, err = ParseLevel(v); err != nil {
					return fmt.Errorf("profile %s: %w", dp.Name, err)
				}
			}
			if err := t.Grant(dp.Name, 0, sc.Key, want); err != nil {
				return fmt.Errorf("profile %s: %w", dp.Name, err)
			}
		}
		for k := range dp.Levels {
			if _, err := t.catalog().screen(k); err != nil {
				return fmt.Errorf("profile %s: %w", dp.Name, err)
			}
		}
	}
	return nil
}

func (t *Tx) importUser(du DumpUser) error {
	typ, err := ParseUserType(du.Type)
	if err != nil {
		return err
	}
	u := t.userByEmail(du.Email)
	if u == nil {
		client := ""
		if typ == ClientUser && len(du.Clients) > 0 {
			client = du.Clients[0]
		}
		clients := du.Clients
		if typ == ClientUser {
			clients = []string{client}
		}
		nu, err := t.AddUser(NewUser{First: du.First, Last: du.Last, Email: du.Email, Type: typ, Profile: du.Profile,
			Clients: clients, Sites: du.Sites, Teams: du.Teams, DefaultSite: du.DefaultSite})
		if err != nil {
			return err
		}
		u = nu
	} else {
		p := UserPatch{First: &du.First, Last: &du.Last, Email: &du.Email, Profile: &du.Profile}
		if typ == ClientUser && len(du.Clients) == 1 {
			p.Client = &du.Clients[0]
		}
		if _, err := t.EditUser(u.ID, 0, p); err != nil {
			return err
		}
		n := Names{t.catalog()}
		cur := t.user(u.ID)
		addS, delS := diff(n.Sites(cur.SiteIDs), du.Sites)
		addT, delT := diff(n.Teams(cur.TeamIDs), du.Teams)
		if len(delS)+len(delT) > 0 {
			if err := t.AssignSites(u.ID, 0, delS, delT, false); err != nil {
				return err
			}
		}
		if len(addS)+len(addT) > 0 {
			if err := t.AssignSites(u.ID, 0, addS, addT, true); err != nil {
				return err
			}
		}
		if typ == Employee {
			addC, delC := diff(n.Clients(t.user(u.ID).ClientIDs), du.Clients)
			if len(delC) > 0 {
				if err := t.AssignClients(u.ID, 0, delC, false); err != nil {
					return err
				}
			}
			if len(addC) > 0 {
				if err := t.AssignClients(u.ID, 0, addC, true); err != nil {
					return err
				}
			}
		}
		if _, err := t.EditUser(u.ID, 0, UserPatch{DefaultSite: &du.DefaultSite}); err != nil {
			return err
		}
	}
	if typ == Employee {
		for _, f := range Features() {
			o := Inherit
			if v, ok := du.Features[f.String()]; ok {
				if o, err = ParseOverride(v); err != nil {
					return err
				}
			}
			if err := t.SetFeature(u.ID, 0, f, o); err != nil {
				return err
			}
		}
	}
	want := du.Status == Disabled.String()
	if t.user(u.ID).Disabled != want {
		return t.SetDisabled(u.ID, 0, want)
	}
	return nil
}

// diff returns what to add to have and what to remove from it to get want (case-insensitive).
func diff(have, want []string) (add, del []string) {
	h := map[string]bool{}
	for _, x := range have {
		h[lower(x)] = true
	}
	w := map[string]bool{}
	for _, x := range want {
		w[lower(x)] = true
		if !h[lower(x)] {
			add = append(add, x)
		}
	}
	for _, x := range have {
		if !w[lower(x)] {
			del = append(del, x)
		}
	}
	return add, del
}
