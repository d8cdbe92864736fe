package permissions

import (
	"github.com/charmbracelet/x/ansi"

	"github.com/gatehouse/gatehouse/store"
	"github.com/gatehouse/gatehouse/tui/ui"
)

// snapshot is what the store held at the last Reload: the profiles and the
// screen catalog every pane reads, indexed once so no frame searches them.
type snapshot struct {
	profiles []*store.Profile
	byID     map[uint64]*store.Profile
	pIdx     map[uint64]int // profile id → position in profiles
	holders  map[uint64]int // profile id → users holding it
	screens  []*store.Screen
	scIdx    map[string]int // screen key → position in screens
	guard    bool           // the client guardrail is on
	labelW   int            // widest screen title
}

func (d *snapshot) load(s *store.Store) {
	d.profiles = s.Profiles()
	d.byID = make(map[uint64]*store.Profile, len(d.profiles))
	d.pIdx = make(map[uint64]int, len(d.profiles))
	for i, p := range d.profiles {
		d.byID[p.ID], d.pIdx[p.ID] = p, i
	}
	d.holders = s.ProfileUsers()
	d.screens = s.Screens()
	d.scIdx = make(map[string]int, len(d.screens))
	d.labelW = 0
	for i, sc := range d.screens {
		d.scIdx[sc.Key] = i
		d.labelW = max(d.labelW, ansi.StringWidth(ui.Safe(sc.Title)))
	}
	d.guard = s.Settings().ClientGuardrail
}

// has says the cell's profile and screen still exist.
func (d *snapshot) has(c mxCell) bool {
	_, ok := d.scIdx[c.screen]
	return ok && d.byID[c.pid] != nil
}

func profileFacts(p *store.Profile) string {
	s := p.Type.String() + " · " + mxScope(p.Scope)
	if p.Builtin {
		s += " · built-in"
	}
	return s
}

// mxShortFacts is type and scope in at most w cells where it can.
func mxShortFacts(p *store.Profile, w int) string {
	s := p.Type.String() + " · " + mxScope(p.Scope)
	if ansi.StringWidth(s) > w && p.Scope == store.ScopeAssigned {
		s = p.Type.String() + " · assigned"
	}
	return s
}

func mxScope(s store.Scope) string {
	if s == store.ScopeAll {
		return "all sites"
	}
	return "assigned sites"
}

// mayEdit is why the actor may not edit profiles ("": they may).
func mayEdit(h ui.Host) string {
	return ui.ErrText(h.Store().Capabilities(h.Actor()).May(store.EditProfiles))
}
