package store

import "io"

// CSVHeader is the header import-users expects.
const CSVHeader = "first_name,last_name,email,type,profile,client,sites"

// RowError is one bad CSV row.
type RowError struct {
	Line int    `json:"line"`
	Err  string `json:"error"`
}

// ImportUsersCSV reads users from CSV and adds them as one change set, all or
// nothing. Every bad row is reported with its line number; if any row is bad
// nothing is written. With dry, nothing is written either way.
func (s *Store) ImportUsersCSV(actor Actor, r io.Reader, dry bool) (*ChangeSet, []RowError, error) {
	return nil, nil, badInput("import-users: not yet")
}
