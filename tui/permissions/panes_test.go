package permissions

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/store"
	"github.com/gatehouse/gatehouse/tui/ui"
)

// runKey runs the binding of bs that takes key k, as the App's dispatch does.
func runKey(t *testing.T, bs []*ui.Binding, k string) {
	t.Helper()
	for _, b := range bs {
		if slices.Contains(b.Keys(), k) {
			b.Run()
			return
		}
	}
	t.Fatalf("no binding takes %q", k)
}

// The matrix pane, at the size SetSize gave it, keeps its cell cursor in
// view: across (columns, ←/→ in Update) and down (rows, its bindings).
func TestMatrixPaneKeepsCursorInView(t *testing.T) {
	s := matrixBigStore(t)
	app, m := matrixApp(t, s, nil, 200, 60)
	matrixShowAll(app)
	mx := m.matrix
	for _, sz := range []struct{ w, h int }{{30, 8}, {44, 12}, {60, 20}, {150, 50}} {
		t.Run(fmt.Sprintf("%dx%d", sz.w, sz.h), func(t *testing.T) {
			mx.SetSize(sz.w, sz.h)
			inView := func(step string) {
				t.Helper()
				mx.layout()
				if mx.col < mx.colOff || mx.col >= mx.colOff+mx.geo.cols {
					t.Fatalf("%s: column %d outside the window %d+%d", step, mx.col, mx.colOff, mx.geo.cols)
				}
				r, off := mx.rowList.Cursor(), mx.rowList.Offset()
				if r < off || r >= off+mx.rowList.Visible() {
					t.Fatalf("%s: row %d outside the window %d+%d", step, r, off, mx.rowList.Visible())
				}
				if v := mx.View(sz.w, sz.h, true); len(v) > sz.h || !strings.Contains(strings.Join(v, "\n"), "[") {
					t.Fatalf("%s: %d lines for %d, or no cursor:\n%s", step, len(v), sz.h, strings.Join(v, "\n"))
				}
			}
			for range mx.shown {
				mx.Update(keyMsg("right"))
				inView("right")
			}
			if mx.col != len(mx.shown)-1 {
				t.Errorf("right to the end: column %d of %d", mx.col, len(mx.shown))
			}
			runKey(t, mx.Bindings(), "end")
			inView("end")
			for range mx.shown {
				mx.Update(keyMsg("left"))
				inView("left")
			}
			runKey(t, mx.Bindings(), "home")
			inView("home")
			if mx.col != 0 || mx.colOff != 0 || mx.rowList.Offset() != 0 {
				t.Errorf("home and left: column %d, offset %d, row offset %d", mx.col, mx.colOff, mx.rowList.Offset())
			}
		})
	}
}

// The preview pane scrolls within what it holds at its size: pgdn and end
// stop at the last line, home goes back to the first.
func TestPreviewPaneScrolls(t *testing.T) {
	s := matrixBigStore(t)
	app, m := matrixApp(t, s, nil, 200, 60)
	matrixShow(t, app, "Client")
	press(app, "alt+m") // Client at maintain on 200 screens: a guardrail warning each
	pv := m.preview
	const w, h = 40, 12
	pv.SetSize(w, h)
	pv.prepare()
	all := pv.previewLines(pv.preview(), w, h)
	last := len(all) - h
	if last < 20 {
		t.Fatalf("%d lines: too few to scroll", len(all))
	}
	steps := []struct {
		key  string
		want int // the scroll offset after the key
	}{
		{"down", 1},
		{"pgdown", 1 + h - 1},
		{"end", last},
		{"down", last},
		{"up", last - 1},
		{"home", 0},
		{"up", 0},
	}
	for _, st := range steps {
		runKey(t, pv.Bindings(), st.key)
		if pv.scroll.Off != st.want {
			t.Fatalf("%s: offset %d, want %d (of %d lines in %d)", st.key, pv.scroll.Off, st.want, len(all), h)
		}
		if v := pv.View(w, h, true); v[0] != all[st.want] {
			t.Fatalf("%s: the first line %q, want %q", st.key, v[0], all[st.want])
		}
	}
}

// The profiles pane lays itself out from its size: the facts on a line of
// their own when narrow, and the legend only where there is room.
func TestProfilesPaneLayout(t *testing.T) {
	s := newTestStore(t, 20)
	_, m := matrixApp(t, s, nil, 120, 40)
	p := m.profiles
	for _, c := range []struct {
		w, h   int
		per    int
		legend bool
	}{
		{40, 30, 2, true},
		{40, 10, 2, false},
		{16, 30, 3, true},
		{16, 12, 3, false},
	} {
		p.SetSize(c.w, c.h)
		if p.per != c.per || p.legend != c.legend {
			t.Errorf("%dx%d: %d lines per profile, legend %v; want %d, %v", c.w, c.h, p.per, p.legend, c.per, c.legend)
		}
		if v := p.View(c.w, c.h, true); len(v) > c.h {
			t.Errorf("%dx%d: %d lines", c.w, c.h, len(v))
		}
	}
}

// Pending edits: a cell set to another level is pending, with its profile's
// version; set back to its stored level it is not, and the version goes.
func TestEditsSetAndUnset(t *testing.T) {
	s := newTestStore(t, 20)
	_, m := matrixApp(t, s, nil, 120, 40)
	e, d := newEdits(), m.data
	var basic *store.Profile
	for _, p := range d.profiles {
		if p.Name == "Basic" {
			basic = p
		}
	}
	roster := mxCell{basic.ID, "roster"} // Basic: view on roster
	for _, st := range []struct {
		to      store.Level
		changed int
		pending int
	}{
		{store.Maintain, 1, 1},
		{store.Maintain, 0, 1}, // the same again changes nothing
		{store.None, 1, 1},
		{store.View, 1, 0}, // back to what is stored
	} {
		g := e.gen
		if n := e.set(d, []mxCell{roster}, st.to); n != st.changed || e.len() != st.pending {
			t.Fatalf("→ %s: %d changed, %d pending; want %d, %d", st.to, n, e.len(), st.changed, st.pending)
		}
		if moved := e.gen != g; moved != (st.changed > 0) {
			t.Errorf("→ %s: generation moved %v", st.to, moved)
		}
		if _, read := e.readAt[basic.ID]; read != (st.pending > 0) {
			t.Errorf("→ %s: version kept %v with %d pending", st.to, read, st.pending)
		}
	}
}
