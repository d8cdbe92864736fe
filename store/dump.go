package store

import (
	"io"
	"time"
)

// Dump is the portable JSON form of a database (export/import).
type Dump struct {
	Format   string        `json:"format"` // "gatehouse/1"
	Exported time.Time     `json:"exported"`
	Settings Settings      `json:"settings"`
	Screens  []Screen      `json:"screens"`
	Profiles []DumpProfile `json:"profiles"`
	Clients  []string      `json:"clients"`
	Sites    []DumpSite    `json:"sites"`
	Teams    []DumpTeam    `json:"teams"`
	Users    []DumpUser    `json:"users"`
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
	Teams       []string          `json:"teams,omitempty"`
	DefaultSite string            `json:"default_site,omitempty"`
	Features    map[string]string `json:"features,omitempty"`
}

// Backup writes a consistent copy of the database file to path (online:
// readers and writers go on). It refuses to overwrite an existing file.
func (s *Store) Backup(path string) error { return badInput("backup: not yet") }

// WriteBackup streams a consistent copy of the database file to w.
func (s *Store) WriteBackup(w io.Writer) (int64, error) { return 0, badInput("backup: not yet") }

// Export returns the portable form of everything but secrets and the audit log.
func (s *Store) Export() (*Dump, error) { return nil, badInput("export: not yet") }

// Import applies a dump as one change set: missing records are created,
// existing ones updated to match; the change set lists every difference.
// With dry, nothing is written and the change set says what would change.
func (s *Store) Import(actor Actor, d *Dump, dry bool) (*ChangeSet, error) {
	return nil, badInput("import: not yet")
}
