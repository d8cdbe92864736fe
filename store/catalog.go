package store

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"
	"unsafe"

	"golang.org/x/text/unicode/norm"
)

// catalog holds the small, shared collections: clients, sites, teams, screens,
// profiles and settings. A published catalog is never mutated; a change set
// clones it on its first write and publishes the clone after commit.
type catalog struct {
	clients  map[uint64]*Client
	sites    map[uint64]*Site
	teams    map[uint64]*Team
	profiles map[uint64]*Profile
	screens  []*Screen
	settings Settings

	// derived by index()
	clientByName  map[string]uint64
	siteByName    map[string]uint64
	siteExact     map[string]uint64 // as written: spares the check path a lowercase copy
	profileByName map[string]uint64
	screenIdx     map[string]int
	teamsBySite   map[uint64][]uint64
	levels        map[uint64][]Level // profile id → level by screen index

	// dense views by id for the check path: a slice index instead of a map
	// lookup (ids are small and sequential)
	profileAt []*Profile
	levelsAt  [][]Level
	siteAt    []*Site
	teamAt    []*Team
}

func dense[T any](m map[uint64]*T) []*T {
	var n uint64
	for id := range m {
		n = max(n, id)
	}
	out := make([]*T, n+1)
	for id, v := range m {
		out[id] = v
	}
	return out
}

func at[T any](s []*T, id uint64) *T {
	if id < uint64(len(s)) {
		return s[id]
	}
	return nil
}

func (c *catalog) clone() *catalog {
	n := &catalog{
		clients:  make(map[uint64]*Client, len(c.clients)),
		sites:    make(map[uint64]*Site, len(c.sites)),
		teams:    make(map[uint64]*Team, len(c.teams)),
		profiles: make(map[uint64]*Profile, len(c.profiles)),
		screens:  append([]*Screen(nil), c.screens...),
		settings: c.settings,
	}
	for k, v := range c.clients {
		n.clients[k] = v
	}
	for k, v := range c.sites {
		n.sites[k] = v
	}
	for k, v := range c.teams {
		n.teams[k] = v
	}
	for k, v := range c.profiles {
		n.profiles[k] = v
	}
	n.index()
	return n
}

func (c *catalog) index() {
	c.clientByName = make(map[string]uint64, len(c.clients))
	for id, v := range c.clients {
		c.clientByName[lower(v.Name)] = id
	}
	c.siteByName = make(map[string]uint64, len(c.sites))
	c.siteExact = make(map[string]uint64, len(c.sites))
	for id, v := range c.sites {
		c.siteByName[lower(v.Name)] = id
		c.siteExact[v.Name] = id
	}
	c.profileByName = make(map[string]uint64, len(c.profiles))
	for id, v := range c.profiles {
		c.profileByName[lower(v.Name)] = id
	}
	c.screenIdx = make(map[string]int, len(c.screens))
	for i, sc := range c.screens {
		c.screenIdx[sc.Key] = i
	}
	c.teamsBySite = make(map[uint64][]uint64)
	for id, t := range c.teams {
		c.teamsBySite[t.SiteID] = append(c.teamsBySite[t.SiteID], id)
	}
	for _, ids := range c.teamsBySite {
		sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	}
	c.levels = make(map[uint64][]Level, len(c.profiles))
	for id, p := range c.profiles {
		lv := make([]Level, len(c.screens))
		for i, sc := range c.screens {
			lv[i] = p.Levels[sc.Key]
		}
		c.levels[id] = lv
	}
	c.profileAt, c.siteAt, c.teamAt = dense(c.profiles), dense(c.sites), dense(c.teams)
	c.levelsAt = make([][]Level, len(c.profileAt))
	for id, lv := range c.levels {
		c.levelsAt[id] = lv
	}
}

func (c *catalog) profileNamed(name string) (*Profile, error) {
	if id, ok := c.profileByName[foldKey(name)]; ok {
		return c.profiles[id], nil
	}
	names := make([]string, 0, len(c.profiles))
	for _, p := range c.profiles {
		names = append(names, p.Name)
	}
	return nil, notFoundNear(RecordProfile, "profile", name, names)
}

func (c *catalog) clientNamed(name string) (*Client, error) {
	if id, ok := c.clientByName[foldKey(name)]; ok {
		return c.clients[id], nil
	}
	names := make([]string, 0, len(c.clients))
	for _, x := range c.clients {
		names = append(names, x.Name)
	}
	return nil, notFoundNear(RecordClient, "client", name, names)
}

func (c *catalog) siteNamed(name string) (*Site, error) {
	if id, ok := c.siteByName[foldKey(name)]; ok {
		return c.sites[id], nil
	}
	names := make([]string, 0, len(c.sites))
	for _, x := range c.sites {
		names = append(names, x.Name)
	}
	return nil, notFoundNear(RecordSite, "site", name, names)
}

