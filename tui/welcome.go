package tui

import (
	"fmt"

	tea "charm.land/bubbletea/v2"
	"github.com/gatehouse/gatehouse/store"
	"github.com/gatehouse/gatehouse/tui/ui"
)

// welcome greets the operator of a new, empty database.
type welcome struct{ a *App }

func (w *welcome) Update(msg tea.Msg, _ ui.Host) (tea.Cmd, bool) {
	a := w.a
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil, false
	}
	switch k.String() {
	case "d":
		r, err := a.s.Demo(a.actor, store.DemoOptions{Users: 200})
		if err != nil {
			a.Fail(err)
			return nil, true
		}
		a.reloadAll()
		a.Flash(fmt.Sprintf("demo data loaded: %d clients, %d sites, %d teams, %d users — press ? for help", r.Clients, r.Sites, r.Teams, r.Users), false)
		return nil, true
	case "enter", "esc", "e":
		a.Flash("empty database: press a to add a user, 5 for clients & sites, ? for help", false)
		return nil, true
	case "q", "ctrl+c":
		return tea.Quit, true
	}
	return nil, false
}

func (*welcome) View(th *ui.Theme, w, h int) string {
	lines := []string{
		"",
		"  Welcome to gatehouse.",
		"",
		"  This database is new and empty. gatehouse decides who may see which",
		"  sites and which screens: users, their sites and teams, and the",
		"  permission matrix of each profile.",
		"",
		"  d      load demo data (3 clients, their sites and teams, 200 users)",
		"  enter  start empty",
		"  q      quit",
		"",
		"  Anywhere later: ? shows every key, : opens the command palette.",
	}
	return th.Dialog("Welcome", append(lines, ""), w, h, 76)
}
