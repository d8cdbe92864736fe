package tui

import "github.com/gatehouse/gatehouse/tui/ui"

// deferring says a screen put work off until the first frame is out.
func (a *App) deferring() bool {
	for _, s := range a.screens {
		if d, ok := s.(ui.Deferrer); ok && d.Deferring() {
			return true
		}
	}
	return false
}

// startDeferred starts what the screens put off for the first frame, and
// the email index a console's open put off (store.Options.EmailIndexLater)
// after it: one core for the one the terminal needs to show the frame and
// take the first keys.
func (a *App) startDeferred() {
	var running []<-chan struct{}
	for _, scr := range a.screens {
		if d, ok := scr.(ui.Deferrer); ok {
			if done := d.FrameOut(); done != nil {
				running = append(running, done)
			}
		}
	}
	if len(running) == 0 {
		a.s.StartEmailIndex()
		return
	}
	s := a.s
	go func() {
		for _, done := range running {
			<-done
		}
		s.StartEmailIndex()
	}()
}
