package keys

import (
	"fmt"
	"io"
	"math/rand/v2"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	tea "charm.land/bubbletea/v2"
	uv "github.com/charmbracelet/ultraviolet"
)

// typed records what a real bubbletea program makes of its input, until
// ctrl+q.
type typed struct {
	mu     sync.Mutex
	msgs   []string // every message but text, as bubbletea gives it
	pastes []string
	text   strings.Builder // the characters typed (not pasted), in order
	seen   atomic.Int64    // messages of any kind
}

func (m *typed) Init() tea.Cmd  { return nil }
func (m *typed) View() tea.View { return tea.NewView("") }
func (m *typed) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	m.mu.Lock()
	defer m.mu.Unlock()
	switch msg := msg.(type) {
	case tea.WindowSizeMsg, tea.ColorProfileMsg, tea.EnvMsg: // the program's own, at start
		return m, nil
	case tea.KeyPressMsg:
		if msg.String() == "ctrl+q" {
			return m, tea.Quit
		}
		if msg.Text != "" && msg.Mod&^tea.ModShift == 0 {
			m.text.WriteString(msg.Text)
			m.msgs = append(m.msgs, "text")
		} else {
			m.msgs = append(m.msgs, fmt.Sprintf("key %s %+v", msg, msg.Key()))
		}
	case tea.PasteMsg:
		m.pastes = append(m.pastes, msg.Content)
		m.msgs = append(m.msgs, "paste")
	default:
		m.msgs = append(m.msgs, fmt.Sprintf("%T %v", msg, msg))
	}
	m.seen.Add(1)
	return m, nil
}

func (m *typed) typedText() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.text.String()
}

func (m *typed) pasteCount() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.pastes)
}

// program runs a bubbletea program reading in (through consoleInput unless
// raw) until ctrl+q or the input's end.
func program(t *testing.T, in io.Reader, raw bool) (*typed, <-chan error) {
	t.Helper()
	if !raw {
		ci := newConsoleInput(in)
		// these tests split the input at every size, not in time: a writer
		// that a busy machine pauses mid-sequence for escTimeout would turn
		// ESC q into Escape and q (TestConsoleInputDoesNotHoldWholeKeys
		// covers the timeout)
		ci.timeout = time.Hour
		t.Cleanup(func() { ci.Close() })
		in = ci
	}
	m := &typed{}
	p := tea.NewProgram(m, tea.WithInput(in), tea.WithOutput(io.Discard), tea.WithoutRenderer(), tea.WithoutSignalHandler(),
		tea.WithEnvironment([]string{"TERM=xterm-256color"}))
	done := make(chan error, 1)
	go func() { _, err := p.Run(); done <- err }()
	t.Cleanup(p.Kill)
	return m, done
}

// run feeds input, in writes of up to piece bytes (0: all at once), to a
// bubbletea program and returns what it made of it.
func run(t *testing.T, input string, piece int, raw bool) *typed {
	t.Helper()
	pr, pw := io.Pipe()
	go func() {
		rng := rand.New(rand.NewPCG(1, uint64(piece)))
		for s := input + "\x11"; len(s) > 0; {
			n := len(s)
			if piece > 0 {
				n = min(n, 1+rng.IntN(piece))
			}
			if _, err := pw.Write([]byte(s[:n])); err != nil {
				return
			}
			s = s[n:]
		}
	}()
	m, done := program(t, pr, raw)
	select {
	case err := <-done:
		pr.Close()
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(60 * time.Second):
		t.Fatalf("bubbletea did not get through %d bytes of input in 60 s", len(input))
	}
	return m
}

// What a terminal sends reaches bubbletea as the same messages as without
// the guard: keys (alt and Escape among them), escape sequences, mouse
// events, replies, a paste, text in any script.
func TestConsoleInputPassesTyping(t *testing.T) {
	input := "ab\x1b[A\x1b[<0;10;5M \x1b[200~hello, 世界 😀\r\n\tend\x1b[201~é\r\x7f\x1bx\x1b[1;5C" +
		"\x1b[97;5u\x1b[M !!\x1b[M \xc8d\x1b]11;rgb:1c1c/1c1c/1c1c\x1b\\\x1b[?62;22c\x1b[I\x1bOP" +
		"\x1b\x01\x1b\r\x1bé\x1b\x1b[A\x1bX\x1bY\x1b\x7f\x1b[2$y" + strings.Repeat("word ", 40)
	want := run(t, input, 0, true)
	got := run(t, input, 0, false)
	if !reflect.DeepEqual(got.msgs, want.msgs) || got.text.String() != want.text.String() || !reflect.DeepEqual(got.pastes, want.pastes) {
		t.Fatalf("through the guard:\n%q\n%q\nstraight:\n%q\n%q", got.msgs, got.pastes, want.msgs, want.pastes)
	}
	if len(want.pastes) != 1 || want.pastes[0] != "hello, 世界 😀\r\n\tend" {
		t.Fatalf("the paste: %q", want.pastes)
	}

	// thousands of sequences in one write, and in writes of any size
	unit := "\x1b[<0;10;5Mx\x1b[Aé \x1b[1;5C\x1bq" + pasteStart + "p" + pasteEnd
	one := run(t, unit, 0, true)
	for _, piece := range []int{0, 7, 5000} {
		many := run(t, strings.Repeat(unit, 3000), piece, false)
		if got, want := strings.Join(many.msgs, "|"), strings.Repeat(strings.Join(one.msgs, "|")+"|", 3000); got+"|" != want {
			t.Fatalf("3000 units in writes of up to %d bytes: %d messages, want %d (%q for one)", piece, len(many.msgs), 3000*len(one.msgs), one.msgs)
		}
	}
}

