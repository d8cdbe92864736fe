package store

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Invitation is a one-time token's record; only the token's hash is stored.
type Invitation struct {
	UserID  uint64    `json:"user_id"`
	Email   string    `json:"email"`
	Created time.Time `json:"created"`
	Expires time.Time `json:"expires"`
	Used    time.Time `json:"used,omitzero"`
	Revoked bool      `json:"revoked,omitempty"`
	Message uint64    `json:"message,omitempty"` // the outbox message that carries the token
}

// Message is an outbox entry.
type Message struct {
	ID        uint64      `json:"id"`
	Kind      MessageKind `json:"kind"`
	UserID    uint64      `json:"user_id,omitempty"` // whom it is for (0: written before this was kept)
	To        string      `json:"to"`
	Subject   string      `json:"subject"`
	Body      string      `json:"body"`
	State     string      `json:"state"` // queued, sent, failed, cancelled
	Attempts  int         `json:"attempts"`
	LastError string      `json:"last_error,omitempty"`
	Created   time.Time   `json:"created"`
	Updated   time.Time   `json:"updated"`
	// NextAttempt is when delivery tries a queued message again after a
	// failed attempt (see outbox.go).
	NextAttempt time.Time `json:"next_attempt,omitzero"`
}

// MessageKind says what an outbox message is for.
type MessageKind string

// The kinds of outbox messages.
const (
	MessageInvitation      MessageKind = "invitation"
	MessagePasswordChanged MessageKind = "password-changed"
)

// Queued is an outbox message a change set queued: what it is, for whom.
type Queued struct {
	Message uint64
	Kind    MessageKind
	UserID  uint64
}

var tokenEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

func newToken() string {
	b := make([]byte, 20)
	_, _ = rand.Read(b) // crypto/rand never fails on supported platforms
	return strings.ToLower(tokenEncoding.EncodeToString(b))
}

func tokenKey(token string) []byte {
	sum := sha256.Sum256([]byte(strings.ToLower(strings.TrimSpace(token))))
	return sum[:]
}

// invite creates a token for u, revoking earlier ones, and queues the message (rule 5).
func (t *Tx) invite(u *User) error {
	if err := t.revokeInvites(u.ID); err != nil {
		return err
	}
	token := newToken()
	key := tokenKey(token)
	inv := Invitation{UserID: u.ID, Email: u.Email, Created: t.now, Expires: t.now.Add(t.catalog().settings.InviteExpiry)}
	t.invites = append(t.invites, token)
	body := fmt.Sprintf("Hello %s,\n\nYou have been invited to gatehouse. Your invitation token is:\n\n    %s\n\nConnect with: ssh -p 23234 invite@<server> and enter the token to set your password.\nThe token expires on %s.\n",
		u.First, token, inv.Expires.Format("2006-01-02 15:04 MST"))
	id, err := t.queue(MessageInvitation, u, "Your gatehouse invitation", body)
	if err != nil {
		return err
	}
	inv.Message = id
	if err := writeJSON(t.w, bucketInvitations, key, inv); err != nil {
		return err
	}
	if err := t.w.put(bucketUserInvites, append(itob(u.ID), key...), nil); err != nil {
		return err
	}
	t.record(userRef(u), "invitation", "", fmt.Sprintf("queued (outbox #%d, expires %s)", id, inv.Expires.Format("2006-01-02")))
	return nil
}

// revokeInvites ends every open invitation of a user, found through the
// user → token index so a resend does not scan every invitation, and takes
// each one's token out of its message.
func (t *Tx) revokeInvites(userID uint64) error {
	prefix := itob(userID)
	var keys [][]byte
	if err := scanPrefix(t.w, bucketUserInvites, prefix, func(k, _ []byte) error {
		keys = append(keys, append([]byte(nil), k[len(prefix):]...))
		return nil
	}); err != nil {
		return err
	}
	for _, key := range keys {
		v := t.w.get(bucketInvitations, key)
		if v == nil {
			continue
		}
		var inv Invitation
		if err := json.Unmarshal(v, &inv); err != nil {
			return err
		}
		if inv.Used.IsZero() && !inv.Revoked {
			inv.Revoked = true
			if err := writeJSON(t.w, bucketInvitations, key, inv); err != nil {
				return err
			}
			if err := retireInvitationMessage(t.w, inv.Message, key, "revoked", t.now); err != nil {
				return err
			}
		}
	}
	return nil
}

func (t *Tx) queue(kind MessageKind, to *User, subject, body string) (uint64, error) {
	id, err := t.w.nextID(bucketOutbox)
	if err != nil {
		return 0, err
	}
	m := Message{ID: id, Kind: kind, UserID: to.ID, To: to.Email, Subject: subject, Body: body, State: MessageQueued, Created: t.now, Updated: t.now}
	if err := t.markDue(id, t.now); err != nil {
		return 0, err
	}
	t.queued = append(t.queued, Queued{Message: id, Kind: kind, UserID: to.ID})
	return id, writeJSON(t.w, bucketOutbox, itob(id), m)
}

