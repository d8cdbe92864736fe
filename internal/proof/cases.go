package proof

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/store"
)

// Case is one mutating command tried by one actor: the same operation as a
// command line (CLI --as, SSH exec) and through the store (tx methods, or a
// store method taking the actor).
type Case struct {
	Command string // "users edit --first"
	Kind    string // in | out | above: in the actor's scope, out of it, above their level
	Target  string // what it is tried on
	Args    []string
	Stdin   string
	Tx      func(*store.Tx) error
	Store   func(*store.Store, store.Actor) error
	Files   []string // files it may write ({dir} is the run's folder)
}

func (c Case) String() string { return fmt.Sprintf("%s [%s: %s]", c.Command, c.Kind, c.Target) }

// Expand replaces {dir} in the arguments and files.
func (c Case) Expand(dir string) Case {
	r := strings.NewReplacer("{dir}", dir)
	c.Args = append([]string(nil), c.Args...)
	for i := range c.Args {
		c.Args[i] = r.Replace(c.Args[i])
	}
	c.Files = append([]string(nil), c.Files...)
	for i := range c.Files {
		c.Files[i] = r.Replace(c.Files[i])
	}
	return c
}

// ShellLine quotes the arguments for an SSH exec command line.
func ShellLine(args []string) string {
	q := make([]string, len(args))
	for i, a := range args {
		q[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	return strings.Join(q, " ")
}

func onUser(email string, op func(tx *store.Tx, u *store.User) error) func(*store.Tx) error {
	return func(tx *store.Tx) error {
		u, err := tx.UserByEmail(email)
		if err != nil {
			return err
		}
		return op(tx, u)
	}
}

// where runs op on every user a --where expression selects, in one change
// set, as a bulk command does (the store, not a filter, decides the rights).
func where(expr string, op func(tx *store.Tx, u *store.User) error) func(*store.Store, store.Actor) error {
	return func(s *store.Store, a store.Actor) error {
		f, err := store.ParseWhere(expr)
		if err != nil {
			return err
		}
		users, err := s.Users(f)
		if err != nil {
			return err
		}
		_, err = s.Apply(a, "where "+expr, func(tx *store.Tx) error {
			for _, u := range users {
				if err := op(tx, u); err != nil {
					return err
				}
			}
			return nil
		})
		return err
	}
}

type target struct{ email, kind string }

// UntilDate is the end the matrix gives temporary grants: a year ahead.
var UntilDate = time.Now().AddDate(1, 0, 0).UTC().Format("2006-01-02")

func until() time.Time {
	at, err := store.ParseUntil(UntilDate, time.Now())
	if err != nil {
		panic(err)
	}
	return at
}

var userTargets = []target{
	{TIn, "in"}, {TNoSite, "in"},
	{TOut, "out"}, {TOutTeam, "out"}, {TMixed, "out"},
	{TAbove, "above"}, {TAboveAll, "above"}, {TAdmin2, "above"},
}

var disabledTwin = map[string]string{TIn: TInOff, TOut: TOutOff, TAbove: TAboveOff}

func local(email string) string { l, _, _ := strings.Cut(email, "@"); return l }

// Cases is the escalation matrix for one actor: every mutating command
// against targets in and out of scope and above the actor's level, plus the
// classic holes (grants that carry more than they seem; targets read from
// user input in another case, with spaces, as "Site/Team" or through --where).
func Cases(w *World) []Case {
	var cs []Case
	add := func(c Case) { cs = append(cs, c) }
	for _, t := range userTargets {
		T := t.email
		first := func(tx *store.Tx, u *store.User) error {
			_, err := tx.EditUser(u.ID, 0, store.UserPatch{First: ptr("Renamed")})
			return err
		}
		add(Case{Command: "users edit --first", Kind: t.kind, Target: T, Args: []string{"users", "edit", T, "--first", "Renamed"}, Tx: onUser(T, first)})
		add(Case{Command: "users edit --last", Kind: t.kind, Target: T, Args: []string{"users", "edit", T, "--last", "Renamed"},
			Tx: onUser(T, func(tx *store.Tx, u *store.User) error {
				_, err := tx.EditUser(u.ID, 0, store.UserPatch{Last: ptr("Renamed")})
				return err
			})})
		newEmail := "renamed." + local(T) + "@example.com"
		add(Case{Command: "users edit --email", Kind: t.kind, Target: T, Args: []string{"users", "edit", T, "--email", newEmail},
			Tx: onUser(T, func(tx *store.Tx, u *store.User) error {
				_, err := tx.EditUser(u.ID, 0, store.UserPatch{Email: &newEmail})
				return err
			})})
		add(Case{Command: "users edit --profile Basic", Kind: t.kind, Target: T, Args: []string{"users", "edit", T, "--profile", "Basic"},
			Tx: onUser(T, func(tx *store.Tx, u *store.User) error {
				_, err := tx.EditUser(u.ID, 0, store.UserPatch{Profile: ptr("Basic")})
				return err
			})})
		add(Case{Command: "users edit --default-site", Kind: t.kind, Target: T, Args: []string{"users", "edit", T, "--default-site", SiteIn},
			Tx: onUser(T, func(tx *store.Tx, u *store.User) error {
				_, err := tx.EditUser(u.ID, 0, store.UserPatch{DefaultSite: ptr(SiteIn)})
				return err
			})})
		add(Case{Command: "users disable", Kind: t.kind, Target: T, Args: []string{"users", "disable", T},
			Tx: onUser(T, func(tx *store.Tx, u *store.User) error { return tx.SetDisabled(u.ID, 0, true) })})
		if off, ok := disabledTwin[T]; ok {
			add(Case{Command: "users enable", Kind: t.kind, Target: off, Args: []string{"users", "enable", off},
				Tx: onUser(off, func(tx *store.Tx, u *store.User) error { return tx.SetDisabled(u.ID, 0, false) })})
		}
		add(Case{Command: "users delete", Kind: t.kind, Target: T, Args: []string{"users", "delete", T},
			Tx: onUser(T, func(tx *store.Tx, u *store.User) error { return tx.DeleteUser(u.ID, 0) })})
		add(Case{Command: "users set-password", Kind: t.kind, Target: T, Args: []string{"users", "set-password", T}, Stdin: "a brand new passphrase\n",
			Tx: onUser(T, func(tx *store.Tx, u *store.User) error { return tx.SetPassword(u.ID, 0, "a brand new passphrase") })})
		add(Case{Command: "users invite", Kind: t.kind, Target: T, Args: []string{"users", "invite", T},
			Tx: onUser(T, func(tx *store.Tx, u *store.User) error { return tx.ResendInvite(u.ID) })})
		add(Case{Command: "users feature", Kind: t.kind, Target: T, Args: []string{"users", "feature", T, "portal=deny"},
			Tx: onUser(T, func(tx *store.Tx, u *store.User) error {
				return tx.SetFeature(u.ID, 0, store.FeaturePortal, store.Deny)
			})})
		add(Case{Command: "users assign-client", Kind: t.kind, Target: T, Args: []string{"users", "assign-client", T, "--client", "Zeta"},
			Tx: onUser(T, func(tx *store.Tx, u *store.User) error { return tx.AssignClients(u.ID, 0, []string{"Zeta"}, true) })})
		add(Case{Command: "users unassign-client", Kind: t.kind, Target: T, Args: []string{"users", "unassign-client", T, "--client", "Acme"},
			Tx: onUser(T, func(tx *store.Tx, u *store.User) error { return tx.AssignClients(u.ID, 0, []string{"Acme"}, false) })})
		add(Case{Command: "sites assign --team", Kind: t.kind, Target: T, Args: []string{"sites", "assign", T, "--team", TeamIn},
			Tx: onUser(T, func(tx *store.Tx, u *store.User) error { return tx.AssignSites(u.ID, 0, nil, []string{TeamIn}, true) })})
		// access that ends by itself: the same rights as the grant
		add(Case{Command: "sites assign --until", Kind: t.kind, Target: T, Args: []string{"sites", "assign", T, "--site", SiteIn, "--until", UntilDate},
			Tx: onUser(T, func(tx *store.Tx, u *store.User) error {
				return tx.AssignSitesUntil(u.ID, 0, []string{SiteIn}, nil, until())
			})})
		add(Case{Command: "users edit --profile --until", Kind: t.kind, Target: T, Args: []string{"users", "edit", T, "--profile", "Basic", "--until", UntilDate},
			Tx: onUser(T, func(tx *store.Tx, u *store.User) error {
				_, err := tx.EditUser(u.ID, 0, store.UserPatch{Profile: ptr("Basic"), ProfileUntil: until()})
				return err
			})})
		unSites, unTeams := []string{SiteIn}, []string(nil)
		switch T {
		case TOut:
			unSites = []string{SiteOut}
		case TOutTeam:
			unSites, unTeams = nil, []string{TeamOut}
		}
		unArgs := []string{"sites", "unassign", T}
		for _, s := range unSites {
			unArgs = append(unArgs, "--site", s)
		}
		for _, s := range unTeams {
			unArgs = append(unArgs, "--team", s)
		}
		add(Case{Command: "sites unassign", Kind: t.kind, Target: T, Args: unArgs,
			Tx: onUser(T, func(tx *store.Tx, u *store.User) error { return tx.AssignSites(u.ID, 0, unSites, unTeams, false) })})
		newKey := AuthorizedKey("new key for " + T)
		add(Case{Command: "users add-key", Kind: t.kind, Target: T, Args: []string{"users", "add-key", T, "-"}, Stdin: newKey + "\n",
			Tx: onUser(T, func(tx *store.Tx, u *store.User) error { _, err := tx.AddKey(u.ID, newKey); return err })})
		switch T {
		case TIn, TOut, TAbove, TAdmin2:
			fp := Fingerprint(T)
			add(Case{Command: "users remove-key", Kind: t.kind, Target: T, Args: []string{"users", "remove-key", T, fp},
				Tx: onUser(T, func(tx *store.Tx, u *store.User) error { return tx.RemoveKey(u.ID, fp) })})
		}
	}

	// a place out of scope given to a user in scope
	for _, p := range []struct{ cmd, kind, site, team string }{
		{"sites assign --site (in)", "in", SiteIn, ""},
		{"sites assign --site (out)", "out", SiteOut, ""},
		{"sites assign --site (Acme, not the actor's)", "out", SiteInToo, ""},
		{"sites assign --team (out, Site/Team)", "out", "", TeamOut},
		{"sites assign --team (out, by name)", "out", "", TeamOutName},
		{"sites assign --team (out, other case and spaces)", "out", "", " zeta hq / night "},
	} {
		args := []string{"sites", "assign", TNoSite}
		var sites, teams []string
		if p.site != "" {
			args, sites = append(args, "--site", p.site), []string{p.site}
		}
		if p.team != "" {
			args, teams = append(args, "--team", p.team), []string{p.team}
		}
		add(Case{Command: p.cmd, Kind: p.kind, Target: TNoSite, Args: args,
			Tx: onUser(TNoSite, func(tx *store.Tx, u *store.User) error { return tx.AssignSites(u.ID, 0, sites, teams, true) })})
	}

	// users add: the new user's places and profile
	for i, n := range []struct {
		kind, what string
		nu         store.NewUser
	}{
		{"in", "User at the actor's site", store.NewUser{Profile: "User", Sites: []string{SiteIn}}},
		{"in", "Basic without sites", store.NewUser{Profile: "Basic"}},
		{"in", "client user of Acme at the actor's site", store.NewUser{Type: store.ClientUser, Profile: "Client", Clients: []string{"Acme"}, Sites: []string{SiteIn}}},
		{"out", "User at an out-of-scope site", store.NewUser{Profile: "User", Sites: []string{SiteOut}}},
		{"out", "User in an out-of-scope team", store.NewUser{Profile: "User", Teams: []string{TeamOut}}},
		{"out", "User in an out-of-scope team named alone", store.NewUser{Profile: "User", Teams: []string{TeamOutName}}},
		{"out", "User at the actor's site and another", store.NewUser{Profile: "User", Sites: []string{SiteIn, SiteOut}}},
		{"out", "client user of Zeta", store.NewUser{Type: store.ClientUser, Profile: "Client", Clients: []string{"Zeta"}, Sites: []string{SiteOut}}},
		{"above", "Supervisor+payroll (looks lower, views payroll)", store.NewUser{Profile: ProfileSupPay, Sites: []string{SiteIn}}},
		{"above", "Manager (all sites) (reaches every site)", store.NewUser{Profile: ProfileAllSites, Sites: []string{SiteIn}}},
		{"above", "Administrator", store.NewUser{Profile: "Administrator", Sites: []string{SiteIn}}},
		{"above", "client user with Client+", store.NewUser{Type: store.ClientUser, Profile: ProfileClientP, Clients: []string{"Acme"}, Sites: []string{SiteIn}}},
	} {
		nu := n.nu
		nu.First, nu.Last, nu.Email = "New", fmt.Sprintf("Hire%d", i), fmt.Sprintf("new%d@example.com", i)
		args := []string{"users", "add", "--first", nu.First, "--last", nu.Last, "--email", nu.Email, "--type", nu.Type.String(), "--profile", nu.Profile}
		for _, c := range nu.Clients {
			args = append(args, "--client", c)
		}
		for _, s := range nu.Sites {
			args = append(args, "--site", s)
		}
		for _, t := range nu.Teams {
			args = append(args, "--team", t)
		}
		add(Case{Command: "users add", Kind: n.kind, Target: n.what, Args: args, Tx: func(tx *store.Tx) error { _, err := tx.AddUser(nu); return err }})
	}

	// a profile granted to a user in scope
	for _, g := range []struct{ kind, email, profile, client string }{
		{"in", TIn, "User", ""},
		{"cross", TIn, "Client", "Acme"}, // an employee made a client user: all-sites actors only
		{"out", TOut, "Client", "Zeta"},
		{"above", TIn, ProfileSupPay, ""},
		{"above", TIn, ProfileAllSites, ""},
		{"above", TIn, "Administrator", ""},
		{"above", TInClient, ProfileClientP, ""},
	} {
		args := []string{"users", "edit", g.email, "--profile", g.profile}
		p := store.UserPatch{Profile: ptr(g.profile)}
		if g.client != "" {
			args = append(args, "--client", g.client)
			p.Client = ptr(g.client)
		}
		add(Case{Command: "users edit --profile (grant)", Kind: g.kind, Target: g.email + " → " + g.profile, Args: args,
			Tx: onUser(g.email, func(tx *store.Tx, u *store.User) error { _, err := tx.EditUser(u.ID, 0, p); return err })})
	}

	// the target read from input: case, spaces, --where
	for _, r := range []struct{ kind, cmd, target string }{
		{"out", "users disable (email in other case, with spaces)", " OUT@Example.COM "},
		{"above", "users disable (email in other case)", "ADMIN2@EXAMPLE.COM"},
	} {
		tgt := r.target
		add(Case{Command: r.cmd, Kind: r.kind, Target: tgt, Args: []string{"users", "disable", tgt},
			Tx: onUser(tgt, func(tx *store.Tx, u *store.User) error { return tx.SetDisabled(u.ID, 0, true) })})
	}
	add(Case{Command: "users set-password (email in other case)", Kind: "above", Target: "Admin2@Example.com", Args: []string{"users", "set-password", "Admin2@Example.com"},
		Stdin: "a brand new passphrase\n",
		Tx:    onUser("Admin2@Example.com", func(tx *store.Tx, u *store.User) error { return tx.SetPassword(u.ID, 0, "a brand new passphrase") })})
	disable := func(tx *store.Tx, u *store.User) error { return tx.SetDisabled(u.ID, 0, true) }
	for _, r := range []struct{ kind, expr string }{
		{"in", "text=" + TIn},
		{"out", "site=" + SiteOut},
		{"out", "site=zeta hq"},
		{"out", `team="Zeta HQ/Night"`},
		{"out", "client=Zeta,type=client"},
		{"above", "profile=" + ProfileSupPay},
		{"above", "profile=administrator"},
	} {
		add(Case{Command: "users disable --where", Kind: r.kind, Target: r.expr, Args: []string{"users", "disable", "--where", r.expr}, Store: where(r.expr, disable)})
	}
	feat := "site=" + SiteOut + ",type=employee"
	add(Case{Command: "users feature --where", Kind: "out", Target: feat, Args: []string{"users", "feature", "--where", feat, "portal=deny"},
		Store: where(feat, func(tx *store.Tx, u *store.User) error {
			return tx.SetFeature(u.ID, 0, store.FeaturePortal, store.Deny)
		})})

	// shared: profiles, screens, settings
	prof := func(kind, what string, args []string, tx func(*store.Tx) error) {
		add(Case{Command: "profiles " + args[1], Kind: kind, Target: what, Args: args, Tx: tx})
	}
	prof("in", "new empty profile", []string{"profiles", "create", "Fresh", "--type", "employee"},
		func(tx *store.Tx) error { _, err := tx.CreateProfile("Fresh", store.Employee, ""); return err })
	prof("above", "copy of Administrator", []string{"profiles", "create", "Copy1", "--type", "employee", "--copy-from", "Administrator"},
		func(tx *store.Tx) error {
			_, err := tx.CreateProfile("Copy1", store.Employee, "Administrator")
			return err
		})
	prof("above", "copy of an all-sites profile", []string{"profiles", "create", "Copy2", "--type", "employee", "--copy-from", ProfileAllSites},
		func(tx *store.Tx) error {
			_, err := tx.CreateProfile("Copy2", store.Employee, ProfileAllSites)
			return err
		})
	for _, g := range []struct{ kind, profile, screen, level string }{
		{"in", "Basic", "roster", "none"},
		{"in", "Basic", "scheduler", "view"},
		{"in", ProfileClientP, "timesheets", "view"},
		{"above", "Basic", "payroll", "view"},
		{"above", "Basic", "users", "maintain"},
		{"above", "Manager", "settings", "maintain"},
		{"above", ProfileAllSites, "payroll", "view"},
	} {
		l, _ := store.ParseLevel(g.level)
		prof(g.kind, g.profile+" "+g.screen+"="+g.level, []string{"profiles", "grant", g.profile, g.screen + "=" + g.level},
			func(tx *store.Tx) error { return tx.Grant(g.profile, 0, g.screen, l) })
	}
	for _, sc := range []struct{ kind, profile, scope string }{
		{"in", ProfileAllSites, "assigned"},
		{"above", "Basic", "all"},
		{"above", ProfileSupPay, "all"},
	} {
		scope, _ := store.ParseScope(sc.scope)
		prof(sc.kind, sc.profile+" → "+sc.scope, []string{"profiles", "scope", sc.profile, sc.scope},
			func(tx *store.Tx) error { return tx.SetProfileScope(sc.profile, scope) })
	}
	prof("in", "unused profile", []string{"profiles", "delete", ProfileSpare}, func(tx *store.Tx) error { return tx.DeleteProfile(ProfileSpare) })
	add(Case{Command: "screens add", Kind: "in", Target: "new screen", Args: []string{"screens", "add", "newscreen", "--title", "New screen"},
		Tx: func(tx *store.Tx) error { _, err := tx.AddScreen("newscreen", "New screen", "", false); return err }})
	add(Case{Command: "clients add", Kind: "in", Target: "NewCo", Args: []string{"clients", "add", "NewCo"},
		Tx: func(tx *store.Tx) error { _, err := tx.AddClient("NewCo"); return err }})
	add(Case{Command: "sites add", Kind: "in", Target: "own site", Args: []string{"sites", "add", "New Site"},
		Tx: func(tx *store.Tx) error { _, err := tx.AddSite("New Site", ""); return err }})
	add(Case{Command: "sites add", Kind: "out", Target: "a site of Zeta", Args: []string{"sites", "add", "Zeta Annex", "--client", "Zeta"},
		Tx: func(tx *store.Tx) error { _, err := tx.AddSite("Zeta Annex", "Zeta"); return err }})
	add(Case{Command: "teams add", Kind: "in", Target: "team at the actor's site", Args: []string{"teams", "add", "Crew", "--site", SiteIn},
		Tx: func(tx *store.Tx) error { _, err := tx.AddTeam("Crew", SiteIn); return err }})
	add(Case{Command: "teams add", Kind: "out", Target: "team at an out-of-scope site", Args: []string{"teams", "add", "Crew", "--site", SiteOut},
		Tx: func(tx *store.Tx) error { _, err := tx.AddTeam("Crew", SiteOut); return err }})
	for _, st := range []struct{ kind, key, value string }{
		{"in", "portal", "off"},
		{"in", "lockout-attempts", "50"},
		{"above", "client-guardrail", "off"},
	} {
		add(Case{Command: "settings set", Kind: st.kind, Target: st.key + "=" + st.value, Args: []string{"settings", "set", st.key, st.value},
			Tx: func(tx *store.Tx) error { return tx.SetSetting(st.key, st.value) }})
	}

	// nothing above the actor may be changed, down as well as up: the
	// Administrator profile lowered or narrowed, a profile above deleted or
	// lowered, the actor's own raised
	for _, g := range []struct{ kind, profile, screen, level string }{
		{"above", "Administrator", "payroll", "none"},
		{"above", "Administrator", "roster", "view"},
		{"above", ProfileSupPay, "payroll", "none"},
		{"above", ProfileAllSites, "payroll", "view"}, // HR's own, raised
		{"in", ProfileAllSites, "leave", "view"},      // HR's own, lowered
	} {
		l, _ := store.ParseLevel(g.level)
		prof(g.kind, g.profile+" "+g.screen+"="+g.level+" (down or own)", []string{"profiles", "grant", g.profile, g.screen + "=" + g.level},
			func(tx *store.Tx) error { return tx.Grant(g.profile, 0, g.screen, l) })
	}
	prof("above", "Administrator → assigned", []string{"profiles", "scope", "Administrator", "assigned"},
		func(tx *store.Tx) error { return tx.SetProfileScope("Administrator", store.ScopeAssigned) })
	prof("above", "unused profile above", []string{"profiles", "delete", ProfileUnusedUp}, func(tx *store.Tx) error { return tx.DeleteProfile(ProfileUnusedUp) })

	// the client boundary: a client user made an employee (and so able to
	// hold a sensitive screen), an employee made a client user, a contact
	// moved to another client
	for _, x := range []struct{ email, profile, client, what string }{
		{TInClient, "Basic", "", "client user → employee Basic"},
		{TInClient, "Manager", "", "client user → employee Manager"},
		{TIn, "Client", "Acme", "employee → client user of Acme"},
		{TZetaBare, "", "Acme", "Zeta contact → Acme"},
		{TZetaBare, "Client", "Acme", "Zeta contact → Acme, with the profile"},
	} {
		args := []string{"users", "edit", x.email}
		p := store.UserPatch{}
		if x.profile != "" {
			args, p.Profile = append(args, "--profile", x.profile), ptr(x.profile)
		}
		if x.client != "" {
			args, p.Client = append(args, "--client", x.client), ptr(x.client)
		}
		add(Case{Command: "users edit (client boundary)", Kind: "cross", Target: x.what, Args: args,
			Tx: onUser(x.email, func(tx *store.Tx, u *store.User) error { _, err := tx.EditUser(u.ID, 0, p); return err })})
	}
	add(Case{Command: "users add (client boundary)", Kind: "cross", Target: "client user of Zeta without sites",
		Args: []string{"users", "add", "--first", "New", "--last", "Zed", "--email", "newzed@zeta.example", "--type", "client", "--profile", "Client", "--client", "Zeta"},
		Tx: func(tx *store.Tx) error {
			_, err := tx.AddUser(store.NewUser{First: "New", Last: "Zed", Email: "newzed@zeta.example", Type: store.ClientUser, Profile: "Client", Clients: []string{"Zeta"}})
			return err
		}})

	// default sites: another client's for a client user, a site not the actor's
	for _, d := range []struct{ kind, email, site string }{
		{"out", TInClient, SiteOut},   // Zeta's, for an Acme contact
		{"out", TInClient, SiteInToo}, // Acme's, but not a scoped actor's
		{"out", TIn, SiteOwn},         // the business's own, not a scoped actor's
		{"in", TInClient, SiteIn},
	} {
		add(Case{Command: "users edit --default-site (where)", Kind: d.kind, Target: d.email + " → " + d.site, Args: []string{"users", "edit", d.email, "--default-site", d.site},
			Tx: onUser(d.email, func(tx *store.Tx, u *store.User) error {
				_, err := tx.EditUser(u.ID, 0, store.UserPatch{DefaultSite: ptr(d.site)})
				return err
			})})
	}

	// someone else's invitation: its token read from the outbox the actor
	// may see, then redeemed (the store only: no command redeems a token)
	for _, r := range []struct{ kind, email string }{{"above", TAdmin2}, {"in", TNoSite}} {
		add(Case{Command: "accept another's invitation (token from the outbox)", Kind: r.kind, Target: r.email,
			Store: func(s *store.Store, a store.Actor) error {
				msgs, err := s.OutboxFor(a)
				if err != nil {
					return err
				}
				for _, m := range msgs {
					if !strings.EqualFold(m.To, r.email) || m.State != store.MessageQueued {
						continue
					}
					for _, w := range strings.Fields(m.Body) {
						if _, err := s.AcceptInvitation(w, "taken over by someone else 42"); err == nil {
							return nil
						}
					}
				}
				return fmt.Errorf("no token of %s in the outbox %s may read", r.email, a.Name)
			}})
	}

	// whole lives: rename, retire, restore, delete, move — in the actor's
	// sites and out of them; clients, profiles and screens are shared
	life := func(kind, target string, args []string, tx func(*store.Tx) error) {
		add(Case{Command: args[0] + " " + args[1], Kind: kind, Target: target, Args: args, Tx: tx})
	}
	life("in", "own site renamed", []string{"sites", "rename", SiteIn, "North Hub"}, func(tx *store.Tx) error { return tx.RenameSite(SiteIn, "North Hub") })
	life("out", "another's site renamed", []string{"sites", "rename", SiteInToo, "South Hub"}, func(tx *store.Tx) error { return tx.RenameSite(SiteInToo, "South Hub") })
	life("out", "Zeta's site retired", []string{"sites", "retire", SiteOut}, func(tx *store.Tx) error { return tx.RetireSite(SiteOut) })
	life("in", "own site retired", []string{"sites", "retire", SiteIn}, func(tx *store.Tx) error { return tx.RetireSite(SiteIn) })
	life("out", "another's team renamed", []string{"teams", "rename", TeamOut, "Nights"}, func(tx *store.Tx) error { return tx.RenameTeam(TeamOut, "Nights") })
	life("out", "own team moved to another's site", []string{"teams", "move", TeamIn, "--to", SiteInToo},
		func(tx *store.Tx) error { return tx.MoveTeam(TeamIn, SiteInToo) })
	life("out", "another's team retired", []string{"teams", "retire", TeamOut}, func(tx *store.Tx) error { return tx.RetireTeam(TeamOut) })
	life("out", "client renamed", []string{"clients", "rename", "Zeta", "Zeta Group"}, func(tx *store.Tx) error { return tx.RenameClient("Zeta", "Zeta Group") })
	life("out", "client's contract ended", []string{"clients", "retire", "Zeta"}, func(tx *store.Tx) error { return tx.RetireClient("Zeta") })
	life("above", "Administrator renamed", []string{"profiles", "rename", "Administrator", "Admin"}, func(tx *store.Tx) error { return tx.RenameProfile("Administrator", "Admin") })
	life("in", "Basic renamed", []string{"profiles", "rename", "Basic", "Starter"}, func(tx *store.Tx) error { return tx.RenameProfile("Basic", "Starter") })
	life("in", "a screen retitled", []string{"screens", "retitle", "roster", "Rota"}, func(tx *store.Tx) error { return tx.RetitleScreen("roster", "Rota") })

	// undo someone else's change set
	for _, u := range []struct{ kind, name string }{{"in", "undo-in"}, {"out", "undo-out"}, {"above", "undo-above"}} {
		b := w.Batches[u.name]
		add(Case{Command: "undo", Kind: u.kind, Target: fmt.Sprintf("#%d (%s)", b, u.name), Args: []string{"undo", fmt.Sprint(b)},
			Store: func(s *store.Store, a store.Actor) error { _, err := s.Undo(a, b); return err }})
	}

	// bulk imports
	for _, r := range []struct{ kind, row string }{
		{"in", "Csv,In,csv.in@example.com,employee,User,,North Depot"},
		{"out", "Csv,Out,csv.out@example.com,employee,User,,Zeta HQ"},
		{"above", "Csv,Above,csv.above@example.com,employee,Supervisor+payroll,,North Depot"},
	} {
		csv := store.CSVHeader + "\n" + r.row + "\n"
		add(Case{Command: "import-users", Kind: r.kind, Target: r.row, Args: []string{"import-users", "-"}, Stdin: csv,
			Store: func(s *store.Store, a store.Actor) error {
				_, bad, err := s.ImportUsersCSV(a, strings.NewReader(csv), false)
				if err == nil && len(bad) > 0 {
					err = fmt.Errorf("%v", bad)
				}
				return err
			}})
	}
	for _, r := range []struct{ kind, email string }{{"in", TIn}, {"out", TOut}, {"above", TAbove}} {
		dump := w.dumpWith(r.email)
		add(Case{Command: "import", Kind: r.kind, Target: "an export renaming " + r.email, Args: []string{"import", "-"}, Stdin: string(dump),
			Store: func(s *store.Store, a store.Actor) error {
				d, err := store.ReadDump(bytes.NewReader(dump))
				if err != nil {
					return err
				}
				_, err = s.Import(a, d, false)
				return err
			}})
	}
	add(Case{Command: "backup", Kind: "in", Target: "a copy of everything", Args: []string{"backup", "{dir}/backup.db"}, Files: []string{"{dir}/backup.db"}})
	add(Case{Command: "demo", Kind: "in", Target: "demo data", Args: []string{"demo", "--users", "5"}})
	return cs
}

// dumpWith is the pristine export with one user's first name changed.
func (w *World) dumpWith(email string) []byte {
	var d store.Dump
	if err := json.Unmarshal(w.Dump, &d); err != nil {
		panic(err)
	}
	for i := range d.Users {
		if strings.EqualFold(d.Users[i].Email, email) {
			d.Users[i].First = "Imported"
		}
	}
	b, err := json.Marshal(&d)
	if err != nil {
		panic(err)
	}
	return b
}
