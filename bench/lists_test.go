package bench

import (
	"strconv"
	"strings"
	"testing"

	"charm.land/bubbles/v2/list"
	"charm.land/bubbles/v2/paginator"
	"charm.land/bubbles/v2/table"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/gatehouse/gatehouse/store"
	"github.com/gatehouse/gatehouse/tui"
	"github.com/gatehouse/gatehouse/tui/console"
)

// Big lists side by side, all on Charm v2: gatehouse's Users screen (the
// real console, driven through its exported API: tui.New, key presses,
// View) against bubbles/list and bubbles/table holding the same users, at
// 200×60. Every user is shown (gatehouse: "t t" for everyone, "s"×4 for
// every status). Every frame is the styled string the program would get
// (View().Content for gatehouse, View() for the bubbles): v2 has no
// renderer to drop the styling, on either side.
//
// A filter keystroke alternates between typing one more letter ("adam" →
// "adams", the list narrows) and taking it back (a full search), as in
// tui's own benchmark. A scroll step is the down key. Each op is Update +
// View; B/op is the memory allocated per frame.

const listW, listH = 200, 60

// key is the key press bubbletea v2 decodes for k: a named key, or one
// typed (lower-case ASCII) character.
func key(k string) tea.KeyPressMsg {
	switch k {
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	case "home":
		return tea.KeyPressMsg{Code: tea.KeyHome}
	case "backspace":
		return tea.KeyPressMsg{Code: tea.KeyBackspace}
	}
	return tea.KeyPressMsg{Code: rune(k[0]), Text: k}
}

// plain is a frame as text: what the terminal shows, without the styling.
func plain(v tea.View) string { return ansi.Strip(v.Content) }

// staticCursor stops a text input's cursor blinking, so no blink timer is
// among the commands an update returns.
func staticCursor(in *textinput.Model) {
	st := in.Styles()
	st.Cursor.Blink = false
	in.SetStyles(st)
}

// usersApp is the gatehouse console on its Users screen, showing every user.
func usersApp(tb testing.TB, s *store.Store) tea.Model {
	tb.Helper()
	var m tea.Model = console.New(s, store.LocalActor("bench"), tui.Options{DBPath: "bench.db"})
	m, _ = m.Update(tea.WindowSizeMsg{Width: listW, Height: listH})
	_ = m.View()
	for _, k := range []string{"t", "t", "s", "s", "s", "s"} {
		m, _ = m.Update(key(k))
	}
	want := "Everyone (" + thousands(s.UserCount()) + ")"
	if v := plain(m.View()); !strings.Contains(v, want) || !strings.Contains(v, "Status  all") {
		tb.Fatalf("the console does not show every user (%q):\n%s", want, v)
	}
	return m
}

func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// userStrings are the columns every list shows: name, email, profile (or
// the client, for client users), status, sites.
type userStrings struct {
	name, email, role, status, sites string
	hay                              string // lower(first last email), the filter's haystack
}

func allUserStrings(s *store.Store) []userStrings {
	us, _ := s.Users(store.UserFilter{})
	store.SortUsers(us)
	names := s.Names()
	out := make([]userStrings, len(us))
	for i, u := range us {
		role := names.Profile(u.ProfileID)
		if u.Type == store.ClientUser && len(u.ClientIDs) > 0 {
			role = names.Client(u.ClientIDs[0])
		}
		out[i] = userStrings{name: u.Name(), email: u.Email, role: role, status: u.Status().String(),
			sites: strings.Join(names.Sites(u.SiteIDs), ", "),
			hay:   strings.ToLower(u.First + " " + u.Last + " " + u.Email)}
	}
	return out
}

type listItem struct{ u *userStrings }

func (i listItem) Title() string       { return i.u.name }
func (i listItem) Description() string { return i.u.email + " · " + i.u.role + " · " + i.u.status }
func (i listItem) FilterValue() string { return i.u.hay }

// listSetup is how bubbles/list is set up: its defaults (default delegate,
// fuzzy filter, dots paginator), the arabic paginator ("1/5000") instead of
// the dots, and — for the keystroke, like with like — the arabic paginator
// with a case-insensitive substring filter, the search gatehouse and the
// table do, instead of the fuzzy one.
type listSetup struct {
	name              string
	arabic, substring bool
}

