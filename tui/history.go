package tui

func newHistoryScreen(a *App) screen { return &placeholder{title: "History"} }
