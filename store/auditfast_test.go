package store

import (
	"bytes"
	"testing"
	"time"
)

// readSealed reads back exactly what sealEntry wrote — values full of
// quotes, backslashes, look-alike field names and non-ASCII included — and
// no single altered byte anywhere in an entry passes it unnoticed: either
// the shape no longer reads (verification then decodes the entry) or what
// it reads differs (sequence, prev) or the hash does not match.
func TestReadSealedAgreesWithSealEntry(t *testing.T) {
	prevHash := ""
	var buf []byte
	for i, e := range []AuditEntry{
		{Seq: 1, Batch: 1, Time: time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC), Actor: "local:op", Entity: Ref{"user", 7, "ann@example.com"}, Field: "created", After: "Ann, employee"},
		{Seq: 2, Batch: 1, Time: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), Actor: `a"b\c`, Entity: Ref{"client", 9, `x,"prev":"y`}, Field: "name", Before: `,"hash":"` + string(bytes.Repeat([]byte("a"), 64)) + `"}`, After: "Zoë\t\x01"},
		{Seq: 3, Batch: 2, Time: time.Date(2026, 1, 2, 3, 4, 6, 0, time.UTC), Actor: "ann@example.com", Entity: Ref{"settings", 1, "org"}, Field: "payroll", Before: "on", After: ""},
	} {
		e.Prev = prevHash
		stored := bytes.Clone(sealEntry(&e, nil))
		se, b, ok := readSealed(stored, buf)
		buf = b
		if !ok || se.seq != e.Seq || string(se.prev) != e.Prev || string(se.hash) != e.Hash || !se.hashMatches() {
			t.Fatalf("entry %d: ok %v seq %d prev %q hash %q (matches %v), want %d %q %q", i+1, ok, se.seq, se.prev, se.hash, se.hashMatches(), e.Seq, e.Prev, e.Hash)
		}
		for pos := range stored {
			for _, flip := range []byte{0x01, 0x20} {
				v := bytes.Clone(stored)
				v[pos] ^= flip
				se, _, ok := readSealed(v, nil)
				if ok && se.seq == e.Seq && string(se.prev) == e.Prev && se.hashMatches() {
					t.Fatalf("entry %d: byte %d (%q) altered with ^%#x passes as intact", i+1, pos, stored[pos], flip)
				}
			}
		}
		prevHash = e.Hash
	}
}
