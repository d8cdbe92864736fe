package tui

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/gatehouse/gatehouse/internal/safetext"
	"github.com/gatehouse/gatehouse/store"
	"github.com/gatehouse/gatehouse/tui/ui"
)

// Options tune the console.
type Options struct {
	DBPath string // shown in the status bar
	// WriteFiles: the console runs on the admin's own machine and may write
	// files there (an access review); over SSH it may not
	WriteFiles bool
	// Files, when set, is where those files are written: the side of the
	// gatehouse process this console is attached for (its folder, its
	// rights), not this process's
	Files Files
	Ready func() // called once the first frame is out
	// Trace, when set, is told when the start reaches a phase: "page" (the
	// console is built, its first page of users ready) and "frame" (the
	// first frame is written to the terminal). The cold-start benchmark.
	Trace func(phase string)
	// Clock is how the console tells time (zero: the wall clock, in local
	// time); tests pin it.
	Clock ui.Clock
	// Terminal, when set, is the terminal Run draws on instead of this
	// process's own: one another process handed over (Terminal)
	Terminal *Terminal

	framed *firstFrameWriter // set by Run: it sends firstFrameMsg
}

// Files are the files of whoever opened the console (see Options.Files).
type Files interface {
	Exists(name string) (bool, error)
	// WriteFile writes a new file whole or not at all, never over one;
	// it returns the file's absolute path
	WriteFile(name string, r io.Reader) (string, int64, error)
}

type inputMode int

const (
	inputNone inputMode = iota
	inputFilter
	inputCommand
)

// App is the console's root model.
type App struct {
	s        *store.Store
	actor    store.Actor
	th       *ui.Theme
	opts     Options
	readOnly bool // the actor may change nothing the console edits: editing keys are not offered
	self     bool // the actor may not see Users & permissions: only their own access (selfScreen)

	w, h    int
	sized   bool // a size has arrived (see firstFrameMsg)
	screens []ui.Screen
	cur     int
	focus   []int  // focused pane per screen
	stale   []bool // screens to reload when next shown

	input     textinput.Model
	inputMode inputMode
	modal     ui.Modal

	msg     string
	msgBad  bool
	refusal error  // the last refusal fail showed (a form stays open on one)
	lastMsg string // the last message shown, whole, for "!"
	lastBad bool

	events <-chan store.Event
	stop   func()

	fresh   store.Freshness // what the store last said of its freshness (freshness.go)
	freshAt time.Time       // when (zero: never asked, a store never stale)

	undoStack []uint64 // change sets this console made, newest last
	made      Screens  // what the screens are made from
	clock     ui.Clock
}

// New builds a console with these screens for an actor. Its colours are
// for a dark background until the terminal says it has a light one.
func New(s *store.Store, actor store.Actor, screens Screens, opts Options) *App {
	a := &App{s: s, actor: actor, th: ui.NewTheme(true), opts: opts, w: 80, h: 24, made: screens, clock: opts.Clock.OrWallClock()}
	a.input = textinput.New()
	a.input.Prompt = ""
	a.input.CharLimit = 200
	a.readOnly, a.self = a.rights()
	a.buildScreens()
	if s.UserCount() == 0 && len(s.Clients()) == 0 && !a.readOnly {
		a.modal = &welcome{a}
	}
	return a
}

// rights are the actor's rights as the console follows them: whether they
// may change nothing it edits, and whether they see only their own access.
func (a *App) rights() (readOnly, self bool) {
	caps := a.s.Capabilities(a.actor)
	self = caps.SelfServiceOnly()
	return self || caps.ReadOnly(), self
}

// buildScreens builds the screens the actor's view has: the admin screens,
// or their own access alone (read-only).
func (a *App) buildScreens() {
	if a.self {
		a.screens = []ui.Screen{a.made.Self(a)}
	} else {
		a.screens = make([]ui.Screen, 0, len(a.made.Admin))
		for _, made := range a.made.Admin {
			a.screens = append(a.screens, made(a))
		}
	}
	a.cur = 0
	a.focus = make([]int, len(a.screens))
	a.stale = make([]bool, len(a.screens))
	for i := 1; i < len(a.screens); i++ {
		a.stale[i] = true // the first screen loaded itself; the others load when shown
	}
	for i := range a.focus {
		a.focus[i] = 1
	}
	a.resize()
	if a.sized { // else the size is on its way, and with it a prepare
		a.prepare()
	}
}

