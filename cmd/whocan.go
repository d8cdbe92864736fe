package cmd

import (
	"bufio"
	"bytes"
	"fmt"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/safetext"
	"github.com/gatehouse/gatehouse/store"
	"github.com/spf13/cobra"
)

func (a *app) whoCanCmd() *cobra.Command {
	var site, client, format string
	c := &cobra.Command{
		Use:   "who-can SCREEN LEVEL [--site S] [--client C] [--format text|csv|json]",
		Short: "Every user who passes a check (screen, level, site or client), with the reason",
		Long: `List every user for whom 'gatehouse check EMAIL SCREEN LEVEL' is allowed,
with the reason: the profile and its level on the screen, and the site (assigned
directly or through a team), all-sites scope, or client limit that lets them in.
Disabled users never pass.

  without --site or --client   the level on the screen, at no site in particular
  --site S                     at site S, as 'check ... --site S' decides
  --client C                   at any of C's sites: whoever 'check ... --site X'
                               allows for one or more sites X of C ("who can open
                               payroll for Acme?"); the sites are named per user
  --site S --client C          S, which must be one of C's sites

LEVEL is view or maintain (maintain implies view). It needs view on Users &
permissions; an actor limited to assigned sites sees only the users they may see.`,
		Example: `  gatehouse who-can payroll view
  gatehouse who-can roster view --site "North Depot"
  gatehouse who-can timesheets maintain --client Acme --format csv > acme-timesheets.csv`,
		Args: nargs(2, 2, "SCREEN LEVEL"),
	}
	c.Flags().StringVar(&site, "site", "", "at this site")
	c.Flags().StringVar(&client, "client", "", "at any site of this client")
	formatFlag(c, &format, formatText, formatCSV, formatJSON)
	c.RunE = a.with(func(s *store.Store, actor store.Actor, args []string) error {
		f, err := a.outputFormat(format, formatText, formatCSV, formatJSON)
		if err != nil {
			return err
		}
		level, err := store.ParseLevel(args[1])
		if err != nil {
			return err
		}
		w, err := s.WhoCan(actor, store.WhoCanQuery{Screen: args[0], Level: level, Site: site, Client: client})
		if err != nil {
			return err
		}
		switch f {
		case formatJSON:
			return a.whoCanJSON(w)
		case formatCSV:
			return a.whoCanCSV(w)
		}
		a.printf("%s\n", whoCanTitle(w))
		if len(w.Rows) == 0 {
			a.printf("  nobody\n")
		} else {
			// tabwriter writes cell by cell: gather them before the
			// terminal's writer (one write, not one per cell, at 100k users)
			out := bufio.NewWriterSize(a.env.Out, 64<<10)
			tw := newTable(out)
			row(tw, "  NAME", "EMAIL", "STATUS", "WHY")
			for i := range w.Rows {
				r := &w.Rows[i]
				row(tw, "  "+r.User.Name(), r.User.Email, r.User.Status().String(), w.Reason(r))
			}
			if err := tw.Flush(); err != nil {
				return err
			}
			if err := out.Flush(); err != nil {
				return err
			}
		}
		if w.Partial {
			a.printf("(only the users you may see: those inside your sites)\n")
		}
		return nil
	})
	return c
}

// whoCanTitle says what was asked and how many pass: "Payroll, view or
// more, at North Depot: 3 users".
func whoCanTitle(w *store.WhoCan) string {
	level := w.Level.String()
	if w.Level < store.Maintain {
		level += " or more"
	}
	where := ", anywhere"
	switch {
	case w.Client != "" && len(w.ClientSites) == 1:
		where = fmt.Sprintf(", at %s (%s)", w.ClientSites[0], w.Client)
	case w.Client != "" && len(w.ClientSites) == 0:
		where = fmt.Sprintf(", at any site of %s (it has none)", w.Client)
	case w.Client != "":
		where = fmt.Sprintf(", at any site of %s (%s)", w.Client, strings.Join(w.ClientSites, ", "))
	case w.Site != "":
		where = ", at " + w.Site
	}
	return fmt.Sprintf("%s, %s%s: %s", w.ScreenTitle, level, where, plural(len(w.Rows), "user", "users"))
}