// teamNamed finds a team by "Team" (when unique) or "Site/Team".
func (c *catalog) teamNamed(name string) (*Team, error) {
	name = norm.NFC.String(name)
	siteName, teamName, qualified := strings.Cut(name, "/")
	if !qualified {
		teamName, siteName = name, ""
	}
	var found []*Team
	for _, t := range c.teams {
		if !strings.EqualFold(t.Name, strings.TrimSpace(teamName)) {
			continue
		}
		if qualified && !strings.EqualFold(c.sites[t.SiteID].Name, strings.TrimSpace(siteName)) {
			continue
		}
		found = append(found, t)
	}
	switch len(found) {
	case 0:
		names := make([]string, 0, len(c.teams))
		for _, x := range c.teams {
			names = append(names, c.sites[x.SiteID].Name+"/"+x.Name)
		}
		return nil, notFoundNear(RecordTeam, "team", name, names)
	case 1:
		return found[0], nil
	}
	return nil, badInput("team %q exists at %d sites; write it as \"Site/Team\", e.g. %q", name, len(found), c.sites[found[0].SiteID].Name+"/"+found[0].Name)
}

func (c *catalog) screen(key string) (*Screen, error) {
	if i, ok := c.screenIdx[lower(key)]; ok {
		return c.screens[i], nil
	}
	names := make([]string, 0, len(c.screens))
	for _, sc := range c.screens {
		names = append(names, sc.Key)
	}
	err := notFoundNear(RecordScreen, "screen", key, names)
	err.(*Error).Msg = fmt.Sprintf("no screen %q", strings.TrimSpace(key)) // screens have keys, not names
	return nil, err
}

// siteOf a team.
func (c *catalog) teamSite(teamID uint64) uint64 {
	if t, ok := c.teams[teamID]; ok {
		return t.SiteID
	}
	return 0
}

func loadCatalog(tx rtx) (*catalog, error) {
	c := &catalog{
		clients:  map[uint64]*Client{},
		sites:    map[uint64]*Site{},
		teams:    map[uint64]*Team{},
		profiles: map[uint64]*Profile{},
	}
	if err := loadJSON(tx, bucketClients, func() any { return &Client{} }, func(v any) { x := v.(*Client); c.clients[x.ID] = x }); err != nil {
		return nil, err
	}
	if err := loadJSON(tx, bucketSites, func() any { return &Site{} }, func(v any) { x := v.(*Site); c.sites[x.ID] = x }); err != nil {
		return nil, err
	}
	if err := loadJSON(tx, bucketTeams, func() any { return &Team{} }, func(v any) { x := v.(*Team); c.teams[x.ID] = x }); err != nil {
		return nil, err
	}
	if err := loadJSON(tx, bucketProfiles, func() any { return &Profile{} }, func(v any) {
		x := v.(*Profile)
		if x.Levels == nil {
			x.Levels = map[string]Level{}
		}
		c.profiles[x.ID] = x
	}); err != nil {
		return nil, err
	}
	// screens are keyed by position so the catalog keeps its order
	if err := loadJSON(tx, bucketScreens, func() any { return &Screen{} }, func(v any) { c.screens = append(c.screens, v.(*Screen)) }); err != nil {
		return nil, err
	}
	if v := tx.get(bucketMeta, keySettings); v != nil {
		if err := json.Unmarshal(v, &c.settings); err != nil {
			return nil, err
		}
	}
	c.index()
	return c, nil
}

func loadJSON(tx rtx, bucket []byte, mk func() any, keep func(any)) error {
	return tx.scan(bucket, nil, false, func(k, v []byte) error {
		x := mk()
		if err := json.Unmarshal(v, x); err != nil {
			return err
		}
		keep(x)
		return nil
	})
}

// builtinScreens is the seeded catalog, in display order.
var builtinScreens = []Screen{
	{Key: "dashboard", Title: "Dashboard", Group: "Operations"},
	{Key: "scheduler", Title: "Scheduler", Group: "Operations"},
	{Key: "roster", Title: "Roster", Group: "Operations"},
	{Key: "timesheets", Title: "Timesheets", Group: "Operations"},
	{Key: "adhoc-shifts", Title: "Ad-hoc shifts", Group: "Operations"},
	{Key: "leave", Title: "Leave", Group: "Operations"},
	{Key: "reports", Title: "Reports", Group: "Operations"},
	{Key: "employees", Title: "Employees", Group: "People & places"},
	{Key: "clients", Title: "Clients", Group: "People & places"},
	{Key: "sites", Title: "Sites & teams", Group: "People & places"},
	{Key: "payroll", Title: "Payroll", Group: "Finance", Sensitive: true},
	{Key: "invoicing", Title: "Invoicing", Group: "Finance", Sensitive: true},
	{Key: "settings", Title: "Settings", Group: "Administration", Sensitive: true},
	{Key: "setup", Title: "Setup", Group: "Administration", Sensitive: true},
	{Key: "users", Title: "Users & permissions", Group: "Administration", Sensitive: true},
	{Key: "audit", Title: "Audit log", Group: "Administration"},
}

