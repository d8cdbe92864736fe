package store

import (
	"runtime"
	"testing"
)

// BenchmarkWhoCan answers who-can on the 100,000-user demo database (target
// ≤ 50 ms): the widest question (roster, view, anywhere: most users), one
// site, one client's sites, the narrowest (payroll, maintain), and the
// widest again as a scoped Manager (Visible weighed for every user).
func BenchmarkWhoCan(b *testing.B) {
	s, err := Open(benchDB(b), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	var manager *User
	s.EachUser(func(u *User) {
		if manager == nil && !u.Disabled && u.ProfileID == 2 && len(u.SiteIDs) > 1 {
			manager = u
		}
	})
	reader, err := s.ActorFor(manager.Email)
	if err != nil {
		b.Fatal(err)
	}
	local := LocalActor("bench")
	for _, c := range []struct {
		name  string
		actor Actor
		q     WhoCanQuery
		min   int
	}{
		{"anywhere", local, WhoCanQuery{Screen: "roster", Level: View}, 80_000},
		{"site", local, WhoCanQuery{Screen: "scheduler", Level: View, Site: "North Depot"}, 1_000},
		{"client", local, WhoCanQuery{Screen: "roster", Level: View, Client: "Acme Logistics"}, 1_000},
		{"narrow", local, WhoCanQuery{Screen: "payroll", Level: Maintain}, 100},
		{"scoped-reader", reader, WhoCanQuery{Screen: "roster", Level: View}, 100},
	} {
		b.Run(c.name, func(b *testing.B) {
			runtime.GC()
			b.ReportAllocs()
			n := 0
			for b.Loop() {
				w, err := s.WhoCan(c.actor, c.q)
				if err != nil {
					b.Fatal(err)
				}
				n = len(w.Rows)
			}
			if n < c.min {
				b.Fatalf("%d users pass, expected at least %d: the data or who-can is wrong", n, c.min)
			}
			b.ReportMetric(float64(n), "users")
		})
	}
}