var (
	listDefaults  = listSetup{name: "bubbles-list"}
	listArabic    = listSetup{name: "bubbles-list-arabic", arabic: true}
	listSubstring = listSetup{name: "bubbles-list-substring", arabic: true, substring: true}
)

// bubblesList is bubbles/list holding us, set up as ls says. Every item's
// FilterValue is its precomputed haystack: the list pays nothing for it
// beyond what it does itself on each keystroke (one []string of them).
func bubblesList(us []userStrings, ls listSetup) list.Model {
	items := make([]list.Item, len(us))
	for i := range us {
		items[i] = listItem{&us[i]}
	}
	l := list.New(items, list.NewDefaultDelegate(), listW, listH-2)
	staticCursor(&l.FilterInput)
	if ls.arabic {
		l.Paginator.Type = paginator.Arabic
	}
	if ls.substring {
		l.Filter = substringFilter
	}
	return l
}

// substringFilter is a list.FilterFunc: the targets holding the term, in
// list order, with the matched bytes for the delegate to highlight. The
// targets are lower case already (the haystacks).
func substringFilter(term string, targets []string) []list.Rank {
	q := strings.ToLower(term)
	var ranks []list.Rank
	for i, t := range targets {
		j := strings.Index(t, q)
		if j < 0 {
			continue
		}
		m := make([]int, len(q))
		for k := range m {
			m[k] = j + k
		}
		ranks = append(ranks, list.Rank{Index: i, MatchedIndexes: m})
	}
	return ranks
}

// runList runs the commands a list update returned, as Bubble Tea would,
// feeding the filter's result back (the fuzzy filter runs in a command).
func runList(l *list.Model, cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	switch msg := cmd().(type) {
	case tea.BatchMsg:
		for _, c := range msg {
			runList(l, c)
		}
	case list.FilterMatchesMsg:
		*l, _ = l.Update(msg)
	}
}

func listUpdate(l *list.Model, msg tea.Msg) {
	var cmd tea.Cmd
	*l, cmd = l.Update(msg)
	runList(l, cmd)
}

// bubblesTable is bubbles/table with the same five columns, and a
// textinput for the filter: bubbles/table has no filter of its own, so a
// keystroke is the obvious one — a substring scan of every row's haystack,
// then SetRows with the matches.
type bubblesTable struct {
	us    []userStrings
	all   []table.Row
	t     table.Model
	input textinput.Model
}

func newBubblesTable(us []userStrings) *bubblesTable {
	cols := []table.Column{{Title: "NAME", Width: 34}, {Title: "EMAIL", Width: 60}, {Title: "PROFILE/CLIENT", Width: 24},
		{Title: "STATUS", Width: 9}, {Title: "SITES", Width: 63}}
	bt := &bubblesTable{us: us, all: make([]table.Row, len(us))}
	for i, u := range us {
		bt.all[i] = table.Row{u.name, u.email, u.role, u.status, u.sites}
	}
	bt.t = table.New(table.WithColumns(cols), table.WithRows(bt.all), table.WithHeight(listH-4), table.WithFocused(true))
	bt.input = textinput.New()
	staticCursor(&bt.input)
	bt.input.Focus()
	return bt
}

func (bt *bubblesTable) typeKey(k tea.KeyPressMsg) {
	bt.input, _ = bt.input.Update(k)
	q := strings.ToLower(bt.input.Value())
	rows := make([]table.Row, 0, 1024)
	for i := range bt.us {
		if strings.Contains(bt.us[i].hay, q) {
			rows = append(rows, bt.all[i])
		}
	}
	bt.t.SetRows(rows)
}

func (bt *bubblesTable) View() string {
	return bt.t.View() + "\n/" + bt.input.View()
}

var typed = []string{"s", "backspace"}

// containing counts the users whose haystack holds q.
func containing(us []userStrings, q string) int {
	n := 0
	for i := range us {
		if strings.Contains(us[i].hay, q) {
			n++
		}
	}
	return n
}

