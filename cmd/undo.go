package cmd

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/gatehouse/gatehouse/store"
	"github.com/spf13/cobra"
)

func (a *app) undoCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "undo [CHANGE-SET]",
		Short: "Undo a change set as a new change set (default: your newest one)",
		Long: `Apply the inverse of a committed change set, as a new change set audited like
any other. Every field it changed must still hold the value it gave; if
anything changed since, nothing is undone and the error says what changed.
Deletions, passwords and the creation of clients, sites, teams and screens
cannot be undone. Without CHANGE-SET, your own newest change set is undone.
Find change sets with: gatehouse audit log`,
		Example: `  gatehouse undo
  gatehouse undo 12`,
		Args: nargs(0, 1, "at most one CHANGE-SET number"),
	}
	c.RunE = a.with(func(s *store.Store, actor store.Actor, args []string) error {
		var id uint64
		if len(args) == 1 {
			n, err := strconv.ParseUint(strings.TrimPrefix(args[0], "#"), 10, 64)
			if err != nil || n == 0 {
				return usagef("change set %q is not a number like 12; see: gatehouse audit log", args[0])
			}
			id = n
		} else {
			batches, err := s.Batches(1000)
			if err != nil {
				return err
			}
			for _, b := range batches {
				if b.Actor == actor.Name {
					id = b.ID
					break
				}
			}
			if id == 0 {
				return refusedf("%s has made no change set among the newest 1000 to undo; give its number (see: gatehouse audit log)", actor.Name)
			}
		}
		cs, err := s.Undo(actor, id)
		if err != nil {
			return err
		}
		return a.report(cs, fmt.Sprintf("undid change set #%d", id))
	})
	return c
}

func (a *app) profilesScopeCmd() *cobra.Command {
	c := &cobra.Command{
		Use:     "scope PROFILE all|assigned",
		Short:   "Set which sites a profile's holders reach: all, or only their assigned ones",
		Example: `  gatehouse profiles scope "Site lead" assigned`,
		Args:    nargs(2, 2, "a PROFILE and all or assigned"),
	}
	c.RunE = a.with(func(s *store.Store, actor store.Actor, args []string) error {
		sc, err := store.ParseScope(args[1])
		if err != nil {
			return err
		}
		cs, err := s.ApplyGrouped(actor, summary("profiles scope", args[0], args[1]), func(tx *store.Tx) error {
			return tx.SetProfileScope(args[0], sc)
		})
		if err != nil {
			return err
		}
		return a.report(cs, fmt.Sprintf("profile %s reaches %s", args[0], sc))
	})
	return c
}
