package store

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/safetext"
)

// Ref names a record: its kind, id and a human label (email, name).
type Ref struct {
	Kind  RecordKind `json:"kind"`
	ID    uint64     `json:"id"`
	Label string     `json:"label"`
}

func (r Ref) String() string { return string(r.Kind) + ":" + r.Label }

// AuditEntry is one field changed by one change set. Entries are append-only
// and hash-chained: Hash covers the entry and the previous entry's hash.
type AuditEntry struct {
	Seq    uint64    `json:"seq"`
	Batch  uint64    `json:"batch"`
	Time   time.Time `json:"time"`
	Actor  string    `json:"actor"`
	Entity Ref       `json:"entity"`
	Field  string    `json:"field"`
	Before string    `json:"before"`
	After  string    `json:"after"`
	// the values by id of a field that names records (sites, teams,
	// clients, profile, default site): what undo works from, whatever the
	// records are called by then; Before and After stay the names people
	// read. Empty on entries written before they were kept (undo reads the
	// names there) and for an empty set.
	BeforeIDs []uint64 `json:"before_ids,omitempty"`
	AfterIDs  []uint64 `json:"after_ids,omitempty"`
	Prev      string   `json:"prev"`
	Hash      string   `json:"hash"`
}

// HasIDs says whether the entry carries its values by id.
func (e *AuditEntry) HasIDs() bool { return len(e.BeforeIDs) > 0 || len(e.AfterIDs) > 0 }

// Batch is one committed change set.
type Batch struct {
	ID       uint64    `json:"id"`
	Actor    string    `json:"actor"`
	Time     time.Time `json:"time"`
	Summary  string    `json:"summary"`
	FirstSeq uint64    `json:"first_seq"`
	LastSeq  uint64    `json:"last_seq"`
}

type auditHead struct {
	Seq  uint64 `json:"seq"`
	Hash string `json:"hash"`
}

// recordIDs adds one change of a field that names records: the names for
// people, the ids for undo (as sorted sets).
func (t *Tx) recordIDs(ref Ref, field, before, after string, beforeIDs, afterIDs []uint64) {
	b, a := sortedIDs(beforeIDs), sortedIDs(afterIDs)
	if before == after && slices.Equal(b, a) {
		return
	}
	t.entries = append(t.entries, AuditEntry{Entity: ref, Field: field, Before: before, After: after, BeforeIDs: b, AfterIDs: a})
}

