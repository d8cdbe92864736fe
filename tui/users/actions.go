package users

import (
	"fmt"
	"slices"
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"github.com/gatehouse/gatehouse/store"
	"github.com/gatehouse/gatehouse/tui/ui"
)

// The screen's own keys and what they do: the forms and changes on the
// highlighted or selected users.

func (u *Screen) needTarget() string {
	if len(u.users.rows) == 0 && u.users.list.MarkCount() == 0 {
		return "no user is highlighted"
	}
	return ""
}

func (u *Screen) canEdit() string {
	if err := u.host.Store().Capabilities(u.host.Actor()).May(store.EditUsers); err != nil {
		return err.Error()
	}
	return u.needTarget()
}

// Bindings are the screen's own keys (on the highlighted or selected users,
// whichever pane has focus), then the focused pane's.
func (u *Screen) Bindings() []*ui.Binding {
	g := "Users"
	km := u.users.list.KeyMap
	return append([]*ui.Binding{
		ui.Bind(g, "a", "add a user (an invitation is queued)", func() tea.Cmd { return u.addUser() }).Editing().
			When(func() string { return ui.ErrText(u.host.Store().Capabilities(u.host.Actor()).May(store.EditUsers)) }),
		ui.Bind(g, "e", "edit the highlighted user", func() tea.Cmd { return u.editUser() }).Editing().When(u.canEdit),
		ui.Bind(g, "p", "change profile (role) of the highlighted or selected users", func() tea.Cmd { return u.changeProfile() }).Editing().When(u.canEdit),
		ui.Bind(g, "P", "set password (a notice is queued)", func() tea.Cmd { return u.setPassword() }).Editing().When(u.canEdit),
		ui.Bind(g, "i", "resend the invitation", func() tea.Cmd { return u.resendInvite() }).Editing().When(u.canEdit),
		ui.Bind(g, "K", "SSH keys of the highlighted user: add or remove", func() tea.Cmd { return u.manageKeys() }).Editing().When(u.canEdit),
		ui.Bind(g, "d", "disable / enable the highlighted or selected users", func() tea.Cmd { return u.toggleDisabled() }).Editing().When(u.canEdit),
		ui.Bind(g, "x,delete", "delete (refused once a user has records: disable instead)", func() tea.Cmd { return u.deleteUsers() }).Editing().When(u.canEdit),
		ui.Bind(g, "enter", "assign sites & teams to the highlighted or selected users", func() tea.Cmd { return u.openSites() }).When(u.needTarget),
		ui.Bind(g, "h", "history of the highlighted user", func() tea.Cmd { return u.openHistory() }).When(u.needTarget),
		ui.Bind(g, "c", "clients whose data the highlighted or selected employees see: opens Sites & teams at its Clients group", u.openClients).When(u.needTarget),
		ui.Bind(g, "f", "feature overrides (allow / deny / inherit) of the highlighted or selected employees", func() tea.Cmd { return u.featureOverrides() }).Editing().When(u.needTarget),
		ui.BindKey(g, ui.Described(km.Mark, "select / unselect the highlighted user"), func() tea.Cmd { u.users.toggleSel(); return nil }).When(u.needTarget),
		ui.BindKey(g, ui.Described(km.MarkRange, "select the range from the last selected to here"), func() tea.Cmd { u.users.selectRange(); return nil }).
			When(func() string {
				if _, ok := u.users.list.Anchor(); !ok {
					return "select a first user with space"
				}
				if _, ok := u.users.list.AnchorIndex(); !ok {
					return "the user last selected with space is not listed now: select a first user with space"
				}
				return u.needTarget()
			}),
		ui.BindKey(g, ui.Described(km.MarkAll, "select every user the filters show (again: none)"), func() tea.Cmd { u.users.selectAll(); return nil }).When(u.needTarget),
		ui.BindKey(g, ui.Described(km.ClearMarks, "clear the selection"), func() tea.Cmd { u.users.clearSel(); return nil }),
		ui.Bind(g, "t", "employees / client users / everyone", func() tea.Cmd { u.filters.cycle(filterType, 1); return nil }),
		ui.Bind(g, "s", "status filter: active+invited / active / invited / disabled / all", func() tea.Cmd { u.filters.cycle(filterStatus, 1); return nil }),
	}, u.panes[u.host.Focus()].Bindings()...)
}

