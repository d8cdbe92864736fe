package keys

import "time"

// A console this process runs itself, not over the socket: the first
// console of a holder, drawn straight on the terminal of the gatehouse
// process that started it (handed over at the start). It is one of the
// holder's clients: while it runs the holder does not end for want of
// them, and when the holder stops it is ended and told why, as an
// attached console is.

type heldConsole struct {
	end  func(reason string)
	done chan struct{}
}

// Hold counts a console of this process's own as a client until release
// is called. If the server stops first, end is called once with why (the
// console should quit, restore its terminal and say so), and the stop
// waits for release, a second at most.
func (s *Server) Hold(end func(reason string)) (release func()) {
	h := &heldConsole{end: end, done: make(chan struct{})}
	s.mu.Lock()
	if s.held == nil {
		s.held = map[*heldConsole]struct{}{}
	}
	s.held[h] = struct{}{}
	s.served = true // its client came: the holder lingers its Linger after it
	if s.idleTimer != nil {
		s.idleTimer.Stop()
		s.idleTimer = nil
	}
	s.mu.Unlock()
	released := false
	return func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		if released {
			return
		}
		released = true
		delete(s.held, h)
		close(h.done)
		s.armIdleLocked()
	}
}

// endHeld ends the consoles of Hold, and waits (bounded) until they have.
func (s *Server) endHeld(reason string) {
	s.mu.Lock()
	list := make([]*heldConsole, 0, len(s.held))
	for h := range s.held {
		list = append(list, h)
	}
	s.mu.Unlock()
	for _, h := range list {
		h.end(reason)
	}
	deadline := time.After(time.Second)
	for _, h := range list {
		select {
		case <-h.done:
		case <-deadline:
			return
		}
	}
}
