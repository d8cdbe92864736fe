package cmd

import "github.com/spf13/cobra"

// remoteTree trims what help and completion offer over SSH to what the
// signed-in actor may use there: --db, --etcd… and --as are refused over SSH, and
// so is every command the allowlist (Env.Allow) refuses them, so none of
// them is shown, completed or suggested. They stay in the tree, so a line
// that names one is still answered by the allowlist's refusal, not by
// "unknown command".
func (a *app) remoteTree(root *cobra.Command) {
	for _, name := range append([]string{"db", "as"}, etcdFlagNames...) {
		if f := root.PersistentFlags().Lookup(name); f != nil {
			f.Hidden = true
		}
	}
	// the script generator is refused over SSH: its script would call a
	// gatehouse on the client's machine, not this server
	root.CompletionOptions.HiddenDefaultCmd = true
	if a.env.Allow == nil {
		return
	}
	var hide func(c *cobra.Command)
	hide = func(c *cobra.Command) {
		for _, sub := range c.Commands() {
			if a.env.Allow(sub) != nil {
				sub.Hidden = true
			}
			hide(sub)
		}
	}
	hide(root)
}
