package csvout

import "testing"

// A cell a spreadsheet would run as a formula gets a leading apostrophe
// (OWASP: = + - @, tab, carriage return; NUL too); everything else stays
// as it is, bar the controls every output escapes.
func TestInert(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ in, want string }{
		{"", ""},
		{"Ada Admin", "Ada Admin"},
		{`=HYPERLINK("http://evil.example/","x")`, `'=HYPERLINK("http://evil.example/","x")`},
		{"+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"},
		{"-2+3", "'-2+3"},
		{"@SUM(A1:A9)", "'@SUM(A1:A9)"},
		{"\t=1", `'\x09=1`},
		{"\r=1", `'\x0d=1`},
		{"\x00=1", `'\x00=1`},
		{"a=1", "a=1"},
		{" =1", " =1"},
		{"'=1", "'=1"}, // already text
		{"North Depot; South Yard", "North Depot; South Yard"},
		{"x\x1b[2Jy", `x\x1b[2Jy`},
	} {
		if got := Inert(c.in); got != c.want {
			t.Errorf("Inert(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