// paneSizes are the insides of the three panes at the terminal's size, each
// as wide as it is when shown.
func (a *App) paneSizes() [3]ui.PaneSize {
	m := layoutFor(a.w)
	cols := columns(m, a.w)
	var out [3]ui.PaneSize
	for p := range out {
		w := a.w
		switch m {
		case threePane:
			w = cols[p]
		case twoPane:
			w = cols[0] // the Filters or the list pane, whichever shows
			if p == 2 {
				w = cols[1]
			}
		}
		out[p] = ui.PaneSize{W: w - 2, H: a.bodyHeight() - 2}
	}
	return out
}

// resize hands every screen its panes' sizes.
func (a *App) resize() {
	sizes := a.paneSizes()
	for _, s := range a.screens {
		if z, ok := s.(ui.Sizer); ok {
			z.SetSize(sizes)
		}
	}
}

// prepare lets the shown screen work out what its next frame reads.
func (a *App) prepare() {
	if p, ok := a.current().(ui.Preparer); ok {
		p.Prepare()
	}
}

// followRights re-derives, from the actor's current rights, everything the
// console offers because of them: after any change event, since a change to
// their user, their profile (its levels, its scope) or the catalog may have
// changed what they may do. The view switches to or from their own access
// alone; editing keys go or come back (dispatch and help read readOnly and
// each binding's rights check); a dialog that would submit a change they may
// no longer make is closed. The store refuses such a change anyway: this is
// so the console does not offer it. The operator's rights never change.
func (a *App) followRights() {
	if a.actor.IsLocal() {
		return
	}
	readOnly, self := a.rights()
	if self != a.self {
		a.readOnly, a.self = readOnly, self
		a.modal, a.inputMode = nil, inputNone
		a.input.Blur()
		a.buildScreens()
		if self {
			a.Flash("your access changed: you may now see only your own access", true)
		} else {
			a.Flash("your access changed: the admin screens are open to you", false)
		}
		return
	}
	was := a.readOnly
	a.readOnly = readOnly
	if g, ok := a.modal.(ui.Guarded); ok {
		if why := g.ClosedBecause(a); why != "" {
			a.modal = nil
			a.Flash(fmt.Sprintf("%s: closed, your access changed: %s", g.What(), why), true)
			return
		}
	}
	switch {
	case readOnly && !was:
		a.Flash("your access changed: you may only view now", true)
	case !readOnly && was:
		a.Flash("your access changed: you may edit again", false)
	}
}

// eventMsg carries a change event and any that queued up behind it: a burst
// of change sets (a bulk import, a hundred sign-ins) costs one redraw.
type eventMsg struct {
	ev   store.Event
	more []store.Event
}

// eventGap is the least time between two redraws for change events: an event
// after a quiet spell is drawn at once, but a storm of them costs each
// console one redraw per gap, not one per event — with a hundred consoles
// open, one per event was most of the server's work.
const eventGap = 150 * time.Millisecond

// signInGap is the gap while every event waiting is a sign-in: they change
// no more than a last-sign-in time and an invited user's status, and a
// hundred admins signing in together would otherwise redraw every console
// several times a second.
const signInGap = time.Second

func isSignIn(ev store.Event) bool { return ev.SignIn }

// waitEvent delivers the next change event, with any that arrive until the
// gap has passed since the last delivery.
func waitEvent(ch <-chan store.Event, last time.Time) tea.Cmd {
	return func() tea.Msg {
		ev, ok := <-ch
		if !ok {
			return nil
		}
		m := eventMsg{ev: ev}
		signIns := isSignIn(ev)
		gap := func() time.Duration {
			if signIns {
				return signInGap
			}
			return eventGap
		}
		deadline := last.Add(gap())
		timer := time.NewTimer(max(time.Until(deadline), 0))
		defer timer.Stop()
		for len(m.more) < 1000 {
			var e store.Event
			if time.Until(deadline) <= 0 { // only what is queued already
				select {
				case e, ok = <-ch:
				default:
					return m
				}
			} else {
				select {
				case e, ok = <-ch:
				case <-timer.C:
					return m
				}
			}
			if !ok {
				return m
			}
			m.more = append(m.more, e)
			if signIns && !isSignIn(e) { // a real change: back to the short gap
				signIns = false
				deadline = last.Add(gap())
				timer.Reset(max(time.Until(deadline), 0))
			}
		}
		return m
	}
}

