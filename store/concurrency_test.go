package store

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// Readers run while change sets commit; with -race this finds shared state
// mutated after publication. Every read must see a whole change set.
func TestConcurrentReadersAndWriters(t *testing.T) {
	f := newFixture(t)
	users := addBulk(t, f, "conc", 50)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var reads, torn atomic.Int64
	for r := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				u := users[(int(reads.Add(1))+r)%len(users)]
				_ = f.s.Check(u.Email, "roster", View, "North Depot").Reason()
				if e, err := f.s.Effective(u.Email); err == nil {
					_ = e.Sites
				}
				// each writer change set moves all 50 users together: a
				// reader sees all of them at North Depot or none
				us, err := f.s.Users(UserFilter{Text: "conc"})
				if err != nil {
					continue
				}
				n := 0
				names := f.s.Names()
				for _, u := range us {
					for _, s := range names.Sites(u.SiteIDs) {
						if s == "North Depot" {
							n++
						}
					}
				}
				if n != 0 && n != len(us) {
					torn.Add(1)
				}
				_ = f.s.Profiles()
				_ = f.s.Settings()
			}
		}()
	}
	// the writers go on until both sides have done this much, however
	// slowly a busy machine runs them (the race detector's run commits a
	// few change sets in the 300 ms this test used to sleep)
	const wantCommits, wantReads = 30, 300
	var commits atomic.Int64
	var writers sync.WaitGroup
	for w := range 2 {
		writers.Add(1)
		go func() {
			defer writers.Done()
			for i := 0; commits.Load() < wantCommits || reads.Load() < wantReads; i++ {
				_, err := f.s.Apply(LocalActor(fmt.Sprintf("w%d", w)), "move", func(tx *Tx) error {
					add := f.s.Check(users[0].Email, "roster", View, "North Depot").Code == CodeSiteNotAssigned
					for _, u := range users {
						if err := tx.AssignSites(u.ID, 0, []string{"North Depot"}, nil, add); err != nil {
							return err
						}
						if _, err := tx.EditUser(u.ID, 0, UserPatch{First: ptr(fmt.Sprintf("W%d-%d", w, i))}); err != nil {
							return err
						}
					}
					return tx.Grant("Basic", 0, "leave", Level(i%2+1))
				})
				if err != nil {
					t.Errorf("writer %d: %v", w, err)
					return
				}
				commits.Add(1)
			}
		}()
	}
	writers.Wait()
	close(stop)
	wg.Wait()
	if commits.Load() < wantCommits || reads.Load() < wantReads {
		t.Fatalf("%d commits, %d reads", commits.Load(), reads.Load())
	}
	if torn.Load() > 0 {
		t.Errorf("%d reads saw a change set half applied", torn.Load())
	}
	if r, _ := f.s.VerifyAudit(); !r.OK {
		t.Errorf("audit: %v", r.Problems)
	}
}

// Two sign-ins with one token at once: exactly one wins.
func TestAcceptInvitationOnce(t *testing.T) {
	f := newFixture(t)
	cs := f.apply("invite", f.do(addUser(emp("Jane", "Doe", "jane@example.com", "Basic"))))
	var wg sync.WaitGroup
	errs := make([]error, 3)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = f.s.AcceptInvitation(cs.Tokens[0], fmt.Sprintf("password number %d", i))
		}()
	}
	wg.Wait()
	won := -1
	for i, err := range errs {
		if err == nil {
			if won >= 0 {
				t.Fatal("one token accepted twice")
			}
			won = i
		} else {
			checkErr(t, err, ErrRefused, "not valid")
		}
	}
	if won < 0 {
		t.Fatalf("no one accepted the token: %v", errs)
	}
	if u := f.user("jane@example.com"); !CheckPassword(u.PasswordHash, fmt.Sprintf("password number %d", won)) {
		t.Error("the stored password is not the winner's")
	}
}

// The user record codec round-trips and never panics on truncated input.
func TestUserCodec(t *testing.T) {
	f := newFixture(t)
	f.apply("fill", func(tx *Tx) error {
		id := f.user(emUser).ID
		if err := tx.AssignClients(id, 0, []string{"Acme", "Zeta"}, true); err != nil {
			return err
		}
		if err := tx.AssignSites(id, 0, []string{"Zeta HQ", "Head Office"}, []string{"Night"}, true); err != nil {
			return err
		}
		if _, err := tx.EditUser(id, 0, UserPatch{DefaultSite: ptr("Zeta HQ"), First: ptr("Ünïcode 日本")}); err != nil {
			return err
		}
		if err := tx.SetFeature(id, 0, FeatureMobileApp, Deny); err != nil {
			return err
		}
		return tx.SetPassword(id, 0, "long enough password")
	})
	u := f.user(emUser)
	b := encodeUser(u)
	got, err := decodeUser(b, nil)
	if err != nil {
		t.Fatal(err)
	}
	if enc := encodeUser(got); string(enc) != string(b) {
		t.Error("decode then encode differs")
	}
	if got.Name() != u.Name() || got.Email != u.Email || !slices.Equal(got.SiteIDs, u.SiteIDs) || len(got.ClientIDs) != 2 || !slices.Equal(got.ClientIDs, u.ClientIDs) || len(got.TeamIDs) != 1 ||
		got.Features != u.Features || got.PasswordHash != u.PasswordHash || !got.Updated.Equal(u.Updated) || got.DefaultSiteID != u.DefaultSiteID {
		t.Errorf("round trip: %+v\nwant %+v", got, u)
	}
	// appending to one id list must not overwrite another
	got.SiteIDs = append(got.SiteIDs, 99)
	if got.TeamIDs[0] != u.TeamIDs[0] {
		t.Error("id lists share storage")
	}
	for n := range len(b) {
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Fatalf("decode of %d of %d bytes panics: %v", n, len(b), r)
				}
			}()
			if _, err := decodeUser(b[:n], map[string]string{}); err == nil {
				t.Errorf("decode of %d of %d bytes succeeds", n, len(b))
			}
		}()
	}
	if _, err := decodeUser(append([]byte{9}, b[1:]...), nil); err == nil || !strings.Contains(err.Error(), "corrupt") {
		t.Errorf("unknown codec version: %v", err)
	}
}
