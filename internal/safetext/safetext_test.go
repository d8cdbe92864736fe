package safetext

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestEscape(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"Ada Lovelace", "Ada Lovelace"},
		{"Zoë Ørsted 山田", "Zoë Ørsted 山田"},
		{"", ""},
		{"\x1b]52;c;SGVsbG8=\a", `\x1b]52;c;SGVsbG8=\x07`},
		{"\x1b]8;;http://evil\x1b\\link\x1b]8;;\x1b\\", `\x1b]8;;http://evil\x1b\link\x1b]8;;\x1b\`},
		{"MOVED\x1b[2;1H", `MOVED\x1b[2;1H`},
		{"a\rb\nc\td", `a\x0db\x0ac\x09d`},
		{"del\x7f", `del\x7f`},
		{"c1 \u009b31m", `c1 \u009b31m`},
		{"stray \x9b byte", `stray \x9b byte`},
		{"bidi \u202eevil\u202c", `bidi \u202eevil\u202c`},
		{"iso \u2066x\u2069 \u200e\u200f\u061c", `iso \u2066x\u2069 \u200e\u200f\u061c`},
		{"ad\u200ba \u200c\u200d\u2060\ufeff", `ad\u200ba \u200c\u200d\u2060\ufeff`},
		{"sep\u2028\u2029", `sep\u2028\u2029`},
		{"tag\U000e0041", `tag\U000e0041`},
	} {
		if got := Escape(c.in); got != c.want {
			t.Errorf("Escape(%q) = %q, want %q", c.in, got, c.want)
		}
		if Clean(c.in) != (c.in == c.want) {
			t.Errorf("Clean(%q) = %v", c.in, Clean(c.in))
		}
	}
}

func TestEscapeDoesNotAllocateForCleanText(t *testing.T) {
	s := "Jane Doe <jane@acme.test> Zoë"
	if n := testing.AllocsPerRun(100, func() { _ = Escape(s) }); n != 0 {
		t.Fatalf("Escape of clean text allocates %v times", n)
	}
}

func TestWriterKeepsLinesAndEscapesTheRest(t *testing.T) {
	var out bytes.Buffer
	w := NewWriter(&out)
	in := "NAME\tEMAIL\nEve\x1b[2J\tev\u202ee@x.test\n"
	n, err := w.Write([]byte(in))
	if err != nil || n != len(in) {
		t.Fatalf("Write = %d, %v; want %d, nil", n, err, len(in))
	}
	if want := "NAME\tEMAIL\nEve\\x1b[2J\tev\\u202ee@x.test\n"; out.String() != want {
		t.Fatalf("got %q, want %q", out.String(), want)
	}
}

func TestWriterJoinsRunesSplitAcrossWrites(t *testing.T) {
	for _, text := range []string{"Zoë", "山田", "😀", "x\u202ey"} {
		var out bytes.Buffer
		w := NewWriter(&out)
		b := []byte(text)
		for i := range b {
			if _, err := w.Write(b[i : i+1]); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		if want := Escape(text); out.String() != want {
			t.Errorf("byte by byte %q came out %q, want %q", text, out.String(), want)
		}
	}
	// a sequence never finished is escaped at Flush, not lost
	var out bytes.Buffer
	w := NewWriter(&out)
	w.Write([]byte("end \xe5\xb1"))
	w.Flush()
	if want := `end \xe5\xb1`; out.String() != want {
		t.Fatalf("got %q, want %q", out.String(), want)
	}
}

func TestHiddenCoversEveryControlAndFormatCharacter(t *testing.T) {
	for r := rune(0); r < 0x20; r++ {
		if !Hidden(r) {
			t.Errorf("U+%04X not hidden", r)
		}
	}
	for r := rune(0x7f); r <= 0x9f; r++ {
		if !Hidden(r) {
			t.Errorf("U+%04X not hidden", r)
		}
	}
	for _, r := range []rune{0x200b, 0x200c, 0x200d, 0x200e, 0x200f, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e,
		0x2060, 0x2066, 0x2067, 0x2068, 0x2069, 0x061c, 0xfeff, 0x00ad, 0x2028, 0x2029, 0xfff9, 0xe0001} {
		if !Hidden(r) {
			t.Errorf("U+%04X not hidden", r)
		}
	}
	for _, r := range "aZ09 @.-'é山Ø😀" {
		if Hidden(r) {
			t.Errorf("%q hidden", r)
		}
	}
	if strings.ContainsFunc("plain text", Hidden) {
		t.Error("plain text has hidden characters")
	}
}

// Hidden's fast ranges answer exactly what the Unicode tables do.
func TestHiddenFastPathMatchesTheTables(t *testing.T) {
	slow := func(r rune) bool {
		return r < 0x20 || r == 0x7f || (r >= 0x80 && (r == utf8.RuneError || unicode.In(r, unicode.Cc, unicode.Cf, unicode.Zl, unicode.Zp) ||
			(r >= 0xfff9 && r <= 0xfffb)))
	}
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if Hidden(r) != slow(r) {
			t.Fatalf("Hidden(U+%04X) = %v, the tables say %v", r, Hidden(r), slow(r))
		}
	}
}

func TestWriterIsSafeForConcurrentWriters(t *testing.T) {
	var out bytes.Buffer
	w := NewWriter(&out)
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 100; j++ {
				w.Write([]byte("line Zoë\x1b[2J\n"))
			}
		}()
	}
	wg.Wait()
	w.Flush()
	if want := strings.Repeat("line Zoë\\x1b[2J\n", 800); out.String() != want {
		t.Fatalf("lines were interleaved or lost: %d bytes, want %d", out.Len(), len(want))
	}
}
