package tui

func newOutboxScreen(a *App) screen { return &placeholder{title: "Invitations & outbox"} }
