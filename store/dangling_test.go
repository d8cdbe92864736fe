package store

import (
	"runtime/debug"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// A user record naming a profile, site, team or client that is not there
// (a damaged file: a flipped byte that still decodes) loses that name in
// what is read, never the process: check, effective and the reads a
// console makes do not panic.
func TestRecordsNamingWhatIsGoneDoNotCrash(t *testing.T) {
	skipOnEtcd(t, "it writes the file by hand")
	for _, c := range []struct {
		name string
		edit func(u *User)
	}{
		{"profile", func(u *User) { u.ProfileID = 99 }},
		{"site", func(u *User) { u.SiteIDs = append(u.SiteIDs, 99) }},
		{"team", func(u *User) { u.TeamIDs = append(u.TeamIDs, 99) }},
		{"client", func(u *User) { u.ClientIDs = append(u.ClientIDs, 99) }},
		{"default", func(u *User) { u.DefaultSiteID = 99 }},
		{"expiry", func(u *User) {
			u.Expiries = append(u.Expiries, Expiry{Grant: GrantProfile, ID: 99, Back: 98, At: time.Now().Add(-time.Hour)})
		}},
		{"expiry-site", func(u *User) {
			u.Expiries = append(u.Expiries, Expiry{Grant: GrantSite, ID: 99, At: time.Now().Add(-time.Hour)})
		}},
		{"expiry-future", func(u *User) {
			u.Expiries = append(u.Expiries, Expiry{Grant: GrantProfile, ID: 99, Back: 98, At: time.Now().Add(time.Hour)})
		}},
	} {
		f := newFixture(t)
		path := f.path
		f.s.Close()
		f.s = nil
		db, err := bolt.Open(path, 0o600, nil)
		if err != nil {
			t.Fatal(err)
		}
		db.Update(func(tx *bolt.Tx) error {
			b := tx.Bucket(bucketUsers)
			var ks [][]byte
			b.ForEach(func(k, v []byte) error { ks = append(ks, append([]byte(nil), k...)); return nil })
			for _, k := range ks {
				u, err := decodeUser(b.Get(k), nil)
				if err != nil {
					t.Fatal(err)
				}
				c.edit(u)
				b.Put(k, encodeUser(u))
			}
			return nil
		})
		db.Close()
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Errorf("%s: panic %v\n%s", c.name, r, debug.Stack())
				}
			}()
			s, err := Open(path, Options{})
			if err != nil {
				t.Logf("%s: open refused: %v", c.name, err)
				return
			}
			defer s.Close()
			us, _ := s.Users(UserFilter{})
			s.VerifyAudit()
			s.Export()
			s.Clients()
			s.Sites()
			s.Teams()
			s.Profiles()
			for _, u := range us {
				s.Check(u.Email, "roster", View, "North Depot")
				s.EffectiveByID(u.ID)
			}
			t.Logf("%s: opened, %d users", c.name, len(us))
		}()
	}
}
