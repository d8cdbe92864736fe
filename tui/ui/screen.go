package ui

import (
	tea "charm.land/bubbletea/v2"
	"github.com/gatehouse/gatehouse/store"
)

// Screen is one numbered tab of the console (k9s's registry of views). Each
// renders up to three panes; the App lays them out for the terminal's width.
type Screen interface {
	Name() string
	Panes() [3]string                             // pane titles
	Bindings() []*Binding                         // the screen's own keys, in help order
	Key(msg tea.KeyPressMsg, pane int) tea.Cmd    // keys no binding took (cursor moves)
	Render(pane, w, h int, focused bool) []string // a pane's content lines
	Header(w int) string                          // the left pane folded into one line
	Reload()                                      // re-read the store
	Pending() int                                 // unsaved changes
	Discard()                                     // drop unsaved changes
	SetFilter(q string)                           // the "/" filter of the focused list
	Filter() string
}

// Refresher is a screen that can follow one change event more cheaply than a
// full reload (the Users screen moves just the touched rows).
type Refresher interface {
	Refresh(ev store.Event)
}

// Mouser is a screen that takes mouse events (x, y inside the pane's content).
type Mouser interface {
	Mouse(msg tea.MouseMsg, pane, x, y int) tea.Cmd
}

// PaneSize is the inside of a pane's frame, in cells.
type PaneSize struct{ W, H int }

// Sizer is a screen that lays its panes out from their sizes, which the App
// sets whenever they change: nothing is measured while drawing.
type Sizer interface {
	SetSize(panes [3]PaneSize)
}

// Preparer is a screen that works out, once a message is handled, what its
// View reads (rows due a refilter, windows, caches), so that View only reads.
type Preparer interface {
	Prepare()
}

// Worker is a screen with background work to start (e.g. History verifying
// the audit chain): asked after every message, it returns nil when idle.
type Worker interface {
	Work() tea.Cmd
}

// Settler is a screen that may draw before its data is complete, and must
// complete it before it handles anything (the Users screen's quick start).
type Settler interface {
	Settle()
}

// Copier is a screen with something highlighted worth copying.
type Copier interface {
	// CopyText is what y copies, and what to call it ("" : nothing).
	CopyText() (what, text string)
}

// Saver is a screen whose pending edits the palette's :save saves.
type Saver interface {
	Save() tea.Cmd
}

// EntityHistory is the History screen as another screen sends the user
// there (h on a user, a client, the settings).
type EntityHistory interface {
	ShowEntity(entity string)
}

// SiteAssigner is the Sites & teams screen as the Users screen opens it
// for the users it chose (enter, c).
type SiteAssigner interface {
	SetWho(who []*store.User)
	FocusClients() // the cursor on the Clients group
}

// Deferrer is a screen that puts work off until the console's first frame
// is out (the Users screen's full index on a big database), so that frame
// has the cores.
type Deferrer interface {
	Deferring() bool
	// FrameOut starts it; the channel closes when it is done (nil: nothing runs).
	FrameOut() <-chan struct{}
}
