package users

import (
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/gatehouse/gatehouse/store"
	"github.com/gatehouse/gatehouse/tui/ui"
)

// detailsPane is the right pane: the highlighted user's details and
// effective access, built once per user version, width and theme (prepare),
// since View runs after every message.
type detailsPane struct {
	host ui.Host
	cat  *catalog
	// user is the list's highlighted user; nav its keys, which move it from
	// here too (the screen's wiring)
	user func() *store.User
	nav  func() []*ui.Binding

	w     int
	key   string // id@version/width/theme the cached lines were built for ("": none)
	of    detailSlot
	lines []string
}

// detailSlot is what the cached details show: a user record, at a width, in a theme.
type detailSlot struct {
	u  *store.User
	w  int
	th *ui.Theme
}

func (d *detailsPane) Bindings() []*ui.Binding { return d.nav() }

func (d *detailsPane) SetSize(w, h int) { d.w = w }

// Update: the pane has no keys of its own.
func (d *detailsPane) Update(tea.Msg) tea.Cmd { return nil }

// forget drops the cached lines: the records under them changed.
func (d *detailsPane) forget() { d.key = "" }

// prepare builds the highlighted user's lines if the cache does not hold them.
func (d *detailsPane) prepare() {
	us := d.user()
	if us == nil {
		return
	}
	if key := fmt.Sprintf("%d@%d/%d/%p", us.ID, us.Version, d.w, d.host.Theme()); key != d.key {
		d.key, d.lines = key, d.build(us, d.w)
	}
	d.of = detailSlot{us, d.w, d.host.Theme()} // the same version may be a new record
}

// View shows the highlighted user as prepare built it; at a width prepare
// did not build for, built anew.
func (d *detailsPane) View(w, h int, focused bool) []string {
	us := d.user()
	if us == nil {
		return []string{d.host.Theme().Muted.Render("no user highlighted")}
	}
	if d.key != "" && d.of == (detailSlot{us, w, d.host.Theme()}) {
		return d.lines
	}
	return d.build(us, w)
}

func (d *detailsPane) build(us *store.User, w int) []string {
	th := d.host.Theme()
	n := d.cat.names
	// a value too long for the pane goes on under itself: none loses its end
	kv := func(k, v string) string {
		lines := strings.Split(ansi.Wrap(v, max(w-11, 10), ","), "\n")
		for i := 1; i < len(lines); i++ {
			lines[i] = strings.Repeat(" ", 11) + strings.TrimLeft(lines[i], " ")
		}
		return th.Muted.Render(fmt.Sprintf("%-10s", k)) + " " + strings.Join(lines, "\n")
	}
	out := []string{th.Bold.Render(ui.Safe(us.Name())), ui.Safe(us.Email), ""}
	// each grant that ends by itself says when, as users show does
	ending := func(g store.Grant, ids []uint64, name func(uint64) string) string {
		parts := make([]string, len(ids))
		for i, id := range ids {
			parts[i] = ui.Safe(name(id))
			if at := us.Until(g, id); !at.IsZero() {
				parts[i] += th.Warn.Render(" (until " + store.UntilText(at) + ")")
			}
		}
		return strings.Join(parts, ", ")
	}
	out = append(out, kv("Type", us.Type.String()))
	if us.Type == store.ClientUser {
		out = append(out, kv("Client", ui.SafeJoin(n.Clients(us.ClientIDs), ", ")))
	} else if len(us.ClientIDs) > 0 {
		out = append(out, kv("Clients", ending(store.GrantClient, us.ClientIDs, n.Client)))
	}
	profile := ui.Safe(n.Profile(us.ProfileID))
	for _, x := range us.Expiries {
		if x.Grant == store.GrantProfile {
			profile += th.Warn.Render(" (until " + store.UntilText(x.At) + ", then " + ui.Safe(n.Profile(x.Back)) + ")")
		}
	}
	out = append(out, kv("Profile", profile))
	st := us.Status().String()
	switch us.Status() {
	case store.Disabled:
		st = th.Bad.Render(st)
	case store.Invited:
		st = th.Warn.Render(st)
	default:
		st = th.Good.Render(st)
	}
	out = append(out, kv("Status", st))
	out = append(out, kv("Sites", ui.OrNone(ending(store.GrantSite, us.SiteIDs, n.Site))))
	if len(us.TeamIDs) > 0 {
		out = append(out, kv("Teams", ending(store.GrantTeam, us.TeamIDs, n.Team)))
	}
	if us.DefaultSiteID != 0 {
		out = append(out, kv("Default", ui.Safe(n.Site(us.DefaultSiteID))))
	}
	if us.HasRecords() {
		out = append(out, kv("Records", "yes — can be disabled, not deleted"))
	}
	switch keys, err := d.host.Store().KeysOf(us.ID); {
	case err != nil: // not "none": a user whose keys cannot be read may have some
		out = append(out, kv("SSH keys", th.Bad.Render(ui.Unread(err))))
	case len(keys) > 0:
		out = append(out, kv("SSH keys", fmt.Sprintf("%d (K manages them)", len(keys))))
		for _, k := range keys {
			out = append(out, "           "+ui.Safe(k.Fingerprint))
		}
	}
	if us.Changed() {
		out = append(out, kv("Changed", fmt.Sprintf("v%d by %s, %s (h: history)", us.Version, ui.Safe(us.UpdatedBy), us.Updated.Local().Format("2006-01-02 15:04"))))
	}
	if e, err := d.host.Store().EffectiveByID(us.ID); err == nil {
		out = append(out, "", th.Header.Render("Effective access"))
		var labels, values, marks []string
		for _, l := range e.Levels {
			if l.Level == "none" {
				continue
			}
			mark := " "
			if l.Sensitive {
				mark = th.Warn.Render("!")
			}
			labels, values, marks = append(labels, ui.Safe(l.Title)), append(values, ui.Safe(l.Level)), append(marks, mark)
		}
		for i, row := range ui.ValueRows("   ", labels, values, w) {
			out = append(out, " "+marks[i]+row[2:])
		}
		if len(labels) == 0 {
			out = append(out, th.Muted.Render(" no screens"))
		}
		for _, note := range e.Notes {
			out = append(out, th.Muted.Render(" "+ui.Safe(note)))
		}
		out = append(out, "", th.Header.Render("Features"))
		labels, values = make([]string, len(e.Features)), make([]string, len(e.Features))
		for i, f := range e.Features {
			v := "off"
			if f.Effective {
				v = "on"
			}
			if f.Override != "inherit" {
				v += " (" + f.Override + ")"
			}
			labels[i], values[i] = ui.Safe(f.Title), v
		}
		out = append(out, ui.ValueRows("   ", labels, values, w)...)
	}
	var lines []string
	for _, l := range out {
		lines = append(lines, strings.Split(l, "\n")...)
	}
	return lines
}