// ESC and one byte — alt and a key, which bubbletea holds until nothing
// follows for 50 ms — is passed on as the kitty protocol's form of the same
// key; ESC alone (nothing follows) is Escape.
func TestConsoleInputAltKeys(t *testing.T) {
	var dec uv.EventDecoder
	for x := 0; x < 0x80; x++ {
		seq := []byte{0x1b, byte(x)}
		_, want := dec.Decode(seq)
		out, err := io.ReadAll(newConsoleInput(strings.NewReader(string(seq))))
		if err != nil {
			t.Fatal(err)
		}
		n, got := dec.Decode(out)
		if n != len(out) || !reflect.DeepEqual(got, want) {
			t.Errorf("%q became %q: %#v, want %#v", seq, out, got, want)
		}
		if len(out) <= 2 {
			t.Errorf("%q passed on as %q, which bubbletea holds", seq, out)
		}
	}
	_, want := dec.Decode([]byte{0x1b})
	out, _ := io.ReadAll(newConsoleInput(strings.NewReader("\x1b")))
	if _, got := dec.Decode(out); string(out) != "\x1b[27u" || !reflect.DeepEqual(got, want) {
		t.Errorf("ESC alone became %q: %#v, want %#v", out, got, want)
	}
}

// What the guard makes of input, given all at once.
func TestConsoleInputTokens(t *testing.T) {
	for _, tc := range []struct{ in, out string }{
		{"\x1b[A", "\x1b[A"},
		{"\x1bx", "\x1b[120;3u"},
		{"\x1bO", "\x1b[111;4u"}, // alt+O, as bubbletea reads it
		{"\x1b[", "\x1b[91;3u"},
		{"\x1b[\x01", "\x1b[91;3u\x01"},
		{"\x1b\x1b", "\x1b[27;3u"},
		{"\x1b\x1b[A", "\x1b\x1b[A"},         // alt+up
		{"\x1b\x1b[I", "\x1b[27u\x1b[I"},     // Escape, then focus
		{"a\xffb\xe9c\x80\xc0\xc1d", "abcd"}, // no UTF-8: dropped
		{"é€😀", "é€😀"},
		{"\xed\xa0\x80x", "x"},     // a surrogate
		{"\xe0\x9f\xbfx", "x"},     // overlong
		{"\xf0\x8f\xbf\xbfx", "x"}, // overlong
		{"\xf4\x90\x80\x80x", "x"}, // above U+10FFFF
		{"\xf4\x8f\xbf\xbf", "\xf4\x8f\xbf\xbf"},
		{"\x1b[" + strings.Repeat("1", 300) + "mq", "q"},
		{"\x1b[1;5" + "\r", "\r"},
		{"\x1b]11;rgb:1c1c/1c1c/1c1c\x1b\\", "\x1b]11;rgb:1c1c/1c1c/1c1c\x1b\\"},
		{"\x1b]11;rgb:0/0/0\x07", "\x1b]11;rgb:0/0/0\x07"},
		{"\x1b]" + strings.Repeat("a", 5000) + "\x07z", "z"},
		{"\x1b]11;é\x07z", "z"},
		{"\x1b];\x07z", "z"},
		{"\x1b]11;a\x18z", "z"},
		{"\x1b]11;a\x1bx", "\x1b[120;3u"},
		{"\x1bX\x1bY", "\x1b[120;4u\x1b[121:89;4u"},
		{"\x1bP1$r0m\x1b\\", "\x1bP1$r0m\x1b\\"},
		{"\x1b[M !!", "\x1b[M !!"},
		{"\x1b[M \xc8d", "\x1b[M \xc8d"},
		{"\x1bOP", "\x1bOP"},
		{pasteStart + "a\x1b[Ab\x1bxc\x1b\r" + pasteEnd, pasteStart + "abxc\r" + pasteEnd},
		{pasteEnd + "a", "a"},
		{pasteStart + pasteStart + "a" + pasteEnd, pasteStart + "a" + pasteEnd},
		{"\x1b[1;2", ""},
		{"\xe2\x82", ""},
	} {
		out, err := io.ReadAll(newConsoleInput(strings.NewReader(tc.in)))
		if err != nil {
			t.Fatal(err)
		}
		if string(out) != tc.out {
			t.Errorf("%.60q became %q, want %q", tc.in, out, tc.out)
		}
	}
}

