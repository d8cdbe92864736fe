package tui

import (
	"os"
	"time"

	tea "charm.land/bubbletea/v2"
)

// Terminal is a terminal that is not this process's own: the process it
// belongs to handed it over (the first console of a holder draws straight
// on the terminal of the gatehouse that started it). Its size changes
// signal that process, not this one, which says so on Resized; End ends
// the console (that process has gone, or this one is stopping).
type Terminal struct {
	In, Out *os.File
	Env     []string // that process's environment: the colours, TERM
	// Resized: the terminal's size changed (read again from Out)
	Resized <-chan struct{}
	// End, once closed, quits the console (the terminal restored); if it
	// has not quit a second later, it is killed
	End <-chan struct{}
}

// follow sends p the terminal's size on each Resized, and quits it once End
// is closed, until the returned function is called (as Run returns).
func (t *Terminal) follow(p *tea.Program) (stop func()) {
	if t.Resized == nil && t.End == nil {
		return func() {}
	}
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-done:
				return
			case <-t.Resized:
				// bubbletea reads the size from its output, a terminal
				p.Send(tea.RequestWindowSize())
			case <-t.End:
				go p.Quit() // it waits while the program is busy
				select {
				case <-done:
				case <-time.After(time.Second):
					p.Kill() // the terminal is restored all the same
				}
				return
			}
		}
	}()
	return func() { close(done) }
}

// ended says whether End has been closed.
func (t *Terminal) ended() bool {
	if t.End == nil {
		return false
	}
	select {
	case <-t.End:
		return true
	default:
		return false
	}
}
