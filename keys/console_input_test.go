package keys

import (
	"io"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	tea "github.com/charmbracelet/bubbletea"
)

// typed records what a real bubbletea program makes of its input, until
// ctrl+q.
type typed struct {
	keys    []string // every key message, as bubbletea names it
	pastes  []string
	text    strings.Builder // the runes typed (not pasted), in order
	longest int             // the most runes in one message
}

func (m *typed) Init() tea.Cmd { return nil }
func (m *typed) View() string  { return "" }
func (m *typed) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.KeyMsg:
		if msg.Type == tea.KeyCtrlQ {
			return m, tea.Quit
		}
		m.longest = max(m.longest, len(msg.Runes))
		switch {
		case msg.Paste:
			m.pastes = append(m.pastes, string(msg.Runes))
			m.keys = append(m.keys, "paste")
		case msg.Type == tea.KeyRunes:
			m.text.WriteString(string(msg.Runes))
			m.keys = append(m.keys, "runes")
		default:
			m.keys = append(m.keys, msg.String())
		}
	case tea.MouseMsg:
		m.keys = append(m.keys, "mouse "+msg.String())
	}
	return m, nil
}

// run feeds input, in pieces of up to piece bytes (0: all at once), to a
// bubbletea program reading through consoleInput (or straight, if raw),
// and returns what it made of it.
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
	var in io.Reader = newConsoleInput(pr)
	if raw {
		in = pr
	}
	m := &typed{}
	p := tea.NewProgram(m, tea.WithInput(in), tea.WithOutput(io.Discard), tea.WithoutRenderer(), tea.WithoutSignalHandler())
	done := make(chan error, 1)
	go func() { _, err := p.Run(); done <- err }()
	select {
	case err := <-done:
		pr.Close()
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(60 * time.Second):
		p.Kill()
		t.Fatalf("bubbletea did not get through %d bytes of input in 60 s", len(input))
	}
	return m
}

// What a terminal sends reaches bubbletea as it would without the guard:
// keys, escape sequences, mouse events, a paste, text in any script.
func TestConsoleInputPassesTyping(t *testing.T) {
	input := "ab\x1b[A\x1b[<0;10;5M \x1b[200~hello, 世界 😀\x1b[201~é\r\x7f\x1bx\x1b[1;5C" + strings.Repeat("word ", 40)
	want := run(t, input, 0, true)
	got := run(t, input, 0, false)
	if strings.Join(got.keys, "|") != strings.Join(want.keys, "|") || got.text.String() != want.text.String() || strings.Join(got.pastes, "") != strings.Join(want.pastes, "") {
		t.Fatalf("through the guard:\n%q\n%q\nstraight:\n%q\n%q", got.keys, got.pastes, want.keys, want.pastes)
	}
	if len(want.pastes) != 1 || want.pastes[0] != "hello, 世界 😀" {
		t.Fatalf("the paste: %q", want.pastes)
	}

	// thousands of sequences in one write: bubbletea reading that
	// straight misreads those its 256-byte reads cut in two; through the
	// guard each arrives whole
	unit := "\x1b[<0;10;5Mx\x1b[Aé \x1b[1;5C" + pasteStart + "p" + pasteEnd
	one := run(t, unit, 0, true)
	many := run(t, strings.Repeat(unit, 3000), 0, false)
	if got, want := strings.Join(many.keys, "|"), strings.Repeat(strings.Join(one.keys, "|")+"|", 3000); got+"|" != want {
		t.Fatalf("3000 units: %d keys, want %d (%q for one)", len(many.keys), 3000*len(one.keys), one.keys)
	}
}

