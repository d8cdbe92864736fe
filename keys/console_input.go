package keys

import (
	"io"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"

	uv "github.com/charmbracelet/ultraviolet"
)

// How much of a console's input one piece of it may be (see consoleInput).
const (
	// maxPasteChunk is the most of one bracketed paste handed over as one
	// piece; a longer paste arrives as several pastes in a row, nothing lost.
	maxPasteChunk = 16 << 10
	// maxSequence is the longest CSI or SS3 sequence passed on: longer than
	// any a terminal sends as a key, a mouse event or a reply (a kitty key
	// with its text is under 100 bytes).
	maxSequence = 256
	// maxString is the longest OSC, DCS, APC, PM or SOS string passed on
	// (the console asks only for the background colour, about 25 bytes).
	maxString = 4 << 10
	// escTimeout is how long an escape sequence begun may wait for its
	// next byte: a lone ESC is then the Escape key (as for bubbletea).
	escTimeout = uv.DefaultEscTimeout
)

const (
	pasteStart = "\x1b[200~"
	pasteEnd   = "\x1b[201~"
)

// consoleInput is a console's input as bubbletea v2 reads it: only whole,
// well-formed keys, sequences and characters, in bounded pieces.
//
// bubbletea's reader (ultraviolet's TerminalReader) waits for more input
// whenever what it holds begins with something it cannot decode yet — an
// unknown or unfinished sequence, a byte that is no UTF-8, or ESC and one
// more byte (Escape, or alt and a key?) — and decides only once no byte has
// come for 50 ms: until then it keeps all that follows, rescanning it on
// every read, and then hands it over as one slice of events. A client that
// sends "\x1bx" or "\xff" and then megabytes without a pause made the server
// hold all of them (over 100 bytes of events per byte typed). It keeps a
// bracketed paste whole until the paste ends, too.
//
// consoleInput passes on what a terminal sends, decided here so bubbletea
// never has to wait: UTF-8 characters and control keys as they are; escape
// sequences once whole and only if bubbletea decodes them as one event
// (malformed ones, and ones longer than maxSequence or maxString, are
// dropped); ESC followed by one byte (alt and a key), or by nothing within
// escTimeout (Escape), as the same key in the kitty keyboard protocol's
// unambiguous form (CSI code ; modifiers u), which bubbletea decodes at
// once to the same key message; bytes that are no UTF-8 are dropped. Inside a
// bracketed paste it passes the text and control keys, drops escape
// sequences, and ends the paste and starts another every maxPasteChunk
// bytes (between characters), so no paste is held longer than that.
type consoleInput struct {
	r    io.Reader
	once sync.Once
	data chan chunk
	done chan struct{}
	shut sync.Once

	out []byte // decided, not yet handed over
	err error  // what r ended with, once out is handed over

	dec uv.EventDecoder

	// the token being read
	st      inState
	tok     []byte
	alt     bool // an ESC came before it (alt and the key it begins)
	need    int  // bytes still to come (a UTF-8 character, an X10 mouse event)
	str     byte // the string's introducer (']' for OSC)
	strEsc  bool // the string's last byte was ESC
	discard bool // the sequence is too long or malformed: dropped at its end
	inPaste bool // inside a bracketed paste
	pasted  int  // bytes of the paste since it (or its last piece) began
	timeout time.Duration
	// after starts the wait of timeout for a sequence's next byte: a
	// timer's channel and its stop (a test's own clock in tests)
	after func(time.Duration) (<-chan time.Time, func() bool)
}

type chunk struct {
	b   []byte
	err error
}

type inState int

const (
	inGround inState = iota
	inUTF8           // a UTF-8 character begun
	inEsc            // ESC
	inCSI            // ESC [
	inX10            // ESC [ M and three bytes
	inSS3            // ESC O
	inString         // ESC ] (OSC), ESC P (DCS), ESC _ (APC), ESC ^ (PM), ESC X (SOS)
)

