package tui

import "strconv"

// plural is "1 cell", "2 cells": a count with the noun that agrees with it.
func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return strconv.Itoa(n) + " " + what + "s"
}
