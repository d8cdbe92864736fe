package safetext

import (
	"unicode/utf16"
	"unicode/utf8"
)

// JSON returns JSON text, as encoding/json writes it, with every Hidden
// character in it written as a \u escape: the same JSON value, and nothing
// in it a terminal would act on. encoding/json escapes C0 controls already
// but leaves DEL, C1 controls, bidi and zero-width characters raw; through
// a Writer those would come out as \x7f, which is not JSON. Newlines and
// tabs stay (encoding/json writes them only between values, as
// indentation). JSON without anything to escape comes back as it is.
func JSON(b []byte) []byte {
	i := 0
	for i < len(b) {
		c := b[i]
		if c >= 0x20 && c < 0x7f || c == '\n' || c == '\t' {
			i++
			continue
		}
		if c >= 0x80 {
			if r, n := utf8.DecodeRune(b[i:]); !(r == utf8.RuneError && n <= 1) && !Hidden(r) {
				i += n
				continue
			}
		}
		break
	}
	if i == len(b) {
		return b
	}
	out := make([]byte, 0, len(b)+32)
	out = append(out, b[:i]...)
	for i < len(b) {
		c := b[i]
		if c < 0x80 {
			if (c >= 0x20 && c < 0x7f) || c == '\n' || c == '\t' {
				out = append(out, c)
			} else {
				out = appendU(out, rune(c))
			}
			i++
			continue
		}
		r, n := utf8.DecodeRune(b[i:])
		switch {
		case r == utf8.RuneError && n <= 1:
			out = appendU(out, utf8.RuneError) // as encoding/json reads a stray byte
		case !Hidden(r):
			out = append(out, b[i:i+n]...)
		case r > 0xffff:
			r1, r2 := utf16.EncodeRune(r)
			out = appendU(appendU(out, r1), r2)
		default:
			out = appendU(out, r)
		}
		i += n
	}
	return out
}

// appendU writes r (at most U+FFFF) as a JSON \u escape.
func appendU(b []byte, r rune) []byte {
	const hex = "0123456789abcdef"
	return append(b, '\\', 'u', hex[r>>12&0xf], hex[r>>8&0xf], hex[r>>4&0xf], hex[r&0xf])
}
