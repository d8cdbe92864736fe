package store

import (
	"strings"
	"sync"
)

// ErrSignIn is the one answer to a refused password sign-in: unknown user,
// wrong password, disabled user, or no password set. Telling them apart
// would tell a stranger which accounts exist.
var ErrSignIn = &Error{Kind: KindDenied, Msg: "sign-in refused: wrong email or password, or this account cannot sign in"}

var (
	dummyOnce sync.Once
	dummyHash string
)

// CheckPassword signs a user in by email and password. Every refusal is
// ErrSignIn, and costs one argon2id hash whether or not the user exists, so
// timing does not tell accounts apart either.
func (s *Store) CheckPassword(email, password string) (*User, error) {
	u, _ := s.User(email)
	usable := u != nil && !u.Disabled && u.PasswordHash != ""
	hash := ""
	if usable {
		hash = u.PasswordHash
	} else {
		dummyOnce.Do(func() { dummyHash = HashPassword(newToken()) })
		hash = dummyHash
	}
	if !CheckPassword(hash, password) || !usable {
		return nil, ErrSignIn
	}
	return u, nil
}

// CheckInvitation tells whether a token is open (not used, revoked or
// expired, and its user not disabled) without redeeming it; the answer to a
// bad token is the same whatever is wrong with it.
func (s *Store) CheckInvitation(token string) (*User, error) {
	inv, _, err := s.readInvitation(token)
	if err != nil {
		return nil, err
	}
	if !inv.Used.IsZero() || inv.Revoked || !s.now().Before(inv.Expires) {
		return nil, errBadToken
	}
	u, err := s.UserByID(inv.UserID)
	if err != nil || u.Disabled {
		return nil, errBadToken
	}
	return u, nil
}

// IsBadToken reports whether err is the answer to an expired, used, revoked
// or wrong invitation token.
func IsBadToken(err error) bool { return err == errBadToken }

// RecordSignIn notes that a user signed in (rule 4: signing in leaves
// records): it sets their last sign-in, activates an invited user, and
// audits it as a change set by the user themselves. A disabled or deleted
// user is refused. The user's version does not move: signing in is not an
// edit, and must not make an administrator's open form stale.
func (s *Store) RecordSignIn(userID uint64, method, remoteAddr string) error {
	u, err := s.UserByID(userID)
	if err != nil {
		return err
	}
	method, remoteAddr = strings.TrimSpace(method), strings.TrimSpace(remoteAddr)
	_, err = s.Apply(Actor{UserID: u.ID, Name: u.Email}, "sign in", func(t *Tx) error {
		cur := t.user(userID)
		if cur == nil {
			return notFound("no user with id %d", userID)
		}
		c := cur.clone()
		before := "never"
		if !c.LastSignIn.IsZero() {
			before = c.LastSignIn.Format("2006-01-02 15:04:05Z07:00")
		}
		c.LastSignIn = t.now
		ref := userRef(c)
		if !c.Activated {
			c.Activated = true
			t.record(ref, "status", cur.Status().String(), c.Status().String())
		}
		after := t.now.Format("2006-01-02 15:04:05Z07:00")
		if method != "" {
			after += " by " + method
		}
		if remoteAddr != "" {
			after += " from " + remoteAddr
		}
		t.record(ref, "sign-in", before, after)
		return t.putUser(c)
	})
	return err
}
