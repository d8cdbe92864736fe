package sites

import (
	"strings"
	"testing"
)

// The Who pane of Sites & teams breaks an email after its "@" or a dot,
// never in the middle of a word.
func TestWhoPaneKeepsEmailWordsWhole(t *testing.T) {
	s := newTestStore(t, 60)
	app := newTestApp(t, s, nil, 120, 40)
	email := usersOf(app).Current().Email // ben.adams.135@staff.example.com: longer than the pane
	press(app, "enter")
	lines := sitesOf(app).panes[0].View(20, 30, false)
	var parts []string
	for _, l := range lines[1:] {
		parts = append(parts, strings.TrimSpace(l))
		if strings.Join(parts, "") == email {
			break
		}
	}
	if strings.Join(parts, "") != email {
		t.Fatalf("the email %s is not in the Who pane whole: %q", email, lines)
	}
	for _, p := range parts[:len(parts)-1] {
		if !strings.HasSuffix(p, "@") && !strings.HasSuffix(p, ".") {
			t.Fatalf("the email broke in the middle of a word: %q", parts)
		}
	}
}
