package store

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// The crash campaign for the change sets of whole lives and ends: a child
// gives every employee a site that ends a moment later, lets the store take
// it back, ends a client's contract and undoes that, over and over; the
// parent kills it at random moments. After each kill, and the open that
// follows it (which takes back what ended meanwhile), nothing is torn: the
// contract is ended for all of its people or for none, and the site that
// ends is held by every employee or by none.

const (
	crashLifeEnv    = "GATEHOUSE_CRASH_LIFE_DB"
	crashLifeUsers  = 400 // employees; as many client users
	crashLifeRounds = 6   // in go test ./...; 60 with GATEHOUSE_CAMPAIGN=long
)

func TestCrashLifecycleChild(t *testing.T) {
	path := os.Getenv(crashLifeEnv)
	if path == "" {
		t.Skip("the child of TestCrashSafetyOfEndsAndContracts")
	}
	s, err := Open(path, Options{Timeout: 5 * time.Second})
	if err != nil {
		fmt.Println("error open:", err)
		os.Exit(3)
	}
	emps, _ := s.Users(UserFilter{Type: ptr(Employee)})
	fmt.Println("ready", 0)
	for i := 1; ; i++ {
		var err error
		switch i % 4 {
		case 1: // a site for every employee, ending in a moment
			until := time.Now().Add(30 * time.Millisecond)
			_, err = s.Apply(LocalActor("crash"), "ends", func(tx *Tx) error {
				for _, u := range emps {
					if err := tx.AssignSitesUntil(u.ID, 0, []string{"Pop-up"}, nil, until); err != nil {
						return err
					}
				}
				return nil
			})
			for time.Now().Before(until) {
				time.Sleep(5 * time.Millisecond)
			}
		case 2: // taken back, as the timer would (it may have already)
			_, err = s.ExpireDue()
		case 3:
			_, err = s.Apply(LocalActor("crash"), "contract end", func(tx *Tx) error { return tx.RetireClient("Crash Co") })
		case 0:
			var b []Batch
			if b, err = s.Batches(1); err == nil && len(b) == 1 && b[0].Summary == "contract end" {
				_, err = s.Undo(LocalActor("crash"), b[0].ID)
			}
		}
		if err != nil {
			fmt.Println("error apply:", err)
			os.Exit(4)
		}
		fmt.Println("commit", i)
	}
}

func TestCrashSafetyOfEndsAndContracts(t *testing.T) {
	if testing.Short() {
		t.Skip("kills child processes; skipped with -short")
	}
	path := filepath.Join(t.TempDir(), "crash-life.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Apply(LocalActor("test"), "setup", func(tx *Tx) error {
		if _, err := tx.AddClient("Crash Co"); err != nil {
			return err
		}
		if _, err := tx.AddSite("Crash Depot", "Crash Co"); err != nil {
			return err
		}
		if _, err := tx.AddSite("Pop-up", ""); err != nil {
			return err
		}
		for i := range crashLifeUsers {
			if _, err := tx.AddUser(NewUser{First: "Emp", Last: fmt.Sprintf("Loyee %04d", i), Email: fmt.Sprintf("emp%04d@example.com", i), Type: Employee, Profile: "Basic", Clients: []string{"Crash Co"}}); err != nil {
				return err
			}
			if _, err := tx.AddUser(NewUser{First: "Con", Last: fmt.Sprintf("Tact %04d", i), Email: fmt.Sprintf("contact%04d@crash.example", i), Type: ClientUser, Profile: "Client", Clients: []string{"Crash Co"}, Sites: []string{"Crash Depot"}}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, seed>>1))
	// package store cannot import internal/proof (it imports store), so
	// this reads its switch itself
	commits, rounds, mode := 0, crashLifeRounds, "short"
	if os.Getenv("GATEHOUSE_CAMPAIGN") == "long" {
		rounds, mode = 60, "long"
	}
	start := time.Now()
	for round := range rounds {
		n, stderr := crashRound(t, "TestCrashLifecycleChild", crashLifeEnv, path, round, 100+rng.IntN(600), round == rounds-1 && commits == 0)
		commits += n
		crashLifeVerify(t, path, round, stderr)
	}
	if commits == 0 {
		t.Fatal("no child ever committed: the test proved nothing")
	}
	t.Logf("FIGURE crash        [%s] ends and contracts: %d kills, %d change sets of expiry runs and contract ends (with their undo) committed, torn states found: 0 (must be 0), %s (seed %d)", mode, rounds, commits, time.Since(start).Round(time.Second), seed)
}

func crashLifeVerify(t *testing.T, path string, round int, stderr string) {
	t.Helper()
	// what had ended before the open is taken back by it; what ends while
	// it opens (the child killed within the 30 ms of an end) is the
	// timer's to take back, not the open's
	opened := time.Now()
	s, err := Open(path, Options{Timeout: 2 * time.Second})
	if err != nil {
		t.Fatalf("round %d: reopen after kill: %v\n%s", round, err, stderr)
	}
	defer s.Close()
	if r, err := s.VerifyAudit(); err != nil || !r.OK {
		t.Fatalf("round %d: audit after kill: %v %v", round, err, r.Problems)
	}
	now := opened
	users, _ := s.Users(UserFilter{})
	var contactsOff, contactsOn, empsWithClient, empsWithout, popUp, popUpEnded int
	var site *Site
	for _, st := range s.AllSites() {
		if st.Name == "Crash Depot" {
			site = st
		}
	}
	for _, u := range users {
		if u.Type == ClientUser {
			if u.Disabled && len(u.SiteIDs) == 0 {
				contactsOff++
			} else if !u.Disabled && len(u.SiteIDs) == 1 {
				contactsOn++
			}
			continue
		}
		if len(u.ClientIDs) == 1 {
			empsWithClient++
		} else {
			empsWithout++
		}
		if len(u.SiteIDs) == 1 {
			popUp++
			if at := u.Until(GrantSite, u.SiteIDs[0]); !at.After(now) {
				popUpEnded++
			}
		}
	}
	n := crashLifeUsers
	ended := site.IsRetired()
	switch {
	case ended && (contactsOff != n || empsWithout != n):
		t.Fatalf("round %d: a torn contract end: site retired, %d of %d contacts off, %d of %d employees without the client", round, contactsOff, n, empsWithout, n)
	case !ended && (contactsOn != n || empsWithClient != n):
		t.Fatalf("round %d: a torn contract undo: site in use, %d of %d contacts on, %d of %d employees with the client", round, contactsOn, n, empsWithClient, n)
	case popUp != 0 && popUp != n:
		t.Fatalf("round %d: a torn grant or expiry: %d of %d employees hold the pop-up site", round, popUp, n)
	case popUpEnded != 0:
		t.Fatalf("round %d: after the open, %d employees still hold a site whose end has passed", round, popUpEnded)
	}
}
