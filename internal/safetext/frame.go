package safetext

import (
	"strings"
	"unicode/utf8"
)

// Frame returns a console frame safe to hand to a terminal. The console
// styles its own text with SGR sequences (ESC [ … m: colours, bold,
// reverse), and those stay, as do newlines; every other escape sequence,
// control character, stray byte and Hidden character is written out as
// Escape does. Text from the database is escaped where the console turns it
// into display strings (an SGR sequence in a name must not pass either);
// Frame is the guard behind that: whatever a screen forgets cannot move the
// cursor, write the clipboard or open a link. A frame with nothing to escape
// comes back as it is, without allocating.
func Frame(s string) string {
	i := 0
scan:
	for i < len(s) {
		c := s[i]
		switch {
		case c >= 0x20 && c < 0x7f || c == '\n':
			i++
			continue
		case c == 0x1b:
			if n := sgrLen(s[i:]); n > 0 {
				i += n
				continue
			}
		case c >= 0x80:
			if r, n := utf8.DecodeRuneInString(s[i:]); !(r == utf8.RuneError && n <= 1) && !Hidden(r) {
				i += n
				continue
			}
		}
		break scan // something to escape: from here on, the slow way
	}
	if i == len(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 64)
	b.WriteString(s[:i])
	for i < len(s) {
		c := s[i]
		switch {
		case c == 0x1b:
			if n := sgrLen(s[i:]); n > 0 {
				b.WriteString(s[i : i+n])
				i += n
				continue
			}
			appendHex(&b, `\x`, uint32(c), 2)
			i++
		case c < 0x80:
			appendEscaped(&b, s[i:i+1], keepLF)
			i++
		default:
			i += appendRune(&b, s[i:])
		}
	}
	return b.String()
}

// sgrLen is the length of the SGR sequence (ESC [ digits ; : … m) at the
// start of s, or 0 if s does not start with one.
func sgrLen(s string) int {
	if len(s) < 3 || s[0] != 0x1b || s[1] != '[' {
		return 0
	}
	for i := 2; i < len(s); i++ {
		switch c := s[i]; {
		case c == 'm':
			return i + 1
		case c >= '0' && c <= '9' || c == ';' || c == ':':
		default:
			return 0
		}
	}
	return 0
}
