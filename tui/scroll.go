package tui

// scrollPane is a pane that only scrolls (a preview, a change set): the
// navigation keys (list.Nav) move its lines, within the limit its screen set
// when it last laid the pane out.
type scrollPane struct {
	off    int
	limit  int  // the largest offset: the lines less the pane's height
	page   int  // lines a page moves
	byHand bool // moved by a key since home (a pane that places itself looks here)
}

// fit sets the limit for n lines in a pane of h lines.
func (s *scrollPane) fit(n, h int) {
	s.limit, s.page = max(n-h, 0), max(h-1, 1)
	s.off = max(min(s.off, s.limit), 0)
}

func (s *scrollPane) by(d int) {
	s.off = max(min(s.off+d, s.limit), 0)
	s.byHand = true
}

func (s *scrollPane) Up()       { s.by(-1) }
func (s *scrollPane) Down()     { s.by(1) }
func (s *scrollPane) PageUp()   { s.by(-s.page) }
func (s *scrollPane) PageDown() { s.by(s.page) }
func (s *scrollPane) End()      { s.by(s.limit) }

// Home goes back to the top, and gives a pane that places itself its place back.
func (s *scrollPane) Home() { s.off, s.byHand = 0, false }
