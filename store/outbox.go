package store

import (
	"encoding/binary"
	"encoding/json"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/safetext"
)

// Delivering the outbox. A message is "queued" until it is sent or given up
// on: "sent", or "failed" with the last error. Each attempt is counted and
// its error kept; a queued message that failed carries when to try again
// (NextAttempt). Delivery is not an access change: these writes are small
// transactions of their own, not audited change sets, and they publish no
// change event.
//
// Queued messages are indexed (id → next attempt) so the delivery loop finds
// what is due without reading every message ever sent. The index is built
// from the outbox the first time delivery asks for it; from then on queueing
// a message adds it in the same transaction.
var bucketOutboxDue = []byte("outbox_due") // message id → next attempt (unix ns)

// Outbox message states.
const (
	MessageQueued    = "queued"
	MessageSent      = "sent"
	MessageFailed    = "failed"
	MessageCancelled = "cancelled" // an invitation used, revoked or replaced before it was sent
)

func dueValue(t time.Time) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, uint64(t.UnixNano()))
	return b
}

func dueTime(b []byte) time.Time {
	if len(b) != 8 {
		return time.Time{}
	}
	return time.Unix(0, int64(binary.BigEndian.Uint64(b))).UTC()
}

// markDue indexes a newly queued message, once delivery keeps the index.
func (t *Tx) markDue(id uint64, at time.Time) error {
	if t.w.hasBucket(bucketOutboxDue) {
		return t.w.put(bucketOutboxDue, itob(id), dueValue(at))
	}
	return nil
}

// dueIndex returns the index, building it from the outbox on first use.
func (s *Store) dueIndex() error {
	missing := false
	if err := s.db.view(func(tx rtx) error {
		missing = !tx.hasBucket(bucketOutboxDue)
		return nil
	}); err != nil || !missing {
		return err
	}
	return s.update(func(tx wtx) error {
		if tx.hasBucket(bucketOutboxDue) {
			return nil
		}
		if err := tx.createBucket(bucketOutboxDue); err != nil {
			return err
		}
		return tx.scan(bucketOutbox, nil, false, func(k, v []byte) error {
			var m Message
			if err := json.Unmarshal(v, &m); err != nil {
				return err
			}
			if m.State != MessageQueued {
				return nil
			}
			at := m.NextAttempt
			if at.IsZero() {
				at = m.Created
			}
			return tx.put(bucketOutboxDue, append([]byte(nil), k...), dueValue(at))
		})
	})
}

// PendingMessages returns the queued messages due at now (their next attempt
// has come), oldest first.
func (s *Store) PendingMessages(now time.Time) ([]Message, error) {
	if err := s.dueIndex(); err != nil {
		return nil, err
	}
	var out []Message
	err := s.db.view(func(tx rtx) error {
		return tx.scan(bucketOutboxDue, nil, false, func(k, v []byte) error {
			if dueTime(v).After(now) {
				return nil
			}
			data := tx.get(bucketOutbox, k)
			if data == nil {
				return nil
			}
			var m Message
			if err := json.Unmarshal(data, &m); err != nil {
				return err
			}
			if m.State == MessageQueued {
				out = append(out, m)
			}
			return nil
		})
	})
	return out, err
}

// NextMessageDue is the earliest next attempt of any queued message; ok is
// false when nothing is queued.
func (s *Store) NextMessageDue() (at time.Time, ok bool, err error) {
	if err := s.dueIndex(); err != nil {
		return time.Time{}, false, err
	}
	err = s.db.view(func(tx rtx) error {
		return tx.scan(bucketOutboxDue, nil, false, func(_, v []byte) error {
			if d := dueTime(v); !ok || d.Before(at) {
				at, ok = d, true
			}
			return nil
		})
	})
	return at, ok, err
}

// QueuedMessages counts the messages waiting to be sent (due or not).
func (s *Store) QueuedMessages() (int, error) {
	if err := s.dueIndex(); err != nil {
		return 0, err
	}
	n := 0
	err := s.db.view(func(tx rtx) error {
		var err error
		n, err = count(tx, bucketOutboxDue)
		return err
	})
	return n, err
}

// updateMessage changes one queued message in its own small transaction.
func (s *Store) updateMessage(id uint64, fn func(tx wtx, m *Message) error) error {
	if err := s.dueIndex(); err != nil {
		return err
	}
	return s.update(func(tx wtx) error {
		data := tx.get(bucketOutbox, itob(id))
		if data == nil {
			return notFound("no outbox message %d", id)
		}
		var m Message
		if err := json.Unmarshal(data, &m); err != nil {
			return err
		}
		if m.State != MessageQueued {
			return refused("outbox message %d is %s, not queued", id, m.State)
		}
		if err := fn(tx, &m); err != nil {
			return err
		}
		m.Updated = s.now()
		return writeJSON(tx, bucketOutbox, itob(id), m)
	})
}

// MarkSent records that a queued message was delivered; an invitation's
// token leaves the stored copy (the mail has it).
func (s *Store) MarkSent(id uint64) error {
	return s.updateMessage(id, func(tx wtx, m *Message) error {
		m.State, m.Attempts, m.LastError, m.NextAttempt = MessageSent, m.Attempts+1, "", time.Time{}
		removeKnownTokens(tx, m, "sent")
		return tx.del(bucketOutboxDue, itob(id))
	})
}

// MarkFailed records a failed attempt to deliver a queued message: it stays
// queued until next, or, when next is zero, fails for good with this error.
func (s *Store) MarkFailed(id uint64, errText string, next time.Time) error {
	// the mail server's words, shown to the operator: one line, escaped, bounded
	errText = safetext.Escape(strings.Join(strings.Fields(errText), " "))
	if len(errText) > 500 {
		errText = strings.ToValidUTF8(errText[:500], "")
	}
	return s.updateMessage(id, func(tx wtx, m *Message) error {
		m.Attempts++
		m.LastError = errText
		if next.IsZero() {
			// given up on: resending the invitation makes a new token
			m.State, m.NextAttempt = MessageFailed, time.Time{}
			removeKnownTokens(tx, m, "not delivered; resend the invitation")
			return tx.del(bucketOutboxDue, itob(id))
		}
		m.NextAttempt = next.UTC()
		return tx.put(bucketOutboxDue, itob(id), dueValue(next))
	})
}