func sortedIDs(ids []uint64) []uint64 {
	out := make([]uint64, 0, len(ids))
	for _, id := range ids {
		if id != 0 && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	if len(out) == 0 {
		return nil
	}
	return out
}

// record adds one field change to the change set.
func (t *Tx) record(ref Ref, field, before, after string) {
	if before == after {
		return
	}
	t.entries = append(t.entries, AuditEntry{Entity: ref, Field: field, Before: before, After: after})
}

func (t *Tx) writeAudit(summary string) (uint64, error) {
	var head auditHead
	if v := t.w.get(bucketMeta, keyAuditHead); v != nil {
		if err := json.Unmarshal(v, &head); err != nil {
			return 0, err
		}
	}
	batch, err := t.w.nextID(bucketBatches)
	if err != nil {
		return 0, err
	}
	first := head.Seq + 1
	for i := range t.entries {
		e := &t.entries[i]
		head.Seq++
		e.Seq, e.Batch, e.Time, e.Actor, e.Prev = head.Seq, batch, t.now, t.actor.Name, head.Hash
		// one encoding serves both the hash and the stored value; the engine
		// keeps the value slice until commit, so each entry gets its own
		val := sealEntry(e, make([]byte, 0, 320+len(e.Actor)+len(e.Entity.Label)+len(e.Field)+len(e.Before)+len(e.After)))
		head.Hash = e.Hash
		if err := t.w.put(bucketAudit, itob(e.Seq), val); err != nil {
			return 0, err
		}
	}
	if err := writeJSON(t.w, bucketBatches, itob(batch), Batch{ID: batch, Actor: t.actor.Name, Time: t.now, Summary: summary, FirstSeq: first, LastSeq: head.Seq}); err != nil {
		return 0, err
	}
	return batch, writeJSON(t.w, bucketMeta, keyAuditHead, head)
}

// entryHash is sha256 over the entry's canonical JSON with an empty hash;
// Prev is inside it, which chains the entries.
func entryHash(e *AuditEntry, buf []byte) string {
	buf = appendEntry(buf[:0], e, "")
	sum := sha256.Sum256(buf)
	return hex.EncodeToString(sum[:])
}

// sealEntry sets e.Hash and returns the stored JSON (buf reused).
func sealEntry(e *AuditEntry, buf []byte) []byte {
	buf = appendEntry(buf[:0], e, "")
	sum := sha256.Sum256(buf)
	e.Hash = hex.EncodeToString(sum[:])
	// the hash is the last field: replace the empty one in place
	buf = buf[:len(buf)-len(`""}`)]
	buf = append(buf, '"')
	buf = append(buf, e.Hash...)
	return append(buf, '"', '}')
}

// appendEntry writes the canonical JSON of an entry (the same bytes as
// encoding/json would, field for field) with the given hash.
func appendEntry(b []byte, e *AuditEntry, hash string) []byte {
	b = append(b, `{"seq":`...)
	b = strconv.AppendUint(b, e.Seq, 10)
	b = append(b, `,"batch":`...)
	b = strconv.AppendUint(b, e.Batch, 10)
	b = append(b, `,"time":"`...)
	b = e.Time.AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","actor":`...)
	b = safetext.AppendJSONString(b, e.Actor)
	b = append(b, `,"entity":{"kind":`...)
	b = safetext.AppendJSONString(b, string(e.Entity.Kind))
	b = append(b, `,"id":`...)
	b = strconv.AppendUint(b, e.Entity.ID, 10)
	b = append(b, `,"label":`...)
	b = safetext.AppendJSONString(b, e.Entity.Label)
	b = append(b, `},"field":`...)
	b = safetext.AppendJSONString(b, e.Field)
	b = append(b, `,"before":`...)
	b = safetext.AppendJSONString(b, e.Before)
	b = append(b, `,"after":`...)
	b = safetext.AppendJSONString(b, e.After)
	b = appendIDs(b, `,"before_ids":`, e.BeforeIDs)
	b = appendIDs(b, `,"after_ids":`, e.AfterIDs)
	b = append(b, `,"prev":`...)
	b = safetext.AppendJSONString(b, e.Prev)
	b = append(b, `,"hash":`...)
	b = safetext.AppendJSONString(b, hash)
	return append(b, '}')
}

// appendIDs writes a list of ids as encoding/json does with omitempty.
func appendIDs(b []byte, key string, ids []uint64) []byte {
	if len(ids) == 0 {
		return b
	}
	b = append(b, key...)
	b = append(b, '[')
	for i, id := range ids {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendUint(b, id, 10)
	}
	return append(b, ']')
}

// VerifyResult is what VerifyAudit found.
type VerifyResult struct {
	Entries  uint64   `json:"entries"`
	OK       bool     `json:"ok"`
	Problems []string `json:"problems,omitempty"`
}

// VerifyAudit walks the whole chain: every entry must decode, follow its
// predecessor without a gap, carry its predecessor's hash, hash to what it
// says, and the last one must be the head recorded beside the chain.
func (s *Store) VerifyAudit() (VerifyResult, error) {
	var r VerifyResult
	err := s.db.view(func(tx rtx) error {
		var head auditHead
		if v := tx.get(bucketMeta, keyAuditHead); v != nil {
			if err := json.Unmarshal(v, &head); err != nil {
				r.Problems = append(r.Problems, "the audit head record is unreadable")
			}
		}
		var prev string
		var want uint64 = 1
		buf := make([]byte, 0, 512)
		stopped := false
		err := tx.scan(bucketAudit, nil, false, func(k, v []byte) error {
			if len(r.Problems) >= 20 {
				r.Problems = append(r.Problems, "stopping after 20 problems")
				stopped = true
				return errStop
			}
			seq := btoi(k)
			r.Entries++
			if seq != want {
				r.Problems = append(r.Problems, fmt.Sprintf("entries %d to %d are missing", want, seq-1))
			}
			want = seq + 1
			if se, b, ok := readSealed(v, buf); ok { // the shape sealEntry writes: no decoding
				buf = b
				if se.seq != seq {
					r.Problems = append(r.Problems, fmt.Sprintf("entry %d claims to be entry %d (altered)", seq, se.seq))
				}
				if string(se.prev) != prev {
					r.Problems = append(r.Problems, fmt.Sprintf("entry %d does not follow entry %d (the chain is broken)", seq, seq-1))
				}
				if !se.hashMatches() {
					r.Problems = append(r.Problems, fmt.Sprintf("entry %d was altered (its hash does not match)", seq))
				}
				prev = string(se.hash)
				return nil
			}
			var e AuditEntry // not that shape: decode it to say what is wrong
			if err := json.Unmarshal(v, &e); err != nil {
				r.Problems = append(r.Problems, fmt.Sprintf("entry %d is unreadable (altered)", seq))
				prev = ""
				return nil
			}
			if e.Seq != seq {
				r.Problems = append(r.Problems, fmt.Sprintf("entry %d claims to be entry %d (altered)", seq, e.Seq))
			}
			if e.Prev != prev {
				r.Problems = append(r.Problems, fmt.Sprintf("entry %d does not follow entry %d (the chain is broken)", seq, seq-1))
			}
			if entryHash(&e, buf) != e.Hash {
				r.Problems = append(r.Problems, fmt.Sprintf("entry %d was altered (its hash does not match)", seq))
			}
			prev = e.Hash
			return nil
		})
		if err != nil || stopped {
			return err
		}
		if want-1 != head.Seq {
			r.Problems = append(r.Problems, fmt.Sprintf("the log ends at entry %d but the head says %d (entries missing at the end)", want-1, head.Seq))
		} else if prev != head.Hash {
			r.Problems = append(r.Problems, fmt.Sprintf("the last entry %d is not the recorded head (altered)", head.Seq))
		}
		return nil
	})
	r.OK = len(r.Problems) == 0
	return r, err
}

// AuditFilter selects entries for AuditLog. Zero values match everything.
type AuditFilter struct {
	Entity string    // "user:jane@x.com", "profile:Client", a kind ("user") or part of a label
	Actor  string    // part of the actor's name
	Since  time.Time // entries at or after
	Until  time.Time // entries before
	Batch  uint64
	Limit  int // newest N; 0 = all

	keep func(*AuditEntry) bool // what the reader may see (AuditLogFor)
}

func (f AuditFilter) match(e *AuditEntry) bool {
	if f.Batch != 0 && e.Batch != f.Batch {
		return false
	}
	if f.Actor != "" && !strings.Contains(lower(e.Actor), lower(f.Actor)) {
		return false
	}
	if !f.Since.IsZero() && e.Time.Before(f.Since) {
		return false
	}
	if !f.Until.IsZero() && !e.Time.Before(f.Until) {
		return false
	}
	if f.Entity != "" {
		want := lower(f.Entity)
		kind, label, hasKind := strings.Cut(want, ":")
		switch {
		case hasKind:
			if string(e.Entity.Kind) != kind || lower(e.Entity.Label) != label {
				return false
			}
		case want == string(e.Entity.Kind):
		default:
			if !strings.Contains(lower(e.Entity.Label), want) {
				return false
			}
		}
	}
	return true
}

// AuditLog returns matching entries, oldest first (the newest Limit of them).
func (s *Store) AuditLog(f AuditFilter) ([]AuditEntry, error) {
	var out []AuditEntry
	err := s.db.view(func(tx rtx) error {
		return tx.scan(bucketAudit, nil, true, func(k, v []byte) error {
			var e AuditEntry
			if err := json.Unmarshal(v, &e); err != nil {
				return nil // VerifyAudit reports it
			}
			if !f.match(&e) || f.keep != nil && !f.keep(&e) {
				return nil
			}
			out = append(out, e)
			if f.Limit > 0 && len(out) >= f.Limit {
				return errStop
			}
			return nil
		})
	})
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out, err
}

// History is the audit of one user, by email (the current or any former one).
func (s *Store) History(email string) ([]AuditEntry, error) {
	u, err := s.User(email)
	if err != nil {
		return nil, err
	}
	var out []AuditEntry
	err = s.db.view(func(tx rtx) error {
		return tx.scan(bucketAudit, nil, false, func(k, v []byte) error {
			// cheap pre-filter before decoding: the id appears in the entity
			if !bytes.Contains(v, []byte(`"kind":"user","id":`+fmt.Sprint(u.ID)+`,`)) {
				return nil
			}
			var e AuditEntry
			if err := json.Unmarshal(v, &e); err == nil && e.Entity.Kind == "user" && e.Entity.ID == u.ID {
				out = append(out, e)
			}
			return nil
		})
	})
	return out, err
}

// Batches returns the newest n committed change sets, newest first.
func (s *Store) Batches(n int) ([]Batch, error) {
	var out []Batch
	err := s.db.view(func(tx rtx) error {
		return tx.scan(bucketBatches, nil, true, func(k, v []byte) error {
			if n > 0 && len(out) >= n {
				return errStop
			}
			var b Batch
			if err := json.Unmarshal(v, &b); err == nil {
				out = append(out, b)
			}
			return nil
		})
	})
	return out, err
}

func refsOf(entries []AuditEntry) []Ref {
	type key struct {
		kind RecordKind
		id   uint64
	}
	seen := make(map[key]struct{}, len(entries))
	out := make([]Ref, 0, len(entries))
	for _, e := range entries {
		k := key{e.Entity.Kind, e.Entity.ID}
		if _, ok := seen[k]; !ok {
			seen[k] = struct{}{}
			out = append(out, e.Entity)
		}
	}
	return out
}

// ChangedUsersSince lists the users touched by the change sets after batch, up
// to the last one published, so a cache built at batch can catch up without
// a rebuild. ok is false when more than limit audit entries would be read.
func (s *Store) ChangedUsersSince(batch uint64, limit int) (ids []uint64, last uint64, ok bool) {
	last = s.LastBatch()
	if last <= batch {
		return nil, last, true
	}
	seen := map[uint64]bool{}
	entries := 0
	err := s.db.view(func(tx rtx) error {
		for id := batch + 1; id <= last; id++ {
			var b Batch
			v := tx.get(bucketBatches, itob(id))
			if v == nil || json.Unmarshal(v, &b) != nil {
				return errCorrupt
			}
			entries += int(b.LastSeq - b.FirstSeq + 1)
			if entries > limit {
				return errDryRun
			}
			for seq := b.FirstSeq; seq <= b.LastSeq; seq++ {
				var e AuditEntry
				if v := tx.get(bucketAudit, itob(seq)); v == nil || json.Unmarshal(v, &e) != nil {
					return errCorrupt
				}
				if e.Entity.Kind == "user" && !seen[e.Entity.ID] {
					seen[e.Entity.ID] = true
					ids = append(ids, e.Entity.ID)
				}
			}
		}
		return nil
	})
	return ids, last, err == nil
}