func builtinProfiles() []*Profile {
	all := map[string]Level{}
	for _, s := range builtinScreens {
		all[s.Key] = Maintain
	}
	lv := func(maintain, view []string) map[string]Level {
		m := map[string]Level{}
		for _, k := range view {
			m[k] = View
		}
		for _, k := range maintain {
			m[k] = Maintain
		}
		return m
	}
	return []*Profile{
		{Name: "Administrator", Type: Employee, Scope: ScopeAll, Levels: all},
		{Name: "Manager", Type: Employee, Scope: ScopeAssigned, Levels: lv(
			[]string{"scheduler", "roster", "timesheets", "adhoc-shifts", "leave", "employees", "users"},
			[]string{"reports", "clients", "sites"})},
		{Name: "Supervisor", Type: Employee, Scope: ScopeAssigned, Levels: lv(
			[]string{"scheduler", "roster", "timesheets"}, []string{"reports", "employees"})},
		{Name: "User", Type: Employee, Scope: ScopeAssigned, ClientRestricted: true, Levels: lv(nil, []string{"scheduler", "roster", "timesheets"})},
		{Name: "Basic", Type: Employee, Scope: ScopeAssigned, ClientRestricted: true, Levels: lv(nil, []string{"roster"})},
		{Name: "Client", Type: ClientUser, Scope: ScopeAssigned, Levels: lv(nil, []string{"roster"})},
	}
}

// DefaultSettings are a new org's settings.
func DefaultSettings() Settings {
	return Settings{
		ClientGuardrail: true,
		InviteExpiry:    7 * 24 * time.Hour,
		Features:        [numFeatures]bool{FeatureAdhocClockIn: false, FeaturePortal: true, FeatureMobileApp: true},
		LockoutAttempts: 5,
		LockoutWindow:   15 * time.Minute,
	}
}

// seedCatalog writes the screen catalog, built-in profiles and settings into a new database.
func seedCatalog(tx wtx, now time.Time) error {
	for i := range builtinScreens {
		sc := builtinScreens[i]
		sc.Builtin = true
		if err := writeJSON(tx, bucketScreens, itob(uint64(i+1)), &sc); err != nil {
			return err
		}
	}
	for _, p := range builtinProfiles() {
		id, err := tx.nextID(bucketProfiles)
		if err != nil {
			return err
		}
		p.ID, p.Version, p.Builtin, p.Created, p.Updated, p.UpdatedBy = id, 1, true, now, now, "system"
		if err := writeJSON(tx, bucketProfiles, itob(id), p); err != nil {
			return err
		}
	}
	st := DefaultSettings()
	st.Version, st.Updated, st.UpdatedBy = 1, now, "system"
	if err := writeJSON(tx, bucketMeta, keySettings, st); err != nil {
		return err
	}
	if err := tx.put(bucketMeta, keyOutboxTokens, []byte{1}); err != nil {
		return err
	}
	return tx.put(bucketMeta, keySchema, itob(schemaVersion))
}

// foldKey is how a name or email typed by someone finds its record: trimmed,
// NFC-normalised (as stored) and lower-cased.
func foldKey(s string) string { return lower(norm.NFC.String(strings.TrimSpace(s))) }

// lower is strings.ToLower that returns s itself, without allocating, when s
// is already lower-case ASCII (every stored email: the check path).
func lower(s string) string {
	if hasUpperOrNonASCII(s) {
		return strings.ToLower(s)
	}
	return s
}

// hasUpperOrNonASCII tests eight bytes at a time: a byte b < 0x80 is an upper
// case letter when b+('\x80'-'A') sets the top bit and b+('\x80'-'Z'-1) does not.
func hasUpperOrNonASCII(s string) bool {
	const ones, tops = 0x0101010101010101, 0x8080808080808080
	i := 0
	for ; i+8 <= len(s); i += 8 {
		x := binary.LittleEndian.Uint64(unsafe.Slice(unsafe.StringData(s[i:]), 8))
		if x&tops != 0 {
			return true
		}
		if (x+(0x80-'A')*ones)&^(x+(0x80-'Z'-1)*ones)&tops != 0 {
			return true
		}
	}
	for ; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' || c >= 0x80 {
			return true
		}
	}
	return false
}
