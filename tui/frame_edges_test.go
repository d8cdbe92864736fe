package tui

import (
	"strings"
	"testing"
)

// The frame's edges, built from the SGR around a sentinel, are what
// lipgloss draws for the same runs, in either theme, focused or not.
func TestFrameEdgesAsLipglossDrawsThem(t *testing.T) {
	for _, dark := range []bool{true, false} {
		th := newTheme(dark)
		for _, focused := range []bool{false, true} {
			e, st := thinEdges, th.border
			if focused {
				e, st = thickEdges, th.borderFocused
			}
			for _, c := range []struct {
				part byte
				n    int
				want string
			}{
				{'l', 0, e.tl + e.h},
				{'t', 7, strings.Repeat(e.h, 7) + e.tr},
				{'t', 0, e.tr},
				{'b', 5, e.bl + strings.Repeat(e.h, 5) + e.br},
				{'s', 0, e.v},
			} {
				if got, want := th.edge(c.part, c.n, focused), st.Render(c.want); got != want {
					t.Errorf("dark %v focused %v part %c: %q, lipgloss draws %q", dark, focused, c.part, got, want)
				}
			}
		}
	}
}
