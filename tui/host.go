package tui

import (
	tea "charm.land/bubbletea/v2"

	"github.com/gatehouse/gatehouse/store"
	"github.com/gatehouse/gatehouse/tui/ui"
)

// The App is its screens' Host.

func (a *App) Store() *store.Store { return a.s }
func (a *App) Actor() store.Actor  { return a.actor }
func (a *App) Theme() *ui.Theme    { return a.th }
func (a *App) Clock() ui.Clock     { return a.clock }
func (a *App) ReadOnly() bool      { return a.readOnly }
func (a *App) Size() (w, h int)    { return a.w, a.h }

// Focus is the focused pane of the screen shown.
func (a *App) Focus() int { return a.focus[a.cur] }

func (a *App) SetFocus(pane int) { a.focus[a.cur] = pane }

func (a *App) TakeRefusal() (string, error) {
	err := a.refusal
	a.refusal = nil
	return a.msg, err
}

func (a *App) Open(m ui.Modal) { a.modal = m }

func (a *App) StartFilter() tea.Cmd { return a.startInput(inputFilter) }

// ShowHistory shows the History screen filtered to one record.
func (a *App) ShowHistory(entity string) {
	for i, s := range a.screens {
		if h, ok := s.(ui.EntityHistory); ok {
			h.ShowEntity(entity)
			a.switchTo(i)
			return
		}
	}
}

// AssignSites opens Sites & teams for these users, at its Clients group
// when clients is set.
func (a *App) AssignSites(who []*store.User, clients bool) {
	for i, s := range a.screens {
		if sa, ok := s.(ui.SiteAssigner); ok {
			sa.SetWho(who)
			a.switchTo(i)
			if clients {
				sa.FocusClients()
			}
			return
		}
	}
}

// WhoCan opens the list of who passes a check.
func (a *App) WhoCan(q store.WhoCanQuery) error {
	v, err := newWhoCan(a, q)
	if err != nil {
		return err
	}
	a.modal = v
	return nil
}

// The App is every screen's Host (Flash, Fail and Applied are in app.go).
var _ ui.Host = (*App)(nil)