// nav are the navigation keys of the focused pane: the filters, or the

// openClients opens Sites & teams at its Clients group: the clients whose
// data an employee sees (seed 002: "a user can be assigned to one or more
// clients") move between Available and Assigned like sites, pending until
// ctrl+s saves them with any site moves as one change set.
func (u *Screen) openClients() tea.Cmd {
	u.host.AssignSites(u.targets(), true)
	return nil
}

// featureOverrides sets, per feature, whether the highlighted or selected
// employees follow the org (inherit) or are let in or kept out whatever it
// says; for several users a feature may be left as each has it. Client
// users follow the org: they are left out, and the form says so.
func (u *Screen) featureOverrides() tea.Cmd {
	var emps []*store.User
	skipped := 0
	for _, us := range u.targets() {
		if store.MayOverrideFeatures(us) {
			emps = append(emps, us)
		} else {
			skipped++
		}
	}
	if len(emps) == 0 {
		u.host.Flash("feature overrides are for employees; client users follow the org's settings", true)
		return nil
	}
	org := u.host.Store().Settings()
	const keep = "keep"
	choices := make([]string, len(store.Features()))
	var fields []huh.Field
	for i, f := range store.Features() {
		var opts []huh.Option[string]
		cur := ""
		if len(emps) == 1 {
			cur = emps[0].Features[f].String()
		} else {
			opts = append(opts, huh.NewOption("keep each user's own", keep))
			cur = keep
		}
		for _, o := range []store.Override{store.Inherit, store.Allow, store.Deny} {
			label := map[store.Override]string{
				store.Inherit: "inherit: follow the org (now " + org.Value(f.String()) + ")",
				store.Allow:   "allow, whatever the org says",
				store.Deny:    "deny, whatever the org says",
			}[o]
			opts = append(opts, huh.NewOption(nowMark(label, o.String() == cur), o.String()))
		}
		choices[i] = cur
		fields = append(fields, huh.NewSelect[string]().Title(f.Title()).Options(opts...).Value(&choices[i]))
	}
	title := "Features of " + ui.Safe(emps[0].Email)
	if len(emps) > 1 {
		title = fmt.Sprintf("Features of %d employees%s", len(emps), u.hiddenNote())
	}
	if skipped > 0 {
		title += fmt.Sprintf(" (%s left out: they follow the org)", ui.Plural(skipped, "client user"))
	}
	m, cmd := ui.NewForm(u.host, title, func() tea.Cmd {
		u.apply(fmt.Sprintf("feature overrides of %s", ui.Plural(len(emps), "employee")), func(tx *store.Tx) error {
			for _, us := range emps {
				version := us.Version // checked at the first feature: the user as shown
				for i, f := range store.Features() {
					if choices[i] == keep {
						continue
					}
					o, err := store.ParseOverride(choices[i])
					if err != nil {
						return err
					}
					if err := tx.SetFeature(us.ID, version, f, o); err != nil {
						return err
					}
					version = 0
				}
			}
			return nil
		})
		return nil
	}, huh.NewGroup(fields...))
	u.host.Open(m)
	return cmd
}

// nowMark marks the option a select holds now, so it shows without colour.
func nowMark(label string, now bool) string {
	if now {
		return label + "  ← now"
	}
	return label
}

// ---- actions ----

func (u *Screen) apply(what string, fn func(tx *store.Tx) error) {
	cs, err := u.host.Store().Apply(u.host.Actor(), what, fn)
	if err != nil {
		u.host.Fail(err)
		return
	}
	u.host.Applied(cs, what) // follows the change set: only touched rows move
}

