package store

import (
	"strings"
	"testing"
)

// lower must agree with strings.ToLower on every byte value at every position
// of the eight-byte blocks, and allocate nothing for lower-case ASCII.
func TestLowerMatchesToLower(t *testing.T) {
	base := "abcdefghijklmnopqrstuvwxyz0123@._-"
	for pos := 0; pos < 20; pos++ {
		for b := 0; b < 256; b++ {
			s := []byte(base[:20])
			s[pos] = byte(b)
			in := string(s)
			if got, want := lower(in), strings.ToLower(in); got != want {
				t.Fatalf("lower(%q) = %q, want %q", in, got, want)
			}
		}
	}
	if n := testing.AllocsPerRun(100, func() { _ = lower("jane.doe.1234@example.com") }); n != 0 {
		t.Errorf("lower allocated %v times for a lower-case address", n)
	}
}
