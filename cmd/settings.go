package cmd

import (
	"fmt"
	"strings"

	"github.com/gatehouse/gatehouse/store"
	"github.com/spf13/cobra"
)

func (a *app) settingsCmd() *cobra.Command {
	var keys []string
	for _, k := range store.SettingKeys {
		keys = append(keys, fmt.Sprintf("  %-20s %s", k, store.SettingHelp[k]))
	}
	show := &cobra.Command{Use: "show", Short: "Show the org settings and feature overrides", Args: nargs(0, 0, "")}
	show.RunE = a.with(func(s *store.Store, actor store.Actor, args []string) error {
		if err := s.Capabilities(actor).May(store.ReadSettings); err != nil {
			return err
		}
		st := s.Settings()
		v := settingsView{Settings: []settingView{}, Features: []featureSummaryView{}, Version: st.Version, Updated: st.Updated, UpdatedBy: s.ActorNames(actor)(st.UpdatedBy)}
		for _, k := range store.SettingKeys {
			v.Settings = append(v.Settings, settingView{Key: k, Value: st.Value(k), Help: store.SettingHelp[k]})
		}
		emps, err := s.Users(store.UserFilter{Type: ptr(store.Employee)})
		if err != nil {
			return err
		}
		for _, f := range store.Features() {
			fs := featureSummaryView{Feature: f.String(), Title: f.Title(), Org: st.Feature(f), Employees: len(emps)}
			for _, u := range emps {
				switch u.Features[f] {
				case store.Allow:
					fs.Allow++
				case store.Deny:
					fs.Deny++
				}
				if st.EffectiveFeature(u, f) {
					fs.Effective++
				}
			}
			v.Features = append(v.Features, fs)
		}
		if a.json {
			return a.printJSON(v)
		}
		tw := newTable(a.env.Out)
		row(tw, "SETTING", "VALUE", "MEANING")
		for _, x := range v.Settings {
			row(tw, x.Key, x.Value, x.Help)
		}
		tw.Flush()
		a.printf("\nFeatures (org value, and employees overriding it):\n")
		tw = newTable(a.env.Out)
		row(tw, "FEATURE", "ORG", "ALLOW", "DENY", "EMPLOYEES WITH IT")
		for _, f := range v.Features {
			row(tw, f.Feature+" ("+f.Title+")", onOff(f.Org), fmt.Sprint(f.Allow), fmt.Sprint(f.Deny), fmt.Sprintf("%d of %d", f.Effective, f.Employees))
		}
		tw.Flush()
		a.printf("\nlast changed %s by %s; change one: gatehouse settings set KEY VALUE\n", when(st.Updated), orDash(v.UpdatedBy))
		return nil
	})
	set := &cobra.Command{
		Use:   "set KEY VALUE",
		Short: "Change one org setting",
		Long:  "Change one org setting. The keys:\n" + strings.Join(keys, "\n"),
		Example: `  gatehouse settings set restrict-locations on
  gatehouse settings set invite-expiry 3d`,
		Args: nargs(2, 2, "a KEY and a VALUE"),
	}
	set.RunE = a.with(func(s *store.Store, actor store.Actor, args []string) error {
		key := strings.ToLower(strings.TrimSpace(args[0]))
		cs, err := s.ApplyGrouped(actor, summary("settings set", key, args[1]), func(tx *store.Tx) error {
			return tx.SetSetting(key, args[1])
		})
		if err != nil {
			return err
		}
		if len(cs.Entries) == 0 && !a.json {
			a.printf("nothing to change: %s is already %s\n", key, s.Settings().Value(key))
			return nil
		}
		e := cs.Entries[0]
		done := fmt.Sprintf("%s: %s", key, change(e.Before, e.After))
		return a.report(cs, done)
	})
	return group("settings", "Org settings: locations, guardrail, invitations, features, lockout", show, set)
}

func ptr[T any](v T) *T { return &v }
