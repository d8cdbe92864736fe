package cmd

import (
	"fmt"
	"strings"

	"github.com/gatehouse/gatehouse/store"
	"github.com/spf13/cobra"
)

// Bulk commands take several emails or --where EXPR, never both and never
// neither. The users are resolved first; the change itself is one change set
// that reads every user inside it (version 0), so it is all or nothing.

const whereHelp = "select users by `EXPR` instead of emails: key=value pairs joined by commas, " +
	`e.g. profile=User,site="North Depot",status=active (keys: profile, site, team, client, status, type, text)`

func addWhere(c *cobra.Command, where *string) {
	c.Flags().StringVar(where, "where", "", whereHelp)
}

// targets returns the emails to act on and how they were chosen (for the summary).
func (a *app) targets(s *store.Store, actor store.Actor, c *cobra.Command, emails []string, where string) ([]string, string, error) {
	hasWhere := c.Flags().Changed("where")
	switch {
	case hasWhere && len(emails) > 0:
		return nil, "", usagef("give emails or --where, not both; run '%s --help'", c.CommandPath())
	case !hasWhere && len(emails) == 0:
		return nil, "", usagef("%s needs one or more EMAIL arguments or --where EXPR; run '%s --help'", cmdName(c), c.CommandPath())
	}
	if !hasWhere {
		seen := map[string]bool{}
		var out []string
		for _, e := range emails {
			k := strings.ToLower(strings.TrimSpace(e))
			if k == "" {
				return nil, "", usagef("an empty email was given")
			}
			if !seen[k] {
				seen[k] = true
				out = append(out, strings.TrimSpace(e))
			}
		}
		return out, strings.Join(out, " "), nil
	}
	f, err := store.ParseWhere(where)
	if err != nil {
		return nil, "", err
	}
	users, err := s.UsersFor(actor, f)
	if err != nil {
		return nil, "", err
	}
	var out []string
	for _, u := range users {
		out = append(out, u.Email)
	}
	if len(out) == 0 {
		return nil, "", refusedf("no users match --where %s; nothing changed", where)
	}
	return out, "--where " + where, nil
}

// eachUser applies op to every email inside one change set.
func (a *app) eachUser(s *store.Store, actor store.Actor, summary string, emails []string, op func(tx *store.Tx, u *store.User) error) (*store.ChangeSet, error) {
	return s.ApplyGrouped(actor, summary, func(tx *store.Tx) error {
		for _, e := range emails {
			u, err := tx.UserByEmail(e)
			if err != nil {
				return err
			}
			if err := op(tx, u); err != nil {
				return naming(u.Email, err, len(emails))
			}
		}
		return nil
	})
}

// naming prefixes an error with the user it is about, when a bulk change
// touches several users and the message does not already say.
func naming(email string, err error, n int) error {
	if n <= 1 || strings.Contains(strings.ToLower(err.Error()), strings.ToLower(email)) {
		return err
	}
	return fmt.Errorf("%s: %w; nothing was changed", email, err)
}

// bulkDone reports a bulk change: "disabled 3 users (change set #12, 3 audit entries)".
func (a *app) bulkDone(cs *store.ChangeSet, verb string, matched int) error {
	n := touchedUsers(cs)
	done := fmt.Sprintf("%s %s", verb, plural(n, "user", "users"))
	if rest := matched - n; rest > 0 && n > 0 {
		done = fmt.Sprintf("%s %s of %d; %d needed no change", verb, plural(n, "user", "users"), matched, rest)
	}
	return a.report(cs, done)
}
