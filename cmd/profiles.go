package cmd

import (
	"fmt"
	"strings"

	"github.com/gatehouse/gatehouse/store"
	"github.com/spf13/cobra"
)

func (a *app) profilesCmd() *cobra.Command {
	return group("profiles", "Security profiles (roles): a level per screen",
		a.profilesListCmd(), a.profilesShowCmd(), a.profilesCreateCmd(), a.profilesGrantCmd(), a.profilesScopeCmd(), a.profileRenameCmd(), a.profilesDeleteCmd())
}

func (a *app) profilesListCmd() *cobra.Command {
	c := &cobra.Command{Use: "list", Short: "List profiles", Args: nargs(0, 0, "")}
	c.RunE = a.with(func(s *store.Store, actor store.Actor, args []string) error {
		if err := s.Capabilities(actor).May(store.ReadProfiles); err != nil {
			return err
		}
		counts, screens, who := s.ProfileUsers(), s.Screens(), s.ActorNames(actor)
		out := []profileView{}
		for _, p := range s.Profiles() {
			v := viewProfile(p, counts[p.ID], screens, false)
			v.UpdatedBy = who(v.UpdatedBy)
			out = append(out, v)
		}
		if a.json {
			return a.printJSON(out)
		}
		tw := newTable(a.env.Out)
		row(tw, "PROFILE", "FOR", "SCOPE", "USERS", "MAINTAIN", "VIEW", "BUILT-IN")
		for _, p := range s.Profiles() {
			var m, v int
			for _, sc := range screens {
				switch p.Level(sc.Key) {
				case store.Maintain:
					m++
				case store.View:
					v++
				}
			}
			row(tw, p.Name, p.Type.String(), p.Scope.String(), fmt.Sprint(counts[p.ID]), fmt.Sprint(m), fmt.Sprint(v), yesNo(p.Builtin))
		}
		tw.Flush()
		a.printf("\nMAINTAIN and VIEW count screens; see one profile's matrix: gatehouse profiles show NAME\n")
		return nil
	})
	return c
}

func (a *app) profilesShowCmd() *cobra.Command {
	c := &cobra.Command{Use: "show PROFILE", Short: "Show a profile: type, scope, holders and its matrix of screens", Args: nargs(1, 1, "one PROFILE")}
	c.RunE = a.with(func(s *store.Store, actor store.Actor, args []string) error {
		if err := s.Capabilities(actor).May(store.ReadProfiles); err != nil {
			return err
		}
		p, err := s.Profile(args[0])
		if err != nil {
			return err
		}
		screens := s.Screens()
		v := viewProfile(p, s.ProfileUsers()[p.ID], screens, true)
		v.UpdatedBy = s.ActorNames(actor)(v.UpdatedBy)
		if a.json {
			return a.printJSON(v)
		}
		a.printf("%s\n", p.Name)
		tw := newTable(a.env.Out)
		row(tw, "  for:", p.Type.String()+" users")
		row(tw, "  scope:", p.Scope.String())
		if p.Type == store.Employee {
			cr := "no"
			if p.ClientRestricted {
				cr = "yes: holders assigned to clients see only those clients' data"
			}
			row(tw, "  client-restricted:", cr)
		}
		row(tw, "  built-in:", yesNo(p.Builtin))
		row(tw, "  users:", fmt.Sprintf("%d (see: gatehouse users list --status all --profile %q)", v.Users, p.Name))
		row(tw, "  updated:", fmt.Sprintf("%s by %s (version %d)", when(p.Updated), orDash(v.UpdatedBy), p.Version))
		tw.Flush()
		a.printf("\n")
		a.printMatrix(screens, func(key string) store.Level { return p.Level(key) })
		return nil
	})
	return c
}

// printMatrix prints screens grouped by their group, sensitive ones marked.
func (a *app) printMatrix(screens []*store.Screen, level func(string) store.Level) {
	var groups []string
	by := map[string][]*store.Screen{}
	for _, sc := range screens {
		g := sc.Group
		if g == "" {
			g = "Other"
		}
		if _, ok := by[g]; !ok {
			groups = append(groups, g)
		}
		by[g] = append(by[g], sc)
	}
	tw := newTable(a.env.Out)
	row(tw, "  SCREEN", "KEY", "LEVEL")
	sensitive := false
	for _, g := range groups {
		row(tw, g, "", "")
		for _, sc := range by[g] {
			title := sc.Title
			if sc.Sensitive {
				title += " !"
				sensitive = true
			}
			row(tw, "  "+title, sc.Key, level(sc.Key).String())
		}
	}
	tw.Flush()
	if sensitive {
		a.printf("\n! sensitive screen\n")
	}
}

func (a *app) profilesCreateCmd() *cobra.Command {
	var typ, copyFrom string
	c := &cobra.Command{
		Use:     "create PROFILE --type employee|client [--copy-from OTHER]",
		Short:   "Create a profile, empty or copied from another",
		Example: `  gatehouse profiles create "Site lead" --type employee --copy-from Supervisor`,
		Args:    nargs(1, 1, "one PROFILE name (quote names with spaces)"),
	}
	c.Flags().StringVar(&typ, "type", "", "employee or client (required)")
	c.Flags().StringVar(&copyFrom, "copy-from", "", "copy levels (and scope) from this profile")
	c.RunE = a.with(func(s *store.Store, actor store.Actor, args []string) error {
		if typ == "" {
			return usagef("profiles create needs --type employee|client; run 'gatehouse profiles create --help'")
		}
		t, err := store.ParseUserType(typ)
		if err != nil {
			return err
		}
		var p *store.Profile
		cs, err := s.ApplyGrouped(actor, summary("profiles create", args[0]), func(tx *store.Tx) error {
			var err error
			p, err = tx.CreateProfile(args[0], t, copyFrom)
			return err
		})
		if err != nil {
			return err
		}
		done := fmt.Sprintf("created %s profile %s", p.Type, p.Name)
		if copyFrom != "" {
			done += " from " + copyFrom
		}
		return a.report(cs, done)
	})
	return c
}

