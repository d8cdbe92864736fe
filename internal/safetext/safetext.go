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
	"io"
	"strings"
	"sync"
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
	// most text a terminal shows (Latin, Greek, Cyrillic…, and the box
	// drawing, arrows and symbols of the console's frames) lies where no
	// control or format character does: answer without the tables
	if (r >= 0xa0 && r < 0x600 && r != 0xad) || (r >= 0x2070 && r < 0xfeff) {
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
	appendEscaped(&b, s, keepNone)
	return b.String()
}

// Which C0 controls appendEscaped keeps as they are.
const (
	keepNone  = ""
	keepLines = "\n\t" // what the command line prints: lines and tables
	keepLF    = "\n"   // a console frame: lines (a tab would move the cursor)
)

// appendEscaped writes s escaped, keeping the C0 controls in keep.
func appendEscaped(b *strings.Builder, s string, keep string) {
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c < 0x7f {
			b.WriteByte(c)
			i++
			continue
		}
		if c < 0x80 {
			if keep != "" && strings.IndexByte(keep, c) >= 0 {
				b.WriteByte(c)
			} else {
				appendHex(b, `\x`, uint32(c), 2)
			}
			i++
			continue
		}
		i += appendRune(b, s[i:])
	}
}

// appendRune writes the character at the start of s (not ASCII), escaped if
// it is Hidden or not UTF-8, and returns its length in bytes.
func appendRune(b *strings.Builder, s string) int {
	r, n := utf8.DecodeRuneInString(s)
	switch {
	case r == utf8.RuneError && n <= 1:
		appendHex(b, `\x`, uint32(s[0]), 2)
	case Hidden(r) && r <= 0xffff:
		appendHex(b, `\u`, uint32(r), 4)
	case Hidden(r):
		appendHex(b, `\U`, uint32(r), 8)
	default:
		b.WriteString(s[:n])
	}
	return n
}

// appendHex writes prefix, then v as that many lower-case hex digits.
func appendHex(b *strings.Builder, prefix string, v uint32, digits int) {
	const hex = "0123456789abcdef"
	b.WriteString(prefix)
	for shift := 4 * (digits - 1); shift >= 0; shift -= 4 {
		b.WriteByte(hex[(v>>uint(shift))&0xf])
	}
}

// Writer escapes what is written through it as Escape does, but keeps
// newlines and tabs (what the command line prints is lines and tables). A
// character split across two writes is put together again; Flush writes out
// an incomplete one left at the end.
type Writer struct {
	mu      sync.Mutex // a log and a command may share one (serve)
	w       io.Writer
	pending []byte // the start of a UTF-8 sequence the last write ended inside
}

// NewWriter returns a Writer writing to w.
func NewWriter(w io.Writer) *Writer { return &Writer{w: w} }

// Write escapes p and writes it; it reports len(p) written when w took it all.
func (w *Writer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
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
	appendEscaped(&b, s, keepLines)
	if _, err := io.WriteString(w.w, b.String()); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Flush writes out (escaped) the bytes of an incomplete character held back.
func (w *Writer) Flush() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.pending) == 0 {
		return nil
	}
	var b strings.Builder
	appendEscaped(&b, string(w.pending), keepLines)
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
