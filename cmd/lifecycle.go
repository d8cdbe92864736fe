package cmd

import (
	"fmt"

	"github.com/gatehouse/gatehouse/store"
	"github.com/spf13/cobra"
)

// The commands of a record's whole life: rename, retire and restore,
// delete (what never mattered), move a team. Every rule is the store's.

// lifeOp is one such command: its use line, help, arguments, and the change
// set it applies; what it says it did.
type lifeOp struct {
	use, short, example string
	args                cobra.PositionalArgs
	dryRun              bool // --dry-run previews it (users touched)
	flags               func(c *cobra.Command)
	apply               func(tx *store.Tx, args []string) error
	done                func(args []string) string
}

func (a *app) lifeCmd(op lifeOp) *cobra.Command {
	c := &cobra.Command{Use: op.use, Short: op.short, Example: op.example, Args: op.args}
	var dry bool
	if op.dryRun {
		c.Flags().BoolVar(&dry, "dry-run", false, "show what it would change, and whom, and write nothing")
	}
	if op.flags != nil {
		op.flags(c)
	}
	c.RunE = a.with(func(s *store.Store, actor store.Actor, args []string) error {
		run := s.ApplyGrouped
		if dry {
			run = s.Preview
		}
		cs, err := run(actor, summary(append([]string{cmdName(c)}, args...)...), func(tx *store.Tx) error { return op.apply(tx, args) })
		if err != nil {
			return err
		}
		done := op.done(args)
		if n := touchedUsers(cs); n > 0 {
			done += fmt.Sprintf(": %s touched", plural(n, "user", "users"))
		}
		if err := a.report(cs, done); err != nil || !dry || a.json {
			return err // JSON's report has the entries
		}
		return a.printPreview(cs)
	})
	return c
}

// printPreview lists what a dry run would change, record by record.
func (a *app) printPreview(cs *store.ChangeSet) error {
	if len(cs.Entries) == 0 {
		return nil
	}
	tw := newTable(a.env.Out)
	row(tw, "  RECORD", "FIELD", "BEFORE -> AFTER")
	for _, e := range cs.Entries {
		row(tw, "  "+e.Entity.String(), e.Field, change(e.Before, e.After))
	}
	return tw.Flush()
}

// lifeCommands are rename, retire, restore and delete for clients, sites or
// teams (what is the singular: "client").
func (a *app) lifeCommands(what string, rename, retire, restore, del func(tx *store.Tx, name, to string) error, retireShort string) []*cobra.Command {
	one := nargs(1, 1, "one "+upper(what)+" (quote names with spaces)")
	return []*cobra.Command{
		a.lifeCmd(lifeOp{
			use: "rename " + upper(what) + " NEW", short: "Give a " + what + " a new name (history keeps the old one)",
			args:  nargs(2, 2, upper(what)+" and its NEW name (quote names with spaces)"),
			apply: func(tx *store.Tx, args []string) error { return rename(tx, args[0], args[1]) },
			done:  func(args []string) string { return fmt.Sprintf("renamed %s %s to %s", what, args[0], args[1]) },
		}),
		a.lifeCmd(lifeOp{
			use: "retire " + upper(what) + " [--dry-run]", short: retireShort, args: one, dryRun: true,
			apply: func(tx *store.Tx, args []string) error { return retire(tx, args[0], "") },
			done:  func(args []string) string { return fmt.Sprintf("retired %s %s", what, args[0]) },
		}),
		a.lifeCmd(lifeOp{
			use: "restore " + upper(what), short: "Put a retired " + what + " back in use", args: one,
			apply: func(tx *store.Tx, args []string) error { return restore(tx, args[0], "") },
			done:  func(args []string) string { return fmt.Sprintf("restored %s %s", what, args[0]) },
		}),
		a.lifeCmd(lifeOp{
			use: "delete " + upper(what), short: "Delete a " + what + " that never mattered (else: retire it)", args: one,
			apply: func(tx *store.Tx, args []string) error { return del(tx, args[0], "") },
			done:  func(args []string) string { return fmt.Sprintf("deleted %s %s", what, args[0]) },
		}),
	}
}

func upper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'a' && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}

func (a *app) clientLifeCommands() []*cobra.Command {
	return a.lifeCommands("client",
		func(tx *store.Tx, n, to string) error { return tx.RenameClient(n, to) },
		func(tx *store.Tx, n, _ string) error { return tx.RetireClient(n) },
		func(tx *store.Tx, n, _ string) error { return tx.RestoreClient(n) },
		func(tx *store.Tx, n, _ string) error { return tx.DeleteClient(n) },
		"End a client's contract: disable its client users, retire its sites and teams, take it off employees")
}

func (a *app) siteLifeCommands() []*cobra.Command {
	return a.lifeCommands("site",
		func(tx *store.Tx, n, to string) error { return tx.RenameSite(n, to) },
		func(tx *store.Tx, n, _ string) error { return tx.RetireSite(n) },
		func(tx *store.Tx, n, _ string) error { return tx.RestoreSite(n) },
		func(tx *store.Tx, n, _ string) error { return tx.DeleteSite(n) },
		"Retire a site: every user loses it (and its teams, retired with it)")
}

func (a *app) teamLifeCommands() []*cobra.Command {
	cmds := a.lifeCommands("team",
		func(tx *store.Tx, n, to string) error { return tx.RenameTeam(n, to) },
		func(tx *store.Tx, n, _ string) error { return tx.RetireTeam(n) },
		func(tx *store.Tx, n, _ string) error { return tx.RestoreTeam(n) },
		func(tx *store.Tx, n, _ string) error { return tx.DeleteTeam(n) },
		"Retire a team: its members lose it")
	var to string
	move := a.lifeCmd(lifeOp{
		use: "move TEAM --to SITE [--dry-run]", short: "Move a team to another site of the same client (its members then reach that site)",
		example: `  gatehouse teams move "North Depot/Night" --to "South Yard" --dry-run`,
		args:    nargs(1, 1, "one TEAM (\"Site/Team\", or a unique team name)"), dryRun: true,
		flags: func(c *cobra.Command) { c.Flags().StringVar(&to, "to", "", "the site it moves to (required)") },
		apply: func(tx *store.Tx, args []string) error {
			if to == "" {
				return usagef("teams move needs --to SITE; run 'gatehouse teams move --help'")
			}
			return tx.MoveTeam(args[0], to)
		},
		done: func(args []string) string { return fmt.Sprintf("moved team %s to %s", args[0], to) },
	})
	return append(cmds, move)
}

func (a *app) profileRenameCmd() *cobra.Command {
	return a.lifeCmd(lifeOp{
		use: "rename PROFILE NEW", short: "Give a profile a new name (a built-in keeps its role)",
		args:  nargs(2, 2, "PROFILE and its NEW name (quote names with spaces)"),
		apply: func(tx *store.Tx, args []string) error { return tx.RenameProfile(args[0], args[1]) },
		done:  func(args []string) string { return fmt.Sprintf("renamed profile %s to %s", args[0], args[1]) },
	})
}

func (a *app) screenRetitleCmd() *cobra.Command {
	return a.lifeCmd(lifeOp{
		use: "retitle KEY TITLE", short: "Give a screen a new title (its key stays)",
		args:  nargs(2, 2, "a screen KEY and its new TITLE"),
		apply: func(tx *store.Tx, args []string) error { return tx.RetitleScreen(args[0], args[1]) },
		done:  func(args []string) string { return fmt.Sprintf("screen %s is now titled %s", args[0], args[1]) },
	})
}