func (u *Screen) addUser() tea.Cmd {
	var first, last, email, typ, profile, client string
	typ = "employee"
	profileOpts := func() []huh.Option[string] {
		var o []huh.Option[string]
		ps := u.host.Store().Profiles()
		store.SortByPower(ps) // the least powerful first, and so the one offered
		for _, p := range ps {
			if p.Type.String() == typ {
				o = append(o, huh.NewOption(ui.Safe(p.Name), p.Name))
			}
		}
		return o
	}
	var clientOpts []huh.Option[string]
	for _, c := range u.host.Store().Clients() {
		clientOpts = append(clientOpts, huh.NewOption(ui.Safe(c.Name), c.Name))
	}
	groups := func(note func(store.Field, string) string) []*huh.Group {
		return []*huh.Group{
			huh.NewGroup(
				huh.NewInput().Key(string(store.FieldFirstName)).Title("First name").Description(note(store.FieldFirstName, "")).Value(&first).Validate(func(s string) error { _, err := store.ValidateName("first", s); return err }),
				huh.NewInput().Key(string(store.FieldLastName)).Title("Last name").Description(note(store.FieldLastName, "")).Value(&last).Validate(func(s string) error { _, err := store.ValidateName("last", s); return err }),
				huh.NewInput().Key(string(store.FieldEmail)).Title("Email").Description(note(store.FieldEmail, "")).Value(&email).Validate(func(s string) error { _, err := store.ValidateEmail(s); return err }),
				huh.NewSelect[string]().Title("User type").Options(huh.NewOption("Employee", "employee"), huh.NewOption("Client", "client")).Value(&typ),
			),
			huh.NewGroup(
				huh.NewSelect[string]().Key(string(store.FieldClient)).Title("Client").Description(note(store.FieldClient, "a client user belongs to exactly one client")).Options(clientOpts...).Value(&client),
			).WithHideFunc(func() bool { return typ != "client" || len(clientOpts) == 0 }),
			huh.NewGroup(
				huh.NewSelect[string]().Title("Profile").OptionsFunc(profileOpts, &typ).Value(&profile),
			),
		}
	}
	m, cmd := ui.NewFormAt(u.host, "Add user", func() tea.Cmd {
		t, _ := store.ParseUserType(typ)
		nu := store.NewUser{First: first, Last: last, Email: email, Type: t, Profile: profile}
		if t == store.ClientUser && client != "" {
			nu.Clients = []string{client}
		}
		var created *store.User
		u.apply("add user "+email, func(tx *store.Tx) error {
			var err error
			created, err = tx.AddUser(nu)
			return err
		})
		if created != nil {
			u.Select(created.ID)
			u.host.Flash(fmt.Sprintf("added %s; invitation queued — enter assigns sites", created.Email), false)
		}
		return nil
	}, groups)
	u.host.Open(m)
	return cmd
}

// Select highlights a user in the list, widening the filters if needed.
func (u *Screen) Select(id uint64) { u.users.selectUser(id) }

func (u *Screen) editUser() tea.Cmd {
	r := u.current()
	if r == nil {
		return nil
	}
	us := r.u
	// the fields show what is stored, made safe; a field is sent only when
	// it was changed from what it showed, so a name holding controls (an
	// old file) is never rewritten as its escaped text unless someone types
	// a new one
	shown := [3]string{ui.Safe(us.First), ui.Safe(us.Last), ui.Safe(us.Email)}
	first, last, email := shown[0], shown[1], shown[2]
	def := u.cat.names.Site(us.DefaultSiteID)
	// the sites this user may hold (a client user: their client's), the
	// current one marked and the list open at it
	siteOpts := []huh.Option[string]{huh.NewOption(nowMark("(none)", def == ""), "")}
	for _, s := range u.cat.sites {
		if store.MayHoldSite(us, s.ClientID) {
			siteOpts = append(siteOpts, huh.NewOption(nowMark(ui.Safe(s.Name), s.Name == def), s.Name))
		}
	}
	version := us.Version
	m, cmd := ui.NewFormAt(u.host, "Edit "+us.Email, func() tea.Cmd {
		p := store.UserPatch{DefaultSite: &def}
		if first != shown[0] {
			p.First = &first
		}
		if last != shown[1] {
			p.Last = &last
		}
		if email != shown[2] {
			p.Email = &email
		}
		u.apply("edit "+us.Email, func(tx *store.Tx) error {
			_, err := tx.EditUser(us.ID, version, p)
			return err
		})
		return nil
	}, func(note func(store.Field, string) string) []*huh.Group {
		return []*huh.Group{huh.NewGroup(
			huh.NewInput().Key(string(store.FieldFirstName)).Title("First name").Description(note(store.FieldFirstName, "")).Value(&first),
			huh.NewInput().Key(string(store.FieldLastName)).Title("Last name").Description(note(store.FieldLastName, "")).Value(&last),
			huh.NewInput().Key(string(store.FieldEmail)).Title("Email").Description(note(store.FieldEmail, "")).Value(&email),
			huh.NewSelect[string]().Key(string(store.FieldDefaultSite)).Title("Default location").Description(note(store.FieldDefaultSite, "")).Options(siteOpts...).Value(&def).Height(8),
		)}
	})
	u.host.Open(m)
	return cmd
}

