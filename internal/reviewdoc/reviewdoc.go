// Package reviewdoc writes an access review (store.Review) for a person to
// sign off, as Markdown, CSV or JSON: the command line's review and the
// console's "write a review to a file" share it.
package reviewdoc

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/csvout"
	"github.com/gatehouse/gatehouse/internal/safetext"
	"github.com/gatehouse/gatehouse/store"
)

// Head is what a review document says of itself.
type Head struct {
	Generated time.Time
	By        string
	Review    *store.Review
}

// covers says what a review holds: "everyone; changes since …".
func (h Head) covers() string {
	r := h.Review
	var parts []string
	if r.Profile != "" {
		parts = append(parts, "users holding profile "+r.Profile)
	}
	if r.Site != "" {
		parts = append(parts, "users who reach site "+r.Site)
	}
	if r.Client != "" {
		parts = append(parts, "users assigned client "+r.Client+" or reaching its sites")
	}
	if len(parts) == 0 {
		parts = append(parts, "every user")
	}
	if r.Partial {
		parts[len(parts)-1] += " that you may see (those inside your sites)"
	}
	s := strings.Join(parts, "; ")
	if !r.Since.IsZero() {
		s += "; only what changed since " + r.Since.Local().Format("2006-01-02 15:04:05")
	}
	return s
}

// ---- md

func WriteMarkdown(w io.Writer, h Head) error {
	r := h.Review
	since := !r.Since.IsZero()
	fmt.Fprintf(w, "# Access review\n\n")
	fmt.Fprintf(w, "| | |\n| --- | --- |\n")
	fmt.Fprintf(w, "| Covers | %s |\n", md(h.covers()))
	fmt.Fprintf(w, "| As of | change set #%d |\n", r.AsOf)
	fmt.Fprintf(w, "| Prepared | %s by %s |\n", md(h.Generated.Local().Format("2006-01-02 15:04 MST")), md(h.By))
	fmt.Fprintf(w, "| Times | local, %s |\n\n", md(h.Generated.Local().Format("MST (UTC-07:00)")))
	users, grants, err := r.Each(func(u *store.ReviewUser) error {
		if u.Status == string(store.ReviewDeleted) {
			fmt.Fprintf(w, "## %s (deleted)\n\n", md(u.Email))
		} else {
			fmt.Fprintf(w, "## %s — %s\n\n%s, %s\n\n", md(u.Name), md(u.Email), md(u.Type), md(u.Status))
		}
		if since {
			fmt.Fprintf(w, "| Grant | Value | From | Before | Last changed | Change set | By |\n| --- | --- | --- | --- | --- | --- | --- |\n")
		} else {
			fmt.Fprintf(w, "| Grant | Value | From | Last changed | Change set | By |\n| --- | --- | --- | --- | --- | --- |\n")
		}
		for _, g := range u.Grants {
			cells := []string{grantTitle(g), orDash(g.Value), g.Source}
			if since {
				cells = append(cells, beforeText(g))
			}
			cells = append(cells, g.Changed.Local().Format("2006-01-02 15:04"), changeSetText(g.ChangeSet), g.By)
			for i := range cells {
				cells[i] = md(cells[i])
			}
			fmt.Fprintf(w, "| %s |\n", strings.Join(cells, " | "))
		}
		_, err := fmt.Fprintf(w, "\n- [ ] confirmed as it should be\n- [ ] to change: ______________________\n\n")
		return err
	})
	if err != nil {
		return err
	}
	if users == 0 {
		fmt.Fprintf(w, "Nothing to review: no user matches.\n\n")
	}
	fmt.Fprintf(w, "---\n\n%s, %s.\n\n", plural(users, "user", "users"), plural(grants, "grant", "grants"))
	_, err = fmt.Fprintf(w, "Reviewed by: ______________________ Date: ____________ Signature: ______________________\n")
	return err
}

