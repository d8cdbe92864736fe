package settings

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/store"
	"github.com/gatehouse/gatehouse/tui"
)

func settingsOf(app *tui.App) *Screen { return app.Screen(6).(*Screen) }

// settingsPick highlights a setting by key.
func settingsPick(t *testing.T, app *tui.App, key string) {
	t.Helper()
	press(app, "home")
	for i := 0; i < len(store.SettingKeys) && settingsOf(app).setting() != key; i++ {
		press(app, "down")
	}
	if got := settingsOf(app).setting(); got != key {
		t.Fatalf("highlighted %s, want %s", got, key)
	}
}

func TestSettingsScreenGolden(t *testing.T) {
	s, c := newClockedStore(t, 60)
	for _, sz := range sizes {
		t.Run(fmt.Sprintf("%dx%d", sz.w, sz.h), func(t *testing.T) {
			app := newClockedApp(t, s, c, nil, sz.w, sz.h)
			press(app, "7")
			v := viewOf(app)
			checkFits(t, v, sz.w, sz.h)
			golden(t, fmt.Sprintf("settings_%dx%d", sz.w, sz.h), v)
		})
	}
}

// restrict-locations by t (a switch) and by enter (the on/off form);
// invite-expiry through the duration form.
func TestSettingsChangeThroughScreen(t *testing.T) {
	s, c := newClockedStore(t, 60)
	app := newClockedApp(t, s, c, nil, 120, 40)
	press(app, "7")
	settingsPick(t, app, "restrict-locations")
	press(app, "t")
	if !s.Settings().RestrictLocations {
		t.Fatalf("t left restrict-locations off: %s", app.Message())
	}
	if !strings.Contains(app.Message(), "restrict-locations: off → on") {
		t.Errorf("status: %q", app.Message())
	}
	press(app, "enter") // the form: on is selected; move to off
	if app.Modal() == nil {
		t.Fatal("enter opened no form")
	}
	press(app, "down", "enter")
	if app.Modal() != nil {
		press(app, "enter")
	}
	if s.Settings().RestrictLocations {
		t.Fatalf("the form left restrict-locations on: %s", app.Message())
	}

	settingsPick(t, app, "invite-expiry")
	press(app, "enter")
	for range s.Settings().Value("invite-expiry") {
		press(app, "backspace")
	}
	typeQuick(app, "3d")
	press(app, "enter")
	if got := s.Settings().InviteExpiry; got != 72*time.Hour {
		t.Fatalf("invite-expiry %v, want 72h: %s", got, app.Message())
	}
	if v := viewOf(app); !strings.Contains(v, "invite-expiry  3d") && !strings.Contains(v, "3d") {
		t.Errorf("the list does not show 3d:\n%s", v)
	}
}

// A bad duration is caught in the form (it stays open, with the error) and a
// duration out of range is the store's refusal in the status line; neither
// changes anything.
func TestSettingsBadDuration(t *testing.T) {
	s, c := newClockedStore(t, 30)
	app := newClockedApp(t, s, c, nil, 120, 40)
	before := s.Settings()
	press(app, "7")
	settingsPick(t, app, "invite-expiry")
	press(app, "enter")
	for range before.Value("invite-expiry") {
		press(app, "backspace")
	}
	typeQuick(app, "soon")
	press(app, "enter")
	if app.Modal() == nil {
		t.Fatal("a bad duration closed the form")
	}
	if v := viewOf(app); !strings.Contains(v, "not like 72h, 7d or 1d12h") {
		t.Errorf("the form shows no error:\n%s", v)
	}
	press(app, "esc") // something was typed: it asks first
	if v := viewOf(app); app.Modal() == nil || !strings.Contains(v, "Drop what you typed?") {
		t.Fatalf("esc in a form typed into did not ask first:\n%s", v)
	}
	press(app, "y")
	if app.Modal() != nil {
		t.Fatal("esc, y left the form open")
	}

	press(app, "enter")
	for range before.Value("invite-expiry") {
		press(app, "backspace")
	}
	typeQuick(app, "200d")
	press(app, "enter")
	if !app.MessageBad() || !strings.Contains(app.Message(), "between 1h and 90d") {
		t.Errorf("out of range: status %q", app.Message())
	}
	if after := s.Settings(); after.InviteExpiry != before.InviteExpiry || after.Version != before.Version {
		t.Errorf("settings changed: %v → %v", before.InviteExpiry, after.InviteExpiry)
	}
}

