package store

import (
	"strings"
	"testing"
	"time"
)

// What a front end says of a store's freshness: nothing while it is
// current; read-only, since when and why while it takes no change sets
// (Note whole, Brief for a short line, Refusal before an edit); catching
// up while memory is old but the store writable.
func TestFreshnessWords(t *testing.T) {
	now := time.Date(2026, 12, 2, 10, 0, 30, 0, time.Local)
	since, asOf := now.Add(-20*time.Second), now.Add(-25*time.Second)
	why := "the etcd cluster at http://a:2379 does not answer in time"
	for _, c := range []struct {
		name                 string
		f                    Freshness
		note, brief, refusal []string // each must be in the text; nil: the text is ""
	}{
		{"current", Freshness{Writable: true, AsOf: now.Add(-time.Second)}, nil, nil, nil},
		{"no quorum", Freshness{Since: since, AsOf: asOf, Reason: why},
			[]string{"read-only: the store has no quorum since 10:00:10 (" + why + ")", "as of 10:00:05 (25s ago)"},
			[]string{"read-only since 10:00:10: the store has no quorum"},
			[]string{"read-only since 10:00:10 (no quorum)", "edits work again once etcd is back"}},
		{"no quorum, never current", Freshness{Since: since, Reason: why},
			[]string{"never known current"}, []string{"read-only since 10:00:10"}, []string{"since 10:00:10"}},
		{"catching up", Freshness{Writable: true, AsOf: now.Add(-time.Minute)},
			[]string{"catching up", "as of 09:59:30 (1m0s ago)"}, []string{"catching up"}, nil},
	} {
		for _, got := range []struct {
			what, text string
			want       []string
		}{{"Note", c.f.Note(now), c.note}, {"Brief", c.f.Brief(now), c.brief}, {"Refusal", c.f.Refusal(), c.refusal}} {
			if got.want == nil {
				if got.text != "" {
					t.Errorf("%s: %s = %q, want nothing", c.name, got.what, got.text)
				}
				continue
			}
			for _, w := range got.want {
				if !strings.Contains(got.text, w) {
					t.Errorf("%s: %s = %q, want it to say %q", c.name, got.what, got.text, w)
				}
			}
		}
		if b := c.f.Brief(now); len(b) > 60 {
			t.Errorf("%s: Brief is %d characters, more than a status line at 80 columns leaves: %q", c.name, len(b), b)
		}
		if r := c.f.Refusal(); len(r) > 74 { // after "KEY: " on a line of 80
			t.Errorf("%s: Refusal is %d characters, more than a line at 80 columns leaves: %q", c.name, len(r), r)
		}
	}
}
