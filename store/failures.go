package store

import "time"

// SignInFailures are failed sign-ins counted across every node that serves
// the store, so that spreading guesses over several nodes gains an attacker
// nothing. Keys are the lockout's (an address, an account name as typed);
// they are kept hashed, never as typed.
type SignInFailures interface {
	// Note records one failure of each key at at, kept for window.
	Note(keys []string, at time.Time, window time.Duration) error
	// Since is when key failed at or after since, oldest first.
	Since(key string, since time.Time) ([]time.Time, error)
	// Forget drops key's failures (an account that signed in).
	Forget(key string) error
}

// sharedFailures is an engine other nodes serve as well.
type sharedFailures interface {
	signInFailures() SignInFailures
}

// SignInFailures is the store's shared count of failed sign-ins, or nil
// when one process serves the store (the bbolt file): its server counts
// them itself.
func (s *Store) SignInFailures() SignInFailures {
	if f, ok := s.db.(sharedFailures); ok {
		return f.signInFailures()
	}
	return nil
}
