package tui

import (
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/gatehouse/gatehouse/store"
)

// Run opens the console in this terminal until the operator quits. The
// program picks the terminal's colours from its environment (NO_COLOR too).
func Run(s *store.Store, actor store.Actor, opts Options) error {
	if ready := opts.Ready; ready != nil {
		// the App calls it once the first frame is out; should no size
		// ever arrive, a second is as long as it may wait
		var once sync.Once
		opts.Ready = func() { once.Do(ready) }
		t := time.AfterFunc(time.Second, opts.Ready)
		defer t.Stop()
	}
	a := New(s, actor, opts)
	defer a.Close()
	// 120 frames a second: a key's effect, and the first frame, reach the
	// screen within 8 ms rather than bubbletea's default 17
	_, err := tea.NewProgram(a, tea.WithFPS(120)).Run()
	return err
}
