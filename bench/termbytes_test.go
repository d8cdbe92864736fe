package bench

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"
)

// What a terminal program's output is made of, byte by byte: so that a
// figure of bytes per key can say where they go.

type byteClass int

const (
	classText   byteClass = iota // printable characters, spaces included
	classSGR                     // CSI … m: colours and attributes
	classCursor                  // cursor moves: CUP, CUU/CUD/CUF/CUB, CHA, VPA, CR, LF, BS, …
	classErase                   // EL, ED, ECH
	classRepeat                  // REP: the previous character again
	classScroll                  // insert/delete lines or characters, scroll up/down, scroll region
	classSync                    // synchronized output on/off (mode 2026)
	classOther                   // other modes, OSC, anything else
	numClasses
)

var classNames = [numClasses]string{"text", "sgr", "cursor", "erase", "repeat", "scroll", "sync", "other"}

// termBytes is a classification: bytes and pieces (characters or sequences)
// per class.
type termBytes struct {
	bytes, pieces [numClasses]int
}

func (t termBytes) total() int {
	n := 0
	for _, b := range t.bytes {
		n += b
	}
	return n
}

// String is one line per class that occurs: bytes, pieces.
func (t termBytes) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%-7s %7s %7s\n", "class", "bytes", "pieces")
	for i := range numClasses {
		if t.bytes[i] > 0 {
			fmt.Fprintf(&b, "%-7s %7d %7d\n", classNames[i], t.bytes[i], t.pieces[i])
		}
	}
	fmt.Fprintf(&b, "%-7s %7d", "total", t.total())
	return b.String()
}

// classify splits terminal output into the classes above. A sequence cut off
// at the end counts as other.
func classify(p []byte) termBytes {
	var t termBytes
	put := func(c byteClass, n int) { t.bytes[c] += n; t.pieces[c]++ }
	for i := 0; i < len(p); {
		c := p[i]
		switch {
		case c == 0x1b && i+1 < len(p) && p[i+1] == '[':
			j := i + 2
			for j < len(p) && p[j] >= 0x30 && p[j] <= 0x3f { // parameters
				j++
			}
			params := string(p[i+2 : j])
			for j < len(p) && p[j] >= 0x20 && p[j] <= 0x2f { // intermediates
				j++
			}
			if j >= len(p) {
				put(classOther, len(p)-i)
				return t
			}
			put(csiClass(params, p[j]), j+1-i)
			i = j + 1
		case c == 0x1b && i+1 < len(p) && p[i+1] == ']': // OSC … BEL or ST
			j := i + 2
			for j < len(p) && p[j] != 0x07 && (p[j] != 0x1b || j+1 >= len(p) || p[j+1] != '\\') {
				j++
			}
			switch {
			case j >= len(p):
				j = len(p)
			case p[j] == 0x07:
				j++
			default:
				j += 2
			}
			put(classOther, j-i)
			i = j
		case c == 0x1b:
			put(classOther, min(2, len(p)-i))
			i += 2
		case c == '\r' || c == '\n' || c == '\b' || c == '\t':
			put(classCursor, 1)
			i++
		case c < 0x20 || c == 0x7f:
			put(classOther, 1)
			i++
		default:
			_, n := utf8.DecodeRune(p[i:])
			put(classText, n)
			i += n
		}
	}
	return t
}

func csiClass(params string, final byte) byteClass {
	switch final {
	case 'm':
		return classSGR
	case 'H', 'f', 'A', 'B', 'C', 'D', 'E', 'F', 'G', 'd', '`', 'a', 'e':
		return classCursor
	case 'K', 'J', 'X':
		return classErase
	case 'b':
		return classRepeat
	case '@', 'P', 'L', 'M', 'S', 'T', 'r':
		return classScroll
	case 'h', 'l':
		if params == "?2026" {
			return classSync
		}
	}
	return classOther
}

func TestClassify(t *testing.T) {
	in := "\x1b[?2026h\x1b[3;5H\x1b[1;7mab é\x1b[m\x1b[K\x1b[4X\r\n\x1b[5b\x1b[2L\x1b]8;;x\x07\x1b[?25l\x1b[?2026l"
	got := classify([]byte(in))
	want := map[byteClass][2]int{ // bytes, pieces
		classText:   {5, 4},
		classSGR:    {9, 2},
		classCursor: {8, 3},
		classErase:  {7, 2},
		classRepeat: {4, 1},
		classScroll: {4, 1},
		classSync:   {16, 2},
		classOther:  {13, 2},
	}
	for c := range numClasses {
		if w := want[c]; got.bytes[c] != w[0] || got.pieces[c] != w[1] {
			t.Errorf("%s: %d bytes in %d pieces, want %d in %d", classNames[c], got.bytes[c], got.pieces[c], w[0], w[1])
		}
	}
	if got.total() != len(in) {
		t.Errorf("total %d, want %d", got.total(), len(in))
	}
}
