// Package tuitest drives a console in tests as a terminal would: keys,
// pastes, the commands they return, frames compared with golden files.
// Every test package of the console uses it: the shell's (tui) and each
// screen's, which open whole consoles. It imports neither the shell nor
// any screen (the shell's own tests import it).
package tuitest
