package keys

import (
	"bytes"
	"io"
)

// How much of a console's input bubbletea may hold at once (see
// consoleInput).
const (
	// maxPasteChunk is the most of one bracketed paste handed over as one
	// piece; a longer paste arrives as several pastes in a row, nothing lost.
	maxPasteChunk = 16 << 10
	// maxRun is the most plain text (no control character, no space) in a
	// row before bubbletea is made to see the end of a read. Longer than
	// any escape sequence a terminal sends, so none is ever cut.
	maxRun = 512
)

const (
	pasteStart = "\x1b[200~"
	pasteEnd   = "\x1b[201~"
)

// consoleInput is a console's input as bubbletea v1 reads it, bounded and
// cut where bubbletea parses it right.
// bubbletea's reader (readAnsiInputs) keeps every byte of a bracketed paste
// until it sees the paste's end, and every byte of plain text for as long
// as its 256-byte reads come back full, copying and scanning all it holds
// again on each read: a client sending a paste that never ends, or
// megabytes without a space, made the server hold all of it and spend time
// growing with its square. consoleInput splits a long paste into pastes of
// at most maxPasteChunk bytes (it writes the end and a new start between
// them, never inside a character or a marker), and ends a read inside a run
// of more than maxRun plain bytes early (a short read is how bubbletea knows
// the text so far is complete). The reads it hands over end between
// characters and outside escape sequences (see cleanEnd). Everything else
// passes as it came.
type consoleInput struct {
	r    io.Reader
	buf  [4 << 10]byte // what the last read from r brought
	err  error         // what it ended with, once out is handed over
	more bool          // it filled buf: the client's bytes may go on

	out      []byte // filtered, not yet handed over
	cuts     []int  // offsets in out that a handed-over read must end at
	lastFull bool   // the last read filled all it was given

	// the stream so far
	inPaste bool
	match   int // bytes of a marker matched so far: pasteStart outside a paste, pasteEnd inside
	pasted  int // bytes of the paste since it (or its last piece) began
	run     int // plain bytes in a row
}

func newConsoleInput(r io.Reader) *consoleInput { return &consoleInput{r: r} }

// Read hands over filtered input; a read that must end at a cut comes back
// shorter than p.
func (c *consoleInput) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	for c.ready() == 0 {
		if c.err != nil {
			if len(c.out) == 0 {
				return 0, c.err
			}
			break
		}
		n, err := c.r.Read(c.buf[:])
		c.more = n == len(c.buf)
		c.filter(c.buf[:n])
		c.err = err
	}
	n := min(len(p), len(c.out))
	if c.err == nil {
		n = min(n, c.ready())
	}
	switch {
	case len(c.cuts) > 0 && c.cuts[0] == 0:
		// the cut falls where the last read ended: if that one was full,
		// bubbletea still holds the run; a short read now ends it
		c.cuts = c.cuts[1:]
		if c.lastFull {
			n = min(n, runeLen(c.out))
		}
	case len(c.cuts) > 0 && c.cuts[0] <= n:
		if cut := c.cuts[0]; cut < len(p) {
			n, c.cuts = cut, c.cuts[1:]
		} else {
			// a full read says nothing ends there: end it a character
			// earlier, and reach the cut with the next one
			n = cut - 1
		}
	}
	if n < len(c.out) {
		if end := c.boundary(n); end > 0 {
			n = end
		}
	}
	copy(p, c.out[:n])
	c.out = c.out[n:]
	for i := range c.cuts {
		c.cuts[i] -= n
	}
	if len(c.out) == 0 {
		c.out = nil // let the buffer go between reads
	}
	c.lastFull = n == len(p)
	return n, nil
}

// ready is how much of out may be handed over now: not a UTF-8 character
// begun and not finished at its end, and while the client's bytes are
// still coming (the last read from it was full), not an escape sequence
// cut short at its end.
func (c *consoleInput) ready() int {
	n := len(c.out)
	for k := 1; k <= 3 && k <= len(c.out); k++ {
		x := c.out[len(c.out)-k]
		if x < 0x80 {
			break
		}
		if x >= 0xc0 { // a character's first byte: is it all there?
			if utf8Len(x) > k {
				n = len(c.out) - k
			}
			break
		}
	}
	if c.more && n > 0 {
		if i := bytes.LastIndexByte(c.out[max(0, n-maxSequence):n], 0x1b); i >= 0 {
			if i += max(0, n-maxSequence); incompleteSequence(c.out[i:n]) {
				n = i
			}
		}
	}
	return n
}