// ResendInvite replaces an invited user's token with a new one.
func (t *Tx) ResendInvite(id uint64) error {
	u, err := t.mutable(id, 0)
	if err != nil {
		return err
	}
	if st := u.Status(); st != Invited {
		return refused("%s is %s, not invited; there is nothing to resend", u.Email, st)
	}
	return t.invite(u)
}

// SetPassword stores an argon2id hash and queues a notice to the user (rule 5).
func (t *Tx) SetPassword(id, version uint64, pw string) error {
	u, err := t.mutable(id, version)
	if err != nil {
		return err
	}
	if err := ValidatePasswordFor(u, pw); err != nil {
		return err
	}
	return t.setPassword(u, pw)
}

func (t *Tx) setPassword(u *User, pw string) error {
	had := "set"
	if u.PasswordHash == "" {
		had = "none"
	}
	u.PasswordHash = HashPassword(pw)
	body := fmt.Sprintf("Hello %s,\n\nThe password of your gatehouse account %s was changed on %s by %s.\nIf you did not expect this, tell your administrator.\n",
		u.First, u.Email, t.now.Format("2006-01-02 15:04 MST"), t.actor.Name)
	mid, err := t.queue(MessagePasswordChanged, u, "Your gatehouse password was changed", body)
	if err != nil {
		return err
	}
	t.record(userRef(u), "password", had, fmt.Sprintf("changed (notice: outbox #%d)", mid))
	if err := t.revokeInvites(u.ID); err != nil { // a password is set: no token may set another
		return err
	}
	return t.touch(u)
}

// errBadToken is the one answer to an expired, used, revoked or wrong token.
var errBadToken = refused("that invitation token is not valid; ask your administrator for a new invitation")

// readInvitation finds a token's invitation; a token that is not there gets
// the one answer to every bad token.
func (s *Store) readInvitation(token string) (Invitation, []byte, error) {
	key := tokenKey(token)
	var inv Invitation
	err := s.db.view(func(tx rtx) error {
		v := tx.get(bucketInvitations, key)
		if v == nil {
			return errBadToken
		}
		return json.Unmarshal(v, &inv)
	})
	return inv, key, err
}

// AcceptInvitation redeems a token: the invited user sets their password and
// becomes active. The actor is the user themselves.
func (s *Store) AcceptInvitation(token, password string) (*User, error) {
	if err := ValidatePassword(password); err != nil {
		return nil, err
	}
	inv, key, err := s.readInvitation(token)
	if err != nil {
		return nil, err
	}
	var out *User
	_, err = s.Apply(Actor{UserID: inv.UserID, Name: inv.Email}, "accept invitation", func(t *Tx) error {
		v := t.w.get(bucketInvitations, key)
		if v == nil {
			return errBadToken
		}
		var cur Invitation
		if err := json.Unmarshal(v, &cur); err != nil {
			return err
		}
		if !cur.Used.IsZero() || cur.Revoked || !t.now.Before(cur.Expires) {
			return errBadToken
		}
		u := t.user(cur.UserID)
		if u == nil || u.Status() != Invited {
			return errBadToken // active (signed in, accepted) or disabled: not theirs to redeem
		}
		if err := ValidatePasswordFor(u, password); err != nil {
			return err
		}
		cur.Used = t.now
		if err := writeJSON(t.w, bucketInvitations, key, cur); err != nil {
			return err
		}
		if err := retireInvitationMessage(t.w, cur.Message, key, "used", t.now); err != nil {
			return err
		}
		c := u.clone()
		c.Activated = true
		c.LastSignIn = t.now
		t.record(userRef(c), "status", u.Status().String(), c.Status().String())
		if err := t.setPassword(c, password); err != nil {
			return err
		}
		out = c
		return nil
	})
	if errors.Is(err, ErrDenied) {
		// the token's user is disabled or gone: Apply refuses them as an
		// actor before the checks above run; answer as for any bad token
		return nil, errBadToken
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Outbox lists messages, oldest first.
func (s *Store) Outbox() ([]Message, error) {
	var out []Message
	err := s.db.view(func(tx rtx) error {
		return tx.scan(bucketOutbox, nil, false, func(k, v []byte) error {
			var m Message
			if err := json.Unmarshal(v, &m); err != nil {
				return err
			}
			out = append(out, m)
			return nil
		})
	})
	return out, err
}

// Invitations lists invitations, newest first, for the console and the CLI.
func (s *Store) Invitations() ([]Invitation, error) {
	var out []Invitation
	err := s.db.view(func(tx rtx) error {
		return tx.scan(bucketInvitations, nil, false, func(k, v []byte) error {
			var inv Invitation
			if err := json.Unmarshal(v, &inv); err != nil {
				return err
			}
			out = append(out, inv)
			return nil
		})
	})
	return out, err
}