func newConsoleInput(r io.Reader) *consoleInput {
	return &consoleInput{r: r, data: make(chan chunk), done: make(chan struct{}), timeout: escTimeout, after: startTimer}
}

func startTimer(d time.Duration) (<-chan time.Time, func() bool) {
	t := time.NewTimer(d)
	return t.C, t.Stop
}

// Close ends the reading: a Read waiting returns io.EOF, and the goroutine
// reading r ends once r's read returns (the session's channel closing).
func (c *consoleInput) Close() error {
	c.shut.Do(func() { close(c.done) })
	return nil
}

// pump reads r for Read, one chunk at a time, so Read can wait for the next
// byte with a timeout.
func (c *consoleInput) pump() {
	for {
		b := make([]byte, 4<<10)
		n, err := c.r.Read(b)
		select {
		case c.data <- chunk{b[:n], err}:
		case <-c.done:
			return
		}
		if err != nil {
			return
		}
	}
}

// Read hands over what is decided; it waits for input, and for the rest of
// an escape sequence begun at most escTimeout.
func (c *consoleInput) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	c.once.Do(func() { go c.pump() })
	for len(c.out) == 0 {
		if c.err != nil {
			return 0, c.err
		}
		var expired <-chan time.Time
		var stop func() bool
		if c.pending() {
			expired, stop = c.after(c.timeout)
		}
		select {
		case ch := <-c.data:
			for _, x := range ch.b {
				c.step(x)
			}
			if ch.err != nil {
				c.flush()
				c.err = ch.err
			}
		case <-expired:
			c.flush()
		case <-c.done:
			c.err = io.EOF
		}
		if stop != nil {
			stop()
		}
	}
	n := copy(p, c.out)
	c.out = c.out[n:]
	if len(c.out) == 0 {
		c.out = nil // let the buffer go between reads
	}
	return n, nil
}

// pending says whether a token is begun and not finished, and waits for
// its next byte at most escTimeout. A character begun does not: it is
// kept, whatever the pause, until its next byte decides it (a character
// split across reads of a slow link was dropped), and that is at most
// three bytes held, of a character that can still be whole.
func (c *consoleInput) pending() bool {
	return c.st != inUTF8 && (c.st != inGround || c.alt)
}

// flush decides the token begun when nothing more comes: ESC alone is the
// Escape key, ESC and an introducer alt and that key; anything else
// unfinished is dropped.
func (c *consoleInput) flush() {
	switch {
	case c.st == inEsc:
		if c.alt {
			c.emitKey([]byte("\x1b\x1b"))
		} else {
			c.emitKey([]byte("\x1b"))
		}
	case (c.st == inCSI || c.st == inSS3 || c.st == inString) && len(c.tok) == 2 && !c.discard:
		c.emitKey(c.tok)
	case c.alt:
		c.emitKey([]byte("\x1b"))
	}
	c.reset()
}

func (c *consoleInput) reset() {
	c.st, c.tok, c.alt, c.need, c.strEsc, c.discard = inGround, c.tok[:0], false, 0, false, false
}

