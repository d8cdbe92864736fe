package cmd

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/gatehouse/gatehouse/store"
)

// who-can and check agree through the command line too: for every user of
// the demo data, 'check EMAIL SCREEN LEVEL [--site S]' exits 0 exactly for
// those 'who-can SCREEN LEVEL [--site S]' lists, and with --client C for
// those whom check allows at one or more of C's sites (the sites who-can
// names for them).
func TestWhoCanAgreesWithCheckCommand(t *testing.T) {
	t.Parallel()
	st, err := store.Open(filepath.Join(t.TempDir(), "gatehouse.db"), store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Demo(store.LocalActor("test"), store.DemoOptions{Users: 120}); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) (string, int) {
		var out, errb bytes.Buffer
		code := Run(Env{Store: st, Out: &out, Err: &errb}, args)
		if code == ExitUsage {
			t.Fatalf("%q: %s", args, errb.String())
		}
		return out.String(), code
	}
	users, err := st.Users(store.UserFilter{})
	if err != nil {
		t.Fatal(err)
	}
	sites := map[string][]string{} // client → its sites
	for _, s := range st.Sites() {
		if s.ClientID != 0 {
			name := st.Names().Client(s.ClientID)
			sites[name] = append(sites[name], s.Name)
		}
	}
	listed := func(args ...string) map[string][]store.WhoCanAt {
		out, code := run(append([]string{"--json", "who-can"}, args...)...)
		var v whoCanView
		if err := json.Unmarshal([]byte(out), &v); code != 0 || err != nil {
			t.Fatalf("who-can %q: exit %d, %v\n%s", args, code, err, out)
		}
		m := map[string][]store.WhoCanAt{}
		for _, u := range v.Users {
			m[u.Email] = u.At
		}
		return m
	}
	allowed := func(email, screen, level, site string) bool {
		args := []string{"check", email, screen, level}
		if site != "" {
			args = append(args, "--site", site)
		}
		_, code := run(args...)
		return code == ExitOK
	}
	passes, fails := 0, 0
	for _, q := range [][3]string{{"roster", "view", ""}, {"scheduler", "maintain", "North Depot"}, {"timesheets", "view", "Acme East Gate"}, {"payroll", "view", ""}} {
		args := []string{q[0], q[1]}
		if q[2] != "" {
			args = append(args, "--site", q[2])
		}
		who := listed(args...)
		for _, u := range users {
			_, in := who[u.Email]
			if ok := allowed(u.Email, q[0], q[1], q[2]); ok != in {
				t.Errorf("%s %v: check allows %v, who-can lists %v", u.Email, q, ok, in)
			} else if ok {
				passes++
			} else {
				fails++
			}
		}
	}
	for _, client := range []string{"Acme Logistics", "Civic Arena"} {
		who := listed("timesheets", "view", "--client", client)
		for _, u := range users {
			var at []string
			for _, s := range sites[client] {
				if allowed(u.Email, "timesheets", "view", s) {
					at = append(at, s)
				}
			}
			named, in := who[u.Email]
			if in != (len(at) > 0) {
				t.Errorf("%s, timesheets view for %s: check allows at %v, who-can lists %v", u.Email, client, at, in)
			}
			if in && len(named) > 0 && len(named) != len(at) {
				t.Errorf("%s, timesheets view for %s: check allows at %v, who-can names %v", u.Email, client, at, named)
			}
		}
	}
	if passes == 0 || fails == 0 {
		t.Fatalf("%d allowed, %d denied: the questions show nothing", passes, fails)
	}
}

// who-can's JSON, written user by user, is what printJSON writes of the
// whole answer (and of no one).
func TestWhoCanJSONIsPrintJSON(t *testing.T) {
	t.Parallel()
	st, err := store.Open(filepath.Join(t.TempDir(), "gatehouse.db"), store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Demo(store.LocalActor("test"), store.DemoOptions{Users: 60}); err != nil {
		t.Fatal(err)
	}
	empty, err := store.Open(filepath.Join(t.TempDir(), "empty.db"), store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer empty.Close()
	for _, q := range []struct {
		s *store.Store
		store.WhoCanQuery
	}{
		{st, store.WhoCanQuery{Screen: "roster", Level: store.View, Client: "Acme Logistics"}},
		{st, store.WhoCanQuery{Screen: "payroll", Level: store.View, Site: "North Depot"}},
		{empty, store.WhoCanQuery{Screen: "setup", Level: store.Maintain}},
	} {
		w, err := q.s.WhoCan(store.LocalActor("test"), q.WhoCanQuery)
		if err != nil {
			t.Fatal(err)
		}
		var streamed, whole bytes.Buffer
		if err := (&app{env: Env{Out: &streamed}}).whoCanJSON(w); err != nil {
			t.Fatal(err)
		}
		v := whoCanView{Screen: w.Screen, Title: w.ScreenTitle, Level: w.Level.String(), Site: w.Site, Client: w.Client,
			ClientSites: nonNil(w.ClientSites), Partial: w.Partial, Users: []whoCanRowView{}}
		for i := range w.Rows {
			v.Users = append(v.Users, viewWhoCanRow(w, &w.Rows[i]))
		}
		if err := (&app{env: Env{Out: &whole}}).printJSON(v); err != nil {
			t.Fatal(err)
		}
		if streamed.String() != whole.String() {
			t.Fatalf("%+v: streamed\n%s\nwhole\n%s", q.WhoCanQuery, streamed.String(), whole.String())
		}
	}
}
