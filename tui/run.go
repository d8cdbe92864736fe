package tui

import (
	"os"
	"sync"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/gatehouse/gatehouse/store"
)

// Run opens the console in this terminal until the operator quits.
func Run(s *store.Store, actor store.Actor, opts Options) error {
	r := lipgloss.NewRenderer(os.Stdout)
	if os.Getenv("NO_COLOR") != "" {
		r.SetColorProfile(termenv.Ascii)
	}
	if ready := opts.Ready; ready != nil {
		// the App calls it once the first frame is out; should no size
		// ever arrive, a second is as long as it may wait
		var once sync.Once
		opts.Ready = func() { once.Do(ready) }
		t := time.AfterFunc(time.Second, opts.Ready)
		defer t.Stop()
	}
	a := New(s, actor, r, opts)
	defer a.Close()
	// 120 frames a second: a key's effect, and the first frame, reach the
	// screen within 8 ms rather than bubbletea's default 17
	_, err := tea.NewProgram(a, tea.WithAltScreen(), tea.WithMouseCellMotion(), tea.WithFPS(120)).Run()
	return err
}
