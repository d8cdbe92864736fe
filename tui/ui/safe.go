package ui

import (
	"strings"

	"github.com/gatehouse/gatehouse/internal/safetext"
	"github.com/gatehouse/gatehouse/store"
)

// Text from the database may hold anything a file written before the input
// rules (or restored from an old backup) held: escape sequences that move
// the cursor, write the clipboard or open links, carriage returns, bidi
// overrides. Every store value a screen draws goes through safe where it
// becomes a display string, before it is styled or measured: one line,
// every control written out visibly (\x1b, \u202e). App.View's Frame guard
// stands behind that for anything a screen forgets, but it cannot tell a
// colour the theme chose from one a name carries, and a width measured on
// raw text would be wrong: hence both.

// Safe is s fit to draw: controls and invisible characters written out,
// newlines too. Clean text comes back as it is, without allocating.
func Safe(s string) string { return safetext.Escape(s) }

// SafeJoin joins names, each made safe.
func SafeJoin(names []string, sep string) string {
	clean := true
	for _, n := range names {
		if !safetext.Clean(n) {
			clean = false
			break
		}
	}
	if clean {
		return strings.Join(names, sep)
	}
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = Safe(n)
	}
	return strings.Join(out, sep)
}

// SafeErr is an error's text fit to draw.
func SafeErr(err error) string { return Safe(err.Error()) }

// Unread is what a pane says in place of what it could not read: briefly
// when the store cannot answer now (the status line says since when, and !
// shows why), else the error fit to draw.
func Unread(err error) string {
	if store.KindOf(err) == store.KindUnavailable {
		return "not read: the store cannot answer now (! shows why)"
	}
	return SafeErr(err)
}