// firstFrameMsg says the first frame is out: drawn at the terminal's size
// and flushed by the renderer (at most one frame interval later).
type firstFrameMsg struct{}

// firstFrameAfter is how long after the first size the first frame is surely
// out, where nothing tells when it is (over SSH); where the terminal's writer
// does (Run), how long it is waited for at most.
const (
	firstFrameAfter  = 25 * time.Millisecond
	firstFrameAtMost = time.Second
)

// Init subscribes to the store's change events and asks the terminal for
// its background colour.
func (a *App) Init() tea.Cmd {
	return tea.Batch(a.subscribe(), tea.RequestBackgroundColor, a.watchFreshness())
}

// subscribe starts the store's change events and waits for the first.
func (a *App) subscribe() tea.Cmd {
	a.events, a.stop = a.s.Subscribe()
	return waitEvent(a.events, time.Now()) // the first frame is being drawn now
}

// Close ends the subscription.
func (a *App) Close() {
	if a.stop != nil {
		a.stop()
	}
}

// Flash shows a message in the status line. Messages quote names, errors
// and change summaries (other people's too): they are made safe here.
func (a *App) Flash(msg string, bad bool) { a.msg, a.msgBad = ui.Safe(msg), bad }

// Fail shows a store error in the status line.
func (a *App) Fail(err error) {
	if err != nil {
		a.refusal = err
		a.Flash(ui.WithFix(a.s.NearFor(a.actor, err)), true)
	}
}

// Applied records a committed change set for undo and reports it.
func (a *App) Applied(cs *store.ChangeSet, what string) {
	if cs == nil || cs.Batch == 0 {
		a.Flash(what+": nothing to change", false)
		return
	}
	a.undoStack = append(a.undoStack, cs.Batch)
	a.follow(store.Event{Batch: cs.Batch, Actor: cs.Actor, Summary: cs.Summary, Refs: cs.Refs()})
	a.Flash(fmt.Sprintf("%s (change set #%d, %s) — u undoes", what, cs.Batch, ui.Plural(len(cs.Entries), "change")), false)
}

func (a *App) current() ui.Screen { return a.screens[a.cur] }

func (a *App) pendingTotal() int {
	n := 0
	for _, s := range a.screens {
		n += s.Pending()
	}
	return n
}

// globals are the keys of every screen. Someone who sees only their own
// access has one screen and nothing to filter, edit or undo.
func (a *App) globals() []*ui.Binding {
	all := a.allGlobals()
	if !a.self {
		return all
	}
	keep := map[string]bool{"?": true, "!": true, "ctrl+r": true, "q/ctrl+c": true}
	out := all[:0:0]
	for _, b := range all {
		if keep[b.Help().Key] {
			out = append(out, b)
		}
	}
	return out
}

func (a *App) allGlobals() []*ui.Binding {
	cp := a.copyBindings()
	return []*ui.Binding{
		ui.Bind("Everywhere", "?", "help: every key, and why one cannot be used now", func() tea.Cmd { a.modal = newHelp(a); return nil }),
		ui.Bind("Everywhere", ":", "command palette (jump, run, check user screen level site)", func() tea.Cmd { return a.startInput(inputCommand) }),
		ui.Bind("Everywhere", "/", "filter the focused list", func() tea.Cmd { return a.startInput(inputFilter) }),
		ui.Bind("Everywhere", "tab", "next pane", func() tea.Cmd { a.moveFocus(1); return nil }),
		ui.Bind("Everywhere", "shift+tab", "previous pane", func() tea.Cmd { a.moveFocus(-1); return nil }),
		ui.Bind("Everywhere", "1,2,3,4,5,6,7", "switch screen", nil),
		ui.Bind("Everywhere", "u,ctrl+z", "undo the last change set made here", func() tea.Cmd { return a.undo() }).Editing().
			When(func() string {
				if len(a.undoStack) == 0 {
					return "nothing to undo yet in this session"
				}
				return ""
			}),
		ui.Bind("Everywhere", "!", "show the whole of the last message (and why the store is read-only)", func() tea.Cmd {
			text, bad := a.lastMsg, a.lastBad
			if note, _ := a.freshness(); note != "" {
				text, bad = strings.TrimSpace(ui.Safe(note)+"\n\n"+text), true // lastMsg is made safe by Flash
			}
			a.modal = &message{text: text, bad: bad}
			return nil
		}).When(func() string {
			if note, _ := a.freshness(); a.lastMsg == "" && note == "" {
				return "no message to show"
			}
			return ""
		}),
		cp[0], cp[1],
		ui.Bind("Everywhere", "ctrl+r", "reload from the database", func() tea.Cmd { a.reloadAll(); a.Flash("reloaded", false); return nil }),
		ui.Bind("Everywhere", "q,ctrl+c", "quit (asks first if changes are unsaved)", func() tea.Cmd { return a.quit() }),
	}
}

