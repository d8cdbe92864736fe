package tui

import (
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/gatehouse/gatehouse/store"
)

// whoCanView lists who passes a check, with why: the store's who-can, as
// the command line's, for the screen and level asked about (the palette's
// :who-can, or w on a cell of the matrix).
type whoCanView struct {
	title  string
	lines  []string
	offset int
}

func newWhoCan(a *App, q store.WhoCanQuery) (*whoCanView, error) {
	w, err := a.s.WhoCan(a.actor, q)
	if err != nil {
		return nil, err
	}
	where := "anywhere"
	if q.Site != "" {
		where = "at " + safe(w.Site)
	}
	v := &whoCanView{title: fmt.Sprintf("Who can %s %s %s — %s", w.Level, safe(w.ScreenTitle), where, plural(len(w.Rows), "user"))}
	for i := range w.Rows {
		r := &w.Rows[i]
		v.lines = append(v.lines, a.th.bold.Render(safe(r.User.Name()))+" "+a.th.muted.Render(safe(r.User.Email)), "   "+safe(w.Reason(r)))
	}
	if len(w.Rows) == 0 {
		v.lines = append(v.lines, a.th.muted.Render("nobody"))
	}
	if w.Partial {
		v.lines = append(v.lines, "", a.th.muted.Render("only the users you may see: those inside your sites"))
	}
	return v, nil
}

func (v *whoCanView) update(msg tea.Msg, a *App) (tea.Cmd, bool) {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		last := max(len(v.lines)-(a.bodyHeight()-2), 0)
		switch k.String() {
		case "down", "j":
			v.offset = min(v.offset+1, last)
		case "up", "k":
			v.offset = max(v.offset-1, 0)
		case "pgdown":
			v.offset = min(v.offset+10, last)
		case "pgup":
			v.offset = max(v.offset-10, 0)
		default:
			return nil, true
		}
	}
	return nil, false
}

func (v *whoCanView) view(th *theme, w, h int) string {
	off := min(v.offset, max(len(v.lines)-(h-2), 0)) // a resize may have left less to scroll
	return th.box(v.title+" — ↑/↓ scroll, esc close", v.lines[off:], w, h, true)
}

// paletteWhoCan answers ":who-can SCREEN LEVEL [SITE]".
func (a *App) paletteWhoCan(args []string) tea.Cmd {
	if len(args) < 2 {
		a.flash("who-can needs SCREEN LEVEL [SITE], e.g. who-can payroll view North Depot", true)
		return nil
	}
	lv, err := store.ParseLevel(args[1])
	if err != nil {
		a.fail(err)
		return nil
	}
	v, err := newWhoCan(a, store.WhoCanQuery{Screen: args[0], Level: lv, Site: strings.Join(args[2:], " ")})
	if err != nil {
		a.fail(err)
		return nil
	}
	a.modal = v
	return nil
}
