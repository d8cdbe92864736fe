package tui

import "github.com/gatehouse/gatehouse/store"

// sitesScreen: who | available sites & teams | assigned.
type sitesScreen struct {
	placeholder
	a   *App
	who []*store.User
}

func newSitesScreen(a *App) *sitesScreen {
	return &sitesScreen{placeholder: placeholder{title: "Sites & teams"}, a: a}
}

// setWho sets whose sites are edited: one user or the bulk selection.
func (s *sitesScreen) setWho(us []*store.User) { s.who = us }
