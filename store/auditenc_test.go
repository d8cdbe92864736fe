package store

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"
	"unicode/utf8"
)

// The hand-written encoder must produce exactly what encoding/json would, or
// entries written by one and checked by the other would look altered. One
// exception is fixed by the chain itself: invalid UTF-8 is written \ufffd,
// as encoding/json did until Go 1.26 (from 1.27 it writes the rune itself),
// since every entry already hashed says so.
func TestAppendEntryMatchesEncodingJSON(t *testing.T) {
	cases := []string{"", "plain", `quote " and \ backslash`, "tab\tnl\ncr\r", "ctl\x01\x1f", "<html> & </html>",
		"ünïcödé 日本", "bad\xffutf8", "line\u2028sep\u2029", "emoji 🙂"}
	ids := [][2][]uint64{{nil, nil}, {nil, {7}}, {{1, 2, 3}, nil}, {{18446744073709551615}, {0, 5}}, {{}, {}}}
	for i, s := range cases {
		e := AuditEntry{Seq: 42, Batch: 7, Time: time.Date(2026, 11, 22, 12, 0, 0, 123456789, time.UTC), Actor: s,
			Entity: Ref{Kind: "user", ID: 9, Label: s}, Field: s, Before: s, After: s + "x", Prev: "abc", Hash: "def",
			BeforeIDs: ids[i%len(ids)][0], AfterIDs: ids[i%len(ids)][1]}
		want, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		if !utf8.ValidString(s) {
			want = bytes.ReplaceAll(want, []byte("\ufffd"), []byte(`\ufffd`))
		}
		if got := appendEntry(nil, &e, e.Hash); string(got) != string(want) {
			t.Errorf("for %q:\n got %s\nwant %s", s, got, want)
		}
	}
}
