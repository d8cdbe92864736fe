package cmd

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/safetext"
	"github.com/gatehouse/gatehouse/store"
	"github.com/spf13/cobra"
)

func (a *app) usersCmd() *cobra.Command {
	return group("users", "List, add, edit, disable and delete users",
		a.usersListCmd(),
		a.usersAddCmd(),
		a.usersShowCmd(),
		a.usersHistoryCmd(),
		a.usersEditCmd(),
		a.usersStatusCmd("disable", "Disable users: they cannot sign in and their sessions end", "disabled", func(tx *store.Tx, u *store.User) error {
			return tx.SetDisabled(u.ID, 0, true)
		}),
		a.usersStatusCmd("enable", "Enable disabled users again", "enabled", func(tx *store.Tx, u *store.User) error {
			return tx.SetDisabled(u.ID, 0, false)
		}),
		a.usersStatusCmd("delete", "Delete users who have no records (others can only be disabled)", "deleted", func(tx *store.Tx, u *store.User) error {
			return tx.DeleteUser(u.ID, 0)
		}),
		a.usersSetPasswordCmd(),
		a.usersInviteCmd(),
		a.usersFeatureCmd(),
		a.usersClientCmd(true),
		a.usersClientCmd(false),
	)
}

// ---- users list

func (a *app) usersListCmd() *cobra.Command {
	var typ, status, profile, site, team, client, search, format string
	c := &cobra.Command{
		Use:   "list",
		Short: "List users: employees and client users apart",
		Long: `List users. Without --type, employees and client users are listed apart; for
client users the client stands where the profile (role) stands for employees.
A * marks records changed since they were created (see: gatehouse users history EMAIL).
By default disabled users are hidden; --status all shows everyone.`,
		Args: nargs(0, 0, ""),
	}
	f := c.Flags()
	f.StringVar(&typ, "type", "", "employee or client")
	f.StringVar(&status, "status", "", "active, invited, disabled or all; several joined by commas (default active,invited)")
	f.StringVar(&profile, "profile", "", "only users holding this profile")
	f.StringVar(&site, "site", "", "only users assigned to this site (directly or through a team)")
	f.StringVar(&team, "team", "", "only users in this team (\"Site/Team\" or a unique team name)")
	f.StringVar(&client, "client", "", "only users assigned to this client")
	f.StringVar(&search, "search", "", "only users whose name or email contains this text")
	formatFlag(c, &format, formatText, formatCSV, formatJSON)
	c.RunE = a.with(func(s *store.Store, actor store.Actor, args []string) error {
		form, err := a.outputFormat(format, formatText, formatCSV, formatJSON)
		if err != nil {
			return err
		}
		filter := store.UserFilter{Profile: profile, Site: site, Team: team, Client: client, Text: search}
		if typ != "" {
			t, err := store.ParseUserType(typ)
			if err != nil {
				return err
			}
			filter.Type = &t
		}
		switch strings.ToLower(strings.TrimSpace(status)) {
		case "":
			filter.Statuses = []store.Status{store.Active, store.Invited}
		case "all":
		default:
			for _, part := range strings.FieldsFunc(status, func(r rune) bool { return r == ',' || r == '|' }) {
				st, err := store.ParseStatus(part)
				if err != nil {
					return err
				}
				filter.Statuses = append(filter.Statuses, st)
			}
		}
		users, err := s.UsersFor(actor, filter)
		if err != nil {
			return err
		}
		var emps, clients []*store.User
		for _, u := range users {
			if u.Type == store.ClientUser {
				clients = append(clients, u)
			} else {
				emps = append(emps, u)
			}
		}
		n, st, who := s.Names(), s.Settings(), s.ActorNames(actor)
		if form == formatCSV {
			return a.usersCSV(append(emps, clients...), n, st, who)
		}
		if a.json {
			out := []userView{}
			for _, u := range append(emps, clients...) {
				out = append(out, viewUser(u, n, st, who))
			}
			return a.printJSON(out)
		}
		marked := false
		section := func(title string, us []*store.User, client bool) {
			if filter.Type == nil {
				a.printf("%s (%d)\n", title, len(us))
			}
			if len(us) == 0 {
				a.printf("  (none)\n")
				return
			}
			tw := newTable(a.env.Out)
			role := "PROFILE"
			if client {
				role = "CLIENT"
			}
			row(tw, " ", "NAME", "EMAIL", role, "STATUS", "SITES")
			for _, u := range us {
				mark := " "
				if u.Changed() {
					mark, marked = "*", true
				}
				r := n.Profile(u.ProfileID)
				if client {
					r = list(n.Clients(u.ClientIDs), 1)
				}
				places := append(n.Sites(u.SiteIDs), n.Teams(u.TeamIDs)...)
				row(tw, mark, u.Name(), u.Email, r, u.Status().String(), list(places, 3))
			}
			tw.Flush()
		}
		if filter.Type == nil || *filter.Type == store.Employee {
			section("Employees", emps, false)
		}
		if filter.Type == nil {
			a.printf("\n")
		}
		if filter.Type == nil || *filter.Type == store.ClientUser {
			section("Client users", clients, true)
		}
		if marked {
			a.printf("\n* changed since created; see: gatehouse users history EMAIL\n")
		}
		return nil
	})
	return c
}

