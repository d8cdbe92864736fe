package tui

func newSettingsScreen(a *App) screen { return &placeholder{title: "Settings"} }