// BenchmarkListKeystroke: one filter keystroke, Update + View.
func BenchmarkListKeystroke(b *testing.B) {
	for _, n := range sizes {
		s := readStore(b, n)
		us := allUserStrings(s)
		b.Run("users="+sizeName(n)+"/gatehouse", func(b *testing.B) {
			m := usersApp(b, s)
			for _, k := range []string{"/", "a", "d", "a", "m"} {
				m, _ = m.Update(key(k))
			}
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				m, _ = m.Update(key(typed[i%2]))
				_ = m.View()
			}
			v := plain(m.View())
			if !strings.Contains(v, "Search  /adam") {
				b.Fatalf("not filtering:\n%s", v)
			}
			q := "adam"
			if strings.Contains(v, "Search  /adams") {
				q = "adams"
			}
			if want := "Everyone (" + thousands(containing(us, q)) + ")"; !strings.Contains(v, want) {
				b.Fatalf("the console does not show the %q users that hold %q:\n%s", want, q, v)
			}
		})
		for _, ls := range []listSetup{listDefaults, listArabic, listSubstring} {
			b.Run("users="+sizeName(n)+"/"+ls.name, func(b *testing.B) {
				l := bubblesList(us, ls)
				for _, k := range []string{"/", "a", "d", "a", "m"} {
					listUpdate(&l, key(k))
				}
				b.ReportAllocs()
				for i := 0; b.Loop(); i++ {
					listUpdate(&l, key(typed[i%2]))
					_ = l.View()
				}
				if v := len(l.VisibleItems()); v == 0 || v == len(us) {
					b.Fatalf("bubbles/list did not narrow: %d of %d", v, len(us))
				} else if want := containing(us, "adam"); ls.substring && v != want {
					b.Fatalf("the substring filter kept %d users, %d hold %q", v, want, "adam")
				}
			})
		}
		b.Run("users="+sizeName(n)+"/bubbles-table", func(b *testing.B) {
			bt := newBubblesTable(us)
			for _, k := range []string{"a", "d", "a", "m"} {
				bt.typeKey(key(k))
			}
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				bt.typeKey(key(typed[i%2]))
				_ = bt.View()
			}
			if v := len(bt.t.Rows()); v == 0 || v == len(us) {
				b.Fatalf("the table did not narrow: %d of %d", v, len(us))
			}
		})
	}
}

// BenchmarkListScroll: the cursor one row down, Update + View, no filter.
func BenchmarkListScroll(b *testing.B) {
	for _, n := range sizes {
		s := readStore(b, n)
		b.Run("users="+sizeName(n)+"/gatehouse", func(b *testing.B) {
			m := usersApp(b, s)
			first := plain(m.View())
			b.ReportAllocs()
			for i := 1; b.Loop(); i++ {
				if i%(n-1) == 0 {
					m, _ = m.Update(key("home"))
				}
				m, _ = m.Update(key("down"))
				_ = m.View()
			}
			if plain(m.View()) == first {
				b.Fatal("the cursor did not move")
			}
		})
		us := allUserStrings(s)
		for _, ls := range []listSetup{listDefaults, listArabic} {
			b.Run("users="+sizeName(n)+"/"+ls.name, func(b *testing.B) {
				l := bubblesList(us, ls)
				b.ReportAllocs()
				for i := 1; b.Loop(); i++ {
					if i%(n-1) == 0 {
						listUpdate(&l, key("home"))
					}
					listUpdate(&l, key("down"))
					_ = l.View()
				}
				if l.Index() == 0 {
					b.Fatal("the cursor did not move")
				}
			})
		}
		b.Run("users="+sizeName(n)+"/bubbles-table", func(b *testing.B) {
			bt := newBubblesTable(us)
			b.ReportAllocs()
			for i := 1; b.Loop(); i++ {
				if i%(n-1) == 0 {
					bt.t.GotoTop()
				}
				bt.t, _ = bt.t.Update(key("down"))
				_ = bt.View()
			}
			if bt.t.Cursor() == 0 {
				b.Fatal("the cursor did not move")
			}
		})
	}
}
