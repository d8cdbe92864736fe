package safetext

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestJSONEscapesWhatEncodingJSONLeavesRaw(t *testing.T) {
	hostile := "Eve\x1b]52;c;SE9TVElMRQ==\a\x7f\u009b2J\x9b\r\u202e\u2066\u200b\ufeff\U000e0041\u2028 Zoë 山田"
	in := map[string]any{"name": hostile, "list": []string{hostile, "plain"}}
	raw, err := json.MarshalIndent(in, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	out := JSON(raw)
	for i := 0; i < len(out); i++ {
		if c := out[i]; (c < 0x20 && c != '\n' && c != ' ') || c == 0x7f {
			t.Fatalf("byte %#x left raw in %q", c, out)
		}
	}
	if !Clean(strings.NewReplacer("\n", "", "\t", "").Replace(string(out))) {
		t.Fatalf("not clean: %q", out)
	}
	// the same value: a reader of the JSON sees no difference
	var back, want map[string]any
	if err := json.Unmarshal(out, &back); err != nil {
		t.Fatalf("escaped JSON is not JSON: %v\n%s", err, out)
	}
	if err := json.Unmarshal(raw, &want); err != nil {
		t.Fatal(err)
	}
	if a, b := mustJSON(t, back), mustJSON(t, want); a != b {
		t.Fatalf("the value changed:\n%s\n%s", a, b)
	}
	for _, s := range []string{`\u007f`, `\u009b`, `\u202e`, `\u2066`, `\u200b`, `\ufeff`, `\udb40\udc41`, `Zoë 山田`} {
		if !strings.Contains(string(out), s) {
			t.Errorf("%s missing from %s", s, out)
		}
	}
}

func TestJSONLeavesCleanJSONAlone(t *testing.T) {
	raw := []byte("[\n  {\n\t\"name\": \"Zoë Ørsted\",\n    \"n\": 1\n  }\n]\n")
	if got := JSON(raw); string(got) != string(raw) {
		t.Fatalf("changed clean JSON: %q", got)
	}
	if n := testing.AllocsPerRun(50, func() { _ = JSON(raw) }); n != 0 {
		t.Fatalf("allocates %v times for clean JSON", n)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
