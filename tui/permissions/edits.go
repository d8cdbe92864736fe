package permissions

import (
	"fmt"
	"slices"
	"strings"

	"github.com/gatehouse/gatehouse/store"
	"github.com/gatehouse/gatehouse/tui/ui"
)

// mxCell is one cell: a profile and a screen.
type mxCell struct {
	pid    uint64
	screen string
}

// mxChange is one pending cell as the preview and the save see it.
type mxChange struct {
	p             *store.Profile
	sc            *store.Screen
	before, after store.Level
}

// edits are the screen's pending cells: each remembers nothing but its
// target level; the version of its profile is captured at the profile's
// first pending edit and carried into every tx.Grant, so a profile changed
// meanwhile by someone else is refused (a conflict) and nothing is
// overwritten.
type edits struct {
	pend   map[mxCell]store.Level
	readAt map[uint64]uint64 // profile id → its version at its first pending edit
	gen    int               // bumps whenever pending edits or the data under them change

	pendOf  map[uint64]int // pending cells per profile, as of pendGen
	pendGen int
}

func newEdits() *edits {
	return &edits{pend: map[mxCell]store.Level{}, readAt: map[uint64]uint64{}, pendGen: -1}
}

func (e *edits) len() int { return len(e.pend) }

// changed says the pending edits, or the data under them, moved.
func (e *edits) changed() { e.gen++ }

// clear drops every pending cell.
func (e *edits) clear() {
	clear(e.pend)
	clear(e.readAt)
	e.gen++
}

// prune forgets cells whose profile or screen no longer exists.
func (e *edits) prune(d *snapshot) {
	for c := range e.pend {
		if !d.has(c) {
			delete(e.pend, c)
		}
	}
	e.tidyReadAt()
}

// levelAt is what a cell shows: the pending level if any, else the stored one.
func (e *edits) levelAt(p *store.Profile, screen string) (store.Level, bool) {
	if len(e.pend) > 0 {
		if l, ok := e.pend[mxCell{p.ID, screen}]; ok {
			return l, true
		}
	}
	return p.Levels[screen], false
}

// set makes l the pending level of cells; a cell set back to its stored
// level is no longer pending.
func (e *edits) set(d *snapshot, cells []mxCell, l store.Level) int {
	changed := 0
	for _, c := range cells {
		p := d.byID[c.pid]
		if p == nil {
			continue
		}
		if p.Levels[c.screen] == l {
			if _, ok := e.pend[c]; ok {
				delete(e.pend, c)
				changed++
			}
			continue
		}
		if old, ok := e.pend[c]; ok && old == l {
			continue
		}
		if _, ok := e.readAt[c.pid]; !ok {
			e.readAt[c.pid] = p.Version
		}
		e.pend[c] = l
		changed++
	}
	e.tidyReadAt()
	if changed > 0 {
		e.gen++
	}
	return changed
}

// tidyReadAt forgets the version of profiles with no pending cell left, so a
// later first edit captures the version then.
func (e *edits) tidyReadAt() {
	if len(e.readAt) == 0 {
		return
	}
	has := make(map[uint64]bool, len(e.readAt))
	for c := range e.pend {
		has[c.pid] = true
	}
	for id := range e.readAt {
		if !has[id] {
			delete(e.readAt, id)
		}
	}
}

// count works out the pending cells per profile, once per edit (the
// Profiles pane shows them on every row).
func (e *edits) count() {
	if e.pendGen == e.gen {
		return
	}
	e.pendOf, e.pendGen = map[uint64]int{}, e.gen
	for c := range e.pend {
		e.pendOf[c.pid]++
	}
}

// pendingOf counts a profile's pending cells (from count when it is current).
func (e *edits) pendingOf(pid uint64) int {
	if e.pendGen == e.gen {
		return e.pendOf[pid]
	}
	n := 0
	for c := range e.pend {
		if c.pid == pid {
			n++
		}
	}
	return n
}

// changes lists the pending cells in profile, then catalog, order.
func (e *edits) changes(d *snapshot) []mxChange {
	out := make([]mxChange, 0, len(e.pend))
	for c, l := range e.pend {
		p, i := d.byID[c.pid], d.scIdx[c.screen]
		out = append(out, mxChange{p: p, sc: d.screens[i], before: p.Levels[c.screen], after: l})
	}
	slices.SortFunc(out, func(x, y mxChange) int {
		if n := d.pIdx[x.p.ID] - d.pIdx[y.p.ID]; n != 0 {
			return n
		}
		return d.scIdx[x.sc.Key] - d.scIdx[y.sc.Key]
	})
	return out
}

// grants is the change set: one tx.Grant per pending cell, each carrying the
// version its profile was read at. The preview runs exactly this.
func (e *edits) grants(ch []mxChange) func(*store.Tx) error {
	readAt := make(map[uint64]uint64, len(e.readAt))
	for k, v := range e.readAt {
		readAt[k] = v
	}
	return func(tx *store.Tx) error {
		for _, c := range ch {
			if err := tx.Grant(c.p.Name, readAt[c.p.ID], c.sc.Key, c.after); err != nil {
				return err
			}
		}
		return nil
	}
}

func mxSummary(ch []mxChange) string {
	var names []string
	for _, c := range ch {
		if !slices.Contains(names, c.p.Name) {
			names = append(names, c.p.Name)
		}
	}
	who := strings.Join(names, ", ")
	if len(names) > 3 {
		who = fmt.Sprintf("%d profiles", len(names))
	}
	return fmt.Sprintf("permissions: %s of %s", ui.Plural(len(ch), "cell"), who)
}
