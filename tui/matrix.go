package tui

func newMatrixScreen(a *App) screen { return &placeholder{title: "Permissions"} }
