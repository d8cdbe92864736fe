package cmd

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/csvout"
	"github.com/gatehouse/gatehouse/store"
	"github.com/spf13/cobra"
)

// Output formats. Read commands that take --format name theirs; --json is
// --format json, and the two naming different formats are refused.

const (
	formatText = "text"
	formatCSV  = "csv"
	formatJSON = "json"
	formatMD   = "md"
)

// formatFlag adds --format to a command; the first choice is the default.
func formatFlag(c *cobra.Command, into *string, choices ...string) {
	c.Flags().StringVar(into, "format", "", "output format: "+strings.Join(choices, ", ")+" (default "+choices[0]+"; --json is --format json)")
}

// outputFormat resolves --format against the global --json, and sets
// a.json when the answer is json so that the command's JSON path runs.
func (a *app) outputFormat(given string, choices ...string) (string, error) {
	f := strings.ToLower(strings.TrimSpace(given))
	switch {
	case f == "" && a.json:
		f = formatJSON
	case f == "":
		f = choices[0]
	case !slices.Contains(choices, f):
		return "", usagef("--format %q is not one of %s", given, strings.Join(choices, ", "))
	case a.json && f != formatJSON:
		return "", usagef("--json and --format %s ask for two formats: give one (--json is --format json)", f)
	}
	a.json = f == formatJSON
	return f, nil
}

func newCSV(w io.Writer) *csvout.Table { return csvout.New(w) }

// joinCell is several values in one cell, as import-users writes sites.
func joinCell(values []string) string { return strings.Join(values, "; ") }

// ---- --format csv of users list, audit log and effective

// usersCSV writes users with the keys of their JSON (JSON.md), lists in one
// cell ("; "), each feature as its effective value and the user's override.
func (a *app) usersCSV(users []*store.User, n store.Names, st store.Settings, who func(string) string) error {
	t := newCSV(a.env.Out)
	header := []string{"id", "first_name", "last_name", "email", "type", "profile", "client", "clients", "sites", "teams",
		"default_site", "status", "changed", "has_records", "version", "created", "created_by", "updated", "updated_by", "last_sign_in"}
	for _, f := range store.Features() {
		header = append(header, f.String())
	}
	if err := t.Row(header...); err != nil {
		return err
	}
	for _, u := range users {
		v := viewUser(u, n, st, who)
		last := ""
		if v.LastSignIn != nil {
			last = csvTime(*v.LastSignIn)
		}
		cells := []string{fmt.Sprint(v.ID), v.FirstName, v.LastName, v.Email, v.Type, v.Profile, v.Client, joinCell(v.Clients),
			joinCell(v.Sites), joinCell(v.Teams), v.DefaultSite, v.Status, fmt.Sprint(v.Changed), fmt.Sprint(v.HasRecords),
			fmt.Sprint(v.Version), csvTime(v.Created), v.CreatedBy, csvTime(v.Updated), v.UpdatedBy, last}
		for _, f := range store.Features() {
			fv := v.Features[f.String()]
			cells = append(cells, onOff(fv.Effective)+" ("+fv.Override+")")
		}
		if err := t.Row(cells...); err != nil {
			return err
		}
	}
	return t.Flush()
}

// entriesCSV writes audit entries, one a line, with the keys of their JSON.
func (a *app) entriesCSV(entries []store.AuditEntry) error {
	t := newCSV(a.env.Out)
	if err := t.Row("seq", "change_set", "time", "actor", "kind", "id", "label", "field", "before", "after"); err != nil {
		return err
	}
	for _, e := range entries {
		if err := t.Row(fmt.Sprint(e.Seq), fmt.Sprint(e.Batch), csvTime(e.Time), e.Actor, string(e.Entity.Kind), fmt.Sprint(e.Entity.ID),
			e.Entity.Label, e.Field, e.Before, e.After); err != nil {
			return err
		}
	}
	return t.Flush()
}

// effectiveCSV writes a user's effective access one fact a line: what
// (profile, scope, type, status, site, team, client, default_site,
// screen, feature, note), its key and title where it has them, its value.
func (a *app) effectiveCSV(e *store.Effective) error {
	t := newCSV(a.env.Out)
	rows := [][]string{{"email", "what", "key", "title", "value"},
		{e.Email, "type", "", "", e.Type}, {e.Email, "status", "", "", e.Status},
		{e.Email, "profile", "", "", e.Profile}, {e.Email, "scope", "", "", e.Scope}}
	for _, s := range e.Sites {
		rows = append(rows, []string{e.Email, "site", "", "", s})
	}
	for _, s := range e.Teams {
		rows = append(rows, []string{e.Email, "team", "", "", s})
	}
	for _, s := range e.Clients {
		rows = append(rows, []string{e.Email, "client", "", "", s})
	}
	rows = append(rows, []string{e.Email, "default_site", "", "", e.Default})
	for _, l := range e.Levels {
		rows = append(rows, []string{e.Email, "screen", l.Screen, l.Title, l.Level})
	}
	for _, f := range e.Features {
		rows = append(rows, []string{e.Email, "feature", f.Feature, f.Title, onOff(f.Effective) + " (" + f.Override + ")"})
	}
	for _, n := range e.Notes {
		rows = append(rows, []string{e.Email, "note", "", "", n})
	}
	for _, r := range rows {
		if err := t.Row(r...); err != nil {
			return err
		}
	}
	return t.Flush()
}

// csvTime is a time as JSON writes it (RFC 3339, UTC); "" when unset.
func csvTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}
