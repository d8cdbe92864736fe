package cmd

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/gatehouse/gatehouse/store"
)

// Shell completion that knows the data: emails, profiles, sites, teams,
// clients, screens, levels, setting keys and flag values come from the
// database, as the actor may read them (store.EmailsFor, store.ChoicesFor),
// locally and over SSH (`ssh HOST __complete users show ""`). A command the
// actor may not run over SSH completes nothing.
//
// Arguments complete through cobra (ValidArgsFunction). Flag values do not:
// cobra keeps flag completion functions in a process-wide map keyed by the
// flag and never lets one go (RegisterFlagCompletionFunc), and this tree is
// built afresh for every command line — in the server, for every SSH
// session — so every tree would stay in memory for good. completeFlagValue
// answers them instead, in cobra's __complete protocol.

// maxEmails bounds the emails one Tab offers; past it the shell is told
// how many matched and to type more.
const maxEmails = 200

// completionWait is how long completion waits for a database another
// gatehouse holds: a Tab must not hang for the second a command waits.
const completionWait = 100 * time.Millisecond

// valueKind is a kind of value the command line takes.
type valueKind uint8

const (
	noValue          valueKind = iota // a new name, a number: nothing to offer, and no files
	fileValue                         // a file: the shell's own completion
	emailValue                        // a user the actor may see
	profileValue                      // a profile
	siteValue                         // a site
	teamValue                         // a team, "Site/Team"
	clientValue                       // a client
	screenValue                       // a screen key
	levelValue                        // none, view, maintain
	settingValue                      // a setting key
	settingSetValue                   // the value of the setting named before it
	scopeValue                        // all, assigned
	grantValue                        // SCREEN=LEVEL
	featureValue                      // EMAIL or FEATURE=allow|deny|inherit
	outboxValue                       // an outbox message's id
	fingerprintValue                  // a key of the user named before it
	userTypeValue                     // employee, client
	statusValue                       // active, invited, disabled, all (joined by commas)
	whereValue                        // key=value,… of --where
	stateValue                        // an outbox state
	entityValue                       // an audit entity kind, kind:label
)

// argKinds is what each positional argument of a command is, by command
// path; when more is set the last kind repeats. check is its own
// (completeCheck): its first argument may be a screen.
var argKinds = map[string]struct {
	kinds []valueKind
	more  bool
}{
	"users show": {kinds: []valueKind{emailValue}}, "users history": {kinds: []valueKind{emailValue}},
	"users edit": {kinds: []valueKind{emailValue}}, "users set-password": {kinds: []valueKind{emailValue}},
	"users invite": {kinds: []valueKind{emailValue}}, "users keys": {kinds: []valueKind{emailValue}},
	"users add-key":    {kinds: []valueKind{emailValue, fileValue}},
	"users remove-key": {kinds: []valueKind{emailValue, fingerprintValue}},
	"users disable":    {kinds: []valueKind{emailValue}, more: true}, "users enable": {kinds: []valueKind{emailValue}, more: true},
	"users delete": {kinds: []valueKind{emailValue}, more: true}, "users assign-client": {kinds: []valueKind{emailValue}, more: true},
	"users unassign-client": {kinds: []valueKind{emailValue}, more: true},
	"users feature":         {kinds: []valueKind{featureValue}, more: true},
	"sites assign":          {kinds: []valueKind{emailValue}, more: true}, "sites unassign": {kinds: []valueKind{emailValue}, more: true},
	"profiles show": {kinds: []valueKind{profileValue}}, "profiles delete": {kinds: []valueKind{profileValue}},
	"profiles grant": {kinds: []valueKind{profileValue, grantValue}, more: true},
	"profiles scope": {kinds: []valueKind{profileValue, scopeValue}},
	"effective":      {kinds: []valueKind{emailValue}},
	"settings set":   {kinds: []valueKind{settingValue, settingSetValue}},
	"outbox show":    {kinds: []valueKind{outboxValue}},
	"backup":         {kinds: []valueKind{fileValue}}, "export": {kinds: []valueKind{fileValue}},
	"import": {kinds: []valueKind{fileValue}}, "import-users": {kinds: []valueKind{fileValue}},
}

