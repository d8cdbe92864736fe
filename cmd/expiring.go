package cmd

import (
	"time"

	"github.com/gatehouse/gatehouse/store"
	"github.com/spf13/cobra"
)

// expiringView is the JSON form of a grant that ends by itself.
type expiringView struct {
	User  string    `json:"user"`
	Grant string    `json:"grant"`
	Name  string    `json:"name"`
	Back  string    `json:"back,omitempty"`
	Until time.Time `json:"until"`
}

func (a *app) expiringCmd() *cobra.Command {
	var within string
	c := &cobra.Command{
		Use:   "expiring [--within 14d]",
		Short: "Grants that end by themselves (sites, teams, clients, temporary profiles), soonest first",
		Long: `List the grants that end by themselves, of the users you may see: sites, teams
and clients assigned --until a date, and temporary profiles (users edit
--profile P --until DATE) with the profile they fall back to. At its end the
store takes each back (actor system:expiry, in the audit log).`,
		Example: `  gatehouse expiring --within 14d`,
		Args:    nargs(0, 0, ""),
	}
	c.Flags().StringVar(&within, "within", "", "only what ends within this long (14d, 48h; default: all)")
	c.RunE = a.with(func(s *store.Store, actor store.Actor, args []string) error {
		var d time.Duration
		if within != "" {
			var err error
			if d, err = store.ParseDuration(within); err != nil || d <= 0 {
				return usagef("--within %q is not a duration like 14d or 48h", within)
			}
		}
		ends, err := s.Expiring(actor, d)
		if err != nil {
			return err
		}
		out := []expiringView{}
		for _, e := range ends {
			out = append(out, expiringView{User: e.Email, Grant: e.Grant.String(), Name: e.Name, Back: e.Back, Until: e.At})
		}
		if a.json {
			return a.printJSON(out)
		}
		if len(out) == 0 {
			a.printf("nothing ends by itself%s\n", map[bool]string{true: " within " + within, false: ""}[within != ""])
			return nil
		}
		tw := newTable(a.env.Out)
		row(tw, "UNTIL", "USER", "GRANT", "THEN")
		for _, e := range out {
			then := "-"
			if e.Back != "" {
				then = e.Back
			}
			row(tw, store.UntilText(e.Until), e.User, e.Grant+" "+e.Name, then)
		}
		return tw.Flush()
	})
	return c
}
