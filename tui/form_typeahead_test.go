package tui

import (
	"testing"

	tea "charm.land/bubbletea/v2"
)

// Keys typed ahead of the form land in the field they were typed for: a
// burst "Zed⏎Twin⏎zed@example.com⏎" (a paste, a fast typist, SSH latency)
// reaches the console before huh has moved its cursor by message, and gave
// first name "ZedT", last name "win…" (seen in tmux by the e2e tests).
func TestTypingAheadLandsInTheRightField(t *testing.T) {
	s := newTestStore(t, 60)
	app := newTestApp(t, s, nil, 120, 40)
	press(app, "a")
	var cmds []tea.Cmd
	send := func(k tea.KeyPressMsg) {
		_, cmd := app.Update(k)
		cmds = append(cmds, cmd) // run only after the whole burst, as a busy program would
	}
	for _, part := range []string{"Zed", "Twin", "zed.twin@example.com"} {
		for _, r := range part {
			send(runeKey(string(r)))
		}
		send(keyMsg("enter"))
	}
	for _, c := range cmds {
		drain(app, c, 6)
	}
	press(app, "enter", "enter") // type employee; the least powerful profile
	u, err := s.User("zed.twin@example.com")
	if err != nil {
		t.Fatalf("not added (%s): %v", app.msg, err)
	}
	if u.First != "Zed" || u.Last != "Twin" {
		t.Fatalf("typed ahead: first %q, last %q; want Zed, Twin", u.First, u.Last)
	}
}
