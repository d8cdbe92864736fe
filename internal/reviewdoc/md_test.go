package reviewdoc

import "testing"

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
