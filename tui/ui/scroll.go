package ui

// ScrollPane is a pane that only scrolls (a preview, a change set): the
// navigation keys (list.Nav) move its lines, within the limit its screen set
// when it last laid the pane out.
type ScrollPane struct {
	Off    int
	limit  int  // the largest offset: the lines less the pane's height
	page   int  // lines a page moves
	ByHand bool // moved by a key since home (a pane that places itself looks here)
}

// Fit sets the limit for n lines in a pane of h lines.
func (s *ScrollPane) Fit(n, h int) {
	s.limit, s.page = max(n-h, 0), max(h-1, 1)
	s.Off = max(min(s.Off, s.limit), 0)
}

func (s *ScrollPane) By(d int) {
	s.Off = max(min(s.Off+d, s.limit), 0)
	s.ByHand = true
}

func (s *ScrollPane) Up()       { s.By(-1) }
func (s *ScrollPane) Down()     { s.By(1) }
func (s *ScrollPane) PageUp()   { s.By(-s.page) }
func (s *ScrollPane) PageDown() { s.By(s.page) }
func (s *ScrollPane) End()      { s.By(s.limit) }

// Home goes back to the top, and gives a pane that places itself its place back.
func (s *ScrollPane) Home() { s.Off, s.ByHand = 0, false }
