package store

import (
	"strings"
	"testing"
)

// Completion offers each actor exactly what they could list: emails of
// the users they may see, and of profiles, sites, teams, clients and
// settings what their screens let them read (else their own).
func TestCompletionAsTheActorMaySee(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	actors := map[string]Actor{"local": f.local}
	for _, e := range []string{emAdmin, emManager, emSupervisor, emBasic, emClient} {
		actors[e] = f.actor(e)
	}
	everyone := "admin@example.com basic@example.com client@acme.example manager@example.com supervisor@example.com user@example.com"
	for _, c := range []struct {
		who, prefix string
		max         int
		want        string
		matched     int
	}{
		{"local", "", 0, everyone, 6},
		{emAdmin, "", 0, everyone, 6},
		// a scoped manager: North Depot's users (and a user with no sites), not South Yard's
		{emManager, "", 0, "admin@example.com basic@example.com client@acme.example manager@example.com supervisor@example.com", 5},
		{emManager, "u", 0, "", 0},
		{emManager, "user@example.com", 0, "", 0},
		// without view on Users & permissions: themselves only
		{emSupervisor, "", 0, "supervisor@example.com", 1},
		{emBasic, "a", 0, "", 0},
		{emClient, "CLI", 0, "client@acme.example", 1},
		// any case, in email order, bounded
		{"local", "MA", 0, "manager@example.com", 1},
		{emAdmin, "", 2, "admin@example.com basic@example.com", 6},
	} {
		users, matched := f.s.EmailsFor(actors[c.who], c.prefix, c.max)
		var got []string
		for _, u := range users {
			got = append(got, u.Email)
		}
		if strings.Join(got, " ") != c.want || matched != c.matched {
			t.Errorf("EmailsFor(%s, %q, %d) = %q (%d matched), want %q (%d)", c.who, c.prefix, c.max, got, matched, c.want, c.matched)
		}
	}

	allScreens := len(f.s.Screens())
	for _, c := range []struct {
		who    string
		what   Completable
		prefix string
		want   string // values joined by "|"; "*" : every screen
	}{
		{"local", CompleteProfile, "", "Administrator|Manager|Supervisor|User|Basic|Client"},
		{emManager, CompleteProfile, "s", "Supervisor"},
		{emSupervisor, CompleteProfile, "", ""}, // profiles list needs view on Users & permissions
		{emAdmin, CompleteSite, "", "Head Office|North Depot|South Yard|Zeta HQ"},
		{emManager, CompleteSite, "", "Head Office|North Depot|South Yard|Zeta HQ"}, // view on Sites & teams: sites list
		{emSupervisor, CompleteSite, "", "North Depot"},                             // their own
		{emBasic, CompleteSite, "", "North Depot"},                                  // through their team
		{emClient, CompleteSite, "so", ""},
		{emAdmin, CompleteSite, "so", "South Yard"},
		{emManager, CompleteTeam, "", "North Depot/Night"},
		{emBasic, CompleteTeam, "", "North Depot/Night"},
		{emSupervisor, CompleteTeam, "", ""},
		{emManager, CompleteClient, "", "Acme|Zeta"},
		{emClient, CompleteClient, "", "Acme"},
		{emSupervisor, CompleteClient, "", ""},
		{emClient, CompleteScreen, "", "*"}, // effective shows everyone the whole catalog
		{emBasic, CompleteScreen, "pay", "payroll"},
		{emAdmin, CompleteSetting, "lock", "lockout-attempts|lockout-window"},
		{emManager, CompleteSetting, "", ""},
	} {
		cs := f.s.ChoicesFor(actors[c.who], c.what, c.prefix)
		var got []string
		for _, ch := range cs {
			got = append(got, ch.Value)
		}
		if c.want == "*" {
			if len(got) != allScreens {
				t.Errorf("ChoicesFor(%s, %d, %q): %d screens, want %d", c.who, c.what, c.prefix, len(got), allScreens)
			}
			continue
		}
		if strings.Join(got, "|") != c.want {
			t.Errorf("ChoicesFor(%s, %d, %q) = %q, want %q", c.who, c.what, c.prefix, got, c.want)
		}
	}

	// a disabled actor is offered nothing at all
	f.apply("disable", func(tx *Tx) error { return tx.SetDisabled(f.user(emManager).ID, 0, true) })
	if users, _ := f.s.EmailsFor(actors[emManager], "", 0); len(users) != 0 {
		t.Errorf("a disabled manager completes %d emails", len(users))
	}
	if cs := f.s.ChoicesFor(actors[emManager], CompleteSite, ""); len(cs) != 0 {
		t.Errorf("a disabled manager completes sites: %v", cs)
	}
}
