package cmd

import (
	"bufio"
	"time"

	"github.com/gatehouse/gatehouse/internal/reviewdoc"
	"github.com/gatehouse/gatehouse/store"
	"github.com/spf13/cobra"
)

func (a *app) reviewCmd() *cobra.Command {
	var profile, site, client, since, format string
	c := &cobra.Command{
		Use:   "review [--profile P] [--site S] [--client C] [--since DATE] [--format md|csv|json]",
		Short: "An access review: who has what where, and when and by whom each grant last changed",
		Long: `Write an access review for a person to sign off: every user, and for each what
they hold — status, profile (and its scope), the level on each screen (those
above none), sites, teams, clients, default site, feature overrides — with when,
in which change set and by whom each was last changed (from the audit log). A
level on a screen last changed when the user got the profile or when the
profile's level on that screen changed, whichever is later.

  --profile P   users holding profile P
  --site S      users who reach S: assigned it directly or through a team, or
                holding a profile that reaches all sites (an employee limited
                to their clients' data reaches only those clients' sites)
  --client C    users assigned client C, or who reach any of its sites
  --since DATE  only what changed at or after DATE (2006-01-02, "2006-01-02
                15:04", RFC 3339, or a duration back from now: 7d), each with
                what it was before; and the users deleted since (for a reader
                who sees everyone, without the other filters)

Formats: md (default) is a document with a table per user and a sign-off line;
csv is one grant per line (a cell a spreadsheet would run as a formula starts
with an apostrophe); json is documented in cmd/JSON.md (--json is --format json).

It needs view on Users & permissions and on the Audit log; an actor limited to
assigned sites gets only the users they may see, and whoever changed something
outside their sites reads "(someone outside your sites)".`,
		Example: `  gatehouse review > review-2026-12.md
  gatehouse review --client Acme --format csv > acme-access.csv
  gatehouse review --since 2026-11-01 --profile Manager`,
		Args: nargs(0, 0, ""),
	}
	fl := c.Flags()
	fl.StringVar(&profile, "profile", "", "only users holding this profile")
	fl.StringVar(&site, "site", "", "only users who reach this site")
	fl.StringVar(&client, "client", "", "only users assigned this client or reaching its sites")
	fl.StringVar(&since, "since", "", "only what changed at or after this time, or this long ago (7d)")
	formatFlag(c, &format, formatMD, formatCSV, formatJSON)
	c.RunE = a.with(func(s *store.Store, actor store.Actor, args []string) error {
		f, err := a.outputFormat(format, formatMD, formatCSV, formatJSON)
		if err != nil {
			return err
		}
		now := time.Now()
		rf := store.ReviewFilter{Profile: profile, Site: site, Client: client}
		if since != "" {
			if rf.Since, err = parseSince(since, now); err != nil {
				return err
			}
		}
		r, err := s.Review(actor, rf)
		if err != nil {
			return err
		}
		out := bufio.NewWriterSize(a.env.Out, 64<<10)
		head := reviewdoc.Head{Generated: now, By: actor.Name, Review: r}
		switch f {
		case formatCSV:
			err = reviewdoc.WriteCSV(out, r)
		case formatJSON:
			err = reviewdoc.WriteJSON(out, head)
		default:
			err = reviewdoc.WriteMarkdown(out, head)
		}
		if err != nil {
			return err
		}
		return out.Flush()
	})
	return c
}