// ---- users add

func (a *app) usersAddCmd() *cobra.Command {
	var n store.NewUser
	var typ string
	c := &cobra.Command{
		Use:   "add --first F --last L --email E --type employee|client --profile P [--client C]... [--site S]... [--team T]... [--default-site S]",
		Short: "Add a user; an invitation is queued in the outbox",
		Example: `  gatehouse users add --first Jane --last Doe --email jane@acme.test --type client --client Acme --profile Client
  gatehouse users add --first Sam --last Lee --email sam@example.com --type employee --profile Manager --site "North Depot"`,
		Args: nargs(0, 0, ""),
	}
	f := c.Flags()
	f.StringVar(&n.First, "first", "", "first name (required)")
	f.StringVar(&n.Last, "last", "", "last name (required)")
	f.StringVar(&n.Email, "email", "", "email address, unique whatever its case (required)")
	f.StringVar(&typ, "type", "", "employee or client (default: the profile's type)")
	f.StringVar(&n.Profile, "profile", "", "security profile (role), see: gatehouse profiles list (required)")
	f.StringArrayVar(&n.Clients, "client", nil, "client: a client user's one client, or a client whose data an employee may see (repeatable)")
	f.StringArrayVar(&n.Sites, "site", nil, "assigned site (repeatable)")
	f.StringArrayVar(&n.Teams, "team", nil, "assigned team, \"Site/Team\" or a unique team name (repeatable)")
	f.StringVar(&n.DefaultSite, "default-site", "", "default location for entering time")
	c.RunE = a.with(func(s *store.Store, actor store.Actor, args []string) error {
		var missing []string
		for _, name := range []string{"first", "last", "email", "profile"} {
			if strings.TrimSpace(c.Flags().Lookup(name).Value.String()) == "" {
				missing = append(missing, "--"+name)
			}
		}
		if len(missing) > 0 {
			return usagef("users add needs %s; run 'gatehouse users add --help'", strings.Join(missing, ", "))
		}
		if typ != "" {
			t, err := store.ParseUserType(typ)
			if err != nil {
				return err
			}
			n.Type = t
		} else {
			p, err := s.Profile(n.Profile)
			if err != nil {
				return err
			}
			n.Type = p.Type
		}
		var u *store.User
		cs, err := s.ApplyGrouped(actor, summary("users add", n.Email), func(tx *store.Tx) error {
			var err error
			u, err = tx.AddUser(n)
			return err
		})
		if err != nil {
			return err
		}
		if a.json {
			return a.report(cs, "added "+u.Email)
		}
		names := s.Names()
		what := fmt.Sprintf("%s user, profile %s", u.Type, names.Profile(u.ProfileID))
		if cl := names.Clients(u.ClientIDs); len(cl) > 0 {
			what += ", clients " + strings.Join(cl, ", ")
			if u.Type == store.ClientUser {
				what = fmt.Sprintf("client user of %s, profile %s", cl[0], names.Profile(u.ProfileID))
			}
		}
		if places := append(names.Sites(u.SiteIDs), names.Teams(u.TeamIDs)...); len(places) > 0 {
			what += ", sites " + strings.Join(places, ", ")
		}
		if err := a.report(cs, fmt.Sprintf("added %s <%s> (%s)", u.Name(), u.Email, what)); err != nil {
			return err
		}
		if ids := outboxIDs(cs, u.ID); len(ids) > 0 {
			a.printf("invitation queued for %s: outbox %s (see: gatehouse outbox list)\n", u.Email, strings.Join(ids, ", "))
		}
		return nil
	})
	return c
}