func (u *Screen) changeProfile() tea.Cmd {
	ts := u.targets()
	if len(ts) == 0 {
		return nil
	}
	var profile, client string
	var opts []huh.Option[string]
	current := ""
	if len(ts) == 1 {
		current = u.cat.names.Profile(ts[0].ProfileID)
	}
	ps := slices.Clone(u.cat.profiles)
	store.SortByPower(ps)
	for _, p := range ps {
		opts = append(opts, huh.NewOption(nowMark(fmt.Sprintf("%s (%s)", ui.Safe(p.Name), p.Type), p.Name == current), p.Name))
	}
	var clientOpts []huh.Option[string]
	for _, c := range u.host.Store().Clients() {
		clientOpts = append(clientOpts, huh.NewOption(ui.Safe(c.Name), c.Name))
	}
	title := fmt.Sprintf("Profile of %s%s", ui.Plural(len(ts), "user"), u.hiddenNote())
	if len(ts) == 1 {
		title = "Profile of " + ts[0].Email
		profile = u.cat.names.Profile(ts[0].ProfileID)
	}
	isClient := func() bool {
		p, err := u.host.Store().Profile(profile)
		return err == nil && p.Type == store.ClientUser
	}
	m, cmd := ui.NewForm(u.host, title, func() tea.Cmd {
		u.apply(fmt.Sprintf("profile %s for %s", profile, ui.Plural(len(ts), "user")), func(tx *store.Tx) error {
			for _, us := range ts {
				p := store.UserPatch{Profile: &profile}
				if client != "" && us.Type == store.Employee && isClient() {
					p.Client = &client
				}
				if _, err := tx.EditUser(us.ID, us.Version, p); err != nil {
					return err
				}
			}
			return nil
		})
		return nil
	}, huh.NewGroup(huh.NewSelect[string]().Title("Profile").Description("a client profile makes employees client users (they need a client); an employee profile makes client users employees").Options(opts...).Value(&profile).Height(min(len(opts), 10)+3)),
		huh.NewGroup(huh.NewSelect[string]().Title("Client (for users who become client users)").Options(clientOpts...).Value(&client)).
			WithHideFunc(func() bool { return !isClient() || len(clientOpts) == 0 }),
	)
	u.host.Open(m)
	return cmd
}

func (u *Screen) setPassword() tea.Cmd {
	r := u.current()
	if r == nil {
		return nil
	}
	us := r.u
	var pw, again string
	m, cmd := ui.NewForm(u.host, "Password of "+us.Email, func() tea.Cmd {
		u.apply("set password of "+us.Email, func(tx *store.Tx) error { return tx.SetPassword(us.ID, us.Version, pw) })
		return nil
	}, huh.NewGroup(
		huh.NewInput().Title("New password").EchoMode(huh.EchoModePassword).Value(&pw).Validate(func(pw string) error { return store.ValidatePasswordFor(us, pw) }),
		huh.NewInput().Title("Again").EchoMode(huh.EchoModePassword).Value(&again).Validate(func(s string) error {
			if s != pw {
				return fmt.Errorf("the two passwords differ")
			}
			return nil
		}),
	))
	u.host.Open(m)
	return cmd
}