// A paste of megabytes, and megabytes of text without a space, reach
// bubbletea whole and in order, in pieces it lets go of one by one; whatever
// the sizes the client's writes come in, no character and no marker is cut.
func TestConsoleInputBoundsLongInput(t *testing.T) {
	const size = 4 << 20
	var mixed strings.Builder
	for mixed.Len() < size {
		mixed.WriteString("pasted-text-é€😀\x1b[20~") // a near-marker inside
	}
	paste := mixed.String()
	run1 := strings.Repeat("é-a€😀z", size/12)
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
		{"a long run of text", run1, 0, "", run1},
		{"a long run of text in writes of any size", run1, 5000, "", run1},
		{"a long run, then a paste, then text", upTo(run1, 200000) + pasteStart + upTo(paste, 100000) + pasteEnd + "tail", 3000, upTo(paste, 100000), upTo(run1, 200000) + "tail"},
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
			limit := max(maxPasteChunk, maxRun+256) // runes per message, at most
			if got.longest > limit {
				t.Fatalf("one message held %d runes (at most %d)", got.longest, limit)
			}
			t.Logf("%d bytes in %s, %d pastes, %d keys, longest message %d runes", len(tc.input), took.Round(time.Millisecond), len(got.pastes), len(got.keys), got.longest)
		})
	}
}

// The guard's own pieces: a paste is split only between characters and
// outside the end marker; a cut run is ended by a short read.
func TestConsoleInputPieces(t *testing.T) {
	c := newConsoleInput(strings.NewReader(pasteStart + strings.Repeat("é", maxPasteChunk) + pasteEnd))
	out, err := io.ReadAll(c)
	if err != nil {
		t.Fatal(err)
	}
	pieces := strings.Split(strings.TrimSuffix(strings.TrimPrefix(string(out), pasteStart), pasteEnd), pasteEnd+pasteStart)
	if len(pieces) != 2 || !utf8.ValidString(pieces[0]) || pieces[0]+pieces[1] != strings.Repeat("é", maxPasteChunk) {
		t.Fatalf("%d pieces: %.40q…", len(pieces), pieces)
	}

	c = newConsoleInput(strings.NewReader(strings.Repeat("a", 3*maxRun)))
	buf := make([]byte, 256)
	var reads []int
	for {
		n, err := c.Read(buf)
		if err != nil {
			break
		}
		reads = append(reads, n)
	}
	short := 0
	for _, n := range reads {
		if n < len(buf) {
			short++
		}
	}
	if short < 2 {
		t.Fatalf("reads of a %d-byte run: %v (no short read inside it)", 3*maxRun, reads)
	}
}

func TestIncompleteSequence(t *testing.T) {
	for _, tc := range []struct {
		seq  string
		more bool
	}{
		{"\x1b", true}, {"\x1b[", true}, {"\x1b[1;5", true}, {"\x1b[<0;10;5", true}, {"\x1b[20", true},
		{"\x1b[M ", true}, {"\x1bO", true},
		{"\x1b[A", false}, {"\x1b[1;5C", false}, {"\x1b[<0;10;5M", false}, {"\x1b[200~", false}, {"\x1b[M !!", false},
		{"\x1bOP", false}, {"\x1bx", false},
	} {
		if got := incompleteSequence([]byte(tc.seq)); got != tc.more {
			t.Errorf("incompleteSequence(%q) = %v", tc.seq, got)
		}
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

// A key whose sequence ends a full read is handed over at once, not held
// for bytes that may never come; one cut short is held for the rest.
func TestConsoleInputDoesNotHoldWholeKeys(t *testing.T) {
	for _, tc := range []struct {
		tail string
		held int // bytes held back until more comes
	}{
		{"\x1b[A", 0}, {"\x1b[<0;10;5M", 0}, {"\x1b", 1}, {"\x1b[1;5", 5}, {"é", 0}, {"\xc3", 1},
	} {
		in := &stallingReader{stop: make(chan struct{})}
		c := newConsoleInput(in)
		in.first = append([]byte(strings.Repeat("a", len(c.buf)-len(tc.tail))), tc.tail...)
		got := make(chan int, 1)
		go func() {
			total := 0
			buf := make([]byte, 256)
			for {
				n, err := c.Read(buf)
				total += n
				if err != nil || total == len(c.buf)-tc.held {
					got <- total
					return
				}
			}
		}()
		select {
		case n := <-got:
			if n != len(c.buf)-tc.held {
				t.Errorf("%q at the end of a full read: %d bytes handed over, want %d", tc.tail, n, len(c.buf)-tc.held)
			}
		case <-time.After(5 * time.Second):
			t.Errorf("%q at the end of a full read: held back", tc.tail)
		}
		close(in.stop)
	}
}
