package bench

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"

	"github.com/gatehouse/gatehouse/store"
)

// Checks side by side with Casbin's RBAC with domains (a role per profile,
// the domain is the site), loaded with the same users, profiles and site
// assignments as the gatehouse demo database.
//
// Two Casbin encodings:
//
//   - casbin (wildcard): the permissions of a profile do not depend on the
//     site, so each is one policy with domain "*"; a user holds their
//     profile in each site they reach, and a profile scoped to all sites is
//     held in domain "*". The matcher asks g() for the request's site or "*".
//     The fewest policies, so the fastest honest Casbin model.
//   - casbin (per-site): Casbin's documented RBAC-with-domains model, where
//     the domain must match on both sides: every profile's permissions are
//     repeated in every site, and an all-sites user holds the profile in
//     every site.
//
// In both, the cheap comparisons come before g() in the matcher, so Casbin
// calls the role manager only for the policies of the requested screen and
// action. "maintain implies view" is encoded as two policies (view and
// maintain) for a maintain level. What gatehouse derives at check time is
// flattened into groupings: sites reached through a team are granted
// directly, and a client-restricted employee (User, Basic) assigned clients
// gets only the sites of those clients; disabled users get no grouping.

const casbinWildcardModel = `
[request_definition]
r = sub, dom, obj, act

[policy_definition]
p = sub, dom, obj, act

[role_definition]
g = _, _, _

[policy_effect]
e = some(where (p.eft == allow))

[matchers]
m = r.obj == p.obj && r.act == p.act && (g(r.sub, p.sub, r.dom) || g(r.sub, p.sub, "*"))
`

const casbinPerSiteModel = `
[request_definition]
r = sub, dom, obj, act

[policy_definition]
p = sub, dom, obj, act

[role_definition]
g = _, _, _

[policy_effect]
e = some(where (p.eft == allow))

[matchers]
m = r.dom == p.dom && r.obj == p.obj && r.act == p.act && g(r.sub, p.sub, r.dom)
`

type casbinVariant struct {
	name    string
	model   string
	perSite bool
}

var casbinVariants = []casbinVariant{
	{"casbin", casbinWildcardModel, false},
	{"casbin-per-site", casbinPerSiteModel, true},
}

var acts = [...]string{store.View: "view", store.Maintain: "maintain"}

// casbinRules turns the store's profiles and users into Casbin policies (p)
// and groupings (g).
func casbinRules(s *store.Store, perSite bool) (policies, groupings [][]string) {
	var siteNames []string
	for _, st := range s.Sites() {
		siteNames = append(siteNames, st.Name)
	}
	doms := []string{"*"}
	if perSite {
		doms = siteNames
	}
	profiles := map[uint64]*store.Profile{}
	for _, p := range s.Profiles() {
		profiles[p.ID] = p
		for _, sc := range s.Screens() {
			l := p.Levels[sc.Key]
			for lv := store.View; lv <= l && lv <= store.Maintain; lv++ {
				for _, d := range doms {
					policies = append(policies, []string{p.Name, d, sc.Key, acts[lv]})
				}
			}
		}
	}
	names := s.Names()
	us, _ := s.Users(store.UserFilter{})
	for _, u := range us {
		p := profiles[u.ProfileID]
		if u.Disabled || p == nil {
			continue
		}
		if p.Scope == store.ScopeAll {
			if perSite {
				for _, d := range siteNames {
					groupings = append(groupings, []string{u.Email, p.Name, d})
				}
			} else {
				groupings = append(groupings, []string{u.Email, p.Name, "*"})
			}
			continue
		}
		reach := slices.Clone(u.SiteIDs)
		for _, t := range u.TeamIDs {
			if sid := names.TeamSite(t); sid != 0 && !slices.Contains(reach, sid) {
				reach = append(reach, sid)
			}
		}
		restricted := u.Type == store.Employee && p.ClientRestricted && len(u.ClientIDs) > 0
		for _, sid := range reach {
			if restricted && !slices.Contains(u.ClientIDs, names.SiteClient(sid)) {
				continue
			}
			groupings = append(groupings, []string{u.Email, p.Name, names.Site(sid)})
		}
	}
	return policies, groupings
}

func newCasbin(tb testing.TB, text string, policies, groupings [][]string) *casbin.Enforcer {
	m, err := model.NewModelFromString(text)
	if err != nil {
		tb.Fatal(err)
	}
	e, err := casbin.NewEnforcer(m)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := e.AddPolicies(policies); err != nil {
		tb.Fatal(err)
	}
	if _, err := e.AddGroupingPolicies(groupings); err != nil {
		tb.Fatal(err)
	}
	return e
}

type checkQuery struct {
	email, screen, site, act string
	level                    store.Level
}

