//go:build unix

package main

import (
	"slices"
	"testing"
)

// anaPassword is the password article 002 sets for Ana.
const anaPassword = "lantern orbit cactus"

// Help article 002, "Managing Users": switch between employees and client
// users, find a user, disable them, filter by status, read their history;
// then edit an employee — role, password, clients, default location — and
// make a client user an employee.
var article002 = article{
	name: "002-managing-users",
	seed: [][]string{
		{"clients", "add", "Acme"},
		{"clients", "add", "Zeta"},
		{"sites", "add", "North Depot", "--client", "Acme"},
		{"sites", "add", "South Yard", "--client", "Acme"},
		{"sites", "add", "Head Office"},
		{"sites", "add", "Zeta HQ", "--client", "Zeta"},
		{"users", "add", "--first", "Sam", "--last", "Lee", "--email", "sam@staff.test", "--type", "employee", "--profile", "User", "--site", "Head Office"},
		{"users", "add", "--first", "Ana", "--last", "Ruiz", "--email", "ana@staff.test", "--type", "employee", "--profile", "User",
			"--site", "North Depot", "--site", "South Yard"},
		{"users", "add", "--first", "Dana", "--last", "Lee", "--email", "dana@staff.test", "--type", "employee", "--profile", "Basic", "--site", "Head Office"},
		{"users", "add", "--first", "Omar", "--last", "Hand", "--email", "omar@staff.test", "--type", "employee", "--profile", "Basic", "--site", "Head Office"},
		{"users", "disable", "omar@staff.test"},
		{"users", "add", "--first", "Cal", "--last", "Client", "--email", "cal@acme.test", "--type", "client", "--client", "Acme",
			"--profile", "Client", "--site", "North Depot"},
		{"users", "add", "--first", "Cleo", "--last", "Zeta", "--email", "cleo@zeta.test", "--type", "client", "--client", "Zeta",
			"--profile", "Client", "--site", "Zeta HQ"},
	},
	// employees shown at first: Ada, Sam, Ana and Dana (Omar is disabled).
	// After esc the next key waits for what esc changed: a key within 50 ms
	// of it would read as alt and that key.
	steps: []step{
		{"switch between your employees and client user accounts", []action{
			press("1"), see(`Employees \(4\)`),
			press("t"), see(`Client users \(2\)`), see(`Cal Client`), see(`Cleo Zeta`),
			press("t"), see(`Everyone \(6\)`),
			press("t"), see(`Employees \(4\)`),
		}},
		{"find a user", []action{press("/"), typing("sam"), press("Enter"), see(`Employees \(1\)`), see(`›.*Sam Lee`)}},
		{"disable the user: they can no longer sign in", []action{
			press("d"), see(`Disable sam@staff\.test\?`), press("y"), see(`disable 1 user`), see(`Employees \(0\)`),
		}},
		{"filter users by their status: the disabled ones", []action{
			press("/", "Escape"), see(`Employees \(3\)`),
			pressUntil("s", `(?i)status\s+disabled\b`), see(`Employees \(2\)`), see(`Omar Hand`), see(`Sam Lee`),
		}},
		{"the page icon: the record has been modified", []action{pressUntil("Down", `›✎\s*Sam Lee`)}},
		{"view who made the change and what was modified", []action{
			press("h"), see(`\[4 History\]`), see(`user:sam@staff\.test`), see(`invited → disabled`),
			press("1"), see(`\[1 Users\]`),
		}},
		{"filter users by their status: active and invited again", []action{
			pressUntil("s", `(?i)status\s+active\+invit`), see(`Employees \(3\)`),
		}},
		{"editing an employee: find them", []action{
			press("/"), typing("ruiz"), press("Enter"), see(`Employees \(1\)`), see(`›.*Ana Ruiz`),
		}},
		{"assign the user's role", []action{
			press("p"), see(`Profile of ana@staff\.test`), see(`Administrator \(employee\)`), // every profile is offered
			pressUntil("Up", `> Basic`), press("Enter"), see(`profile Basic for 1 user`),
		}},
		{"set the user's password: a notice is sent", []action{
			press("P"), see(`Password of ana@staff\.test`),
			seeFocus("New password"), typing(anaPassword), press("Enter"),
			seeFocus("Again"), typing(anaPassword), press("Enter"),
			see(`set password of ana@staff\.test`),
		}},
		{"assign clients to the user", []action{
			// c opens Sites & teams at its clients: → assigns, ctrl+s saves
			press("c"), see(`\[2 Sites`), see(`Clients they see`), see(`›\s+Acme`),
			press("Right"), see(`\+ Acme`), press("C-s"), see(`clients of ana@staff\.test`),
			press("1"), see(`\[1 Users\]`),
		}},
		{"set the location for entering time: a default location", []action{
			press("e"), see(`Edit ana@staff\.test`),
			press("Enter", "Enter", "Enter"), // first and last name, email: as they are
			// the select shows its choice before it has the focus: a Down
			// or Enter sent sooner lands on the email field
			seeFocus("Default location"),
			pressUntil("Down", `> North Depot`), press("Enter"),
			see(`edit ana@staff\.test \(change set`), see(`Default\s+North Depot`),
		}},
		{"make a client user a full employee: a role other than Client", []action{
			press("/", "Escape"), see(`Employees \(3\)`),
			press("t"), see(`Client users \(2\)`),
			press("/"), typing("cal"), press("Enter"), see(`Client users \(1\)`), see(`›.*Cal Client`),
			press("p"), see(`Profile of cal@acme\.test`), pressUntil("Up", `> User \(employee\)`), press("Enter"),
			see(`profile User for 1 user`), see(`Client users \(0\)`),
		}},
	},
	check: func(t *testing.T, c checker) {
		var disabled []articleUser
		c.readJSON(&disabled, "users", "list", "--status", "disabled")
		var emails []string
		for _, u := range disabled {
			emails = append(emails, u.Email)
		}
		slices.Sort(emails)
		if !slices.Equal(emails, []string{"omar@staff.test", "sam@staff.test"}) {
			t.Errorf("the disabled users are %v, want omar and sam", emails)
		}
		c.changed("sam@staff.test", "status", "invited", "disabled")

		ana := c.user("ana@staff.test")
		if ana.Type != "employee" || ana.Profile != "Basic" {
			t.Errorf("ana is %s with profile %s, want an employee with profile Basic", ana.Type, ana.Profile)
		}
		if !slices.Equal(ana.Clients, []string{"Acme"}) {
			t.Errorf("ana's clients are %v, want Acme", ana.Clients)
		}
		if ana.DefaultSite != "North Depot" || !slices.Equal(ana.Sites, []string{"North Depot", "South Yard"}) {
			t.Errorf("ana's default location is %q and her sites %v, want North Depot of North Depot, South Yard", ana.DefaultSite, ana.Sites)
		}
		c.changed("ana@staff.test", "profile", "User", "Basic")
		c.changed("ana@staff.test", "password", "", "")
		c.queued("password-changed", "ana@staff.test")
		if c.srv != nil {
			c.signsIn("ana@staff.test", anaPassword)
		}

		if cal := c.user("cal@acme.test"); cal.Type != "employee" || cal.Profile != "User" {
			t.Errorf("cal is %s with profile %s, want an employee with profile User", cal.Type, cal.Profile)
		}
		for _, untouched := range []struct{ email, typ, profile, status string }{
			{"cleo@zeta.test", "client", "Client", "invited"},
			{"dana@staff.test", "employee", "Basic", "invited"},
		} {
			if u := c.user(untouched.email); u.Type != untouched.typ || u.Profile != untouched.profile || u.Status != untouched.status {
				t.Errorf("%s changed: %s, %s, %s", untouched.email, u.Type, u.Profile, u.Status)
			}
		}
		c.auditIntact()
	},
}