func (a *App) quit() tea.Cmd {
	if n := a.pendingTotal(); n > 0 {
		a.modal = &ui.Confirm{Question: ui.Plural(n, "unsaved change") + " will be lost. Quit anyway?", Yes: func() tea.Cmd { return tea.Quit }}
		return nil
	}
	return tea.Quit
}

func (a *App) undo() tea.Cmd {
	batch := a.undoStack[len(a.undoStack)-1]
	cs, err := a.s.Undo(a.actor, batch)
	if err != nil {
		a.Fail(err)
		return nil
	}
	a.undoStack = a.undoStack[:len(a.undoStack)-1]
	a.follow(store.Event{Batch: cs.Batch, Refs: cs.Refs()})
	a.Flash(fmt.Sprintf("undid change set #%d (as change set #%d)", batch, cs.Batch), false)
	return nil
}

// reloadAll re-reads the store for the screen on show; the others reload
// when next shown, so a change costs one screen's reload, not seven.
func (a *App) reloadAll() {
	for i, s := range a.screens {
		if i == a.cur {
			s.Reload()
			a.stale[i] = false
		} else {
			a.stale[i] = true
		}
	}
}

// follow applies a change event: cheaply where a screen can, else as reloadAll.
func (a *App) follow(ev store.Event) {
	for i, s := range a.screens {
		switch {
		case i != a.cur:
			a.stale[i] = true
		case a.stale[i]:
			s.Reload()
			a.stale[i] = false
		default:
			if r, ok := s.(ui.Refresher); ok {
				r.Refresh(ev)
			} else {
				s.Reload()
			}
		}
	}
}

func (a *App) moveFocus(d int) {
	n := 3
	f := (a.focus[a.cur] + d + n) % n
	a.focus[a.cur] = f
}

func (a *App) switchTo(i int) {
	if i >= len(a.screens) && len(a.screens) == 1 {
		a.Flash("you may see only your own access", true)
	}
	if i >= 0 && i < len(a.screens) {
		a.cur = i
		if a.stale[i] {
			a.screens[i].Reload()
			a.stale[i] = false
		}
	}
}

func (a *App) startInput(m inputMode) tea.Cmd {
	a.inputMode = m
	a.input.Reset()
	if m == inputFilter {
		a.input.SetValue(a.current().Filter())
		a.input.CursorEnd()
	}
	return a.input.Focus()
}

// Update routes messages: modal first, then the input line, then keys; then
// starts whatever background work the shown screen has waiting.
func (a *App) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch k := msg.(type) {
	case tea.KeyPressMsg:
		if k.Text != "" {
			if k.Text = a.visible(k.Text, "typed"); k.Text == "" {
				return a, nil
			}
			msg = k
		}
	case tea.PasteMsg:
		if k.Content = a.visible(k.Content, "pasted"); k.Content == "" {
			return a, nil
		}
		msg = k
	}
	m, cmd := a.update(msg)
	if w, ok := a.current().(ui.Worker); ok {
		if wc := w.Work(); wc != nil {
			cmd = tea.Batch(cmd, wc)
		}
	}
	a.prepare()
	return m, cmd
}

// visible is text as visibleText leaves it, saying what it dropped.
func (a *App) visible(text, how string) string {
	text, dropped := visibleText(text)
	if dropped > 0 {
		a.Flash(fmt.Sprintf("dropped %d invisible or control character(s) from what was %s", dropped, how), true)
	}
	return text
}

