package tui

import "github.com/charmbracelet/x/ansi"

// Warm builds what the first frame's renderer would build on first use: the
// rune width table (10-17 ms, on the first character outside Latin, such as
// a box's border). A console's start calls it in the background while the
// store opens, when a core is free.
func Warm() {
	ansi.StringWidthWc("─")
}
