package cmd

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/store"
	"github.com/spf13/cobra"
)

func (a *app) auditCmd() *cobra.Command {
	var entity, actorF, since, format string
	var limit int
	var batch uint64
	lg := &cobra.Command{
		Use:   "log [--entity E] [--actor A] [--since TIME|DURATION] [--limit N]",
		Short: "Show audit entries: who changed what, when",
		Long: `Show audit entries, oldest first (the newest --limit of them).
--entity takes a kind (user, profile, site, client, team, screen, settings),
kind:label (user:jane@acme.test, profile:Client) or part of a label.
--since takes a time (2006-01-02, "2006-01-02 15:04", RFC 3339) or a duration back from now (90m, 24h, 7d).`,
		Example: `  gatehouse audit log --entity user:jane@acme.test
  gatehouse audit log --actor local: --since 24h --limit 0`,
		Args: nargs(0, 0, ""),
	}
	lg.Flags().StringVar(&entity, "entity", "", "records of a kind, kind:label, or part of a label")
	lg.Flags().StringVar(&actorF, "actor", "", "entries whose actor contains this text")
	lg.Flags().StringVar(&since, "since", "", "entries at or after this time, or this long ago (24h, 7d)")
	lg.Flags().IntVar(&limit, "limit", 100, "the newest N entries (0: all)")
	lg.Flags().Uint64Var(&batch, "change-set", 0, "only the entries of this change set")
	formatFlag(lg, &format, formatText, formatCSV, formatJSON)
	lg.RunE = a.with(func(s *store.Store, actor store.Actor, args []string) error {
		form, err := a.outputFormat(format, formatText, formatCSV, formatJSON)
		if err != nil {
			return err
		}
		if limit < 0 {
			return usagef("--limit must be 0 (all) or more, not %d", limit)
		}
		f := store.AuditFilter{Entity: entity, Actor: actorF, Limit: limit, Batch: batch}
		if since != "" {
			t, err := parseSince(since, time.Now())
			if err != nil {
				return err
			}
			f.Since = t
		}
		entries, err := s.AuditLogFor(actor, f)
		if err != nil {
			return err
		}
		if form == formatCSV {
			return a.entriesCSV(entries)
		}
		if err := a.printEntries(entries, true); err != nil {
			return err
		}
		if !a.json && limit > 0 && len(entries) == limit {
			a.printf("(the newest %s; --limit 0 shows all)\n", plural(limit, "entry", "entries"))
		}
		return nil
	})
	verify := &cobra.Command{Use: "verify", Short: "Walk the hash chain of the audit log; exit 1 if it was altered", Args: nargs(0, 0, "")}
	verify.RunE = a.with(func(s *store.Store, actor store.Actor, args []string) error {
		if err := s.Capabilities(actor).May(store.ReadAudit); err != nil {
			return err
		}
		r, err := s.VerifyAudit()
		if err != nil {
			return err
		}
		if a.json {
			if err := a.printJSON(verifyView{OK: r.OK, Entries: r.Entries, Problems: nonNil(r.Problems)}); err != nil {
				return err
			}
		} else if r.OK {
			a.printf("audit log verified: %s, chain intact\n", plural(int(r.Entries), "entry", "entries"))
		} else {
			a.printf("audit log NOT intact (%s read):\n", plural(int(r.Entries), "entry", "entries"))
			for _, p := range r.Problems {
				a.printf("  %s\n", p)
			}
		}
		if !r.OK {
			return &silentExit{ExitRefused}
		}
		return nil
	})
	return group("audit", "The audit log: show it, verify its hash chain", lg, verify)
}

// parseSince reads a time or a duration back from now.
func parseSince(v string, now time.Time) (time.Time, error) {
	v = strings.TrimSpace(v)
	for _, layout := range []string{time.RFC3339, "2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, v, time.Local); err == nil {
			return t, nil
		}
	}
	if d, err := store.ParseDuration(v); err == nil && d > 0 {
		return now.Add(-d), nil
	}
	return time.Time{}, usagef("--since %q is neither a time (2006-01-02, \"2006-01-02 15:04\") nor a duration (90m, 24h, 7d)", v)
}

func (a *app) outboxCmd() *cobra.Command {
	var state string
	lst := &cobra.Command{
		Use:   "list",
		Short: "List messages waiting to be sent (invitations, password notices)",
		Long: `List the outbox: invitations and password-changed notices. Without SMTP the
operator delivers them; print one with: gatehouse outbox show ID
The outbox holds invitation tokens: only all-sites users with maintain on
Users & permissions may read it.`,
		Args: nargs(0, 0, ""),
	}
	lst.Flags().StringVar(&state, "state", "", "only messages in this state (queued, sent, failed)")
	lst.RunE = a.with(func(s *store.Store, actor store.Actor, args []string) error {
		msgs, err := s.OutboxFor(actor)
		if err != nil {
			return err
		}
		out := []messageView{}
		for _, m := range msgs {
			if state != "" && !strings.EqualFold(m.State, state) {
				continue
			}
			out = append(out, viewMessage(m))
		}
		if a.json {
			return a.printJSON(out)
		}
		if len(out) == 0 {
			a.printf("the outbox is empty\n")
			return nil
		}
		tw := newTable(a.env.Out)
		row(tw, "ID", "KIND", "TO", "STATE", "CREATED", "SUBJECT")
		for _, m := range out {
			st := m.State
			if m.LastError != "" {
				st += " (" + m.LastError + ")"
			}
			row(tw, fmt.Sprint(m.ID), m.Kind, m.To, st, when(m.Created), m.Subject)
		}
		tw.Flush()
		a.printf("\nprint a message to deliver it: gatehouse outbox show ID\n")
		return nil
	})
	show := &cobra.Command{Use: "show ID", Short: "Print one outbox message (it may hold an invitation token)", Args: nargs(1, 1, "one message ID")}
	show.RunE = a.with(func(s *store.Store, actor store.Actor, args []string) error {
		id, err := strconv.ParseUint(strings.TrimPrefix(args[0], "#"), 10, 64)
		if err != nil {
			return usagef("message ID %q is not a number; see: gatehouse outbox list", args[0])
		}
		msgs, err := s.OutboxFor(actor)
		if err != nil {
			return err
		}
		for _, m := range msgs {
			if m.ID != id {
				continue
			}
			if a.json {
				return a.printJSON(viewMessage(m))
			}
			a.printf("To: %s\nSubject: %s\nKind: %s\nState: %s\nCreated: %s\n\n%s", m.To, m.Subject, m.Kind, m.State, when(m.Created), multiline(m.Body))
			if !strings.HasSuffix(m.Body, "\n") {
				a.printf("\n")
			}
			return nil
		}
		return &store.Error{Kind: store.KindNotFound, Msg: fmt.Sprintf("no outbox message %d; see: gatehouse outbox list", id)}
	})
	return group("outbox", "Messages waiting to be sent", lst, show)
}

func viewMessage(m store.Message) messageView {
	return messageView{ID: m.ID, Kind: string(m.Kind), To: m.To, Subject: m.Subject, Body: m.Body, State: m.State,
		Attempts: m.Attempts, LastError: m.LastError, Created: m.Created, Updated: m.Updated}
}