// incompleteSequence reports whether b, which begins with ESC, is the start
// of an escape sequence still missing bytes: ESC alone, a CSI without its
// final byte, an X10 mouse event or an SS3 key cut short.
func incompleteSequence(b []byte) bool {
	if len(b) < 2 {
		return true
	}
	switch b[1] {
	case 'O': // SS3: ESC O and one byte
		return len(b) < 3
	case '[':
		if len(b) > 2 && b[2] == 'M' { // X10 mouse: three bytes follow
			return len(b) < 6
		}
		for _, x := range b[2:] {
			if x >= 0x40 && x <= 0x7e {
				return false // the final byte
			}
		}
		return true
	}
	return false // alt and a key
}

// maxSequence is longer than any escape sequence a terminal sends as a key,
// a mouse event or a paste marker.
const maxSequence = 32

// boundary is where a read ending at n should end for bubbletea v1 to parse
// it right (0 if nowhere before n): before an escape sequence begun near n
// (bubbletea reads a sequence cut off by a full read as alt+[ and text, a
// paste's start marker included), and never inside a UTF-8 character (it
// drops one cut off by a full read).
func (c *consoleInput) boundary(n int) int {
	end := n
	for i := n - 1; i >= 0 && i >= n-maxSequence; i-- {
		if c.out[i] == 0x1b {
			end = i
			break
		}
	}
	for end > 0 && end < len(c.out) && !runeStart(c.out[end]) {
		end--
	}
	return end
}

// utf8Len is how long a UTF-8 character beginning with x is.
func utf8Len(x byte) int {
	switch {
	case x >= 0xf0:
		return 4
	case x >= 0xe0:
		return 3
	}
	return 2
}

// runeLen is the length of the UTF-8 character b begins with (1 for a byte
// that begins none).
func runeLen(b []byte) int {
	n := 1
	for n < len(b) && n < 4 && !runeStart(b[n]) {
		n++
	}
	return n
}

func runeStart(c byte) bool { return c < 0x80 || c >= 0xc0 }

// plain is a byte bubbletea reads as part of a run of text: not a control
// character, DEL or space.
func plain(c byte) bool { return c > ' ' && c != 0x7f }

// filter appends b to out, splitting long pastes and marking where long
// runs of text must be cut.
func (c *consoleInput) filter(b []byte) {
	for _, x := range b {
		if c.inPaste {
			c.pasteByte(x)
		} else {
			c.textByte(x)
		}
	}
}

func (c *consoleInput) textByte(x byte) {
	if plain(x) {
		c.run++
		if c.run > maxRun && runeStart(x) {
			c.cuts = append(c.cuts, len(c.out))
			c.run = 1
		}
	} else {
		c.run = 0
	}
	c.out = append(c.out, x)
	if c.match = nextMatch(pasteStart, c.match, x); c.match == len(pasteStart) {
		c.inPaste, c.match, c.pasted = true, 0, 0
	}
}

func (c *consoleInput) pasteByte(x byte) {
	if c.pasted >= maxPasteChunk && c.match == 0 && runeStart(x) && x != 0x1b {
		// end this piece and start the next: bubbletea hands this one
		// over and lets it go (never before an ESC, which may begin the
		// paste's own end)
		c.out = append(c.out, pasteEnd+pasteStart...)
		c.pasted = 0
	}
	c.out = append(c.out, x)
	c.pasted++
	if c.match = nextMatch(pasteEnd, c.match, x); c.match == len(pasteEnd) {
		c.inPaste, c.match, c.run = false, 0, 0
	}
}

// nextMatch is how much of marker is matched after x, given matched bytes
// before it. The markers hold ESC only as their first byte, so a mismatch
// restarts at ESC or at nothing.
func nextMatch(marker string, matched int, x byte) int {
	switch {
	case x == marker[matched]:
		return matched + 1
	case x == marker[0]:
		return 1
	}
	return 0
}