// ---- users show

// visibleUser finds a user the actor may see; an invisible user is reported
// exactly like a missing one.
func visibleUser(s *store.Store, actor store.Actor, email string) (*store.User, error) {
	return s.UserFor(actor, email)
}

func (a *app) usersShowCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "show EMAIL",
		Short: "Show one user: profile, client, sites, teams, features, status",
		Args:  nargs(1, 1, "one EMAIL"),
	}
	c.RunE = a.with(func(s *store.Store, actor store.Actor, args []string) error {
		u, err := visibleUser(s, actor, args[0])
		if err != nil {
			return err
		}
		n, st := s.Names(), s.Settings()
		v := viewUser(u, n, st, s.ActorNames(actor))
		if a.json {
			return a.printJSON(v)
		}
		a.printf("%s <%s>\n", u.Name(), u.Email)
		tw := newTable(a.env.Out)
		if u.Type == store.ClientUser {
			row(tw, "  type:", "client user")
			row(tw, "  client:", orDash(v.Client))
		} else {
			row(tw, "  type:", "employee")
		}
		scope := ""
		if p, err := s.Profile(v.Profile); err == nil {
			scope = " (" + p.Scope.String() + ")"
		}
		row(tw, "  profile:", v.Profile+scope)
		if u.Type == store.Employee {
			row(tw, "  clients:", list(v.Clients, 0))
		}
		status := v.Status
		if u.Status() == store.Invited {
			status += invitationState(s, u)
		}
		row(tw, "  status:", status)
		row(tw, "  sites:", list(v.Sites, 0))
		row(tw, "  teams:", list(v.Teams, 0))
		row(tw, "  default site:", orDash(v.DefaultSite))
		for _, end := range v.Ends {
			row(tw, "  ends:", end.String())
		}
		row(tw, "  created:", when(u.Created)+" by "+orDash(v.CreatedBy))
		upd := fmt.Sprintf("%s by %s (version %d)", when(u.Updated), orDash(v.UpdatedBy), u.Version)
		if u.Changed() {
			upd += "; see: gatehouse users history " + u.Email
		}
		row(tw, "  updated:", upd)
		row(tw, "  last sign-in:", when(u.LastSignIn))
		row(tw, "  records:", yesNo(u.HasRecords())+recordsHint(u))
		tw.Flush()
		a.printf("  features:\n")
		tw = newTable(a.env.Out)
		for _, f := range store.Features() {
			fv := v.Features[f.String()]
			over := fv.Override
			if u.Type == store.ClientUser {
				over = "- (client users follow the org)"
			}
			row(tw, "    "+f.String(), "org "+onOff(fv.Org), "override "+over, "effective "+onOff(fv.Effective))
		}
		tw.Flush()
		return nil
	})
	return c
}

func recordsHint(u *store.User) string {
	if u.HasRecords() {
		return " (can be disabled, not deleted)"
	}
	return ""
}

// invitationState describes an invited user's newest invitation.
func invitationState(s *store.Store, u *store.User) string {
	invs, err := s.Invitations()
	switch {
	case store.KindOf(err) == store.KindUnavailable: // not "none": there may be one
		return " (invitation not read: the store cannot answer now)"
	case err != nil:
		return " (invitation not read: " + err.Error() + ")"
	}
	var newest *store.Invitation
	for i := range invs {
		inv := &invs[i]
		if inv.UserID == u.ID && (newest == nil || inv.Created.After(newest.Created)) {
			newest = inv
		}
	}
	switch {
	case newest == nil:
		return " (no invitation; send one: gatehouse users invite " + u.Email + ")"
	case newest.Revoked:
		return " (invitation revoked; send a new one: gatehouse users invite " + u.Email + ")"
	case !time.Now().Before(newest.Expires):
		return " (invitation expired " + when(newest.Expires) + "; resend: gatehouse users invite " + u.Email + ")"
	}
	return " (invitation open until " + when(newest.Expires) + ")"
}

// ---- users history

func (a *app) usersHistoryCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "history EMAIL",
		Short: "Who changed what on a user, and when",
		Args:  nargs(1, 1, "one EMAIL"),
	}
	c.RunE = a.with(func(s *store.Store, actor store.Actor, args []string) error {
		entries, err := s.HistoryFor(actor, args[0])
		if err != nil {
			return err
		}
		return a.printEntries(entries, false)
	})
	return c
}