// manageKeys adds a public key (pasted as an authorized_keys line) or removes one.
func (u *Screen) manageKeys() tea.Cmd {
	r := u.current()
	if r == nil {
		return nil
	}
	us := r.u
	keys, err := u.host.Store().KeysOf(us.ID)
	if err != nil {
		u.host.Fail(err)
		return nil
	}
	action, line := "add", ""
	opts := []huh.Option[string]{huh.NewOption("Add a key", "add")}
	for _, k := range keys {
		label := "Remove " + ui.Safe(k.Fingerprint)
		if k.Comment != "" {
			label += " (" + ui.Safe(k.Comment) + ")"
		}
		opts = append(opts, huh.NewOption(label, k.Fingerprint))
	}
	m, cmd := ui.NewForm(u.host, "SSH keys of "+us.Email, func() tea.Cmd {
		if action == "add" {
			u.apply("add a key for "+us.Email, func(tx *store.Tx) error {
				_, err := tx.AddKey(us.ID, line)
				return err
			})
			return nil
		}
		u.apply("remove a key of "+us.Email, func(tx *store.Tx) error { return tx.RemoveKey(us.ID, action) })
		return nil
	}, huh.NewGroup(huh.NewSelect[string]().Title(ui.Plural(len(keys), "key")).Options(opts...).Value(&action)),
		huh.NewGroup(huh.NewInput().Title("Public key").Description("one line as in ~/.ssh/id_ed25519.pub").Value(&line).
			Validate(func(s string) error { _, _, err := store.ParsePublicKey(s); return err })).
			WithHideFunc(func() bool { return action != "add" }),
	)
	u.host.Open(m)
	return cmd
}

func (u *Screen) resendInvite() tea.Cmd {
	ts := u.targets()
	u.apply("resend invitation to "+ui.Plural(len(ts), "user"), func(tx *store.Tx) error {
		for _, us := range ts {
			if err := tx.ResendInvite(us.ID); err != nil {
				return err
			}
		}
		return nil
	})
	return nil
}

func (u *Screen) toggleDisabled() tea.Cmd {
	ts := u.targets()
	disable := slices.ContainsFunc(ts, func(us *store.User) bool { return !us.Disabled })
	verb := "enable"
	if disable {
		verb = "disable"
	}
	what := verb + " " + ui.Plural(len(ts), "user")
	change := func(tx *store.Tx) error {
		for _, us := range ts {
			if err := tx.SetDisabled(us.ID, us.Version, disable); err != nil {
				return err
			}
		}
		return nil
	}
	// refused at once, not after a question
	if _, err := u.host.Store().Preview(u.host.Actor(), what, change); err != nil {
		u.host.Fail(err)
		return nil
	}
	do := func() tea.Cmd { u.apply(what, change); return nil }
	effect := "they can sign in again"
	if disable {
		effect = "they lose access at once: their open sessions end, their invitations are revoked"
	}
	who := fmt.Sprintf("%d users%s", len(ts), u.hiddenNote())
	if len(ts) == 1 {
		who = ui.Safe(ts[0].Email)
	}
	u.host.Open(&ui.Confirm{Question: fmt.Sprintf("%s %s? %s. (one change set; u undoes)", strings.ToUpper(verb[:1])+verb[1:], who, strings.ToUpper(effect[:1])+effect[1:]), Yes: do})
	return nil
}

func (u *Screen) deleteUsers() tea.Cmd {
	ts := u.targets()
	label := ts[0].Email
	if len(ts) > 1 {
		label = fmt.Sprintf("%d users", len(ts))
	}
	change := func(tx *store.Tx) error {
		for _, us := range ts {
			if err := tx.DeleteUser(us.ID, us.Version); err != nil {
				return err
			}
		}
		return nil
	}
	// a delete the store will refuse (a user with records) says so now
	if _, err := u.host.Store().Preview(u.host.Actor(), "delete "+label, change); err != nil {
		u.host.Fail(err)
		return nil
	}
	u.host.Open(&ui.Confirm{Question: "Delete " + ui.Safe(label) + u.hiddenNote() + "? (one change set; u undoes)", Yes: func() tea.Cmd {
		u.apply("delete "+label, change)
		for _, us := range ts {
			u.users.list.Unmark(us.ID)
		}
		return nil
	}})
	return nil
}

func (u *Screen) openSites() tea.Cmd {
	u.host.AssignSites(u.targets(), false)
	return nil
}

func (u *Screen) openHistory() tea.Cmd {
	r := u.current()
	if r == nil {
		return nil
	}
	u.host.ShowHistory("user:" + r.u.Email)
	return nil
}