// flagKinds is what the value of each flag is, by flag name (the same name
// means the same thing on every command).
var flagKinds = map[string]valueKind{
	"as": emailValue, "db": fileValue, "host-key": fileValue, "to": fileValue,
	"etcd-ca": fileValue, "etcd-cert": fileValue, "etcd-key": fileValue,
	"profile": profileValue, "copy-from": profileValue,
	"site": siteValue, "default-site": siteValue,
	"team": teamValue, "client": clientValue,
	"type": userTypeValue, "status": statusValue, "where": whereValue,
	"state": stateValue, "entity": entityValue,
}

// addCompletions gives every command its argument completion.
func (a *app) addCompletions(root *cobra.Command) {
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if c.ValidArgsFunction == nil {
			c.ValidArgsFunction = a.completeArgs
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}

// completeArgs is every command's ValidArgsFunction.
func (a *app) completeArgs(c *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	if !a.mayComplete(c) {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	if cmdName(c) == "check" {
		return a.completeCheck(args, toComplete)
	}
	spec, ok := argKinds[cmdName(c)]
	if !ok || len(spec.kinds) == 0 {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	i := len(args)
	if i >= len(spec.kinds) {
		if !spec.more {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		i = len(spec.kinds) - 1
	}
	return a.complete(spec.kinds[i], args, toComplete)
}

// completeCheck: check EMAIL SCREEN LEVEL, or SCREEN LEVEL about oneself.
func (a *app) completeCheck(args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	self := a.env.Actor != nil || a.as != "" // an actor who is a user may leave out EMAIL
	switch {
	case len(args) == 0:
		out, d := a.complete(emailValue, args, toComplete)
		if self && !strings.Contains(toComplete, "@") {
			screens, _ := a.complete(screenValue, args, toComplete)
			out = append(out, screens...)
		}
		return out, d
	case len(args) == 1 && (strings.Contains(args[0], "@") || !self):
		return a.complete(screenValue, args, toComplete)
	case len(args) == 1 || len(args) == 2 && strings.Contains(args[0], "@"):
		return a.complete(levelValue, args, toComplete)
	}
	return nil, cobra.ShellCompDirectiveNoFileComp
}

// mayComplete: over SSH, a command the actor may not run completes nothing.
func (a *app) mayComplete(c *cobra.Command) bool {
	return a.env.Allow == nil || a.env.Allow(c) == nil
}

// complete lists the values of one kind starting with toComplete.
func (a *app) complete(kind valueKind, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	const none = cobra.ShellCompDirectiveNoFileComp
	fixed := func(values ...string) ([]cobra.Completion, cobra.ShellCompDirective) {
		var out []cobra.Completion
		for _, v := range values {
			if strings.HasPrefix(v, strings.ToLower(toComplete)) {
				out = append(out, v)
			}
		}
		return out, none
	}
	switch kind {
	case fileValue:
		return nil, cobra.ShellCompDirectiveDefault
	case levelValue:
		return fixed("none", "view", "maintain")
	case scopeValue:
		return fixed("all", "assigned")
	case userTypeValue:
		return fixed("employee", "client")
	case stateValue:
		return fixed("queued", "sent", "failed", "cancelled")
	case statusValue:
		head, part := lastPart(toComplete, ",")
		return prefixed(head, fixedPrefix(part, "active", "invited", "disabled", "all")), none | cobra.ShellCompDirectiveNoSpace
	case entityValue:
		return fixed("user:", "profile:", "site:", "client:", "team:", "screen:", "settings")
	case noValue:
		return nil, none
	}
	if kind == emailValue {
		if out, ok := a.peekEmails(toComplete); ok {
			return out, none
		}
	}
	s, actor, ok := a.completionStore()
	if !ok {
		return nil, none
	}
	switch kind {
	case emailValue:
		return emails(s, actor, toComplete), none
	case profileValue:
		return choices(s.ChoicesFor(actor, store.CompleteProfile, toComplete)), none
	case siteValue:
		return choices(s.ChoicesFor(actor, store.CompleteSite, toComplete)), none
	case teamValue:
		return choices(s.ChoicesFor(actor, store.CompleteTeam, toComplete)), none
	case clientValue:
		return choices(s.ChoicesFor(actor, store.CompleteClient, toComplete)), none
	case screenValue:
		return choices(s.ChoicesFor(actor, store.CompleteScreen, toComplete)), none
	case settingValue:
		return choices(s.ChoicesFor(actor, store.CompleteSetting, toComplete)), none
	case settingSetValue:
		if len(args) == 0 || len(s.ChoicesFor(actor, store.CompleteSetting, args[0])) == 0 {
			return nil, none
		}
		switch v := s.Settings().Value(strings.ToLower(args[0])); v {
		case "on", "off":
			return fixed("on", "off")
		default:
			return fixed(v) // what it is now: a duration or a number
		}
	case grantValue:
		screen, level, ok := strings.Cut(toComplete, "=")
		if ok {
			out, _ := a.complete(levelValue, nil, level)
			return prefixed(screen+"=", out), none
		}
		return suffixed(choices(s.ChoicesFor(actor, store.CompleteScreen, screen)), "="), none | cobra.ShellCompDirectiveNoSpace
	case featureValue:
		feature, value, ok := strings.Cut(toComplete, "=")
		if ok && !strings.Contains(feature, "@") {
			return prefixed(feature+"=", fixedPrefix(value, "allow", "deny", "inherit")), none
		}
		out := emails(s, actor, toComplete)
		var keys []cobra.Completion
		for _, f := range store.Features() {
			if strings.HasPrefix(f.String(), strings.ToLower(toComplete)) {
				keys = append(keys, cobra.CompletionWithDesc(f.String()+"=", f.Title()))
			}
		}
		if len(keys) == 0 {
			return out, none
		}
		return append(out, keys...), none | cobra.ShellCompDirectiveNoSpace
	case whereValue:
		return completeWhere(s, actor, toComplete), none | cobra.ShellCompDirectiveNoSpace
	case outboxValue:
		msgs, err := s.OutboxFor(actor)
		if err != nil {
			return nil, none
		}
		var out []cobra.Completion
		for _, m := range msgs {
			if id := strconv.FormatUint(m.ID, 10); strings.HasPrefix(id, toComplete) {
				out = append(out, cobra.CompletionWithDesc(id, clean(string(m.Kind)+" to "+m.To)))
			}
		}
		return out, none | cobra.ShellCompDirectiveKeepOrder
	case fingerprintValue:
		if len(args) == 0 {
			return nil, none
		}
		u, err := s.UserFor(actor, args[0])
		if err != nil {
			return nil, none
		}
		ks, err := s.KeysOf(u.ID)
		if err != nil {
			return nil, none
		}
		var out []cobra.Completion
		for _, k := range ks {
			if strings.HasPrefix(k.Fingerprint, toComplete) {
				out = append(out, cobra.CompletionWithDesc(k.Fingerprint, clean(k.Type+" "+k.Comment)))
			}
		}
		return out, none
	}
	return nil, none
}

// emails completes the emails the actor may see, at most maxEmails of them.
func emails(s *store.Store, actor store.Actor, prefix string) []cobra.Completion {
	users, matched := s.EmailsFor(actor, prefix, maxEmails)
	return emailChoices(users, matched)
}

// emailChoices offers users by email, their name beside, and says when more matched.
func emailChoices(users []*store.User, matched int) []cobra.Completion {
	out := make([]cobra.Completion, 0, len(users)+1)
	for _, u := range users {
		out = append(out, cobra.CompletionWithDesc(clean(u.Email), clean(u.Name())))
	}
	if matched > len(users) {
		out = cobra.AppendActiveHelp(out, fmt.Sprintf("%d of %s shown: type more of the email", len(users), plural(matched, "user", "users")))
	}
	return out
}

// completeWhere completes a --where expression: a key, then its value.
func completeWhere(s *store.Store, actor store.Actor, toComplete string) []cobra.Completion {
	head, part := lastPart(toComplete, ",")
	key, value, ok := strings.Cut(part, "=")
	if !ok {
		var keys []cobra.Completion
		for _, k := range store.WhereKeys {
			if strings.HasPrefix(k, strings.ToLower(part)) {
				keys = append(keys, k+"=")
			}
		}
		return prefixed(head, keys)
	}
	value = strings.TrimPrefix(value, `"`)
	var values []cobra.Completion
	kinds := map[string]store.Completable{"profile": store.CompleteProfile, "site": store.CompleteSite,
		"team": store.CompleteTeam, "client": store.CompleteClient}
	switch key = strings.ToLower(strings.TrimSpace(key)); key {
	case "status":
		values = fixedPrefix(value, "active", "invited", "disabled", "all")
	case "type":
		values = fixedPrefix(value, "employee", "client")
	default:
		if kind, ok := kinds[key]; ok {
			for _, c := range s.ChoicesFor(actor, kind, value) {
				values = append(values, quoteWhere(clean(c.Value)))
			}
		}
	}
	return prefixed(head+key+"=", values)
}

// quoteWhere quotes a --where value that holds a space or a comma.
func quoteWhere(v string) string {
	if strings.ContainsAny(v, " ,") {
		return `"` + v + `"`
	}
	return v
}

// lastPart splits s after its last sep: what is already typed, and the part being typed.
func lastPart(s, sep string) (head, part string) {
	i := strings.LastIndex(s, sep)
	return s[:i+1], s[i+1:]
}

func fixedPrefix(prefix string, values ...string) []cobra.Completion {
	var out []cobra.Completion
	for _, v := range values {
		if strings.HasPrefix(v, strings.ToLower(prefix)) {
			out = append(out, v)
		}
	}
	return out
}

func prefixed(head string, cs []cobra.Completion) []cobra.Completion {
	for i, c := range cs {
		cs[i] = head + c
	}
	return cs
}

func suffixed(cs []cobra.Completion, tail string) []cobra.Completion {
	for i, c := range cs {
		v, desc, ok := strings.Cut(c, "\t")
		if ok {
			cs[i] = v + tail + "\t" + desc
		} else {
			cs[i] = c + tail
		}
	}
	return cs
}

// choices turns the store's choices into completions, escaped: a value or
// note an old database holds may hold anything.
func choices(cs []store.Choice) []cobra.Completion {
	out := make([]cobra.Completion, 0, len(cs))
	for _, c := range cs {
		out = append(out, cobra.CompletionWithDesc(clean(c.Value), clean(c.Note)))
	}
	return out
}

// peekEmails answers the local operator's Tab at an email from the file,
// without loading the store (store.PeekEmails: the operator sees every
// user). Not for --as, nor over SSH, nor when the store is open already:
// those go through EmailsFor. ok is false when the file cannot be peeked at.
func (a *app) peekEmails(prefix string) ([]cobra.Completion, bool) {
	if a.env.Store != nil || a.st != nil || a.as != "" || a.onEtcd() {
		return nil, false
	}
	path := a.dbPath
	if path == "" {
		path = store.DefaultPath()
	}
	if _, err := os.Stat(path); err != nil {
		return nil, true // a Tab creates no database: nothing to offer
	}
	users, matched, err := store.PeekEmails(path, prefix, maxEmails, completionWait)
	if errors.Is(err, store.ErrPeekStale) {
		return nil, false // an older file: the full open upgrades it
	}
	if err != nil {
		return nil, true
	}
	return emailChoices(users, matched), true
}

// completionStore opens the store for a completion: locally only a file
// that exists (a Tab creates no database), waiting briefly for another
// gatehouse's lock; over SSH the server's, as the signed-in actor.
func (a *app) completionStore() (*store.Store, store.Actor, bool) {
	if a.env.Store == nil && a.st == nil && !a.onEtcd() { // on etcd: opened as for a command
		path := a.dbPath
		if path == "" {
			path = store.DefaultPath()
		}
		if _, err := os.Stat(path); err != nil {
			return nil, store.Actor{}, false
		}
		s, err := store.Open(path, store.Options{Timeout: completionWait})
		if err != nil {
			return nil, store.Actor{}, false
		}
		a.st, a.opened = s, true
	}
	s, actor, err := a.open()
	return s, actor, err == nil
}

// completeFlagValue answers a __complete request that is typing a flag's
// value, as cobra's __complete would with a registered function (see the
// top of this file): it reports whether the request was one.
func (a *app) completeFlagValue(args []string) bool {
	words := args[1:]
	if len(words) == 0 {
		return false
	}
	c, f, parsed, toComplete := flagBeingCompleted(a.root, words)
	if f == nil {
		return false
	}
	kind, ok := flagKinds[f.Name]
	var out []cobra.Completion
	directive := cobra.ShellCompDirectiveNoFileComp
	switch {
	case f.Hidden || !a.mayComplete(c): // --db and --as over SSH; a command refused there
	case c.ParseFlags(parsed) != nil: // --db and --as typed before it must be read first
	case ok:
		out, directive = a.complete(kind, nil, toComplete)
	}
	noDesc := args[0] == cobra.ShellCompNoDescRequestCmd
	if v, err := strconv.ParseBool(a.getenv("GATEHOUSE_COMPLETION_DESCRIPTIONS")); err == nil {
		noDesc = !v
	}
	noHelp := cobra.GetActiveHelpConfig(a.root) == "0"
	w := a.root.OutOrStdout()
	for _, comp := range out {
		if noHelp && strings.HasPrefix(comp, "_activeHelp_ ") {
			continue
		}
		if noDesc {
			comp, _, _ = strings.Cut(comp, "\t")
		}
		fmt.Fprintln(w, strings.TrimSpace(comp))
	}
	fmt.Fprintf(w, ":%d\n", directive)
	return true
}

// flagBeingCompleted finds, in the words of a completion request, the flag
// whose value is being typed, as cobra decides it (checkIfFlagCompletion):
// the last word is --flag=VALUE, or the word before it a flag that takes a
// value. It returns the command, the flag, the words to parse before it
// and the part of the value typed so far.
func flagBeingCompleted(root *cobra.Command, words []string) (*cobra.Command, *pflag.Flag, []string, string) {
	toComplete, before := words[len(words)-1], words[:len(words)-1]
	c, rest, err := root.Find(before)
	if err != nil || c == nil {
		return nil, nil, nil, ""
	}
	for _, w := range rest {
		if w == "--" { // everything after -- is an argument
			return nil, nil, nil, ""
		}
	}
	if name, value, ok := strings.Cut(toComplete, "="); ok && strings.HasPrefix(name, "--") {
		if f := c.Flag(name[2:]); f != nil {
			return c, f, rest, value
		}
		return nil, nil, nil, ""
	}
	if strings.HasPrefix(toComplete, "-") || len(rest) == 0 {
		return nil, nil, nil, "" // a flag's name, or an argument
	}
	prev := rest[len(rest)-1]
	if !strings.HasPrefix(prev, "--") || len(prev) < 3 || strings.Contains(prev, "=") {
		return nil, nil, nil, "" // our flags have no shorthands that take a value
	}
	f := c.Flag(prev[2:])
	if f == nil || f.NoOptDefVal != "" { // unknown, or a bool that takes no value
		return nil, nil, nil, ""
	}
	return c, f, rest[:len(rest)-1], toComplete
}

// completionStandIn puts a command named __complete in the tree for the
// allowlist to be asked about before cobra adds its own (it does so only
// inside Execute); the caller removes it again.
func completionStandIn(root *cobra.Command) *cobra.Command {
	c := &cobra.Command{Use: cobra.ShellCompRequestCmd, Aliases: []string{cobra.ShellCompNoDescRequestCmd}, Hidden: true}
	root.AddCommand(c)
	return c
}

// allowCompletion asks the allowlist (over SSH) about completing at all.
func (a *app) allowCompletion() error {
	if a.env.Allow == nil {
		return nil
	}
	c := completionStandIn(a.root)
	defer a.root.RemoveCommand(c)
	return a.env.Allow(c)
}