// printEntries prints audit entries as a table (or JSON).
func (a *app) printEntries(entries []store.AuditEntry, withEntity bool) error {
	if a.json {
		out := []entryView{}
		for _, e := range entries {
			out = append(out, entryOf(e))
		}
		return a.printJSON(out)
	}
	if len(entries) == 0 {
		a.printf("no entries\n")
		return nil
	}
	tw := newTable(a.env.Out)
	head := []string{"TIME", "CHANGE SET", "ACTOR"}
	if withEntity {
		head = append(head, "RECORD")
	}
	row(tw, append(head, "FIELD", "BEFORE -> AFTER")...)
	for _, e := range entries {
		cells := []string{when(e.Time), fmt.Sprintf("#%d", e.Batch), e.Actor}
		if withEntity {
			cells = append(cells, e.Entity.String())
		}
		row(tw, append(cells, e.Field, change(e.Before, e.After))...)
	}
	return tw.Flush()
}

func change(before, after string) string {
	q := func(s string) string {
		if s == "" {
			return "(empty)"
		}
		return s
	}
	return q(before) + " -> " + q(after)
}

// ---- users edit

func (a *app) usersEditCmd() *cobra.Command {
	var first, last, email, profile, client, defSite, untilFlag string
	c := &cobra.Command{
		Use:   "edit EMAIL [--first F] [--last L] [--email E] [--profile P] [--client C] [--default-site S]",
		Short: "Change a user's name, email, profile (role), client or default site",
		Long: `Change a user's fields. Only the flags given change.
Changing a client user's profile to an employee profile turns them into an
employee; giving an employee a client profile needs --client.
--default-site "" clears the default location.`,
		Example: `  gatehouse users edit jane@acme.test --profile User
  gatehouse users edit sam@example.com --profile Client --client Acme`,
		Args: nargs(1, 1, "one EMAIL"),
	}
	f := c.Flags()
	f.StringVar(&first, "first", "", "first name")
	f.StringVar(&last, "last", "", "last name")
	f.StringVar(&email, "email", "", "new email address")
	f.StringVar(&profile, "profile", "", "profile (role)")
	f.StringVar(&client, "client", "", "a client user's client")
	f.StringVar(&defSite, "default-site", "", "default location (\"\" clears it)")
	f.StringVar(&untilFlag, "until", "", "with --profile: a temporary profile until this `DATE` (2027-01-31), then back to the one held before")
	c.RunE = a.with(func(s *store.Store, actor store.Actor, args []string) error {
		var p store.UserPatch
		set := func(name string, v *string, dst **string) {
			if c.Flags().Changed(name) {
				*dst = v
			}
		}
		set("first", &first, &p.First)
		set("last", &last, &p.Last)
		set("email", &email, &p.Email)
		set("profile", &profile, &p.Profile)
		set("client", &client, &p.Client)
		set("default-site", &defSite, &p.DefaultSite)
		if untilFlag != "" {
			if p.Profile == nil {
				return usagef("--until goes with --profile: the temporary profile; run 'gatehouse users edit --help'")
			}
			var err error
			if p.ProfileUntil, err = store.ParseUntil(untilFlag, time.Now()); err != nil {
				return err
			}
		}
		if p == (store.UserPatch{}) {
			return usagef("nothing to edit: give at least one of --first, --last, --email, --profile, --client, --default-site; run 'gatehouse users edit --help'")
		}
		var u *store.User
		cs, err := s.ApplyGrouped(actor, summary("users edit", args[0]), func(tx *store.Tx) error {
			cur, err := tx.UserByEmail(args[0])
			if err != nil {
				return err
			}
			u, err = tx.EditUser(cur.ID, 0, p)
			return err
		})
		if err != nil {
			return err
		}
		var fields []string
		for _, e := range cs.Entries {
			if e.Entity.Kind == "user" && !slices.Contains(fields, e.Field) {
				fields = append(fields, e.Field)
			}
		}
		done := fmt.Sprintf("updated %s", u.Email)
		if len(fields) > 0 {
			done += ": " + strings.Join(fields, ", ")
		}
		if err := a.report(cs, done); err != nil {
			return err
		}
		if !a.json {
			for _, e := range cs.Entries {
				a.printf("  %s: %s\n", e.Field, change(e.Before, e.After))
			}
		}
		return nil
	})
	return c
}

// ---- users disable / enable / delete