// visibleText drops what a terminal would not show from typed or pasted
// text (bidi overrides, zero-width characters, controls): a filter, the
// palette or a form field would hold characters nobody can see, and the
// frame guard would have to widen the line to show them.
// Line breaks and tabs of a paste become spaces, as the text fields would
// make them anyway.
func visibleText(text string) (string, int) {
	if !strings.ContainsFunc(text, safetext.Hidden) {
		return text, 0
	}
	var out strings.Builder
	dropped := 0
	for _, r := range text {
		switch {
		case r == '\n' || r == '\r' || r == '\t':
			out.WriteByte(' ')
		case safetext.Hidden(r):
			dropped++
		default:
			out.WriteRune(r)
		}
	}
	return out.String(), dropped
}

func (a *App) update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg.(type) {
	case tea.KeyPressMsg, tea.MouseMsg, eventMsg:
		for _, s := range a.screens {
			if st, ok := s.(ui.Settler); ok {
				st.Settle()
			}
		}
	}
	switch msg := msg.(type) {
	case tea.BackgroundColorMsg:
		if dark := msg.IsDark(); dark != a.th.Dark {
			a.th = ui.NewTheme(dark)
		}
		return a, nil
	case tea.WindowSizeMsg:
		a.w, a.h = msg.Width, msg.Height
		a.resize()
		if !a.sized { // the first frame at this size is being drawn now
			a.sized = true
			if a.deferring() || a.opts.Ready != nil {
				after := firstFrameAfter
				if a.opts.framed != nil {
					after = firstFrameAtMost
				}
				return a, tea.Tick(after, func(time.Time) tea.Msg { return firstFrameMsg{} })
			}
		}
		return a, nil
	case ui.ReportMsg:
		a.Flash(msg.Text, msg.Bad)
		return a, nil
	case freshnessMsg:
		return a, a.noteFreshness()
	case firstFrameMsg:
		a.startDeferred()
		if a.opts.Ready != nil {
			a.opts.Ready()
			a.opts.Ready = nil
		}
		return a, nil
	case eventMsg:
		// who changed what is the audit log's to tell: only those who may
		// read it are told another's change by name and summary (summaries
		// name users and profiles they may not see)
		told := a.s.Capabilities(a.actor).May(store.ReadAudit) == nil
		for _, ev := range append([]store.Event{msg.ev}, msg.more...) {
			a.follow(ev)
			switch {
			case ev.Actor == a.actor.Name || ev.SignIn:
			case told:
				a.Flash(fmt.Sprintf("%s changed: %s (change set #%d)", ev.Actor, ev.Summary, ev.Batch), false)
			case a.actor.UserID != 0 && ev.Touches(store.RecordUser, a.actor.UserID):
				a.Flash(fmt.Sprintf("your record was changed (change set #%d)", ev.Batch), false)
			}
		}
		a.followRights() // a few rights checks: cheap enough for every delivery
		// the shown screen catches up now, once for the whole burst, so
		// its pane titles and counts agree with its rows in the next frame
		if st, ok := a.current().(ui.Settler); ok {
			st.Settle()
		}
		return a, waitEvent(a.events, time.Now())
	}
	if a.modal != nil {
		cmd, closed := a.modal.Update(msg, a)
		if closed {
			a.modal = nil
		}
		return a, cmd
	}
	if a.inputMode != inputNone {
		switch k := msg.(type) {
		case tea.KeyPressMsg:
			return a, a.inputKey(k)
		case tea.PasteMsg:
			return a, a.inputPaste(k)
		}
	}
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		return a, a.keyMsg(msg)
	case tea.MouseMsg:
		return a, a.mouseMsg(msg)
	}
	return a, nil
}

func (a *App) keyMsg(msg tea.KeyPressMsg) tea.Cmd {
	if a.msg != "" {
		a.lastMsg, a.lastBad = a.msg, a.msgBad // for "!"
	}
	a.msg = ""
	s := msg.String()
	if len(s) == 1 && s[0] >= '1' && s[0] <= '9' {
		a.switchTo(int(s[0] - '1'))
		return nil
	}
	if s == "esc" && a.current().Pending() > 0 {
		n := a.current().Pending()
		a.current().Discard()
		a.Flash("discarded "+ui.Plural(n, "pending change"), false)
		return nil
	}
	if cmd, ok := dispatch(msg, a.current().Bindings(), a); ok {
		return cmd
	}
	if cmd, ok := dispatch(msg, a.globals(), a); ok {
		return cmd
	}
	return a.current().Key(msg, a.focus[a.cur])
}

