package cmd

import (
	"fmt"
	"strings"

	"github.com/gatehouse/gatehouse/store"
	"github.com/spf13/cobra"
)

// aboutUser finds the user a read is about: yourself always, others only with
// view on Users & permissions and only if visible to you.
func aboutUser(s *store.Store, actor store.Actor, email string) (*store.User, error) {
	return s.UserFor(actor, email)
}

func (a *app) checkCmd() *cobra.Command {
	var site string
	c := &cobra.Command{
		Use:   "check [EMAIL] SCREEN LEVEL [--site S]",
		Short: "May this user use this screen at this level (at this site)? Exit 0 allowed, 1 denied",
		Long: `Answer whether a user may use a screen at a level (none, view, maintain),
optionally at a site, with a one-line reason. Exit 0 when allowed, 1 when denied.
Without EMAIL it is about yourself: the user signed in over SSH, or named by
--as (the local operator has no user record to check).`,
		Example: `  gatehouse check jane@acme.test scheduler view --site "North Depot"
  ssh -p 23234 HOST check roster view`,
		Args: nargs(2, 3, "EMAIL SCREEN LEVEL"),
	}
	c.Flags().StringVar(&site, "site", "", "the site to check at (default: anywhere)")
	c.RunE = a.with(func(s *store.Store, actor store.Actor, args []string) error {
		if len(args) == 2 {
			if strings.Contains(args[0], "@") {
				return usagef("check needs EMAIL SCREEN LEVEL (got %s and %s); run 'gatehouse check --help'", args[0], args[1])
			}
			me, err := self(s, actor, "check SCREEN LEVEL")
			if err != nil {
				return err
			}
			args = append([]string{me}, args...)
		}
		level, err := store.ParseLevel(args[2])
		if err != nil {
			return err
		}
		if _, err := aboutUser(s, actor, args[0]); err != nil {
			return err
		}
		d := s.Check(args[0], args[1], level, site)
		switch d.Code {
		case store.CodeUnknownScreen:
			return &store.Error{Kind: store.KindNotFound, Msg: fmt.Sprintf("no screen %q; see: gatehouse screens list", args[1])}
		case store.CodeUnknownSite:
			return &store.Error{Kind: store.KindNotFound, Msg: fmt.Sprintf("no site named %q; see: gatehouse sites list", site)}
		}
		if a.json {
			if err := a.printJSON(checkView{Allowed: d.Allowed, Reason: d.Reason(), User: d.Email, Profile: d.Profile,
				Screen: screenKey(s, args[1]), Level: d.Level.String(), Held: d.Held.String(), Site: d.Site, Via: d.Via}); err != nil {
				return err
			}
		} else {
			a.printf("%s\n", d.Reason())
		}
		if !d.Allowed {
			return &silentExit{ExitRefused}
		}
		return nil
	})
	return c
}

// self is the email of the actor, for a command that may leave it out; the
// local operator has none.
func self(s *store.Store, actor store.Actor, what string) (string, error) {
	if actor.IsLocal() {
		return "", usagef("%s without EMAIL is about yourself, and the local operator has no user record: give an EMAIL, or act as a user with --as EMAIL", what)
	}
	u, err := s.UserByID(actor.UserID)
	if err != nil {
		return "", err
	}
	return u.Email, nil
}

func screenKey(s *store.Store, key string) string {
	for _, sc := range s.Screens() {
		if strings.EqualFold(sc.Key, strings.TrimSpace(key)) {
			return sc.Key
		}
	}
	return key
}

func (a *app) effectiveCmd() *cobra.Command {
	var format string
	c := &cobra.Command{
		Use:   "effective [EMAIL]",
		Short: "Everything a user may do: profile, levels per screen, sites, clients, features",
		Long: `Everything a user may do: their profile and its scope, their level on every
screen, their sites, teams and clients, and their features. Without EMAIL it is
about yourself: the user signed in over SSH, or named by --as.`,
		Args: nargs(0, 1, "at most one EMAIL"),
	}
	formatFlag(c, &format, formatText, formatCSV, formatJSON)
	c.RunE = a.with(func(s *store.Store, actor store.Actor, args []string) error {
		form, err := a.outputFormat(format, formatText, formatCSV, formatJSON)
		if err != nil {
			return err
		}
		if len(args) == 0 {
			me, err := self(s, actor, "effective")
			if err != nil {
				return err
			}
			args = []string{me}
		}
		if _, err := aboutUser(s, actor, args[0]); err != nil {
			return err
		}
		e, err := s.Effective(args[0])
		if err != nil {
			return err
		}
		if form == formatCSV {
			return a.effectiveCSV(e)
		}
		v := viewEffective(e)
		if a.json {
			return a.printJSON(v)
		}
		a.printf("%s <%s>: %s, %s\n", e.Name, e.Email, e.Type, e.Status)
		tw := newTable(a.env.Out)
		row(tw, "  profile:", fmt.Sprintf("%s (%s)", orDash(e.Profile), orDash(e.Scope)))
		row(tw, "  sites:", list(v.Sites, 0))
		row(tw, "  teams:", list(v.Teams, 0))
		row(tw, "  clients:", list(v.Clients, 0))
		row(tw, "  default site:", orDash(e.Default))
		for _, end := range e.Ends {
			row(tw, "  ends:", end.String())
		}
		for _, n := range e.Notes {
			row(tw, "  note:", n)
		}
		tw.Flush()
		if e.Status == store.Disabled.String() {
			a.printf("  (disabled: every check is denied)\n")
		}
		a.printf("\n")
		tw = newTable(a.env.Out)
		row(tw, "  SCREEN", "KEY", "LEVEL")
		sensitive := false
		for _, l := range e.Levels {
			title := l.Title
			if l.Sensitive {
				title += " !"
				sensitive = true
			}
			row(tw, "  "+title, l.Screen, l.Level)
		}
		tw.Flush()
		if sensitive {
			a.printf("  ! sensitive screen\n")
		}
		a.printf("\n")
		tw = newTable(a.env.Out)
		row(tw, "  FEATURE", "ORG", "OVERRIDE", "EFFECTIVE")
		for _, f := range e.Features {
			row(tw, "  "+f.Feature+" ("+f.Title+")", onOff(f.Org), f.Override, onOff(f.Effective))
		}
		return tw.Flush()
	})
	return c
}