func (a *app) profilesGrantCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "grant PROFILE SCREEN=LEVEL...",
		Short: "Set a profile's level (none, view, maintain) on screens, in one change set",
		Long: `Set a profile's level on one or more screens, all in one change set.
Levels: none < view < maintain. With the client guardrail on, client profiles
get at most view and never a sensitive screen. See the screens: gatehouse screens list`,
		Example: `  gatehouse profiles grant Client scheduler=view timesheets=view reports=view payroll=none`,
		Args:    nargs(2, -1, "a PROFILE and at least one SCREEN=LEVEL"),
	}
	c.RunE = a.with(func(s *store.Store, actor store.Actor, args []string) error {
		type grant struct {
			screen string
			level  store.Level
		}
		var grants []grant
		for _, arg := range args[1:] {
			k, v, ok := strings.Cut(arg, "=")
			if !ok || strings.TrimSpace(k) == "" {
				return usagef("%q is not SCREEN=LEVEL (e.g. scheduler=view)", arg)
			}
			l, err := store.ParseLevel(v)
			if err != nil {
				return usagef("%q: %v", arg, err)
			}
			grants = append(grants, grant{strings.TrimSpace(k), l})
		}
		name := args[0]
		cs, err := s.ApplyGrouped(actor, summary("profiles grant", strings.Join(args, " ")), func(tx *store.Tx) error {
			for _, g := range grants {
				if err := tx.Grant(name, 0, g.screen, g.level); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		if p, err := s.Profile(name); err == nil {
			name = p.Name
		}
		var what []string
		for _, e := range cs.Entries {
			what = append(what, e.Field+"="+e.After)
		}
		done := "profile " + name + ": " + strings.Join(what, " ")
		if err := a.report(cs, done); err != nil {
			return err
		}
		if !a.json && len(cs.Entries) > 0 {
			if n := s.ProfileUsers()[profileID(s, name)]; n > 0 {
				a.printf("%s %s\n", plural(n, "user holds", "users hold"), name)
			}
		}
		return nil
	})
	return c
}

func profileID(s *store.Store, name string) uint64 {
	if p, err := s.Profile(name); err == nil {
		return p.ID
	}
	return 0
}

func (a *app) profilesDeleteCmd() *cobra.Command {
	c := &cobra.Command{Use: "delete PROFILE", Short: "Delete a profile nobody holds (built-ins cannot be deleted)", Args: nargs(1, 1, "one PROFILE")}
	c.RunE = a.with(func(s *store.Store, actor store.Actor, args []string) error {
		cs, err := s.ApplyGrouped(actor, summary("profiles delete", args[0]), func(tx *store.Tx) error {
			return tx.DeleteProfile(args[0])
		})
		if err != nil {
			return err
		}
		return a.report(cs, "deleted profile "+args[0])
	})
	return c
}

// ---- screens

func (a *app) screensCmd() *cobra.Command {
	lst := &cobra.Command{Use: "list", Short: "List the screen catalog", Args: nargs(0, 0, "")}
	lst.RunE = a.with(func(s *store.Store, actor store.Actor, args []string) error {
		if err := s.Capabilities(actor).May(store.ReadScreens); err != nil {
			return err
		}
		out := []screenView{}
		for _, sc := range s.Screens() {
			out = append(out, screenView{Key: sc.Key, Title: sc.Title, Group: sc.Group, Sensitive: sc.Sensitive, Builtin: sc.Builtin})
		}
		if a.json {
			return a.printJSON(out)
		}
		tw := newTable(a.env.Out)
		row(tw, "KEY", "TITLE", "GROUP", "SENSITIVE", "BUILT-IN")
		for _, sc := range out {
			row(tw, sc.Key, sc.Title, orDash(sc.Group), yesNo(sc.Sensitive), yesNo(sc.Builtin))
		}
		return tw.Flush()
	})
	var title, grp string
	var sensitive bool
	add := &cobra.Command{
		Use:     "add KEY [--title T] [--group G] [--sensitive]",
		Short:   "Add a screen to the catalog",
		Example: `  gatehouse screens add expenses --title Expenses --group Finance --sensitive`,
		Args:    nargs(1, 1, "one KEY (one word)"),
	}
	add.Flags().StringVar(&title, "title", "", "title shown in the console (default: the key)")
	add.Flags().StringVar(&grp, "group", "", "group in the matrix")
	add.Flags().BoolVar(&sensitive, "sensitive", false, "a sensitive screen: never for client profiles while the guardrail is on")
	add.RunE = a.with(func(s *store.Store, actor store.Actor, args []string) error {
		var sc *store.Screen
		cs, err := s.ApplyGrouped(actor, summary("screens add", args[0]), func(tx *store.Tx) error {
			var err error
			sc, err = tx.AddScreen(args[0], title, grp, sensitive)
			return err
		})
		if err != nil {
			return err
		}
		done := fmt.Sprintf("added screen %s (%s)", sc.Key, sc.Title)
		if sc.Sensitive {
			done += ", sensitive"
		}
		return a.report(cs, done)
	})
	return group("screens", "The screen catalog", lst, add, a.screenRetitleCmd())
}