func (a *App) inputKey(msg tea.KeyPressMsg) tea.Cmd {
	switch msg.String() {
	case "esc":
		if a.inputMode == inputFilter {
			a.current().SetFilter("")
		}
		a.inputMode = inputNone
		a.input.Blur()
		return nil
	case "enter":
		m, v := a.inputMode, strings.TrimSpace(a.input.Value())
		a.inputMode = inputNone
		a.input.Blur()
		if m == inputCommand {
			return a.runCommand(v)
		}
		return nil
	}
	return a.inputPaste(msg)
}

// inputPaste hands a key or a paste to the input line.
func (a *App) inputPaste(msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	a.input, cmd = a.input.Update(msg)
	if a.inputMode == inputFilter {
		a.current().SetFilter(a.input.Value())
	}
	return cmd
}

// mouseMsg finds the pane under the pointer and hands the event to the screen.
func (a *App) mouseMsg(msg tea.MouseMsg) tea.Cmd {
	mo := msg.Mouse()
	top := a.bodyTop()
	y := mo.Y - top
	if y < 0 || y >= a.bodyHeight() {
		if m, ok := a.current().(ui.Mouser); ok && a.modal == nil {
			return m.Mouse(msg, -1, -1, -1) // e.g. a drag released over the status line
		}
		return nil
	}
	panes, widths := a.visiblePanes()
	x := mo.X
	for i, p := range panes {
		if x < widths[i] {
			if c, ok := msg.(tea.MouseClickMsg); ok && c.Button == tea.MouseLeft {
				a.focus[a.cur] = p
			}
			if m, ok := a.current().(ui.Mouser); ok {
				return m.Mouse(msg, p, x-1, y-1) // inside the frame
			}
			return nil
		}
		x -= widths[i]
	}
	return nil
}

// visiblePanes lists which panes show, and their widths, for the terminal width.
func (a *App) visiblePanes() ([]int, []int) {
	m := layoutFor(a.w)
	cols := columns(m, a.w)
	switch m {
	case threePane:
		return []int{0, 1, 2}, cols
	case twoPane:
		first := 1
		if a.focus[a.cur] == 0 {
			first = 0
		}
		return []int{first, 2}, cols
	}
	return []int{a.focus[a.cur]}, cols
}

func (a *App) bodyTop() int {
	if layoutFor(a.w) == threePane {
		return 1
	}
	return 2
}

func (a *App) bodyHeight() int { return max(a.h-a.bodyTop()-1, 3) }

// View draws the frame and passes it through the guard: after the theme's
// own styling (SGR sequences) nothing a terminal would act on gets out, even
// text a screen forgot to make safe. The console is a full-screen program
// that takes clicks and the wheel.
func (a *App) View() tea.View {
	v := tea.NewView(safetext.Frame(a.view()))
	if a.sized && a.opts.framed != nil {
		a.opts.framed.drawn.Store(true)
	}
	v.AltScreen = true
	v.MouseMode = tea.MouseModeCellMotion
	return v
}

// view draws tabs, panes (or a modal) and the status line; nothing else.
func (a *App) view() string {
	if !a.sized {
		// bubbletea draws once before the terminal's size arrives (within
		// milliseconds): a frame at a guessed size would only flicker, and
		// cost a hundred sessions opening together a render each
		return ""
	}
	if a.w < 40 || a.h < 10 {
		return ui.Fit(fmt.Sprintf("gatehouse needs at least 40×10 (this is %d×%d)", a.w, a.h), a.w)
	}
	var b strings.Builder
	b.WriteString(a.tabs())
	b.WriteByte('\n')
	scr := a.current()
	m := layoutFor(a.w)
	switch m {
	case twoPane:
		b.WriteString(ui.Fit(a.th.Muted.Render("▸ ")+ui.Safe(scr.Header(a.w-2)), a.w)) // headers are plain text, names in them
		b.WriteByte('\n')
	case onePane:
		b.WriteString(a.paneTabs())
		b.WriteByte('\n')
	}
	h := a.bodyHeight()
	if a.modal != nil {
		b.WriteString(a.modal.View(a.th, a.w, h))
	} else {
		panes, widths := a.visiblePanes()
		titles := scr.Panes()
		blocks := make([]string, len(panes))
		for i, p := range panes {
			focused := p == a.focus[a.cur]
			lines := scr.Render(p, widths[i]-2, h-2, focused)
			blocks[i] = a.th.Box(ui.Safe(titles[p]), lines, widths[i], h, focused) // titles name records ("Teams of …")
		}
		b.WriteString(joinColumns(blocks...))
	}
	b.WriteByte('\n')
	b.WriteString(a.statusLine())
	return b.String()
}