// Input that bubbletea alone holds whole while more keeps coming — an alt
// key or a byte no UTF-8, a malformed or endless sequence, a paste that does
// not end — reaches the program while the client is still sending. (Straight,
// alt+x and 8 MiB kept bubbletea busy for 114 s and delivered nothing while
// the writes went on; the others reached it only when the writer happened
// to pause for 50 ms, after 100–350 KiB.)
func TestConsoleInputNeverHoldsTheRest(t *testing.T) {
	const most = 16 << 20
	for _, tc := range []struct {
		name, prefix string
		paste        bool
	}{
		{"alt+x", "\x1bx", false},
		{"Escape", "\x1b", false},
		{"a byte no UTF-8", "\xff", false},
		{"latin-1", "caf\xe9", false},
		{"a malformed CSI", "\x1b[\x01", false},
		{"an endless CSI", "\x1b[" + strings.Repeat("1", 1<<20) + "m", false},
		{"a long OSC", "\x1b]11;" + strings.Repeat("a", 1<<20) + "\a", false},
		{"a paste that does not end", pasteStart, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pr, pw := io.Pipe()
			m, done := program(t, pr, false)
			got := func() bool {
				if tc.paste {
					return m.pasteCount() > 0
				}
				return strings.Contains(m.typedText(), "a")
			}
			if _, err := pw.Write([]byte(tc.prefix)); err != nil {
				t.Fatal(err)
			}
			body := []byte(strings.Repeat("a", 4<<10))
			sent := 0
			for ; !got(); sent += len(body) {
				if sent > most {
					t.Fatalf("nothing reached the program after %d MiB", sent>>20)
				}
				if _, err := pw.Write(body); err != nil {
					t.Fatal(err)
				}
			}
			t.Logf("reached the program after %d KiB", sent>>10)
			pw.Write([]byte(pasteEnd + "\x11"))
			<-done
		})
	}
}

// A paste of megabytes, and a long run of text, reach bubbletea whole and
// in order, the paste in pieces of at most maxPasteChunk; whatever the sizes
// the client's writes come in, no character is cut.
func TestConsoleInputBoundsLongInput(t *testing.T) {
	const size = 4 << 20
	var mixed strings.Builder
	for mixed.Len() < size {
		mixed.WriteString("pasted-text-é€😀\r\n\t")
	}
	paste := mixed.String()
	run1 := strings.Repeat("é-a€😀z", (256<<10)/12)
	upTo := func(s string, n int) string { // the characters of s within n bytes
		for n > 0 && !utf8.RuneStart(s[n]) {
			n--
		}
		return s[:n]
	}
	for _, tc := range []struct {
		name        string
		input       string
		piece       int
		pasted, typ string
	}{
		{"a long paste", pasteStart + paste + pasteEnd, 0, paste, ""},
		{"a long paste in small writes", pasteStart + upTo(paste, 300<<10) + pasteEnd, 37, upTo(paste, 300<<10), ""},
		{"a long paste in writes of any size", pasteStart + paste + pasteEnd, 70000, paste, ""},
		{"a long run of text in writes of any size", run1, 5000, "", run1},
		{"a run, then a paste, then text", upTo(run1, 20000) + pasteStart + upTo(paste, 100000) + pasteEnd + "tail", 3000, upTo(paste, 100000), upTo(run1, 20000) + "tail"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			got := run(t, tc.input, tc.piece, false)
			took := time.Since(start)
			if p := strings.Join(got.pastes, ""); p != tc.pasted {
				t.Fatalf("pasted %d bytes in %d pieces, want %d bytes", len(p), len(got.pastes), len(tc.pasted))
			}
			if got.text.String() != tc.typ {
				t.Fatalf("typed %d bytes, want %d", got.text.Len(), len(tc.typ))
			}
			for _, p := range got.pastes {
				if len(p) > maxPasteChunk+4 || !utf8.ValidString(p) {
					t.Fatalf("a piece of the paste of %d bytes (valid UTF-8: %v)", len(p), utf8.ValidString(p))
				}
			}
			t.Logf("%d bytes in %s, %d pastes, %d messages", len(tc.input), took.Round(time.Millisecond), len(got.pastes), len(got.msgs))
		})
	}
}

