package store

import (
	"strings"
	"sync"
	"sync/atomic"
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
	if err != nil || u.Status() != Invited {
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
	s.waitSignIn(userID)
	return s.recordSignIn(userID, method, remoteAddr)
}

// signIns are the sign-ins being recorded in the background, by user.
type signIns struct {
	mu      sync.Mutex
	pending map[uint64]chan struct{} // closed once recorded (or refused)
	running sync.WaitGroup           // Close waits for them: none is lost
	closed  bool                     // no more once Close has begun
	waiting atomic.Int32             // change sets waiting for one (tests watch it)
}

// RecordSignInLater is RecordSignIn in the background: it returns at once,
// and the channel gets the outcome. A hundred admins signing in together no
// longer wait for each other's commits before their consoles draw. The
// user's own change sets wait for it (Apply), so the audit never shows
// anyone acting before their sign-in.
func (s *Store) RecordSignInLater(userID uint64, method, remoteAddr string) <-chan error {
	done, out := make(chan struct{}), make(chan error, 1)
	s.signIns.mu.Lock()
	if s.signIns.closed {
		s.signIns.mu.Unlock()
		out <- &Error{Kind: KindDenied, Msg: "the database is closing; sign in again once the server is back"}
		return out
	}
	if s.signIns.pending == nil {
		s.signIns.pending = map[uint64]chan struct{}{}
	}
	prev := s.signIns.pending[userID]
	s.signIns.pending[userID] = done
	s.signIns.running.Add(1)
	s.signIns.mu.Unlock()
	go func() {
		defer s.signIns.running.Done()
		if prev != nil {
			<-prev // the same user's earlier sign-in first
		}
		err := s.recordSignIn(userID, method, remoteAddr)
		s.signIns.mu.Lock()
		if s.signIns.pending[userID] == done {
			delete(s.signIns.pending, userID)
		}
		s.signIns.mu.Unlock()
		close(done)
		out <- err
	}()
	return out
}

// waitSignIn waits for a sign-in of this user being recorded in the background.
func (s *Store) waitSignIn(userID uint64) {
	if userID == 0 {
		return
	}
	s.signIns.mu.Lock()
	ch := s.signIns.pending[userID]
	s.signIns.mu.Unlock()
	if ch != nil {
		s.signIns.waiting.Add(1)
		<-ch
		s.signIns.waiting.Add(-1)
	}
}

func (s *Store) recordSignIn(userID uint64, method, remoteAddr string) error {
	u, err := s.UserByID(userID)
	if err != nil {
		return err
	}
	method, remoteAddr = strings.TrimSpace(method), strings.TrimSpace(remoteAddr)
	_, err = s.commit(Actor{UserID: u.ID, Name: u.Email}, "sign in", false, func(t *Tx) error {
		t.signIn = true
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
			// signed in (with a key enrolled for them): the invitation is spent
			if err := t.revokeInvites(c.ID); err != nil {
				return err
			}
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