var screenKeys = "1234567"

func (a *App) tabs() string {
	var parts []string
	for i, s := range a.screens {
		label := s.Name()
		if a.w < 110 {
			label = shortName(label)
		}
		if a.w < 70 && i != a.cur {
			label = "" // narrow: the other tabs show only their number
		}
		t := fmt.Sprintf(" %c %s ", screenKeys[i], label)
		if p := s.Pending(); p > 0 {
			t = fmt.Sprintf(" %c %s •%d ", screenKeys[i], label, p)
		}
		if i == a.cur {
			// brackets mark the current tab even without colour (NO_COLOR)
			parts = append(parts, a.th.TabActive.Render("["+t[1:len(t)-1]+"]"))
		} else {
			parts = append(parts, a.th.Tab.Render(t))
		}
	}
	return ui.Fit(strings.Join(parts, ""), a.w)
}

var shortNames = map[string]string{"Sites & teams": "Sites", "Permissions": "Perms", "Clients & sites": "Clients", "Invitations & outbox": "Outbox"}

func shortName(s string) string {
	if n, ok := shortNames[s]; ok {
		return n
	}
	return s
}

func (a *App) paneTabs() string {
	titles := a.current().Panes()
	var parts []string
	for i, t := range titles {
		name := ui.Safe(strings.SplitN(t, " (", 2)[0])
		if i == a.focus[a.cur] {
			parts = append(parts, a.th.TabActive.Render("["+name+"]"))
		} else {
			parts = append(parts, a.th.Tab.Render(" "+name+" "))
		}
	}
	return ui.Fit(strings.Join(parts, a.th.Muted.Render("│"))+a.th.Muted.Render("  tab: next pane"), a.w)
}

func (a *App) statusLine() string {
	switch a.inputMode {
	case inputFilter:
		return ui.Fit(a.th.StatusKey.Render("/")+a.input.View()+a.th.Muted.Render("   enter keep · esc clear"), a.w)
	case inputCommand:
		return ui.Fit(a.th.StatusKey.Render(":")+a.input.View()+a.th.Muted.Render("   "+commandHint(a.input.Value())), a.w)
	}
	if a.msg != "" {
		st := a.th.Good
		if a.msgBad {
			st = a.th.Bad
		}
		if ansi.StringWidth(a.msg) > a.w {
			// too long for the line: its end (what to do) is one key away
			more := "  ! shows all"
			return st.Render(ansi.Truncate(a.msg, a.w-ansi.StringWidth(more), "…")) + a.th.StatusKey.Render(more)
		}
		return ui.Fit(st.Render(a.msg), a.w)
	}
	parts := []string{a.th.StatusKey.Render(ui.Safe(a.actor.Name))}
	if note, brief := a.freshness(); note != "" { // read-only for now: that first, whatever else fits
		line := strings.Join(append(parts, a.th.Warn.Render(ui.Safe(note))), a.th.Muted.Render(" │ "))
		if ansi.StringWidth(line) <= a.w {
			return ui.Fit(line, a.w)
		}
		// the rest (the cluster, how old memory is) is one key away
		more := "  ! shows all"
		line = strings.Join(append(parts, a.th.Warn.Render(ui.Safe(brief))), a.th.Muted.Render(" │ "))
		return ansi.Truncate(line, a.w-ansi.StringWidth(more), "…") + a.th.StatusKey.Render(more)
	}
	if a.readOnly {
		parts = append(parts, a.th.Warn.Render("view only"))
	}
	if a.opts.DBPath != "" && a.w >= 100 {
		parts = append(parts, a.th.Muted.Render(ui.Safe(a.opts.DBPath)))
	}
	if n := a.pendingTotal(); n > 0 {
		parts = append(parts, a.th.Pending.Render(strconv.Itoa(n)+" pending (ctrl+s save · esc discard)"))
	} else {
		parts = append(parts, a.th.Muted.Render("no pending changes"))
	}
	parts = append(parts, a.th.Muted.Render("? help · : command · q quit"))
	return ui.Fit(strings.Join(parts, a.th.Muted.Render(" │ ")), a.w)
}
