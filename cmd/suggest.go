package cmd

import (
	"errors"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/agnivade/levenshtein"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// Did-you-mean for what cobra leaves without one: flags (cobra suggests
// only commands), and help asked of a command that does not exist
// (`gatehouse users shwo --help`, `gatehouse help userz` print the
// parent's help and exit 0 in cobra). Only what the tree offers is
// suggested: hidden flags and commands (--db and --as over SSH, commands
// the actor may not run there) never are.

// maxSuggested bounds how far a typed name is weighed against the flags:
// a name longer than any flag is no typo of one.
const maxSuggested = 64

// flagSuggestion is " (did you mean --email?)" for an unknown flag close
// to one the command takes, or "".
func flagSuggestion(c *cobra.Command, err error) string {
	var ne *pflag.NotExistError
	if !errors.As(err, &ne) {
		return ""
	}
	typed := ne.GetSpecifiedName()
	if short := ne.GetSpecifiedShortnames(); short != "" {
		// -email: pflag reads shorthands e, m, a…; the word is what was meant
		typed = short
	}
	sug := suggestFlags(c, typed)
	if len(sug) == 0 {
		return ""
	}
	for i, s := range sug {
		sug[i] = "--" + s
	}
	return " (did you mean " + strings.Join(sug, " or ") + "?)"
}

// suggestFlags lists the visible flags of c near typed: within two edits
// (ignoring case), or starting with it; the nearest first.
func suggestFlags(c *cobra.Command, typed string) []string {
	typed = strings.ToLower(strings.TrimLeft(typed, "-"))
	if typed == "" || utf8.RuneCountInString(typed) > maxSuggested {
		return nil
	}
	type near struct {
		name string
		d    int
	}
	var found []near
	c.Flags().VisitAll(func(f *pflag.Flag) {
		if f.Hidden {
			return
		}
		d := levenshtein.ComputeDistance(typed, strings.ToLower(f.Name))
		if d <= 2 || (len(typed) >= 2 && strings.HasPrefix(f.Name, typed)) {
			found = append(found, near{f.Name, d})
		}
	})
	slices.SortStableFunc(found, func(a, b near) int { return a.d - b.d })
	out := make([]string, 0, len(found))
	for _, n := range found {
		out = append(out, n.name)
	}
	return out
}

// helpCmd is `help [command]`: cobra's, except that a command that does
// not exist is an error with a did-you-mean rather than the root's help.
func (a *app) helpCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "help [command]",
		Short: "Help about any command",
		Long:  "Help about any command: gatehouse help users add (the same as gatehouse users add --help).",
		ValidArgsFunction: func(c *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
			target, rest, err := c.Root().Find(args)
			if err != nil || len(rest) > 0 {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			var out []cobra.Completion
			for _, sub := range target.Commands() {
				if sub.IsAvailableCommand() && strings.HasPrefix(sub.Name(), toComplete) {
					out = append(out, cobra.CompletionWithDesc(sub.Name(), sub.Short))
				}
			}
			return out, cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(c *cobra.Command, args []string) error {
			target, rest, err := c.Root().Find(args)
			if err != nil {
				return err
			}
			if len(rest) > 0 {
				return unknownSubcommand(target, rest[0])
			}
			target.InitDefaultHelpFlag() // so its help lists -h, --help
			return target.Help()
		},
	}
}

// helpFunc wraps cobra's help so that --help after a word that names no
// subcommand of a group says so (exit 2) instead of showing the group.
func (a *app) helpFunc(show func(*cobra.Command, []string)) func(*cobra.Command, []string) {
	return func(c *cobra.Command, args []string) {
		if c.HasSubCommands() {
			if rest := c.Flags().Args(); len(rest) > 0 {
				a.helpErr = unknownSubcommand(c, rest[0])
				return
			}
		}
		show(c, args)
	}
}

// unknownSubcommand is the error for a word that names no subcommand of c.
func unknownSubcommand(c *cobra.Command, word string) error {
	return groupArgs(c, []string{word})
}
