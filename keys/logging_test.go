package keys

import (
	"bytes"
	"errors"
	"strings"
	"sync"
	"testing"

	"charm.land/log/v2"
)

// The logger's writer escapes what charm.land/log leaves raw (in its
// messages lipgloss drops escape sequences but keeps a bidi override);
// loggers made With share it from many goroutines.
func TestLogWriterEscapes(t *testing.T) {
	var b bytes.Buffer
	l := NewLogger(&b, log.Options{})
	l.Warn("refused \x1b[31mred \x1b[2J\u202e", "error", errors.New("line one\n\x1b]52;c;eA==\a line two \u202e"))
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sub := l.With("n", i)
			for range 100 {
				sub.Info("x\u00e9\u202e", "v", "multi\nline \x1b")
			}
		}()
	}
	wg.Wait()
	out := b.String()
	for _, raw := range []string{"\x1b", "\a", "\u202e", "\r"} {
		if strings.Contains(out, raw) {
			t.Fatalf("the log holds %q raw:\n%q", raw, out)
		}
	}
	for _, want := range []string{`refused `, `\x1b]52;c;eA==`, `line two \u202e`, "x\u00e9\\u202e"} {
		if !strings.Contains(out, want) {
			t.Fatalf("the log lacks %q:\n%s", want, out)
		}
	}
	if n := strings.Count(out, "x\u00e9\\u202e"); n != 800 {
		t.Fatalf("%d of 800 lines written whole", n)
	}
}

func TestLogText(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"jane@example.com", "jane@example.com"},
		{"a\nb\x1b", `a\x0ab\x1b`},
		{strings.Repeat("é", 200), strings.Repeat("é", 128) + "… (400 bytes)"},
		{strings.Repeat("a", 255) + "é", strings.Repeat("a", 255) + "… (257 bytes)"},
	} {
		if got := logText(tc.in); got != tc.want {
			t.Errorf("logText(%.20q…) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
