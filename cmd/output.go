package cmd

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/gatehouse/gatehouse/internal/safetext"
	"github.com/gatehouse/gatehouse/store"
)

// printf prints a line made of a fixed format and data: every text argument
// (a string, an error, a Stringer) is escaped to one line, so a name holding
// a newline or a carriage return cannot forge a line of its own ("allowed:
// …") under or over the real one. Text that is meant to keep its lines (a
// message body) is passed as multiline.
func (a *app) printf(format string, args ...any) {
	for i, v := range args {
		switch v := v.(type) {
		case string:
			args[i] = safetext.Escape(v)
		case multiline:
			args[i] = string(v) // the writer still escapes all but \n and \t
		case error:
			args[i] = safetext.Escape(v.Error())
		case fmt.Stringer:
			args[i] = safetext.Escape(v.String())
		}
	}
	fmt.Fprintf(a.env.Out, format, args...)
}

// multiline is text printed with its own line breaks (an outbox message's body).
type multiline string

// printJSON writes v as indented JSON with a trailing newline. Characters
// encoding/json leaves raw (DEL, C1 controls, bidi and zero-width ones) are
// written as \u escapes: the same JSON, nothing a terminal acts on.
func (a *app) printJSON(v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := a.env.Out.Write(safetext.JSON(buf.Bytes()))
	return err
}

func newTable(w io.Writer) *tabwriter.Writer { return tabwriter.NewWriter(w, 0, 0, 2, ' ', 0) }

// row writes tab-separated cells and a newline.
func row(w io.Writer, cells ...string) {
	for i, c := range cells {
		cells[i] = clean(c)
	}
	fmt.Fprintln(w, strings.Join(cells, "\t"))
}

// clean keeps a cell on one line and out of the way of tabwriter: tabs,
// newlines and every other control or invisible character are written out
// visibly (\x09, \x1b, \u202e).
func clean(s string) string { return safetext.Escape(s) }

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// list joins names, showing at most max of them.
func list(names []string, max int) string {
	if len(names) == 0 {
		return "-"
	}
	if max > 0 && len(names) > max {
		return strings.Join(names[:max], ", ") + fmt.Sprintf(" +%d", len(names)-max)
	}
	return strings.Join(names, ", ")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

func when(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.Local().Format("2006-01-02 15:04:05")
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

// changeSetView is the JSON form of what a mutating command did.
type changeSetView struct {
	ChangeSet uint64      `json:"change_set"`
	Actor     string      `json:"actor"`
	Summary   string      `json:"summary"`
	Time      time.Time   `json:"time"`
	DryRun    bool        `json:"dry_run"`
	Message   string      `json:"message"`
	Entries   []entryView `json:"entries"`
}

// entryView is one audit entry.
type entryView struct {
	Seq    uint64    `json:"seq"`
	Batch  uint64    `json:"change_set"`
	Time   time.Time `json:"time"`
	Actor  string    `json:"actor"`
	Entity refView   `json:"entity"`
	Field  string    `json:"field"`
	Before string    `json:"before"`
	After  string    `json:"after"`
}

type refView struct {
	Kind  string `json:"kind"`
	ID    uint64 `json:"id"`
	Label string `json:"label"`
}

func entryOf(e store.AuditEntry) entryView {
	return entryView{Seq: e.Seq, Batch: e.Batch, Time: e.Time, Actor: e.Actor,
		Entity: refView{Kind: string(e.Entity.Kind), ID: e.Entity.ID, Label: e.Entity.Label},
		Field:  e.Field, Before: e.Before, After: e.After}
}

// report tells what a change set did: "<done> (change set #N, M audit entries)",
// or "nothing to change" when it changed nothing.
func (a *app) report(cs *store.ChangeSet, done string) error {
	msg := describe(cs, done)
	if a.json {
		v := changeSetView{ChangeSet: cs.Batch, Actor: cs.Actor, Summary: cs.Summary, Time: cs.Time,
			DryRun: cs.DryRun, Message: msg, Entries: []entryView{}}
		for _, e := range cs.Entries {
			v.Entries = append(v.Entries, entryOf(e))
		}
		return a.printJSON(v)
	}
	a.printf("%s\n", msg)
	return nil
}

func describe(cs *store.ChangeSet, done string) string {
	if len(cs.Entries) == 0 {
		return "nothing to change"
	}
	if cs.DryRun {
		return fmt.Sprintf("dry run: would have %s (%s; nothing written)", done, plural(len(cs.Entries), "audit entry", "audit entries"))
	}
	return fmt.Sprintf("%s (change set #%d, %s)", done, cs.Batch, plural(len(cs.Entries), "audit entry", "audit entries"))
}

// outboxIDs are the outbox messages a change set queued for one user, as "#N".
func outboxIDs(cs *store.ChangeSet, userID uint64) []string {
	var ids []string
	for _, id := range cs.QueuedFor(userID) {
		ids = append(ids, fmt.Sprintf("#%d", id))
	}
	return ids
}

// touchedUsers counts the distinct users a change set touched.
func touchedUsers(cs *store.ChangeSet) int {
	seen := map[uint64]bool{}
	for _, e := range cs.Entries {
		if e.Entity.Kind == store.RecordUser {
			seen[e.Entity.ID] = true
		}
	}
	return len(seen)
}

// summary keeps a change set's summary short.
func summary(parts ...string) string {
	s := strings.Join(parts, " ")
	if len(s) > 200 {
		s = s[:197] + "..."
	}
	return s
}
