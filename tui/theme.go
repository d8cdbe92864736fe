// Package tui is gatehouse's console: three-pane Bubble Tea screens over the
// store. Styles are plain values: the program downsamples their colours to
// what each terminal shows, so one process can serve many terminals.
package tui

import (
	"image/color"

	"charm.land/lipgloss/v2"
)

// theme holds every style of one console, for a dark or a light background.
type theme struct {
	dark bool

	border, borderFocused lipgloss.Style // frame colours
	title, titleFocused   lipgloss.Style
	cursor                lipgloss.Style // the highlighted row
	cursorBlurred         lipgloss.Style // highlighted row of an unfocused pane
	selected              lipgloss.Style // rows in the bulk selection
	muted                 lipgloss.Style
	bold                  lipgloss.Style
	warn, bad, good       lipgloss.Style
	pending               lipgloss.Style
	tab, tabActive        lipgloss.Style
	status, statusKey     lipgloss.Style
	key                   lipgloss.Style
	header                lipgloss.Style

	frame, frameFocused frameStyle // border and borderFocused, for box
}

// newTheme builds the styles for a terminal whose background is dark (the
// default until the terminal says otherwise) or light.
func newTheme(dark bool) *theme {
	ld := lipgloss.LightDark(dark)
	c := func(light, dark string) color.Color { return ld(lipgloss.Color(light), lipgloss.Color(dark)) }
	accent := c("#5A3FC0", "#A78BFA")
	dim := c("#8A8A8A", "#6B6B6B")
	s := lipgloss.NewStyle
	th := &theme{
		dark:          dark,
		border:        s().Foreground(dim),
		borderFocused: s().Foreground(accent).Bold(true),
		title:         s().Foreground(dim),
		titleFocused:  s().Foreground(accent).Bold(true),
		cursor:        s().Reverse(true).Bold(true),
		cursorBlurred: s().Underline(true),
		selected:      s().Foreground(c("#A15C00", "#FBBF24")),
		muted:         s().Foreground(dim),
		bold:          s().Bold(true),
		warn:          s().Foreground(c("#A15C00", "#FBBF24")),
		bad:           s().Foreground(c("#B91C1C", "#F87171")),
		good:          s().Foreground(c("#15803D", "#4ADE80")),
		pending:       s().Foreground(c("#1D4ED8", "#60A5FA")).Bold(true),
		tab:           s().Foreground(dim),
		tabActive:     s().Reverse(true).Bold(true),
		status:        s().Foreground(c("#333333", "#DDDDDD")),
		statusKey:     s().Foreground(accent).Bold(true),
		key:           s().Foreground(accent).Bold(true),
		header:        s().Bold(true).Underline(true),
	}
	th.frame, th.frameFocused = newFrameStyle(th.border), newFrameStyle(th.borderFocused)
	return th
}
