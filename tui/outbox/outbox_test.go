package outbox

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/store"
	"github.com/gatehouse/gatehouse/tui"
)

func outboxOf(app *tui.App) *Screen { return app.Screen(5).(*Screen) }

// outboxToken matches an invitation token in a message body (random each run).
var outboxToken = regexp.MustCompile(`\b[a-z2-7]{32}\b`)

// outboxHideTokens replaces the screen's copies of the tokens with a fixed text.
func outboxHideTokens(o *Screen) {
	for i := range o.box.all {
		o.box.all[i].Body = outboxToken.ReplaceAllString(o.box.all[i].Body, "<the token, 32 letters and digits>")
	}
}

func TestOutboxScreenGolden(t *testing.T) {
	s, c := newClockedStore(t, 60)
	for _, sz := range sizes {
		t.Run(fmt.Sprintf("%dx%d", sz.w, sz.h), func(t *testing.T) {
			app := newClockedApp(t, s, c, nil, sz.w, sz.h)
			press(app, "6")
			outboxHideTokens(outboxOf(app))
			v := viewOf(app)
			checkFits(t, v, sz.w, sz.h)
			golden(t, fmt.Sprintf("outbox_%dx%d", sz.w, sz.h), v)
		})
	}
}

// A new user's invitation is listed (open) with its message at the top of the outbox.
func TestOutboxListsNewInvitation(t *testing.T) {
	s, c := newClockedStore(t, 30)
	app := newClockedApp(t, s, c, nil, 120, 40)
	wait := app.Subscribe()
	defer app.Close()
	press(app, "6")
	var cs *store.ChangeSet
	cs, err := s.Apply(store.LocalActor("other"), "add user", func(tx *store.Tx) error {
		_, err := tx.AddUser(store.NewUser{First: "Nia", Last: "Okoro", Email: "nia.okoro@example.com", Type: store.Employee, Profile: "User"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	app.Update(wait())
	o := outboxOf(app)
	if len(o.box.rows) == 0 || o.box.rows[0].To != "nia.okoro@example.com" || o.box.rows[0].Kind != "invitation" {
		t.Fatalf("top message: %+v", o.box.rows[:min(1, len(o.box.rows))])
	}
	if len(o.invs.rows) == 0 || o.invs.rows[0].Email != "nia.okoro@example.com" || o.invs.state(&o.invs.rows[0]) != "open" {
		t.Fatalf("top invitation: %+v", o.invs.rows[:min(1, len(o.invs.rows))])
	}
	press(app, "home") // the cursor stayed on the message it was on
	v := viewOf(app)
	for _, want := range []string{"nia.okoro@", "open", "queued", "Hello Nia", cs.Tokens[0]} {
		if !strings.Contains(v, want) {
			t.Errorf("view lacks %q:\n%s", want, v)
		}
	}
	// the screen's clock passes the expiry: the invitation shows expired
	o.invs.Now = func() time.Time { return c.Now().Add(8 * 24 * time.Hour) }
	if got := o.invs.state(&o.invs.rows[0]); got != "expired" {
		t.Errorf("after 8 days the invitation is %s", got)
	}
}

// r resends the highlighted invitation: a new message; the old token is revoked.
func TestOutboxResend(t *testing.T) {
	s, c := newClockedStore(t, 30)
	app := newClockedApp(t, s, c, nil, 120, 40)
	press(app, "6", "shift+tab")
	o := outboxOf(app)
	if len(o.invs.rows) == 0 {
		t.Fatal("no invitations in the demo data")
	}
	email := o.invitation().Email
	n := len(o.box.all)
	press(app, "r")
	if len(o.box.all) != n+1 || o.box.all[0].To != email {
		t.Fatalf("after r: %d messages (want %d), newest to %s: %s", len(o.box.all), n+1, o.box.all[0].To, app.Message())
	}
	states := map[string]int{}
	for i := range o.invs.all {
		if o.invs.all[i].Email == email {
			states[o.invs.state(&o.invs.all[i])]++
		}
	}
	if states["open"] != 1 || states["revoked"] != 1 {
		t.Errorf("%s's invitations after a resend: %v", email, states)
	}
	if m := o.box.highlighted(); m == nil || m.To != email {
		t.Errorf("the highlighted message is not the new one: %+v", m)
	}
}

// The outbox holds tokens: a scoped Manager sees invitations (of their users)
// but not the outbox; a Basic user's console has no outbox at all, and the
// screen itself refuses them too.
func TestOutboxRefusedToOthers(t *testing.T) {
	s, c := newClockedStore(t, 200)
	app := newClockedApp(t, s, c, managerActor(t, s), 120, 40)
	press(app, "6")
	v := viewOf(app)
	if !strings.Contains(v, "you may not read the outbox") {
		t.Errorf("a manager reads the outbox:\n%s", v)
	}
	if outboxToken.MatchString(v) || strings.Contains(v, "Hello ") {
		t.Errorf("a manager sees a message:\n%s", v)
	}
	us, _ := s.Users(store.UserFilter{Profile: "Basic", Statuses: []store.Status{store.Active}})
	basic, err := s.ActorFor(us[0].Email)
	if err != nil {
		t.Fatal(err)
	}
	app = newClockedApp(t, s, c, &basic, 120, 40)
	o := New(app).(*Screen)
	o.Reload() // screens load when first shown
	lines := strings.Join(o.Render(1, 60, 20, true), "\n") + strings.Join(o.Render(0, 30, 20, false), "\n")
	if !strings.Contains(lines, "you may not read the outbox") || !strings.Contains(lines, "you may not see invitations") {
		t.Errorf("a Basic user's outbox screen:\n%s", lines)
	}
	if len(o.box.all) != 0 || len(o.invs.all) != 0 {
		t.Errorf("a Basic user's screen read %d messages and %d invitations", len(o.box.all), len(o.invs.all))
	}
}

// The "/" filter narrows both lists to one person; s cycles the message state.
func TestOutboxFilterAndState(t *testing.T) {
	s, c := newClockedStore(t, 60)
	app := newClockedApp(t, s, c, nil, 120, 40)
	press(app, "6")
	o := outboxOf(app)
	email := o.box.all[len(o.box.all)-1].To
	press(app, "/")
	typeQuick(app, email)
	press(app, "enter")
	if len(o.box.rows) != 1 || len(o.invs.rows) != 1 || o.invs.rows[0].Email != email {
		t.Errorf("filter %s: %d messages, %d invitations", email, len(o.box.rows), len(o.invs.rows))
	}
	press(app, "/", "esc")
	press(app, "s", "s") // sent: none in the demo
	if len(o.box.rows) != 0 || !strings.Contains(viewOf(app), "no message matches") {
		t.Errorf("state sent: %d messages", len(o.box.rows))
	}
}