// step reads one byte of input.
func (c *consoleInput) step(x byte) {
	switch c.st {
	case inGround:
		switch {
		case x == 0x1b:
			c.st, c.tok = inEsc, append(c.tok[:0], x)
		case x < 0x80:
			if c.alt {
				c.emitKey([]byte{0x1b, x})
				c.alt = false
			} else {
				c.emitText([]byte{x})
			}
		case x >= 0xc2 && x <= 0xf4: // a character's first byte
			c.st, c.tok, c.need = inUTF8, append(c.tok[:0], x), utf8Len(x)-1
		default: // no UTF-8 (and no raw C1 control: a UTF-8 terminal sends none)
		}
	case inUTF8:
		if x < 0x80 || x > 0xbf || !utf8Continues(c.tok, x) {
			// no character: dropped, and x begins what comes next (a
			// continuation byte alone is dropped there too)
			c.st, c.need = inGround, 0
			c.step(x)
			return
		}
		c.tok = append(c.tok, x)
		if c.need--; c.need == 0 {
			if utf8.Valid(c.tok) {
				if c.alt && !c.inPaste {
					c.emit(append([]byte{0x1b}, c.tok...))
				} else {
					c.emitText(c.tok)
				}
			}
			c.st, c.alt = inGround, false
		}
	case inEsc:
		switch x {
		case '[':
			c.st = inCSI
		case 'O':
			c.st = inSS3
		case ']', 'P', '_', '^', 'X':
			c.st, c.str = inString, x
		case 0x1b:
			// the ESC before is alt for the sequence this one begins
			if c.alt {
				c.emitKey([]byte("\x1b")) // and the one before that was Escape
			}
			c.alt = true
			return
		default:
			// alt and the key x begins
			if c.alt {
				c.emitKey([]byte("\x1b"))
			}
			c.st, c.alt = inGround, true
			c.step(x)
			return
		}
		c.tok = append(c.tok, x)
	case inCSI:
		switch {
		case len(c.tok) == 2 && x == 'M': // X10 mouse: three bytes follow
			c.st, c.need, c.tok = inX10, 3, append(c.tok, x)
		case x >= 0x20 && x <= 0x3f: // parameters, intermediates
			c.grow(x, maxSequence)
		case x >= 0x40 && x <= 0x7e: // the final byte
			c.grow(x, maxSequence)
			c.emitSequence()
		default:
			c.malformed(x)
		}
	case inX10:
		c.tok = append(c.tok, x)
		if c.need--; c.need == 0 {
			c.emitSequence()
		}
	case inSS3:
		switch {
		case x >= '0' && x <= '9':
			c.grow(x, maxSequence)
		case x >= 0x21 && x <= 0x7e:
			c.grow(x, maxSequence)
			c.emitSequence()
		default:
			c.malformed(x)
		}
	case inString:
		switch {
		case c.strEsc:
			c.strEsc = false
			if x == '\\' { // ST
				c.grow(0x1b, maxString)
				c.grow(x, maxString)
				c.emitSequence()
				return
			}
			// the string ends cancelled (ESC and its introducer alone: alt
			// and that key, as bubbletea reads it); that ESC begins what
			// comes next
			if len(c.tok) == 2 && !c.discard {
				c.emitKey(c.tok)
			}
			c.reset()
			c.st, c.tok = inEsc, append(c.tok[:0], 0x1b)
			c.step(x)
		case x == 0x1b:
			c.strEsc = true
		case x == 0x07 && c.str == ']': // BEL ends an OSC
			c.grow(x, maxString)
			c.emitSequence()
		case x == 0x18 || x == 0x1a: // CAN, SUB: the string is cancelled
			c.reset()
		case x >= 0x80: // replies are ASCII
			c.discard = true
		default:
			c.grow(x, maxString)
		}
	}
}

// grow adds x to the sequence, which is dropped once longer than limit.
func (c *consoleInput) grow(x byte, limit int) {
	if c.discard {
		return
	}
	if len(c.tok) >= limit {
		c.discard, c.tok = true, c.tok[:0]
		return
	}
	c.tok = append(c.tok, x)
}

// malformed ends a sequence at a byte that has no place in it: ESC and an
// introducer alone are alt and that key; anything longer is dropped. x
// begins what comes next.
func (c *consoleInput) malformed(x byte) {
	if len(c.tok) == 2 && !c.discard {
		c.emitKey(c.tok)
	}
	c.reset()
	c.step(x)
}