// Turning the guardrail on while a client profile exceeds it is refused.
func TestSettingsGuardrailRefusal(t *testing.T) {
	s, c := newClockedStore(t, 30)
	local := store.LocalActor("test")
	if _, err := s.Apply(local, "guardrail off", func(tx *store.Tx) error { return tx.SetSetting("client-guardrail", "off") }); err != nil {
		t.Fatal(err)
	}
	p, _ := s.Profile("Client")
	if _, err := s.Apply(local, "client maintains roster", func(tx *store.Tx) error { return tx.Grant("Client", p.Version, "roster", store.Maintain) }); err != nil {
		t.Fatal(err)
	}
	app := newClockedApp(t, s, c, nil, 120, 40)
	press(app, "7")
	settingsPick(t, app, "client-guardrail")
	press(app, "t")
	if s.Settings().ClientGuardrail {
		t.Fatal("the guardrail went on past a client profile with maintain")
	}
	if !app.MessageBad() || !strings.Contains(app.Message(), "cannot turn the guardrail on") {
		t.Errorf("status: %q", app.Message())
	}
}

// The Features pane counts the overrides set through the store.
func TestSettingsFeatureOverrideCounts(t *testing.T) {
	s, c := newClockedStore(t, 60)
	emps, _ := s.Users(store.UserFilter{Type: ptrType(store.Employee)})
	// start from no overrides, then allow the portal for 3 and deny it for 2
	if _, err := s.Apply(store.LocalActor("test"), "overrides", func(tx *store.Tx) error {
		for i, u := range emps {
			for _, f := range store.Features() {
				if err := tx.SetFeature(u.ID, 0, f, store.Inherit); err != nil {
					return err
				}
			}
			o := store.Inherit
			switch {
			case i < 3:
				o = store.Allow
			case i < 5:
				o = store.Deny
			}
			if err := tx.SetFeature(u.ID, 0, store.FeaturePortal, o); err != nil {
				return err
			}
		}
		return tx.SetSetting("mobile-app", "off")
	}); err != nil {
		t.Fatal(err)
	}
	app := newClockedApp(t, s, c, nil, 120, 40)
	press(app, "7")
	v := viewOf(app)
	n := len(emps)
	for _, want := range []string{
		"org on · allow 3 · deny 2", fmt.Sprintf("on for %d of %d employees", n-2, n), // portal
		"org off · allow 0 · deny 0", fmt.Sprintf("on for 0 of %d employees", n), // mobile app
	} {
		if !strings.Contains(v, want) {
			t.Errorf("features pane lacks %q:\n%s", want, v)
		}
	}
	// enter in the Features pane edits the highlighted feature's org value
	press(app, "tab") // Features
	press(app, "down", "down")
	press(app, "t")
	if !s.Settings().Features[store.FeatureMobileApp] {
		t.Errorf("t on Mobile app left it off: %s", app.Message())
	}
}

// A Manager may see no settings: the screen says why.
func TestSettingsDeniedActor(t *testing.T) {
	s, c := newClockedStore(t, 200)
	app := newClockedApp(t, s, c, managerActor(t, s), 120, 40)
	press(app, "7")
	if v := viewOf(app); !strings.Contains(v, "you may not see the settings") {
		t.Errorf("no refusal:\n%s", v)
	}
	press(app, "t")
	if s.Settings().RestrictLocations {
		t.Error("a manager switched a setting")
	}
}

func ptrType(t store.UserType) *store.UserType { return &t }
