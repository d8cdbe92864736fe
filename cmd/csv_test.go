package cmd

import "testing"

// A cell a spreadsheet would run as a formula gets a leading apostrophe
// (OWASP: = + - @, tab, carriage return; NUL too); everything else stays
// as it is, bar the controls every output escapes.
func TestInertCell(t *testing.T) {
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
		if got := inertCell(c.in); got != c.want {
			t.Errorf("inertCell(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// Markdown: what would be markup in a table cell or a heading is taken
// literally; plain text stays as it is.
func TestMarkdownCell(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ in, want string }{
		{"Sam Lee", "Sam Lee"},
		{"sam@example.com", "sam@example.com"},
		{"2026-11-22 12:58", "2026-11-22 12:58"},
		{"#12", "#12"},
		{"Pay|roll", `Pay\|roll`},
		{"*bold* _it_ `code`", `\*bold\* \_it\_ \` + "`code\\`"},
		{"[link](javascript:x)", `\[link\](javascript:x)`},
		{"<img src=x onerror=y>", `\<img src=x onerror=y\>`},
		{"&lt; ~~x~~", `\&lt; \~\~x\~\~`},
		{"Sites & teams", "Sites & teams"},
		{"&#60;", `\&#60;`},
		{`back\slash`, `back\\slash`},
		{"a\nb\x1b", `a\\x0ab\\x1b`},
	} {
		if got := md(c.in); got != c.want {
			t.Errorf("md(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
