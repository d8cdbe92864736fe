package store

import (
	"bytes"
	"encoding/json"
	"strings"
	"time"
)

// An invitation token is kept in clear in one place only: the body of its
// message, while that message waits to be sent. Once the message is sent,
// given up on, or its invitation used or replaced, the body keeps its text
// with the token taken out — so a backup, or anyone reading the outbox
// later, holds no token that opens an account.

// tokenRemoved stands where a token was.
const tokenRemoved = "[token removed: %s]"

// keyOutboxTokens marks a database whose outbox has been cleaned of tokens
// that no longer wait (files written before this rule get it once, at open).
var keyOutboxTokens = []byte("outbox_tokens_v1")

// isTokenWord says whether w looks like a token (newToken: 32 base32 letters).
func isTokenWord(w string) bool {
	if len(w) != 32 {
		return false
	}
	for i := 0; i < len(w); i++ {
		if c := w[i]; !(c >= 'a' && c <= 'z' || c >= '2' && c <= '7') {
			return false
		}
	}
	return true
}

// removeTokens returns body without the tokens match accepts (by their key).
func removeTokens(body, why string, match func(key []byte) bool) (string, bool) {
	changed := false
	for _, w := range strings.Fields(body) {
		if isTokenWord(w) && match(tokenKey(w)) {
			body = strings.ReplaceAll(body, w, strings.Replace(tokenRemoved, "%s", why, 1))
			changed = true
		}
	}
	return body, changed
}

// retireInvitationMessage takes the token out of an invitation's message
// once the invitation is used, revoked or replaced; a message still queued
// is cancelled (sending it now would only confuse).
func retireInvitationMessage(tx wtx, id uint64, key []byte, why string, now time.Time) error {
	v := tx.get(bucketOutbox, itob(id))
	if v == nil {
		return nil
	}
	var m Message
	if err := json.Unmarshal(v, &m); err != nil {
		return err
	}
	body, changed := removeTokens(m.Body, why, func(k []byte) bool { return bytes.Equal(k, key) })
	if m.State == MessageQueued {
		m.State, m.LastError, m.NextAttempt, changed = MessageCancelled, "not sent: the invitation was "+why, time.Time{}, true
		if tx.hasBucket(bucketOutboxDue) {
			if err := tx.del(bucketOutboxDue, itob(id)); err != nil {
				return err
			}
		}
	}
	if !changed {
		return nil
	}
	m.Body, m.Updated = body, now
	return writeJSON(tx, bucketOutbox, itob(id), m)
}

// removeKnownTokens takes out of a message every token the invitations
// bucket knows (a message sent or given up on waits for nothing).
func removeKnownTokens(tx rtx, m *Message, why string) {
	if m.Kind != "invitation" {
		return
	}
	m.Body, _ = removeTokens(m.Body, why, func(k []byte) bool { return tx.get(bucketInvitations, k) != nil })
}

// scrubLegacyTokens cleans a file written before this rule, once: tokens of
// messages no longer queued, or of invitations no longer open, are taken
// out (their queued messages cancelled); invitations still open for users
// who are no longer invited are revoked (acceptance refuses them anyway);
// and each invitation learns its message, so a later revocation finds it
// without a scan.
func (s *Store) scrubLegacyTokens() error {
	done := false
	if err := s.db.view(func(tx rtx) error {
		done = tx.get(bucketMeta, keyOutboxTokens) != nil
		return nil
	}); err != nil || done {
		return err
	}
	now := s.now()
	return s.update(func(tx wtx) error {
		invited := func(id uint64) bool {
			v := tx.get(bucketUsers, itob(id))
			if v == nil {
				return false
			}
			u, err := decodeUser(v, nil)
			return err == nil && u.Status() == Invited
		}
		type retire struct {
			msg uint64
			key []byte
			why string
		}
		var retired []retire
		var links []Invitation
		var linkKeys [][]byte
		var sent []Message
		err := tx.scan(bucketOutbox, nil, false, func(k, v []byte) error {
			var m Message
			if err := json.Unmarshal(v, &m); err != nil {
				return err
			}
			if m.Kind != "invitation" {
				return nil
			}
			for _, w := range strings.Fields(m.Body) {
				if !isTokenWord(w) {
					continue
				}
				key := tokenKey(w)
				iv := tx.get(bucketInvitations, key)
				if iv == nil {
					continue
				}
				var inv Invitation
				if err := json.Unmarshal(iv, &inv); err != nil {
					return err
				}
				open, changed := inv.Used.IsZero() && !inv.Revoked, false
				if open && !invited(inv.UserID) {
					inv.Revoked, open, changed = true, false, true
				}
				if inv.Message == 0 {
					inv.Message, changed = m.ID, true
				}
				if changed {
					links, linkKeys = append(links, inv), append(linkKeys, append([]byte(nil), key...))
				}
				switch {
				case !open:
					retired = append(retired, retire{m.ID, append([]byte(nil), key...), "used or replaced"})
				case m.State != MessageQueued:
					sent = append(sent, m)
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		for i, inv := range links {
			if err := writeJSON(tx, bucketInvitations, linkKeys[i], inv); err != nil {
				return err
			}
		}
		for _, r := range retired {
			if err := retireInvitationMessage(tx, r.msg, r.key, r.why, now); err != nil {
				return err
			}
		}
		for _, m := range sent {
			removeKnownTokens(tx, &m, m.State)
			if err := writeJSON(tx, bucketOutbox, itob(m.ID), m); err != nil {
				return err
			}
		}
		return tx.put(bucketMeta, keyOutboxTokens, []byte{1})
	})
}