func (a *app) usersStatusCmd(name, short, verb string, op func(tx *store.Tx, u *store.User) error) *cobra.Command {
	var where string
	c := &cobra.Command{
		Use:     name + " (EMAIL... | --where EXPR)",
		Short:   short,
		Example: fmt.Sprintf("  gatehouse users %s jane@acme.test sam@example.com\n  gatehouse users %s --where profile=User,site=\"North Depot\"", name, name),
	}
	addWhere(c, &where)
	c.RunE = a.with(func(s *store.Store, actor store.Actor, args []string) error {
		emails, how, err := a.targets(s, actor, c, args, where)
		if err != nil {
			return err
		}
		cs, err := a.eachUser(s, actor, summary("users", name, how), emails, op)
		if err != nil {
			return err
		}
		return a.bulkDone(cs, verb, len(emails))
	})
	return c
}

// ---- users set-password

func (a *app) usersSetPasswordCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "set-password EMAIL",
		Short: "Set a user's password (read from stdin); a notice is queued to them",
		Long: `Set a user's password. The password is the first line of standard input; at a
terminal it is asked twice without echo. Only an argon2id hash is stored, and a
notice that the password changed is queued in the outbox.`,
		Example: `  printf '%s\n' 'correct horse battery' | gatehouse users set-password jane@acme.test`,
		Args:    nargs(1, 1, "one EMAIL"),
	}
	c.RunE = a.with(func(s *store.Store, actor store.Actor, args []string) error {
		u, err := s.UserFor(actor, args[0])
		if err != nil {
			return err
		}
		if err := s.MayChangeUser(actor, u.ID); err != nil {
			return err
		}
		pw, err := a.readPassword(u.Email, func(pw string) error { return store.ValidatePasswordFor(u, pw) })
		if err != nil {
			return err
		}
		var email string
		var id uint64
		cs, err := s.ApplyGrouped(actor, summary("users set-password", args[0]), func(tx *store.Tx) error {
			u, err := tx.UserByEmail(args[0])
			if err != nil {
				return err
			}
			email, id = u.Email, u.ID
			return tx.SetPassword(u.ID, 0, pw)
		})
		if err != nil {
			return err
		}
		done := "password of " + email + " changed"
		if ids := outboxIDs(cs, id); len(ids) > 0 {
			done += "; a notice was queued (outbox " + strings.Join(ids, ", ") + ")"
		}
		return a.report(cs, done)
	})
	return c
}

// readPassword reads the first line of stdin, or asks twice without echo at
// a terminal (the policy checked before the second time); the password is
// checked with valid either way.
func (a *app) readPassword(email string, valid func(string) error) (string, error) {
	if c := a.caller(); c.IsTerminal(0) {
		p1, err := c.ReadSecret("New password for " + safetext.Escape(email) + ": ")
		if err != nil {
			return "", err
		}
		if err := valid(p1); err != nil {
			return "", err
		}
		p2, err := c.ReadSecret("Again: ")
		if err != nil {
			return "", err
		}
		if p1 != p2 {
			return "", usagef("the two passwords differ; nothing changed")
		}
		return p1, nil
	}
	line, err := readLine(a.env.In)
	if err != nil && err != io.EOF {
		return "", err
	}
	if line == "" {
		return "", usagef("no password on standard input; pipe it in, e.g. printf '%%s\\n' 'a long passphrase' | gatehouse users set-password %s", email)
	}
	return line, valid(line)
}

// readLine reads one line byte by byte (so nothing after it is consumed).
func readLine(r io.Reader) (string, error) {
	var b []byte
	buf := make([]byte, 1)
	for len(b) < 4096 {
		n, err := r.Read(buf)
		if n == 1 {
			if buf[0] == '\n' {
				break
			}
			b = append(b, buf[0])
		}
		if err != nil {
			return strings.TrimRight(string(b), "\r"), err
		}
	}
	return strings.TrimRight(string(b), "\r"), nil
}

// ---- users invite

func (a *app) usersInviteCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "invite EMAIL",
		Short: "Send an invited user a new invitation (the old token stops working)",
		Args:  nargs(1, 1, "one EMAIL"),
	}
	c.RunE = a.with(func(s *store.Store, actor store.Actor, args []string) error {
		var email string
		var id uint64
		cs, err := s.ApplyGrouped(actor, summary("users invite", args[0]), func(tx *store.Tx) error {
			u, err := tx.UserByEmail(args[0])
			if err != nil {
				return err
			}
			email, id = u.Email, u.ID
			return tx.ResendInvite(u.ID)
		})
		if err != nil {
			return err
		}
		done := "invitation re-sent to " + email
		if ids := outboxIDs(cs, id); len(ids) > 0 {
			done += " (outbox " + strings.Join(ids, ", ") + ")"
		}
		return a.report(cs, done)
	})
	return c
}

