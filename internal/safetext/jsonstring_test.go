package safetext

import (
	"encoding/json"
	"testing"
	"unicode/utf8"
)

// The audit chain's hashes and the local protocol's requests are written
// with AppendJSONString: byte for byte what encoding/json writes for valid
// UTF-8, and the same value for invalid.
func TestAppendJSONStringIsEncodingJSONs(t *testing.T) {
	for _, s := range []string{"", "plain", `"quoted" \back`, "a\nb\rc\td", "\x00\x1f\x7f", "<a&b>", "é 日 😀",
		"\u2028\u2029", "bad \xff\xfe utf-8", "\xe2\x80", "\x1b[2J"} {
		want, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		got := AppendJSONString(nil, s)
		if utf8.ValidString(s) && string(got) != string(want) {
			t.Errorf("%q: got %s, want %s", s, got, want)
		}
		var back, wantBack string
		if err := json.Unmarshal(got, &back); err != nil {
			t.Fatalf("%q: %s is not JSON: %v", s, got, err)
		}
		_ = json.Unmarshal(want, &wantBack)
		if back != wantBack {
			t.Errorf("%q: reads back as %q, encoding/json's as %q", s, back, wantBack)
		}
	}
}