// emitSequence passes the whole sequence in tok on if bubbletea decodes it
// as one event, and ends it.
func (c *consoleInput) emitSequence() {
	defer c.reset()
	if c.discard {
		return
	}
	n, ev := c.dec.Decode(c.tok)
	if _, unknown := ev.(uv.UnknownEvent); unknown || n != len(c.tok) {
		return
	}
	switch ev.(type) {
	case uv.PasteStartEvent:
		if !c.inPaste {
			c.emit(c.tok)
			c.inPaste, c.pasted = true, 0
		}
		return
	case uv.PasteEndEvent:
		if c.inPaste {
			c.emit(c.tok)
			c.inPaste = false
		}
		return
	}
	if c.inPaste {
		return // a terminal pastes text; an escape sequence in it is dropped
	}
	if c.alt {
		// ESC before a key sequence is alt and that key (ESC ESC [ A);
		// before anything else, Escape
		seq := append([]byte{0x1b}, c.tok...)
		if n, ev := c.dec.Decode(seq); n == len(seq) {
			if _, key := ev.(uv.KeyPressEvent); key {
				c.emit(seq)
				return
			}
		}
		c.emitKey([]byte("\x1b"))
	}
	c.emit(c.tok)
}

// emitKey passes on the key that seq (ESC alone, or ESC and one byte, which
// bubbletea holds until no byte follows for 50 ms) is, in the kitty keyboard
// protocol's form: bubbletea decodes that at once to the same key message.
// In a paste only the byte after ESC stays.
func (c *consoleInput) emitKey(seq []byte) {
	if c.inPaste {
		if len(seq) == 2 && seq[1] != 0x1b {
			c.emitText(seq[1:])
		}
		return
	}
	n, ev := c.dec.Decode(seq)
	k, ok := ev.(uv.KeyPressEvent)
	if !ok || n != len(seq) {
		return
	}
	if b, ok := kittyKey(k); ok {
		c.emit(b)
	}
}

// kittyKey is k as the kitty keyboard protocol sends it: CSI code
// [:shifted] [; 1+modifiers] u.
func kittyKey(k uv.KeyPressEvent) ([]byte, bool) {
	if k.Mod&^(uv.ModShift|uv.ModAlt|uv.ModCtrl) != 0 || k.Code < 0 || k.Code > utf8.MaxRune || k.ShiftedCode < 0 || k.ShiftedCode > utf8.MaxRune {
		return nil, false
	}
	b := strconv.AppendInt([]byte("\x1b["), int64(k.Code), 10)
	if k.ShiftedCode != 0 {
		b = strconv.AppendInt(append(b, ':'), int64(k.ShiftedCode), 10)
	}
	mod := 0
	if k.Mod.Contains(uv.ModShift) {
		mod |= 1
	}
	if k.Mod.Contains(uv.ModAlt) {
		mod |= 2
	}
	if k.Mod.Contains(uv.ModCtrl) {
		mod |= 4
	}
	if mod != 0 {
		b = strconv.AppendInt(append(b, ';'), int64(1+mod), 10)
	}
	return append(b, 'u'), true
}

// emitText passes on a character or a control key; in a paste, the paste is
// ended and another begun once this piece holds maxPasteChunk bytes.
func (c *consoleInput) emitText(b []byte) {
	if c.inPaste {
		if c.pasted >= maxPasteChunk {
			c.emit([]byte(pasteEnd + pasteStart))
			c.pasted = 0
		}
		c.pasted += len(b)
	}
	c.emit(b)
}

func (c *consoleInput) emit(b []byte) { c.out = append(c.out, b...) }

// utf8Continues says whether the continuation byte x after tok, a
// character begun, can still make a character: no overlong form, no
// surrogate, nothing above U+10FFFF (the second byte's ranges).
func utf8Continues(tok []byte, x byte) bool {
	if len(tok) != 1 {
		return true
	}
	switch tok[0] {
	case 0xe0:
		return x >= 0xa0
	case 0xed:
		return x <= 0x9f
	case 0xf0:
		return x >= 0x90
	case 0xf4:
		return x <= 0x8f
	}
	return true
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
