package store

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// DemoOptions size the demo data.
type DemoOptions struct {
	Users    int    // default 200
	Seed     uint64 // default 1: the same data every time
	Progress func(done, total int)
}

// DemoResult counts what Demo created.
type DemoResult struct {
	Clients, Sites, Teams, Users int
}

var (
	demoClients = []string{"Acme Logistics", "Brightwater Health", "Civic Arena", "Delta Foods", "Evergreen Care",
		"Fairway Events", "Granite Bank", "Harbour Ports", "Ironclad Storage", "Juniper Schools", "Kestrel Air",
		"Lumen Retail", "Meridian Hotels", "Northwind Energy", "Orchard Homes", "Pinnacle Towers", "Quarry Works",
		"Riverside Council", "Summit Labs", "Tidewater Mall", "Union Rail", "Vista Museums", "Westfield Depot",
		"Yarrow Farms", "Zenith Offices"}
	demoPlaces = []string{"North Depot", "South Yard", "East Gate", "West Wing", "Central", "Harbour Gate",
		"Main Office", "Riverside", "Airport", "Station", "Warehouse 2", "Night Market"}
	demoFirst = []string{"Ava", "Ben", "Chloe", "Daniel", "Ella", "Finn", "Grace", "Hugo", "Isla", "Jack", "Kira",
		"Liam", "Maya", "Noah", "Olivia", "Priya", "Quinn", "Rosa", "Sam", "Tariq", "Uma", "Victor", "Wen", "Xavier",
		"Yusuf", "Zoe", "Amir", "Bella", "Carlos", "Dana", "Emeka", "Fatima", "Gus", "Hana", "Ivan", "Jade"}
	demoLast = []string{"Adams", "Baker", "Chen", "Diaz", "Evans", "Fischer", "Garcia", "Hughes", "Ibrahim", "Jones",
		"Kim", "Lopez", "Murphy", "Nguyen", "O'Brien", "Patel", "Quinn", "Rossi", "Singh", "Taylor", "Usman", "Varga",
		"Walsh", "Xu", "Young", "Zimmer", "Ahmed", "Brown", "Costa", "Dubois", "Eriksen", "Novak", "Okafor", "Silva"}
)

const demoChunk = 10000

// Demo fills an empty database with realistic clients, sites, teams and
// users, through the same rules as every other change, in change sets of
// 10,000 users. Most users start active (as if they had accepted their
// invitation); about one in eight is still invited and has an invitation in the
// outbox; a few are disabled.
func (s *Store) Demo(actor Actor, o DemoOptions) (DemoResult, error) {
	var r DemoResult
	if o.Users <= 0 {
		o.Users = 200
	}
	if o.Users > 1_000_000 {
		return r, badInput("demo makes at most 1,000,000 users")
	}
	if o.Seed == 0 {
		o.Seed = 1
	}
	if n := s.UserCount(); n > 0 {
		return r, with(refused("the database already has %d users; demo data goes into a new database", n), Ref{}, Fix{Do: FixNewDatabase})
	}
	rng := rand.New(rand.NewPCG(o.Seed, o.Seed^0x9e3779b97f4a7c15))
	nClients := min(len(demoClients), max(3, o.Users/2000))
	var siteNames []string
	siteClient := map[string]string{}
	_, err := s.Apply(actor, "demo: clients, sites and teams", func(t *Tx) error {
		for i := 0; i < nClients; i++ {
			cl, err := t.AddClient(demoClients[i])
			if err != nil {
				return err
			}
			r.Clients++
			short := strings.Fields(cl.Name)[0]
			for j := 0; j < 3+i%4; j++ {
				name := short + " " + demoPlaces[(i+j)%len(demoPlaces)]
				if _, err := t.AddSite(name, cl.Name); err != nil {
					return err
				}
				siteNames = append(siteNames, name)
				siteClient[name] = cl.Name
			}
		}
		for _, name := range []string{"North Depot", "South Yard", "Head Office"} {
			if _, err := t.AddSite(name, ""); err != nil {
				return err
			}
			siteNames = append(siteNames, name)
		}
		for _, site := range siteNames {
			for _, team := range []string{"Day", "Night"} {
				if _, err := t.AddTeam(team, site); err != nil {
					return err
				}
				r.Teams++
			}
		}
		r.Sites = len(siteNames)
		return nil
	})
	if err != nil {
		return r, err
	}
	byClient := map[string][]string{}
	var ownSites []string
	for _, site := range siteNames {
		if c := siteClient[site]; c != "" {
			byClient[c] = append(byClient[c], site)
		} else {
			ownSites = append(ownSites, site)
		}
	}
	clients := demoClients[:nClients]
	pick := func(list []string) string { return list[rng.IntN(len(list))] }
	for done := 0; done < o.Users; {
		n := min(demoChunk, o.Users-done)
		_, err := s.Apply(actor, fmt.Sprintf("demo: users %d-%d", done+1, done+n), func(t *Tx) error {
			for i := done; i < done+n; i++ {
				first, last := pick(demoFirst), pick(demoLast)
				nu := NewUser{First: first, Last: last, Type: Employee}
				status := Active
				switch x := rng.IntN(100); {
				case x < 12:
					status = Invited
				case x < 18:
					status = Disabled
				}
				domain := "staff.example.com"
				switch x := rng.IntN(1000); {
				case i == 0 || x < 2:
					nu.Profile = "Administrator"
				case x < 35:
					nu.Profile = "Manager"
				case x < 100:
					nu.Profile = "Supervisor"
				case x < 560:
					nu.Profile = "User"
				case x < 880:
					nu.Profile = "Basic"
				default:
					nu.Type, nu.Profile = ClientUser, "Client"
				}
				if nu.Type == ClientUser {
					c := pick(clients)
					nu.Clients = []string{c}
					nu.Sites = []string{pick(byClient[c])}
					domain = strings.ToLower(strings.Fields(c)[0]) + ".example.com"
				} else if nu.Profile != "Administrator" {
					nu.Sites = []string{pick(siteNames)}
					if rng.IntN(3) == 0 {
						nu.Sites = append(nu.Sites, pick(ownSites))
					}
					if rng.IntN(4) == 0 {
						nu.Teams = []string{nu.Sites[0] + "/" + pick([]string{"Day", "Night"})}
					}
					if (nu.Profile == "User" || nu.Profile == "Basic") && rng.IntN(5) == 0 {
						nu.Clients = []string{pick(clients)}
					}
					nu.DefaultSite = nu.Sites[0]
				}
				nu.Email = fmt.Sprintf("%s.%s.%d@%s", strings.ToLower(first), strings.ToLower(strings.ReplaceAll(last, "'", "")), i+1, domain)
				u, err := t.addUser(nu, status)
				if err != nil {
					return err
				}
				if u.Type == Employee && rng.IntN(20) == 0 {
					c := u.clone()
					c.Features[FeatureAdhocClockIn] = Allow
					if err := t.putUser(c); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			return r, err
		}
		done += n
		r.Users = done
		if o.Progress != nil {
			o.Progress(done, o.Users)
		}
	}
	return r, nil
}
