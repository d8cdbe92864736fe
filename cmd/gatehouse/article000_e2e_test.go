//go:build unix

package main

import (
	"slices"
	"testing"
)

// Help article 000, "How to grant your client access to the system": the
// client user Jane of Acme, with the Client profile, Acme's two sites, and
// view on the scheduler, timesheets and reports — nothing on payroll,
// invoicing, settings or setup.
var article000 = article{
	name: "000-grant-client-access",
	seed: [][]string{
		{"clients", "add", "Acme"},
		{"clients", "add", "Zeta"},
		{"sites", "add", "North Depot", "--client", "Acme"},
		{"sites", "add", "South Yard", "--client", "Acme"},
		{"sites", "add", "Zeta HQ", "--client", "Zeta"},
	},
	steps: []step{
		{"1. Settings > Users & Permissions", []action{press("1"), see(`\[1 Users\]`)}},
		{"2. the user's first and last name, email", []action{
			press("a"), seeFocus("First name"), typing("Jane"), press("Enter"),
			seeFocus("Last name"), typing("Doe"), press("Enter"),
			seeFocus("Email"), typing("jane@acme.test"), press("Enter"),
		}},
		{"2. user type Client", []action{
			seeFocus("User type"), pressUntil("Down", `> Client`), press("Enter"),
			see(`a client user belongs to exactly one client`), pressUntil("Down", `> Acme`), press("Enter"),
		}},
		{"2. the security profile Client", []action{see(`Profile`), see(`enter submit`), pressUntil("Down", `> Client`)}},
		{"3. save the record: an invitation is sent", []action{press("Enter"), see(`added jane@acme\.test; invitation queued`)}},
		{"4. the Assigned Site / Teams tab", []action{press("Enter"), see(`Who`), see(`jane@acme\.test`), see(`Available`)}},
		{"5. move the client's sites to the right-hand panel", []action{
			press("C-a", "Right"), see(`\+ North Depot`), see(`\+ South Yard`),
			press("C-s"), see(`sites & teams of jane@acme\.test: \+North Depot, \+South Yard`),
		}},
		{"6. the Users Permissions tab", []action{press("3"), see(`Matrix`)}},
		{"7. the Client access profile in the left panel", []action{press("BTab"), see(`Profiles \(`), pressUntil("Down", `›\s+Client\s`)}},
		{"8. edit the Client profile", []action{press("Tab"), see(`Matrix \(16 screens × 1 profile\)`), see(`SCREEN\s+Client`)}},
		{"9. tick view on the scheduler, timesheets and reports", []action{
			pressUntil("Down", `›\s+Scheduler`), press("v"),
			pressUntil("Down", `›\s+Timesheets`), press("v"),
			pressUntil("Down", `›\s+Reports`), press("v"),
			see(`3 cells`), press("C-s"), see(`permissions: 3 cells of Client`),
		}},
	},
	check: func(t *testing.T, c checker) {
		var eff struct {
			Name    string   `json:"name"`
			Type    string   `json:"type"`
			Profile string   `json:"profile"`
			Sites   []string `json:"sites"`
			Clients []string `json:"clients"`
			Levels  []struct {
				Screen string `json:"screen"`
				Level  string `json:"level"`
			} `json:"levels"`
		}
		c.readJSON(&eff, "effective", "jane@acme.test")
		if eff.Name != "Jane Doe" {
			t.Errorf("the client user is named %q, want Jane Doe", eff.Name)
		}
		if eff.Type != "client" || eff.Profile != "Client" || !slices.Equal(eff.Clients, []string{"Acme"}) {
			t.Errorf("jane is %s with profile %s and clients %v, want a client user of Acme with profile Client", eff.Type, eff.Profile, eff.Clients)
		}
		if !slices.Equal(eff.Sites, []string{"North Depot", "South Yard"}) {
			t.Errorf("jane's sites are %v, want Acme's two", eff.Sites)
		}
		// the article's screens at view, and Roster, which the built-in Client profile holds
		viewed := []string{"scheduler", "roster", "timesheets", "reports"}
		for _, l := range eff.Levels {
			want := "none"
			if slices.Contains(viewed, l.Screen) {
				want = "view"
			}
			if l.Level != want {
				t.Errorf("jane has %s on %s, want %s", l.Level, l.Screen, want)
			}
		}
		if len(eff.Levels) == 0 {
			t.Error("effective lists no screens for jane")
		}
		c.exits(0, "check", "jane@acme.test", "scheduler", "view", "--site", "South Yard")
		c.exits(1, "check", "jane@acme.test", "reports", "maintain", "--site", "North Depot")
		c.exits(1, "check", "jane@acme.test", "scheduler", "view", "--site", "Zeta HQ")
		c.exits(1, "check", "jane@acme.test", "payroll", "view")
		c.queued("invitation", "jane@acme.test")
		c.changed("jane@acme.test", "created", "", "")
		c.auditIntact()
	},
}
