package list

import (
	"slices"
	"testing"
)

func markedKeys(m *Model[string]) []string {
	var out []string
	m.EachMark(func(k string) { out = append(out, k) })
	slices.Sort(out)
	return out
}

func withMarks(rows names, h int) *Model[string] {
	m := newList(rows, h)
	m.KeyMap.SetMarks(true)
	return m
}

func TestMarkKeys(t *testing.T) {
	grouped := names{"#a", "a1", "a2", "#b", "b1", "b2"}
	for _, tc := range []struct {
		name   string
		rows   names
		keys   []string
		marked []string
		cursor int
	}{
		{"space marks and moves on", numbered(4), []string{"space", "space"}, []string{"r0", "r1"}, 2},
		{"space again unmarks", numbered(4), []string{"space", "up", "space"}, nil, 1},
		{"space on the last row stays there", numbered(2), []string{"down", "space", "space"}, nil, 1},
		{"a range from the anchor to the cursor", numbered(8), []string{"space", "down", "down", "down", "V"}, []string{"r0", "r1", "r2", "r3", "r4"}, 4},
		{"a range upwards", numbered(8), []string{"end", "space", "up", "up", "V"}, []string{"r5", "r6", "r7"}, 5},
		{"a range skips headers", grouped, []string{"space", "end", "V"}, []string{"a1", "a2", "b1", "b2"}, 5},
		{"a range needs an anchor", numbered(4), []string{"end", "V"}, nil, 3},
		{"mark all skips headers", grouped, []string{"ctrl+a"}, []string{"a1", "a2", "b1", "b2"}, 1},
		{"mark all again clears", grouped, []string{"ctrl+a", "ctrl+a"}, nil, 1},
		{"mark all with one missing marks the rest", numbered(3), []string{"ctrl+a", "space", "ctrl+a"}, []string{"r0", "r1", "r2"}, 1},
		{"esc clears", numbered(3), []string{"ctrl+a", "esc"}, nil, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := withMarks(tc.rows, 10)
			for _, k := range tc.keys {
				if !m.Update(keyPress(k)) {
					t.Fatalf("%s was not a list key", k)
				}
			}
			if got := markedKeys(m); !slices.Equal(got, tc.marked) || m.Cursor() != tc.cursor {
				t.Errorf("marked %v cursor %d, want %v cursor %d", got, m.Cursor(), tc.marked, tc.cursor)
			}
		})
	}
}

// Marks are by key: a refilter that hides marked rows keeps their marks,
// and they show again when the rows come back.
func TestMarksSurviveARefilter(t *testing.T) {
	all := names{"ann", "bob", "cy", "dee"}
	m := withMarks(all, 10)
	m.Mark("bob")
	m.Mark("dee")
	m.SetRows(names{"ann", "cy"})
	if m.MarkCount() != 2 {
		t.Fatalf("the refilter left %d marks, want 2", m.MarkCount())
	}
	if lines := m.Lines(false); lines[0] != ">ann" || lines[1] != " cy" {
		t.Errorf("hidden marks drawn on the rows shown: %q", lines)
	}
	m.SetRows(all)
	if lines := m.Lines(false); lines[1] != " *bob" || lines[3] != " *dee" {
		t.Errorf("the marks did not come back with their rows: %q", lines)
	}
	// mark all: the rows listed; clearing clears the hidden ones too
	m.SetRows(names{"ann", "cy"})
	m.MarkAll()
	if got := markedKeys(m); !slices.Equal(got, []string{"ann", "bob", "cy", "dee"}) {
		t.Errorf("mark all: %v", got)
	}
	m.MarkAll()
	if m.MarkCount() != 0 {
		t.Errorf("mark all again left %d", m.MarkCount())
	}
}

// The anchor names a row: filtered out, a range cannot start from it.
func TestAnchorFollowsItsRow(t *testing.T) {
	m := withMarks(names{"ann", "bob", "cy", "dee"}, 10)
	m.SetCursor(1)
	m.ToggleMark() // bob
	m.SetRows(names{"cy", "bob", "dee"})
	m.SetCursor(2)
	if n := m.MarkRange(); n != 2 || !slices.Equal(markedKeys(m), []string{"bob", "dee"}) {
		t.Errorf("range from bob, now row 1, to dee: %d rows, %v", n, markedKeys(m))
	}
	m.SetRows(names{"cy", "dee"})
	if _, ok := m.AnchorIndex(); ok || m.MarkRange() != 0 {
		t.Error("a range started from an anchor not listed")
	}
	if k, ok := m.Anchor(); !ok || k != "bob" {
		t.Errorf("anchor %q %v", k, ok)
	}
}

func TestPruneMarksAndGeneration(t *testing.T) {
	m := withMarks(numbered(5), 10)
	g := m.MarkGen()
	m.Mark("r1")
	m.Mark("r1")
	m.Mark("r2")
	if m.MarkGen() != g+2 {
		t.Errorf("mark gen moved %d for two new marks", m.MarkGen()-g)
	}
	g = m.MarkGen()
	if n := m.PruneMarks(func(k string) bool { return k != "r2" }); n != 1 || m.Marked("r2") || !m.Marked("r1") || m.MarkGen() == g {
		t.Errorf("prune: %d, marks %v, gen moved %v", n, markedKeys(m), m.MarkGen() != g)
	}
	g = m.MarkGen()
	m.PruneMarks(func(string) bool { return true })
	m.Unmark("r4")
	if m.MarkGen() != g {
		t.Error("the mark gen moved for nothing")
	}
}
