package keys

import (
	"sync/atomic"
	"time"

	"github.com/gatehouse/gatehouse/store"
)

// Test hooks, set before Serve.

// SetPanicHook makes the server call f at each named step (tests panic in it).
func SetPanicHook(s *Server, f func(where string)) { s.panicHook = f }

// SetShutdownGrace sets how long running commands get at shutdown.
func SetShutdownGrace(s *Server, d time.Duration) { s.cfg.ShutdownGrace = d }

// CountPasswordChecks counts the argon2id checks the server runs.
func CountPasswordChecks(s *Server) *atomic.Int64 {
	var n atomic.Int64
	next := s.checkPassword
	s.checkPassword = func(email, pw string) (*store.User, error) {
		n.Add(1)
		return next(email, pw)
	}
	return &n
}
