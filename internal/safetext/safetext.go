// Package safetext keeps text someone typed from driving another person's
// terminal. Names, key comments, screen titles and every other text field are
// shown by the console, the command line, SSH exec output and the server log;
// a control character in them (ESC ] 52 … writes the clipboard, ESC [ … moves
// the cursor) or an invisible one (bidi overrides, zero-width spaces) must
// reach the terminal as something a person can read, never as itself.
//
// The store refuses such characters on the way in (Hidden is its test too);
// this package escapes them on the way out, so a database written before
// those rules, or restored from an old backup, cannot inject either.
package safetext

import (
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Hidden reports whether r is a character that text must not carry: a C0 or
// C1 control or DEL (Cc), a format character (Cf: bidi controls U+202A–202E,
// U+2066–2069, U+200E/200F, U+061C; zero-width U+200B–200D, U+2060, U+FEFF,
// soft hyphen, tags…), or a line or paragraph separator (U+2028, U+2029).
func Hidden(r rune) bool {
	if r < 0x20 || r == 0x7f {
		return true
	}
	if r < 0x80 {
		return false
	}
	return r == utf8.RuneError || unicode.In(r, unicode.Cc, unicode.Cf, unicode.Zl, unicode.Zp) ||
		(r >= 0xfff9 && r <= 0xfffb) // interlinear annotation (Cf, listed for old tables)
}

// Clean reports whether s is valid UTF-8 without a Hidden character.
func Clean(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			return cleanSlow(s[i:])
		}
	}
	return true
}

func cleanSlow(s string) bool {
	for i, r := range s {
		if r == utf8.RuneError {
			if _, n := utf8.DecodeRuneInString(s[i:]); n <= 1 {
				return false
			}
		}
		if Hidden(r) {
			return false
		}
	}
	return true
}

// Escape returns s with every Hidden character, and every byte that is not
// UTF-8, written out visibly: \x1b for ESC and the other C0 controls, DEL and
// stray bytes; \u202e for the runes above ASCII. Text without any comes back
// as it is, without allocating. Newlines and tabs are escaped too: one
// escaped value is one line.
func Escape(s string) string {
	if Clean(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	appendEscaped(&b, s, false)
	return b.String()
}

// appendEscaped writes s escaped; keepLines keeps \n and \t as they are.
func appendEscaped(b *strings.Builder, s string, keepLines bool) {
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c < 0x7f {
			b.WriteByte(c)
			i++
			continue
		}
		if c < 0x80 {
			if keepLines && (c == '\n' || c == '\t') {
				b.WriteByte(c)
			} else {
				fmt.Fprintf(b, `\x%02x`, c)
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n <= 1:
			fmt.Fprintf(b, `\x%02x`, c)
		case Hidden(r) && r <= 0xffff:
			fmt.Fprintf(b, `\u%04x`, r)
		case Hidden(r):
			fmt.Fprintf(b, `\U%08x`, r)
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
}

// Writer escapes what is written through it as Escape does, but keeps
// newlines and tabs (what the command line prints is lines and tables). A
// character split across two writes is put together again; Flush writes out
// an incomplete one left at the end.
type Writer struct {
	w       io.Writer
	pending []byte // the start of a UTF-8 sequence the last write ended inside
}

// NewWriter returns a Writer writing to w.
func NewWriter(w io.Writer) *Writer { return &Writer{w: w} }

// Write escapes p and writes it; it reports len(p) written when w took it all.
func (w *Writer) Write(p []byte) (int, error) {
	data := p
	if len(w.pending) > 0 {
		data = append(w.pending, p...)
		w.pending = nil
	}
	// hold back a UTF-8 sequence cut off at the end
	if cut := incompleteTail(data); cut > 0 {
		w.pending = append([]byte(nil), data[len(data)-cut:]...)
		data = data[:len(data)-cut]
	}
	s := string(data)
	if cleanLines(s) {
		if _, err := io.WriteString(w.w, s); err != nil {
			return 0, err
		}
		return len(p), nil
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	appendEscaped(&b, s, true)
	if _, err := io.WriteString(w.w, b.String()); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Flush writes out (escaped) the bytes of an incomplete character held back.
func (w *Writer) Flush() error {
	if len(w.pending) == 0 {
		return nil
	}
	var b strings.Builder
	appendEscaped(&b, string(w.pending), true)
	w.pending = nil
	_, err := io.WriteString(w.w, b.String())
	return err
}

// cleanLines is Clean allowing newlines and tabs.
func cleanLines(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < 0x20 && c != '\n' && c != '\t') || c >= 0x7f {
			return cleanSlow(strings.NewReplacer("\n", " ", "\t", " ").Replace(s[i:]))
		}
	}
	return true
}

// incompleteTail is the length of a UTF-8 sequence begun but not finished at
// the end of b (0 if none).
func incompleteTail(b []byte) int {
	for n := 1; n <= 3 && n <= len(b); n++ {
		c := b[len(b)-n]
		if c < 0x80 {
			return 0
		}
		if c >= 0xc0 { // a leading byte: how long its sequence should be
			want := 2
			switch {
			case c >= 0xf0:
				want = 4
			case c >= 0xe0:
				want = 3
			}
			if want > n {
				return n
			}
			return 0
		}
	}
	return 0
}
