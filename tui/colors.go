package tui

import (
	"io"
	"slices"
	"strings"

	"github.com/charmbracelet/colorprofile"
)

// terminalColors is the colour profile to draw the first frame with, and a
// function for later that says whether the whole detection allows more.
// Inside tmux the whole detection runs `tmux info` (a process: 35-90 ms on
// a 2-core machine), which the first frame does not wait for: the first
// profile is what the environment and terminfo say.
func terminalColors(out io.Writer, env []string) (first colorprofile.Profile, more func() (colorprofile.Profile, bool)) {
	outsideTmux := slices.DeleteFunc(slices.Clone(env), func(e string) bool { return strings.HasPrefix(e, "TMUX=") })
	first = colorprofile.Detect(out, outsideTmux)
	return first, func() (colorprofile.Profile, bool) {
		all := colorprofile.Detect(out, env)
		return all, all > first
	}
}
