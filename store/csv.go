package store

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
)

// CSVHeader is the header import-users expects.
const CSVHeader = "first_name,last_name,email,type,profile,client,sites"

const maxCSVErrors = 1000

// RowError is one bad CSV row.
type RowError struct {
	Line int    `json:"line"`
	Err  string `json:"error"`
}

func (e RowError) String() string { return fmt.Sprintf("line %d: %s", e.Line, e.Err) }

type csvRow struct {
	line int
	user NewUser
}

// ImportUsersCSV reads users from CSV (header CSVHeader; sites separated by
// ';') and adds them as one change set, all or nothing. Every bad row is
// reported with its line number, and if any row is bad nothing is written.
// With dry, nothing is written either way.
func (s *Store) ImportUsersCSV(actor Actor, r io.Reader, dry bool) (*ChangeSet, []RowError, error) {
	rows, bad, err := parseUsersCSV(r)
	if err != nil {
		return nil, nil, err
	}
	// First pass: every row through the real rules, collecting every failure.
	check := func(t *Tx) error {
		for _, row := range rows {
			if len(bad) >= maxCSVErrors {
				break
			}
			if _, err := t.AddUser(row.user); err != nil {
				bad = append(bad, RowError{Line: row.line, Err: err.Error()})
			}
		}
		return nil
	}
	cs, err := s.Preview(actor, "import users from CSV", check)
	if err != nil {
		return nil, nil, err
	}
	if len(bad) > 0 || dry {
		sortRowErrors(bad)
		return cs, bad, nil
	}
	// Second pass: the same rows as one change set; any failure now (a change
	// made in between) rolls all of it back.
	cs, err = s.Apply(actor, fmt.Sprintf("import %d users from CSV", len(rows)), func(t *Tx) error {
		for _, row := range rows {
			if _, err := t.AddUser(row.user); err != nil {
				return fmt.Errorf("line %d: %w", row.line, err)
			}
		}
		return nil
	})
	return cs, nil, err
}

func sortRowErrors(bad []RowError) {
	for i := 1; i < len(bad); i++ {
		for j := i; j > 0 && bad[j].Line < bad[j-1].Line; j-- {
			bad[j], bad[j-1] = bad[j-1], bad[j]
		}
	}
}

// parseUsersCSV reads the rows; shape errors become RowErrors, an unusable
// file (no header, wrong header) an error.
func parseUsersCSV(r io.Reader) ([]csvRow, []RowError, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if err == io.EOF {
		return nil, nil, badInput("the CSV file is empty; its first line must be: %s", CSVHeader)
	}
	if err != nil {
		return nil, nil, badInput("line 1: %v; the first line must be: %s", csvErrText(err), CSVHeader)
	}
	if len(header) > 0 {
		header[0] = strings.TrimPrefix(header[0], "\ufeff") // spreadsheet BOM
	}
	if got := strings.ToLower(strings.Join(trimAll(header), ",")); got != CSVHeader {
		return nil, nil, badInput("line 1 is %q; the header must be exactly: %s", strings.Join(header, ","), CSVHeader)
	}
	var rows []csvRow
	var bad []RowError
	for len(bad) < maxCSVErrors {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			// no fields were read: FieldPos would panic; the error has the line
			line := 0
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.StartLine
			}
			bad = append(bad, RowError{Line: line, Err: csvErrText(err)})
			continue
		}
		line, _ := cr.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // blank line
		}
		if len(rec) != 7 {
			bad = append(bad, RowError{Line: line, Err: fmt.Sprintf("has %d fields, want 7 (%s)", len(rec), CSVHeader)})
			continue
		}
		rec = trimAll(rec)
		typ, err := ParseUserType(rec[3])
		if err != nil {
			bad = append(bad, RowError{Line: line, Err: err.Error()})
			continue
		}
		nu := NewUser{First: rec[0], Last: rec[1], Email: rec[2], Type: typ, Profile: rec[4]}
		if rec[5] != "" {
			nu.Clients = []string{rec[5]}
		}
		for _, site := range strings.Split(rec[6], ";") {
			if site = strings.TrimSpace(site); site != "" {
				nu.Sites = append(nu.Sites, site)
			}
		}
		rows = append(rows, csvRow{line: line, user: nu})
	}
	if len(rows) == 0 && len(bad) == 0 {
		return nil, nil, badInput("the CSV file has a header but no users")
	}
	return rows, bad, nil
}

func csvErrText(err error) string {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

func trimAll(v []string) []string {
	for i := range v {
		v[i] = strings.TrimSpace(v[i])
	}
	return v
}
