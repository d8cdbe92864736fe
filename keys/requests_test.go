package keys

import (
	"strings"
	"testing"

	gossh "golang.org/x/crypto/ssh"
)

func TestClampPtyRequest(t *testing.T) {
	pty := func(term string, cols, rows, w, h uint32) []byte {
		return gossh.Marshal(&ptyRequest{Term: term, Columns: cols, Rows: rows, Width: w, Height: h, Modes: "\x00"})
	}
	for _, tc := range []struct {
		name    string
		payload []byte
		want    *ptyRequest // nil: refused
	}{
		{"a real terminal", pty("xterm-256color", 120, 40, 960, 640), &ptyRequest{"xterm-256color", 120, 40, 960, 640, "\x00"}},
		{"the largest", pty("xterm", MaxColumns, MaxCells/MaxColumns, 0, 0), &ptyRequest{"xterm", MaxColumns, MaxCells / MaxColumns, 0, 0, "\x00"}},
		{"the tallest", pty("xterm", MaxCells/MaxRows, MaxRows, 0, 0), &ptyRequest{"xterm", MaxCells / MaxRows, MaxRows, 0, 0, "\x00"}},
		{"more cells: fewer rows", pty("xterm", 300, 200, 0, 0), &ptyRequest{"xterm", 300, MaxCells / 300, 0, 0, "\x00"}},
		{"too wide", pty("xterm", MaxColumns+1, 24, 0, 0), &ptyRequest{"xterm", MaxColumns, 24, 0, 0, "\x00"}},
		{"absurd", pty("xterm", 100000, 100000, 1<<31, 1<<31), &ptyRequest{"xterm", MaxColumns, MaxCells / MaxColumns, maxPixels, maxPixels, "\x00"}},
		{"the most uint32 holds", pty("screen.xterm-new", 1<<32-1, 1<<32-1, 0, 0), &ptyRequest{"screen.xterm-new", MaxColumns, MaxCells / MaxColumns, 0, 0, "\x00"}},
		{"one column", pty("xterm", 1, 1<<32-1, 0, 0), &ptyRequest{"xterm", 1, MaxRows, 0, 0, "\x00"}},
		{"zero (size unknown) stays zero", pty("vt100", 0, 0, 0, 0), &ptyRequest{"vt100", 0, 0, 0, 0, "\x00"}},
		{"no TERM", pty("", 80, 24, 0, 0), &ptyRequest{"", 80, 24, 0, 0, "\x00"}},
		{"TERM with an escape", pty("xterm\x1b[31m", 80, 24, 0, 0), nil},
		{"TERM with a space", pty("xterm 256", 80, 24, 0, 0), nil},
		{"TERM too long", pty(strings.Repeat("x", maxTermName+1), 80, 24, 0, 0), nil},
		{"TERM as long as may be", pty(strings.Repeat("x", maxTermName), 80, 24, 0, 0), &ptyRequest{strings.Repeat("x", maxTermName), 80, 24, 0, 0, "\x00"}},
		{"cut short", pty("xterm", 80, 24, 0, 0)[:12], nil},
		{"junk after it", append(pty("xterm", 80, 24, 0, 0), 1, 2, 3), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, why := clampPtyRequest(tc.payload)
			if tc.want == nil {
				if why == "" {
					t.Fatalf("accepted: %q", out)
				}
				return
			}
			var got ptyRequest
			if why != "" || gossh.Unmarshal(out, &got) != nil || got != *tc.want {
				t.Fatalf("got %+v (%q), want %+v", got, why, *tc.want)
			}
		})
	}
}

func TestWindowChangeClamp(t *testing.T) {
	for _, tc := range []struct{ in, want windowChange }{
		{windowChange{80, 24, 640, 480}, windowChange{80, 24, 640, 480}},
		{windowChange{100000, 100000, 1 << 30, 1 << 30}, windowChange{MaxColumns, MaxCells / MaxColumns, maxPixels, maxPixels}},
		{windowChange{MaxCells / MaxRows, MaxRows + 1, 0, 0}, windowChange{MaxCells / MaxRows, MaxRows, 0, 0}},
		{windowChange{320, 90, 0, 0}, windowChange{320, 90, 0, 0}},
		{windowChange{480, 135, 0, 0}, windowChange{480, MaxCells / 480, 0, 0}},
	} {
		got := tc.in
		got.clamp()
		if got != tc.want {
			t.Errorf("%+v clamped to %+v, want %+v", tc.in, got, tc.want)
		}
	}
}