// stallingReader returns its first chunk, then blocks until closed.
type stallingReader struct {
	first []byte
	stop  chan struct{}
}

func (r *stallingReader) Read(p []byte) (int, error) {
	if len(r.first) > 0 {
		n := copy(p, r.first)
		r.first = r.first[n:]
		return n, nil
	}
	<-r.stop
	return 0, io.EOF
}

// A key whose bytes end what the client sent is handed over at once, not
// held for bytes that may never come; a sequence begun and not finished is
// decided once nothing more comes (ESC alone: Escape).
func TestConsoleInputDoesNotHoldWholeKeys(t *testing.T) {
	for _, tc := range []struct{ tail, want string }{
		{"\x1b[A", "\x1b[A"}, {"\x1b[<0;10;5M", "\x1b[<0;10;5M"}, {"é", "é"}, {"a", "a"},
		{"\x1b", "\x1b[27u"}, {"\x1b[1;5", ""}, {"\xc3", ""},
	} {
		in := &stallingReader{first: []byte("xy" + tc.tail), stop: make(chan struct{})}
		c := newConsoleInput(in)
		got := make(chan string, 1)
		go func() {
			var b strings.Builder
			buf := make([]byte, 256)
			for b.Len() < len("xy"+tc.want) {
				n, err := c.Read(buf)
				b.Write(buf[:n])
				if err != nil {
					break
				}
			}
			got <- b.String()
		}()
		select {
		case s := <-got:
			if s != "xy"+tc.want {
				t.Errorf("%q at the end of what came: %q handed over, want %q", tc.tail, s, "xy"+tc.want)
			}
		case <-time.After(time.Minute): // only a bound: handed over at once, or never
			t.Errorf("%q at the end of what came: held back", tc.tail)
		}
		c.Close()
		close(in.stop)
	}
}

// Close ends a Read that waits for input.
func TestConsoleInputClose(t *testing.T) {
	in := &stallingReader{stop: make(chan struct{})}
	defer close(in.stop)
	c := newConsoleInput(in)
	done := make(chan error, 1)
	go func() { _, err := c.Read(make([]byte, 16)); done <- err }()
	c.Close()
	if err := <-done; err != io.EOF {
		t.Fatalf("a Read after Close: %v", err)
	}
}

// A character split across a pause longer than the guard's wait for a
// sequence's next byte arrives whole: the wait is for escape sequences,
// and a character begun is kept until its next byte decides it (`a`
// `\xf0\x9f`, a pause of 100 ms, `\x98\x80b` read as `ab`). The test's
// clock stands for the pause: a wait started ends when the test says.
func TestConsoleInputKeepsACharacterSplitByAPause(t *testing.T) {
	for _, tc := range []struct{ first, rest, want string }{
		{"a\xf0\x9f", "\x98\x80b", "a😀b"},
		{"a\xc3", "\xa9b", "aéb"},
		{"a\xe6", "\x97\xa5b", "a日b"},
		{"a\xe6\x97", "\xa5b", "a日b"},
		{"a\x1b\xc3", "\xa9b", "a\x1béb"}, // alt+é: its ESC and first byte came together
		{"a\xed\xa0", "\x80b", "ab"},      // a surrogate begun: no character, dropped at once
	} {
		c := newConsoleInput(nil)
		c.once.Do(func() {}) // no pump: the test hands the chunks over itself
		type wait struct{ fire chan time.Time }
		started := make(chan wait) // unbuffered: Read waits here until the test sees it
		c.after = func(time.Duration) (<-chan time.Time, func() bool) {
			w := wait{make(chan time.Time)}
			started <- w
			return w.fire, func() bool { return true }
		}
		out := make(chan string, 8) // Read goes on to the next chunk, whatever the test reads
		go func() {
			buf := make([]byte, 64)
			for {
				n, err := c.Read(buf)
				if err != nil {
					close(out)
					return
				}
				out <- string(buf[:n])
			}
		}()
		c.data <- chunk{b: []byte(tc.first)}
		got := <-out // "a": the character begun is not handed over
		// the pause: Read either starts a wait (and the test ends it, as a
		// pause longer than the wait would), or waits for input with none
		select {
		case w := <-started:
			w.fire <- time.Now()
			c.data <- chunk{b: []byte(tc.rest)}
		case c.data <- chunk{b: []byte(tc.rest)}:
		}
		for len(got) < len(tc.want) {
			s, ok := <-out
			if !ok {
				break
			}
			got += s
			if strings.HasSuffix(got, "b") {
				break
			}
		}
		if got != tc.want {
			t.Errorf("%q, a pause, %q: handed over %q, want %q", tc.first, tc.rest, got, tc.want)
		}
		c.Close()
	}
}
