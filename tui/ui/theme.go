// Package ui is the kit the console's shell (package tui) and its screens
// share: the theme, key bindings as values, pane frames, dialogs and forms,
// safe text, and Host, the console as a screen reaches it. It imports
// neither the shell nor any screen.
//
// Styles are plain values: the program downsamples their colours to what
// each terminal shows, so one process can serve many terminals.
package ui

import (
	"image/color"

	"charm.land/lipgloss/v2"
)

// Theme holds every style of one console, for a dark or a light background.
type Theme struct {
	Dark bool

	Border, BorderFocused lipgloss.Style // frame colours
	Title, TitleFocused   lipgloss.Style
	Cursor                lipgloss.Style // the highlighted row
	CursorBlurred         lipgloss.Style // highlighted row of an unfocused pane
	Selected              lipgloss.Style // rows in the bulk selection
	Muted                 lipgloss.Style
	Bold                  lipgloss.Style
	Warn, Bad, Good       lipgloss.Style
	Pending               lipgloss.Style
	Tab, TabActive        lipgloss.Style
	Status, StatusKey     lipgloss.Style
	Key                   lipgloss.Style
	Header                lipgloss.Style

	frame, frameFocused frameStyle // border and borderFocused, for box
}

// NewTheme builds the styles for a terminal whose background is dark (the
// default until the terminal says otherwise) or light.
func NewTheme(dark bool) *Theme {
	ld := lipgloss.LightDark(dark)
	c := func(light, dark string) color.Color { return ld(lipgloss.Color(light), lipgloss.Color(dark)) }
	accent := c("#5A3FC0", "#A78BFA")
	dim := c("#8A8A8A", "#6B6B6B")
	s := lipgloss.NewStyle
	th := &Theme{
		Dark:          dark,
		Border:        s().Foreground(dim),
		BorderFocused: s().Foreground(accent).Bold(true),
		Title:         s().Foreground(dim),
		TitleFocused:  s().Foreground(accent).Bold(true),
		Cursor:        s().Reverse(true).Bold(true),
		CursorBlurred: s().Underline(true),
		Selected:      s().Foreground(c("#A15C00", "#FBBF24")),
		Muted:         s().Foreground(dim),
		Bold:          s().Bold(true),
		Warn:          s().Foreground(c("#A15C00", "#FBBF24")),
		Bad:           s().Foreground(c("#B91C1C", "#F87171")),
		Good:          s().Foreground(c("#15803D", "#4ADE80")),
		Pending:       s().Foreground(c("#1D4ED8", "#60A5FA")).Bold(true),
		Tab:           s().Foreground(dim),
		TabActive:     s().Reverse(true).Bold(true),
		Status:        s().Foreground(c("#333333", "#DDDDDD")),
		StatusKey:     s().Foreground(accent).Bold(true),
		Key:           s().Foreground(accent).Bold(true),
		Header:        s().Bold(true).Underline(true),
	}
	th.frame, th.frameFocused = newFrameStyle(th.Border), newFrameStyle(th.BorderFocused)
	return th
}
