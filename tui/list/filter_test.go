package list

import (
	"strings"
	"testing"
)

// filter is the screen's side: the matching, here run in a goroutine that
// answers when told to, as a slow search would.
func filter(all names, q string, gen uint64, release <-chan struct{}) <-chan Filtered[string] {
	out := make(chan Filtered[string], 1)
	go func() {
		var rows names
		for _, r := range all {
			if strings.Contains(r, q) {
				rows = append(rows, r)
			}
		}
		<-release
		out <- Filtered[string]{Gen: gen, Rows: rows}
	}()
	return out
}

// A slow result that arrives after a newer filter's is dropped.
func TestStaleFilterResultDropped(t *testing.T) {
	all := names{"adams", "adamson", "baker", "bakerman", "cole"}
	m := newList(all, 10)
	slowGo, fastGo := make(chan struct{}), make(chan struct{})
	slow := filter(all, "adam", m.StartFilter(), slowGo) // typed first, answers last
	fast := filter(all, "baker", m.StartFilter(), fastGo)
	close(fastGo)
	if !m.Update(<-fast) || m.Len() != 2 || m.Rows().Key(0) != "baker" {
		t.Fatalf("the newest result was not shown: %d rows", m.Len())
	}
	close(slowGo)
	stale := <-slow
	if m.SetFiltered(stale.Gen, stale.Rows) {
		t.Error("a stale result was accepted")
	}
	if m.Len() != 2 || m.Rows().Key(1) != "bakerman" {
		t.Errorf("the stale result replaced the newer one: %d rows", m.Len())
	}
}

// Results of the newest filter are shown; each filter moves the generation.
func TestFilterGenerations(t *testing.T) {
	m := newList(numbered(3), 10)
	g1 := m.StartFilter()
	g2 := m.StartFilter()
	if g2 == g1 || m.Generation() != g2 {
		t.Fatalf("generations %d, %d, now %d", g1, g2, m.Generation())
	}
	if !m.SetFiltered(g2, names{"x"}) || m.Len() != 1 {
		t.Error("the newest result was dropped")
	}
	if m.SetFiltered(g1, numbered(9)) || m.Len() != 1 {
		t.Error("an older result was shown")
	}
}
