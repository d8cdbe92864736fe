package places

import (
	"fmt"

	tea "charm.land/bubbletea/v2"

	"github.com/gatehouse/gatehouse/store"
	"github.com/gatehouse/gatehouse/tui/list"
	"github.com/gatehouse/gatehouse/tui/ui"
)

// clientsPane is the left pane: all sites, the business's own, then each
// client, with their sites' counts.
type clientsPane struct {
	host ui.Host
	data *placesData // the screen's
	// picked is the screen's: the sites and teams follow the row picked
	picked func(row int)

	list *list.Model[leftKey] // 0 all sites, 1 own sites, 2+ clients
}

// leftKey names a row of the Clients pane: all sites, own sites, or a client.
type leftKey struct {
	row    int // placesAll, placesOwn, placesFirstClient for every client
	client uint64
}

const (
	placesAll = iota
	placesOwn
	placesFirstClient
)

func newClientsPane(h ui.Host, d *placesData, picked func(int)) *clientsPane {
	p := &clientsPane{host: h, data: d, picked: picked, list: list.New[leftKey]()}
	p.list.SetTop(1) // below the column headings
	return p
}

// reload follows new data, on the same client.
func (p *clientsPane) reload() { p.list.SetRows(leftRows{p}) }

// row is the highlighted row: placesAll, placesOwn, or a client's.
func (p *clientsPane) row() int { return p.list.Cursor() }

// client is the highlighted client (nil: all or own sites).
func (p *clientsPane) client() *store.Client {
	if i := p.row() - placesFirstClient; i >= 0 && i < len(p.data.clients) {
		return p.data.clients[i]
	}
	return nil
}

// label is the highlighted row as the Sites pane's title says it.
func (p *clientsPane) label() string {
	switch p.row() {
	case placesAll:
		return "all"
	case placesOwn:
		return "own"
	}
	if c := p.client(); c != nil {
		return c.Name
	}
	return ""
}

func (p *clientsPane) Bindings() []*ui.Binding { return ui.ListNav(p.list, p.followMoved()) }

// followMoved shows the sites of the client highlighted, when a move changed it.
func (p *clientsPane) followMoved() func() {
	was := p.row()
	return func() {
		if l := p.row(); l != was {
			p.picked(l)
		}
	}
}

func (p *clientsPane) SetSize(w, h int) { p.list.SetSize(w, max(h-1, 1)) }

// Update: a click highlights a client, the wheel moves through them; the
// sites follow.
func (p *clientsPane) Update(msg tea.Msg) tea.Cmd {
	if m, ok := msg.(ui.PaneMouse); ok {
		after := p.followMoved()
		p.list.Mouse(m.MouseMsg, m.Y)
		after()
	}
	return nil
}

func (p *clientsPane) View(w, h int, focused bool) []string {
	if p.data.denied != "" {
		return nil
	}
	th := p.host.Theme()
	num := 6
	head := " " + ui.Cell("CLIENT", w-1-num) + fmt.Sprintf("%*s", num-1, "SITES")
	out := p.list.AppendLines([]string{th.Header.Render(ui.Fit(head, w))}, focused)
	if len(p.data.clients) == 0 {
		out = append(out, "", th.Muted.Render(" no clients yet: a adds one"))
	} else if !p.host.ReadOnly() {
		out = append(out, "", th.Muted.Render(" a adds · h history"))
	}
	return out
}

// leftRows are the Clients pane's rows: all sites, own sites, each client.
type leftRows struct{ p *clientsPane }

func (r leftRows) Len() int            { return placesFirstClient + len(r.p.data.clients) }
func (r leftRows) Selectable(int) bool { return true }

func (r leftRows) Key(i int) leftKey {
	if i < placesFirstClient {
		return leftKey{row: i}
	}
	return leftKey{placesFirstClient, r.p.data.clients[i-placesFirstClient].ID}
}

func (r leftRows) Render(i, w int, st list.State) string {
	d, th, num := r.p.data, r.p.host.Theme(), 6
	var label string
	var sites int
	switch i {
	case placesAll:
		label, sites = "All sites", len(d.sites)
	case placesOwn:
		label, sites = "Own sites", d.count.ownSites
	default:
		c := d.clients[i-placesFirstClient]
		label, sites = ui.Safe(c.Name), d.perClient[c.ID]
	}
	mark := " "
	if st.Cursor {
		mark = "›"
	}
	line := ui.Fit(mark+ui.Cell(label, w-1-num)+fmt.Sprintf("%*d", num-1, sites), w)
	if i < placesFirstClient && !st.Cursor {
		line = th.Muted.Render(line)
	}
	return ui.RowStyle(th, line, st.Cursor, st.Focused)
}
