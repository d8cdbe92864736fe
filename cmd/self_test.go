package cmd_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/cmd"
	"github.com/gatehouse/gatehouse/store"
)

// effective and check without EMAIL are about oneself: the user signed in
// over SSH, or named by --as; the local operator has no self and is told
// to give an EMAIL.
func TestAboutOneself(t *testing.T) {
	g := newGH(t)
	g.places()
	g.employee("Bob", "Basic", "bob@example.com", "Basic", "North Depot")
	g.employee("Max", "Manager", "max@example.com", "Manager", "North Depot")

	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--as", "bob@example.com", "effective"}, 0, "Bob Basic <bob@example.com>: employee, invited"},
		{[]string{"--as", "bob@example.com", "check", "roster", "view"}, 0, "allowed: bob@example.com (Basic) has view on Roster"},
		{[]string{"--as", "bob@example.com", "check", "payroll", "view"}, 1, "denied: bob@example.com (Basic) has none on Payroll"},
		{[]string{"--as", "bob@example.com", "check", "roster", "view", "--site", "North Depot"}, 0, "North Depot is assigned to them"},
		{[]string{"--as", "max@example.com", "effective"}, 0, "Max Manager <max@example.com>"}, // anyone who is a user
		{[]string{"--as", "bob@example.com", "check", "bob@example.com", "roster"}, 2, "check needs EMAIL SCREEN LEVEL (got bob@example.com and roster)"},
		{[]string{"effective"}, 2, "the local operator has no user record: give an EMAIL, or act as a user with --as EMAIL"},
		{[]string{"check", "roster", "view"}, 2, "the local operator has no user record"},
	} {
		r := g.run(c.args...)
		if r.code != c.code || !strings.Contains(r.out+r.err, c.want) {
			t.Errorf("%v\nwant exit %d and %q", r, c.code, c.want)
		}
	}
	// the same over SSH (RunRemote), for a user who may ask only about themselves
	s, err := store.Open(g.db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	bob, err := s.ActorFor("bob@example.com")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"effective"}, 0, "Bob Basic <bob@example.com>"},
		{[]string{"--json", "effective"}, 0, `"email": "bob@example.com"`},
		{[]string{"check", "roster", "view"}, 0, "allowed: bob@example.com"},
		{[]string{"check", "payroll", "view"}, 1, "denied: bob@example.com"},
		{[]string{"effective", "max@example.com"}, 1, "may look up only themselves"},
	} {
		var out, errb bytes.Buffer
		code := cmd.RunRemote(cmd.Env{Store: s, Actor: &bob, Out: &out, Err: &errb}, c.args)
		if code != c.code || !strings.Contains(out.String()+errb.String(), c.want) {
			t.Errorf("%q over SSH as bob: exit %d\n%s%s\nwant exit %d and %q", c.args, code, out.String(), errb.String(), c.code, c.want)
		}
	}
}