func (a *app) whoCanCSV(w *store.WhoCan) error {
	t := newCSV(a.env.Out)
	if err := t.Row("email", "name", "type", "status", "profile", "scope", "held", "all_sites", "at", "limited_to_clients", "reason", "until"); err != nil {
		return err
	}
	for i := range w.Rows {
		r := &w.Rows[i]
		v := viewWhoCanRow(w, r)
		var at []string
		for _, x := range v.At {
			if x.Via != "" {
				at = append(at, x.Site+" through team "+x.Via)
			} else {
				at = append(at, x.Site)
			}
		}
		if err := t.Row(v.Email, v.Name, v.Type, v.Status, v.Profile, v.Scope, v.Held, fmt.Sprint(v.AllSites),
			joinCell(at), joinCell(v.LimitedTo), v.Reason, csvTime(r.Ends())); err != nil {
			return err
		}
	}
	return t.Flush()
}

type whoCanView struct {
	Screen      string          `json:"screen"`
	Title       string          `json:"title"`
	Level       string          `json:"level"`
	Site        string          `json:"site"`
	Client      string          `json:"client"`
	ClientSites []string        `json:"client_sites"`
	Partial     bool            `json:"only_visible"`
	Users       []whoCanRowView `json:"users"`
}

type whoCanRowView struct {
	Email     string           `json:"email"`
	Name      string           `json:"name"`
	Type      string           `json:"type"`
	Status    string           `json:"status"`
	Profile   string           `json:"profile"`
	Scope     string           `json:"scope"`
	Held      string           `json:"held"`
	AllSites  bool             `json:"all_sites"`
	At        []store.WhoCanAt `json:"at"`
	LimitedTo []string         `json:"limited_to_clients"`
	Reason    string           `json:"reason"`
	Until     time.Time        `json:"until,omitzero"`
}

// whoCanJSON writes whoCanView user by user, as printJSON would write it
// whole (at 100k users, without holding 30 MB of JSON and its copies).
func (a *app) whoCanJSON(w *store.WhoCan) error {
	head, err := safetext.MarshalIndent(whoCanView{Screen: w.Screen, Title: w.ScreenTitle, Level: w.Level.String(), Site: w.Site,
		Client: w.Client, ClientSites: nonNil(w.ClientSites), Partial: w.Partial}, "")
	if err != nil {
		return err
	}
	out := bufio.NewWriterSize(a.env.Out, 64<<10)
	// the head ends with "users": null}: the users go where null was
	fmt.Fprintf(out, "%s[", bytes.TrimSuffix(head, []byte("null\n}")))
	for i := range w.Rows {
		b, err := safetext.MarshalIndent(viewWhoCanRow(w, &w.Rows[i]), "    ")
		if err != nil {
			return err
		}
		sep := ","
		if i == 0 {
			sep = ""
		}
		fmt.Fprintf(out, "%s\n    %s", sep, b)
	}
	if len(w.Rows) > 0 {
		fmt.Fprintf(out, "\n  ")
	}
	fmt.Fprintf(out, "]\n}\n")
	return out.Flush()
}

func viewWhoCanRow(w *store.WhoCan, r *store.WhoCanRow) whoCanRowView {
	v := whoCanRowView{Email: r.User.Email, Name: r.User.Name(), Type: r.User.Type.String(), Status: r.User.Status().String(),
		Profile: r.Profile.Name, Scope: scopeKey(r.Profile.Scope), Held: r.Held.String(), AllSites: r.AllSites,
		At: r.At, LimitedTo: []string{}, Reason: w.Reason(r), Until: r.Ends()}
	if v.At == nil {
		v.At = []store.WhoCanAt{}
	}
	if r.Restricted {
		v.LimitedTo = r.ClientNames()
	}
	return v
}
