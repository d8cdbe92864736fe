package store

import (
	"encoding/json"
	"testing"
	"time"
)

// scanEntryHead reads in place what appendEntry writes — whatever the
// strings hold — and refuses any other shape (the caller then decodes).
func TestScanEntryHeadReadsWhatAppendEntryWrites(t *testing.T) {
	t.Parallel()
	hostile := []string{"", "plain", `quo"te`, `back\slash`, "<&>", "line\nbreak\t\x01", "\u2028\u202e", "naïve ✓", "\xff\xfe", `\"`, `"}`, `,"field":"x"`}
	n := 0
	for _, actor := range hostile {
		for _, label := range hostile {
			for _, before := range hostile {
				e := AuditEntry{Seq: 12345678901, Batch: 42, Time: time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC), Actor: actor,
					Entity: Ref{Kind: "user", ID: 7, Label: label}, Field: "feature portal", Before: before, After: label, Prev: "ab"}
				v := sealEntry(&e, nil)
				var want AuditEntry
				if err := json.Unmarshal(v, &want); err != nil {
					t.Fatal(err)
				}
				h, ok := scanEntryHead(v)
				if !ok {
					t.Fatalf("not read in place: %s", v)
				}
				at, err := time.Parse(time.RFC3339Nano, string(h.time))
				if err != nil || !at.Equal(want.Time) || h.batch != want.Batch || h.id != want.Entity.ID ||
					RecordKind(h.kind) != want.Entity.Kind || string(h.field) != want.Field ||
					jsonText(h.actor) != want.Actor || jsonText(h.before) != want.Before {
					t.Fatalf("read %+v from %s, want %+v", h, v, want)
				}
				n++
			}
		}
	}
	for _, v := range []string{``, `{}`, `{"seq":1,"batch":x}`, `{"seq":1,"batch":2,"time":"t`, `{"seq":1,"batch":2,"time":"t","actor":"a","entity":{"kind":"user","id":-1`} {
		if _, ok := scanEntryHead([]byte(v)); ok {
			t.Errorf("%q read as an entry", v)
		}
	}
	if n == 0 {
		t.Fatal("nothing tried")
	}
}