// checkQueries are random user × screen × level × site questions (every
// one names a site: a check "anywhere" has no Casbin counterpart). Half ask
// about a site the user is assigned (directly or through a team), so the
// answers are not nearly all "no": a random site of 114 rarely is; and half
// ask about a screen the user's profile holds at least at view.
func checkQueries(s *store.Store, n int, seed uint64) []checkQuery {
	us, _ := s.Users(store.UserFilter{})
	sites := s.Sites()
	screens := s.Screens()
	names := s.Names()
	heldScreens := map[uint64][]string{}
	for _, p := range s.Profiles() {
		for _, sc := range screens {
			if p.Levels[sc.Key] >= store.View {
				heldScreens[p.ID] = append(heldScreens[p.ID], sc.Key)
			}
		}
	}
	rng := rand.New(rand.NewPCG(seed, seed))
	qs := make([]checkQuery, n)
	for i := range qs {
		l := store.Level(1 + rng.IntN(2))
		u := us[rng.IntN(len(us))]
		site := sites[rng.IntN(len(sites))].Name
		if own := len(u.SiteIDs) + len(u.TeamIDs); own > 0 && rng.IntN(2) == 0 {
			if k := rng.IntN(own); k < len(u.SiteIDs) {
				site = names.Site(u.SiteIDs[k])
			} else {
				site = names.Site(names.TeamSite(u.TeamIDs[k-len(u.SiteIDs)]))
			}
		}
		screen := screens[rng.IntN(len(screens))].Key
		if held := heldScreens[u.ProfileID]; len(held) > 0 && rng.IntN(2) == 0 {
			screen = held[rng.IntN(len(held))]
		}
		qs[i] = checkQuery{email: u.Email, screen: screen, site: site, level: l, act: acts[l]}
	}
	return qs
}

// BenchmarkCheck: one check, gatehouse's s.Check against Casbin's Enforce,
// on the same random queries, at 1k, 10k and 100k users.
func BenchmarkCheck(b *testing.B) {
	for _, n := range sizes {
		s := readStore(b, n)
		qs := checkQueries(s, 4096, 7)
		b.Run("users="+sizeName(n)+"/gatehouse", func(b *testing.B) {
			allowed := 0
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				x := &qs[i&4095]
				if s.Check(x.email, x.screen, x.level, x.site).Allowed {
					allowed++
				}
			}
			if allowed == 0 {
				b.Fatal("nothing allowed")
			}
		})
		for _, v := range casbinVariants {
			p, g := casbinRules(s, v.perSite)
			e := newCasbin(b, v.model, p, g)
			b.Run("users="+sizeName(n)+"/"+v.name, func(b *testing.B) {
				allowed := 0
				b.ReportAllocs()
				for i := 0; b.Loop(); i++ {
					x := &qs[i&4095]
					ok, err := e.Enforce(x.email, x.site, x.screen, x.act)
					if err != nil {
						b.Fatal(err)
					}
					if ok {
						allowed++
					}
				}
				if allowed == 0 {
					b.Fatal("nothing allowed")
				}
			})
		}
	}
}

// BenchmarkLoad: what it takes before the first check. gatehouse opens the
// database file (bbolt, every user decoded, the check index built);
// Casbin builds an enforcer and adds every policy and grouping from memory
// (the rules already built, as if read by an adapter for free).
func BenchmarkLoad(b *testing.B) {
	for _, n := range sizes {
		path := demoDB(b, n)
		b.Run("users="+sizeName(n)+"/gatehouse-open", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				s, err := store.Open(path, store.Options{})
				if err != nil {
					b.Fatal(err)
				}
				if s.UserCount() != n {
					b.Fatalf("%d users", s.UserCount())
				}
				s.Close()
			}
		})
		for _, v := range casbinVariants {
			p, g := casbinRules(readStore(b, n), v.perSite)
			b.Run("users="+sizeName(n)+"/"+v.name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					newCasbin(b, v.model, p, g)
				}
				b.ReportMetric(float64(len(p)), "policies")
				b.ReportMetric(float64(len(g)), "groupings")
			})
		}
	}
}

// TestCasbinAgreement asks gatehouse and both Casbin models the same 10,000
// random questions at each size (1,000 for the per-site model at 100k
// users, where each takes ~10 ms) and counts the answers that agree.
func TestCasbinAgreement(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the 100k database")
	}
	for _, n := range sizes {
		s := readStore(t, n)
		for _, v := range casbinVariants {
			// Casbin's per-site model takes ~10 ms a check at 100k users
			nq := 10_000
			if v.perSite && n >= 100_000 {
				nq = 1_000
			}
			qs := checkQueries(s, nq, 11)
			p, g := casbinRules(s, v.perSite)
			e := newCasbin(t, v.model, p, g)
			agree, allowed, shown := 0, 0, 0
			start := time.Now()
			for _, q := range qs {
				d := s.Check(q.email, q.screen, q.level, q.site)
				ok, err := e.Enforce(q.email, q.site, q.screen, q.act)
				if err != nil {
					t.Fatal(err)
				}
				if ok == d.Allowed {
					agree++
				} else if shown++; shown <= 5 {
					t.Errorf("users=%s %s: %s %s %s at %s: gatehouse %v (%s), casbin %v",
						sizeName(n), v.name, q.email, q.act, q.screen, q.site, d.Allowed, d.Reason(), ok)
				}
				if d.Allowed {
					allowed++
				}
			}
			t.Logf("users=%s %s: %d of %d answers agree (%d allowed by gatehouse); %d policies, %d groupings (%s)",
				sizeName(n), v.name, agree, len(qs), allowed, len(p), len(g), time.Since(start).Round(time.Millisecond))
		}
	}
}
