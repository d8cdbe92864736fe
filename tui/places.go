package tui

func newPlacesScreen(a *App) screen { return &placeholder{title: "Clients & sites"} }