// md is text for a Markdown table cell or heading: escaped for a terminal
// (safetext), and with every character Markdown would read as markup — a
// table's bar, emphasis, code, links, HTML, entities — taken literally.
func md(s string) string {
	s = safetext.Escape(s)
	if !strings.ContainsAny(s, mdMarkup) {
		return s
	}
	var b strings.Builder
	for i, r := range s {
		if r == '&' && !startsEntity(s[i+1:]) {
			b.WriteByte('&') // "Sites & teams": an entity needs a name or # after it
			continue
		}
		if strings.ContainsRune(mdMarkup, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// startsEntity says whether what follows an & could make it an entity
// (&lt; &#60;).
func startsEntity(s string) bool {
	return s != "" && (s[0] == '#' || 'a' <= s[0] && s[0] <= 'z' || 'A' <= s[0] && s[0] <= 'Z')
}

// mdMarkup is what Markdown reads as markup inside a line: "#" only
// starts a heading at the start of one, and "!" is an image only before
// "[", which is escaped.
const mdMarkup = "\\|`*_[]<>&~"

// grantTitle names a grant for a person: the screen's title, "feature
// Mobile app", or the kind.
func grantTitle(g store.ReviewGrant) string {
	switch g.Kind {
	case store.ReviewScreen:
		return g.Title
	case store.ReviewFeature:
		return "feature " + g.Title
	}
	return string(g.Kind)
}

func beforeText(g store.ReviewGrant) string {
	switch {
	case g.New:
		return "(new user)"
	case g.Kind == store.ReviewDeleted:
		return g.Before
	}
	return orDash(g.Before)
}

func changeSetText(cs uint64) string {
	if cs == 0 {
		return "(as seeded)"
	}
	return fmt.Sprintf("#%d", cs)
}

// ---- csv

func WriteCSV(w io.Writer, r *store.Review) error {
	t := csvout.New(w)
	since := !r.Since.IsZero()
	header := []string{"email", "name", "type", "status", "grant", "key", "title", "value", "source", "changed", "change_set", "changed_by"}
	if since {
		header = append(header, "before", "new")
	}
	if err := t.Row(header...); err != nil {
		return err
	}
	if _, _, err := r.Each(func(u *store.ReviewUser) error {
		for _, g := range u.Grants {
			cells := []string{u.Email, u.Name, u.Type, u.Status, string(g.Kind), g.Key, g.Title, g.Value, g.Source,
				g.Changed.UTC().Format(time.RFC3339), fmt.Sprint(g.ChangeSet), g.By}
			if since {
				cells = append(cells, g.Before, fmt.Sprint(g.New))
			}
			if err := t.Row(cells...); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		return err
	}
	return t.Flush()
}

// ---- json

type reviewGrantView struct {
	Grant     string    `json:"grant"`
	Key       string    `json:"key"`
	Title     string    `json:"title"`
	Value     string    `json:"value"`
	Source    string    `json:"source"`
	Changed   time.Time `json:"changed"`
	ChangeSet uint64    `json:"change_set"`
	By        string    `json:"changed_by"`
	Before    string    `json:"before"`
	New       bool      `json:"new"`
}

type reviewUserView struct {
	Email  string            `json:"email"`
	Name   string            `json:"name"`
	Type   string            `json:"type"`
	Status string            `json:"status"`
	Grants []reviewGrantView `json:"grants"`
}

// WriteJSON streams one JSON object: the head, the users one by one
// (a review of 100,000 users is not held whole), then the counts.
func WriteJSON(w io.Writer, h Head) error {
	r := h.Review
	var since *time.Time
	if !r.Since.IsZero() {
		since = &r.Since
	}
	head, err := safetext.MarshalIndent(struct {
		AsOf      uint64     `json:"as_of_change_set"`
		Generated time.Time  `json:"generated"`
		By        string     `json:"generated_by"`
		Profile   string     `json:"profile"`
		Site      string     `json:"site"`
		Client    string     `json:"client"`
		Since     *time.Time `json:"since"`
		Partial   bool       `json:"only_visible"`
	}{r.AsOf, h.Generated.UTC(), h.By, r.Profile, r.Site, r.Client, since, r.Partial}, "")
	if err != nil {
		return err
	}
	// the head's fields, then "users": [ … ] inside the same object
	if _, err := fmt.Fprintf(w, "%s,\n  \"users\": [", bytes.TrimSuffix(head, []byte("\n}"))); err != nil {
		return err
	}
	first := true
	users, grants, err := r.Each(func(u *store.ReviewUser) error {
		v := reviewUserView{Email: u.Email, Name: u.Name, Type: u.Type, Status: u.Status, Grants: make([]reviewGrantView, 0, len(u.Grants))}
		for _, g := range u.Grants {
			v.Grants = append(v.Grants, reviewGrantView{Grant: string(g.Kind), Key: g.Key, Title: g.Title, Value: g.Value, Source: g.Source,
				Changed: g.Changed.UTC(), ChangeSet: g.ChangeSet, By: g.By, Before: g.Before, New: g.New})
		}
		b, err := safetext.MarshalIndent(v, "    ")
		if err != nil {
			return err
		}
		sep := ","
		if first {
			sep, first = "", false
		}
		_, err = fmt.Fprintf(w, "%s\n    %s", sep, b)
		return err
	})
	if err != nil {
		return err
	}
	closing := "\n  "
	if first {
		closing = ""
	}
	_, err = fmt.Fprintf(w, "%s],\n  \"user_count\": %d,\n  \"grant_count\": %d\n}\n", closing, users, grants)
	return err
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
