package ui

import (
	"testing"

	"github.com/charmbracelet/x/ansi"
)

// The fast width of a styled line agrees with ansi.StringWidth for every
// rune it claims, alone, after a letter and inside the theme's styling.
func TestOneCellRunesAreOneCell(t *testing.T) {
	th := NewTheme(true)
	for r := rune(0x20); r < 0x3000; r++ {
		if r >= 0x7f && !oneCell(r) {
			continue
		}
		for _, s := range []string{string(r), "a" + string(r) + "b", th.Cursor.Render("x" + string(r)), th.Muted.Render(string(r)) + th.Bad.Render("y")} {
			n, ok := narrowWidth(s)
			if !ok || n != ansi.StringWidth(s) {
				t.Fatalf("narrowWidth(%q) = %d, %v; ansi.StringWidth says %d", s, n, ok, ansi.StringWidth(s))
			}
		}
	}
	for _, s := range []string{"\x1b]52;c;x\x07", "\x1b[2J", "日本", "e\u0301", "✅", "\u25fd"} {
		if _, ok := narrowWidth(s); ok {
			t.Errorf("narrowWidth(%q) claims a width it does not know", s)
		}
	}
}
