// Package tui is the shell of gatehouse's console: the App, which lays out
// up to three panes of the screen shown by the terminal's width, routes
// keys and the mouse, and owns the status line, the palette, help, undo
// and the dialogs over the panes. The screens are packages of their own
// (package console puts them together); they reach the App through
// ui.Host, and it reaches them through ui.Screen.
package tui
