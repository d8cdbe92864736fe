package ui

import "strconv"

// Plural is "1 cell", "2 cells": a count with the noun that agrees with it.
func Plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return strconv.Itoa(n) + " " + what + "s"
}

// Thousands is n with its thousands apart: 100,000.
func Thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// ErrText is an error's line with the console's fix, "" for none: a
// binding's reason not to run.
func ErrText(err error) string {
	if err != nil {
		return WithFix(err)
	}
	return ""
}

// OrNone is s, or "(none)" for nothing.
func OrNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// OrDash is s, or "—" for nothing.
func OrDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}