// ---- users feature

func (a *app) usersFeatureCmd() *cobra.Command {
	var where string
	keys := make([]string, 0, 3)
	for _, f := range store.Features() {
		keys = append(keys, f.String())
	}
	c := &cobra.Command{
		Use:   "feature (EMAIL... | --where EXPR) FEATURE=allow|deny|inherit...",
		Short: "Override org features for employees: " + strings.Join(keys, ", "),
		Long: `Set employees' own value of an org feature: allow, deny, or inherit (follow the
org setting). Features: ` + strings.Join(keys, ", ") + `.
Client users have no overrides: they follow the org setting.`,
		Example: `  gatehouse users feature sam@example.com adhoc-clock-in=allow
  gatehouse users feature --where site="North Depot" portal=deny mobile-app=inherit`,
	}
	addWhere(c, &where)
	c.RunE = a.with(func(s *store.Store, actor store.Actor, args []string) error {
		type setting struct {
			f store.Feature
			o store.Override
		}
		var sets []setting
		var emails []string
		for _, arg := range args {
			k, v, ok := strings.Cut(arg, "=")
			if !ok || strings.Contains(k, "@") {
				emails = append(emails, arg)
				continue
			}
			f, err := store.ParseFeature(k)
			if err != nil {
				return usagef("%q: %v", arg, err)
			}
			o, err := store.ParseOverride(v)
			if err != nil {
				return usagef("%q: %v", arg, err)
			}
			sets = append(sets, setting{f, o})
		}
		if len(sets) == 0 {
			return usagef("give at least one FEATURE=allow|deny|inherit (features: %s); run 'gatehouse users feature --help'", strings.Join(keys, ", "))
		}
		targets, how, err := a.targets(s, actor, c, emails, where)
		if err != nil {
			return err
		}
		var what []string
		for _, st := range sets {
			what = append(what, st.f.String()+"="+st.o.String())
		}
		cs, err := a.eachUser(s, actor, summary("users feature", how, strings.Join(what, " ")), targets, func(tx *store.Tx, u *store.User) error {
			for _, st := range sets {
				if err := tx.SetFeature(u.ID, 0, st.f, st.o); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		return a.bulkDone(cs, "set "+strings.Join(what, ", ")+" for", len(targets))
	})
	return c
}

// ---- users assign-client / unassign-client

func (a *app) usersClientCmd(add bool) *cobra.Command {
	var where string
	var clients []string
	name, short, verb := "assign-client", "Let employees see these clients' data", "assigned clients to"
	if !add {
		name, short, verb = "unassign-client", "Take clients away from employees", "unassigned clients from"
	}
	c := &cobra.Command{
		Use:     name + " (EMAIL... | --where EXPR) --client C...",
		Short:   short,
		Example: fmt.Sprintf("  gatehouse users %s sam@example.com --client Acme --client Zeta", name),
	}
	addWhere(c, &where)
	c.Flags().StringArrayVar(&clients, "client", nil, "client (repeatable; required)")
	var untilFlag string
	if add {
		c.Flags().StringVar(&untilFlag, "until", "", "the grant ends by itself after this `DATE` (2027-01-31)")
	}
	c.RunE = a.with(func(s *store.Store, actor store.Actor, args []string) error {
		if len(clients) == 0 {
			return usagef("%s needs at least one --client; run 'gatehouse users %s --help'", name, name)
		}
		var until time.Time
		if untilFlag != "" {
			var err error
			if until, err = store.ParseUntil(untilFlag, time.Now()); err != nil {
				return err
			}
		}
		targets, how, err := a.targets(s, actor, c, args, where)
		if err != nil {
			return err
		}
		cs, err := a.eachUser(s, actor, summary("users", name, how, "--client", strings.Join(clients, ", ")), targets, func(tx *store.Tx, u *store.User) error {
			if !until.IsZero() {
				return tx.AssignClientsUntil(u.ID, 0, clients, until)
			}
			return tx.AssignClients(u.ID, 0, clients, add)
		})
		if err != nil {
			return err
		}
		return a.bulkDone(cs, verb, len(targets))
	})
	return c
}
