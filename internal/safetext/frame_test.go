package safetext

import (
	"strings"
	"testing"
)

func TestFrameKeepsStylingAndNewlinesOnly(t *testing.T) {
	for _, c := range []struct{ name, in, want string }{
		{"plain", "┌─ Users ─┐\n│ Zoë 山田 │", "┌─ Users ─┐\n│ Zoë 山田 │"},
		{"the theme's SGR", "\x1b[1;7m› Ada\x1b[0m\n\x1b[38;2;167;139;250mx\x1b[m", "\x1b[1;7m› Ada\x1b[0m\n\x1b[38;2;167;139;250mx\x1b[m"},
		{"colon SGR", "\x1b[4:3mu\x1b[0m", "\x1b[4:3mu\x1b[0m"},
		{"OSC 52", "a\x1b]52;c;SE9TVElMRQ==\ab", `a\x1b]52;c;SE9TVElMRQ==\x07b`},
		{"OSC 8", "\x1b]8;;http://evil.example/\x1b\\x", `\x1b]8;;http://evil.example/\x1b\x`},
		{"cursor moves", "\x1b[2J\x1b[1;1HMOVED", `\x1b[2J\x1b[1;1HMOVED`},
		{"CSI that is not SGR", "\x1b[?1049l\x1b[6n", `\x1b[?1049l\x1b[6n`},
		{"lone ESC at the end", "x\x1b", `x\x1b`},
		{"ESC [ cut short", "x\x1b[31", `x\x1b[31`},
		{"C1 CSI", "\u009b2J", `\u009b2J`},
		{"stray byte", "a\x9bb", `a\x9bb`},
		{"CR, BEL, DEL, tab", "a\rb\ac\x7fd\te", `a\x0db\x07c\x7fd\x09e`},
		{"bidi and zero-width", "\u202eevil\u2066\u200b\ufeff", `\u202eevil\u2066\u200b\ufeff`},
		{"tag character", "\U000e0041", `\U000e0041`},
		{"escape after clean text keeps the text", "\x1b[1mok\x1b[0m \x1b]0;t\a", "\x1b[1mok\x1b[0m " + `\x1b]0;t\x07`},
	} {
		if got := Frame(c.in); got != c.want {
			t.Errorf("%s: Frame(%q) = %q, want %q", c.name, c.in, got, c.want)
		}
	}
}

func TestFrameDoesNotAllocateForASafeFrame(t *testing.T) {
	frame := strings.Repeat("\x1b[38;2;1;2;3m┃\x1b[0m Zoë Ørsted  jane@acme.test  Manager  …\x1b[1;7m›\x1b[0m\n", 60)
	if got := Frame(frame); got != frame {
		t.Fatal("a safe frame was changed")
	}
	if n := testing.AllocsPerRun(50, func() { _ = Frame(frame) }); n != 0 {
		t.Fatalf("Frame of a safe frame allocates %v times", n)
	}
}

// An escaped frame holds no byte a terminal acts on but SGR and newlines,
// whatever went in: every byte value, alone and after ESC and ESC [.
func TestFrameOutputIsInert(t *testing.T) {
	for b := 0; b < 256; b++ {
		for _, in := range []string{string(rune(b)), string([]byte{byte(b)}), "\x1b" + string([]byte{byte(b)}), "\x1b[" + string([]byte{byte(b)}) + "m"} {
			out := withoutSGR(Frame(in))
			for i := 0; i < len(out); i++ {
				if c := out[i]; (c < 0x20 && c != '\n') || c == 0x7f {
					t.Fatalf("Frame(%q) = %q: byte %#x left raw", in, Frame(in), c)
				}
			}
			if !Clean(strings.ReplaceAll(out, "\n", "")) {
				t.Fatalf("Frame(%q) = %q is not clean", in, out)
			}
		}
	}
}

func withoutSGR(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		if n := sgrLen(s[i:]); n > 0 {
			i += n
			continue
		}
		b.WriteByte(s[i])
		i++
	}
	return b.String()
}

// A console frame at 200×60 in true colour: frame edges, styled rows, names.
func benchFrame() string {
	row := "\x1b[38;2;107;107;107m│\x1b[0m› ✎ " + strings.Repeat("Zoë Ørsted  zoe.orsted@acme.test  Manager  active  North Depot · ", 3)[:150] +
		"\x1b[1;7m view \x1b[0m\x1b[1;38;2;167;139;250m┃\x1b[0m"
	return strings.TrimSuffix(strings.Repeat(row+"\n", 60), "\n")
}

func BenchmarkFrameSafe(b *testing.B) {
	f := benchFrame()
	b.SetBytes(int64(len(f)))
	b.ReportAllocs()
	for b.Loop() {
		_ = Frame(f)
	}
}

// The slow path: a frame holding one escape sequence a screen forgot.
func BenchmarkFrameWithAnEscape(b *testing.B) {
	f := "\x1b]52;c;SE9TVElMRQ==\a" + benchFrame()
	b.SetBytes(int64(len(f)))
	b.ReportAllocs()
	for b.Loop() {
		_ = Frame(f)
	}
}
