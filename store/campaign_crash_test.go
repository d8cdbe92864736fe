package store_test

import (
	"bufio"
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/proof"
	"github.com/gatehouse/gatehouse/store"
)

// The crash campaign: a child process (this test binary again) applies
// change sets of one kind as fast as it can — bulk edits of every user, CSV
// imports, invitation acceptances — on a synced database, and is killed with
// SIGKILL at a random moment. After each kill the file is reopened, its audit
// chain verified, and every change set checked to be all there or not at
// all, through markers each kind leaves:
//
//   - bulk: change set i adds client "bulk-i" and gives (odd i) or takes
//     (even i) site Depot to every one of the bulk users: after m of them the
//     markers are bulk-1..m and either all or none hold Depot, by m's parity;
//     batch i has one entry per user plus the marker.
//   - csv: import i adds crashCSVRows users csv<i>-<j>: a group is whole or
//     absent, each user with an invitation and its outbox message, and the
//     batch has two entries per user.
//   - accept: a csv user accepting their invitation is, all at once or not
//     at all, active, holding a password, their invitation used, a
//     password-changed notice queued and an "accept invitation" batch.
//
// Every change set the child reported committed must be in the file.
// 200 runs with GATEHOUSE_CAMPAIGN=long (GATEHOUSE_CRASH_RUNS overrides);
// a handful in `go test ./...`.

const (
	crashDBEnv    = "GATEHOUSE_CAMPAIGN_CRASH_DB"
	crashModeEnv  = "GATEHOUSE_CAMPAIGN_CRASH_MODE"
	crashBulk     = 100 // users every bulk change set touches
	crashCSVRows  = 40  // users per CSV import
	crashDepot    = "Depot"
	crashPassword = "crash campaign password"
)

var crashModes = []string{"bulk", "csv", "accept"}

// TestCampaignCrashChild is the child; it runs only when the parent sets crashDBEnv.
func TestCampaignCrashChild(t *testing.T) {
	path := os.Getenv(crashDBEnv)
	if path == "" {
		t.Skip("the child of TestCampaignCrash")
	}
	fail := func(what string, err error) {
		fmt.Printf("error %s: %v\n", what, err)
		os.Exit(3)
	}
	s, err := store.Open(path, store.Options{Timeout: 5 * time.Second})
	if err != nil {
		fail("open", err)
	}
	local := store.LocalActor("crash")
	mode := os.Getenv(crashModeEnv)
	switch mode {
	case "bulk":
		users, err := s.Users(store.UserFilter{Text: "bulk"})
		if err != nil {
			fail("users", err)
		}
		fmt.Println("ready", mode)
		for i := len(bulkMarkers(s)) + 1; ; i++ {
			fmt.Println("begin bulk", i)
			_, err := s.Apply(local, fmt.Sprintf("crash bulk %d", i), func(tx *store.Tx) error {
				if _, err := tx.AddClient(fmt.Sprintf("bulk-%d", i)); err != nil {
					return err
				}
				for _, u := range users {
					if err := tx.AssignSites(u.ID, 0, []string{crashDepot}, nil, i%2 == 1); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				fail("bulk", err)
			}
			fmt.Println("commit bulk", i)
		}
	case "csv", "accept":
		open := map[string]string{}
		if mode == "accept" {
			open = openInvitations(s)
		}
		fmt.Println("ready", mode)
		for {
			if mode == "accept" {
				if len(open) > 0 {
					for email, token := range open {
						fmt.Println("begin accept", email)
						if _, err := s.AcceptInvitation(token, crashPassword); err != nil {
							fail("accept "+email, err)
						}
						fmt.Println("commit accept", email)
					}
					open = map[string]string{}
					continue
				}
			}
			groups := csvGroups(s)
			i := 1
			for g := range groups {
				i = max(i, g+1)
			}
			var b strings.Builder
			b.WriteString(store.CSVHeader + "\n")
			for j := range crashCSVRows {
				fmt.Fprintf(&b, "Csv,Row%d,csv%d-%d@example.com,employee,Basic,,%s\n", j, i, j, crashDepot)
			}
			fmt.Println("begin csv", i)
			_, bad, err := s.ImportUsersCSV(local, strings.NewReader(b.String()), false)
			if err != nil || len(bad) > 0 {
				fail("csv", fmt.Errorf("%v %v", err, bad))
			}
			fmt.Println("commit csv", i)
			if mode == "accept" {
				open = openInvitations(s)
			}
		}
	default:
		fail("mode", fmt.Errorf("unknown mode %q", mode))
	}
}

// bulkMarkers returns the numbers of the bulk-N clients.
func bulkMarkers(s *store.Store) []int {
	var out []int
	for _, c := range s.Clients() {
		if n, ok := strings.CutPrefix(c.Name, "bulk-"); ok {
			if i, err := strconv.Atoi(n); err == nil {
				out = append(out, i)
			}
		}
	}
	return out
}

// csvGroups maps each import number to its users.
func csvGroups(s *store.Store) map[int][]*store.User {
	users, _ := s.Users(store.UserFilter{Text: "csv"})
	out := map[int][]*store.User{}
	for _, u := range users {
		var i, j int
		if _, err := fmt.Sscanf(u.Email, "csv%d-%d@example.com", &i, &j); err == nil {
			out[i] = append(out[i], u)
		}
	}
	return out
}

// openInvitations maps invited csv users to their token, read from the outbox.
func openInvitations(s *store.Store) map[string]string {
	msgs, _ := s.Outbox()
	out := map[string]string{}
	for _, m := range msgs {
		if m.Kind != "invitation" || !strings.HasPrefix(m.To, "csv") {
			continue
		}
		u, err := s.User(m.To)
		if err != nil || u.Status() != store.Invited {
			continue
		}
		for _, line := range strings.Split(m.Body, "\n") {
			if tok := strings.TrimSpace(line); len(tok) == 32 && !strings.Contains(tok, " ") {
				out[m.To] = tok
			}
		}
		if len(out) >= 10 {
			break
		}
	}
	return out
}

type crashStats struct {
	runs, insideChangeSet, torn, lost int
	byMode                            map[string]int
	commits                           map[string]int
}

func TestCampaignCrash(t *testing.T) {
	runs := proof.Int("GATEHOUSE_CRASH_RUNS", proof.Pick(6, 200))
	start := time.Now()
	path := filepath.Join(t.TempDir(), "crash.db")
	s, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Apply(store.LocalActor("test"), "setup", func(tx *store.Tx) error {
		if _, err := tx.AddSite(crashDepot, ""); err != nil {
			return err
		}
		for i := range crashBulk {
			if _, err := tx.AddUser(store.NewUser{First: "Bulk", Last: fmt.Sprint(i), Email: fmt.Sprintf("bulk%04d@example.com", i), Type: store.Employee, Profile: "Basic"}); err != nil {
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
	rng := rand.New(rand.NewPCG(seed, seed>>7))
	st := crashStats{byMode: map[string]int{}, commits: map[string]int{}}
	reported := map[string]bool{}  // "bulk 3", "csv 2", "accept csv2-5@example.com"
	checkedPw := map[string]bool{} // accepted users whose password was checked (argon2 is slow)
	for r := range runs {
		mode := crashModes[r%len(crashModes)]
		delay := time.Duration(5+rng.IntN(300)) * time.Millisecond
		if mode == "accept" { // an acceptance hashes a password (argon2id): give it longer
			delay = time.Duration(20+rng.IntN(800)) * time.Millisecond
		}
		commits, inside, stderr := crashChild(t, path, mode, delay)
		for _, c := range commits {
			reported[c] = true
			st.commits[strings.Fields(c)[0]]++
		}
		st.runs++
		st.byMode[mode]++
		if inside {
			st.insideChangeSet++
		}
		problems := crashCheck(path, reported, checkedPw)
		for _, p := range problems {
			if strings.HasPrefix(p, "lost:") {
				st.lost++
			} else {
				st.torn++
			}
			t.Errorf("run %d (%s, killed after %s): %s\n%s", r, mode, delay, p, stderr)
		}
		if len(problems) > 0 {
			break
		}
	}
	proof.Figure(t, "crash", "%d runs (bulk %d, csv %d, accept %d; %d killed inside a change set), %d change sets committed (bulk %d, csv %d, accept %d), torn states found: %d (must be 0), reported commits lost: %d (must be 0), %s (seed %d)",
		st.runs, st.byMode["bulk"], st.byMode["csv"], st.byMode["accept"], st.insideChangeSet,
		st.commits["bulk"]+st.commits["csv"]+st.commits["accept"], st.commits["bulk"], st.commits["csv"], st.commits["accept"],
		st.torn, st.lost, time.Since(start).Round(time.Second), seed)
	if st.commits["bulk"] == 0 || st.commits["csv"] == 0 {
		t.Errorf("children committed too little to prove anything: %v", st.commits)
	}
}

// crashChild runs one child in mode and kills it delay after it is ready. It
// returns the change sets the child reported committed and whether it was
// inside one when killed.
func crashChild(t *testing.T, path, mode string, delay time.Duration) ([]string, bool, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCampaignCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashDBEnv+"="+path, crashModeEnv+"="+mode)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ready := make(chan struct{})
	done := make(chan struct{})
	var mu sync.Mutex
	var commits []string
	var inside bool
	var lines strings.Builder
	go func() {
		defer close(done)
		sc := bufio.NewScanner(out)
		isReady := false
		for sc.Scan() {
			line := sc.Text()
			mu.Lock()
			lines.WriteString(line + "\n")
			switch {
			case strings.HasPrefix(line, "ready") && !isReady:
				isReady = true
				close(ready)
			case strings.HasPrefix(line, "begin "):
				inside = true
			case strings.HasPrefix(line, "commit "):
				inside = false
				commits = append(commits, strings.TrimPrefix(line, "commit "))
			}
			mu.Unlock()
		}
	}()
	select {
	case <-ready:
	case <-done:
		_ = cmd.Wait()
		t.Fatalf("child (%s) ended before it was ready: %s\n%s", mode, lines.String(), stderr.String())
	case <-time.After(time.Minute): // only a bound: the child starts in a second
		_ = cmd.Process.Kill()
		t.Fatalf("child (%s) not ready in a minute: %s", mode, stderr.String())
	}
	select {
	case <-time.After(delay):
	case <-done:
		_ = cmd.Wait()
		mu.Lock()
		defer mu.Unlock()
		t.Fatalf("child (%s) ended on its own: %s\n%s", mode, lines.String(), stderr.String())
	}
	_ = cmd.Process.Kill() // SIGKILL
	<-done
	_ = cmd.Wait()
	mu.Lock()
	defer mu.Unlock()
	return commits, inside, stderr.String()
}

// crashCheck reopens the file and returns what is torn or lost.
func crashCheck(path string, reported, checkedPw map[string]bool) []string {
	s, err := store.Open(path, store.Options{Timeout: 2 * time.Second})
	if err != nil {
		return []string{"reopen: " + err.Error()}
	}
	defer s.Close()
	return changeSetsCheck(s, crashBulk, reported, checkedPw)
}

// changeSetsCheck returns what is torn or lost in a store the crash
// campaign's change sets were applied to (bulk of bulkUsers users each):
// problems that start "lost:" are reported commits missing.
func changeSetsCheck(s *store.Store, bulkUsers int, reported, checkedPw map[string]bool) []string {
	var out []string
	bad := func(format string, a ...any) { out = append(out, fmt.Sprintf(format, a...)) }
	if v, err := s.VerifyAudit(); err != nil || !v.OK {
		bad("audit verify: %v %v", err, v.Problems)
	}
	batches, err := s.Batches(0)
	if err != nil {
		bad("batches: %v", err)
	}
	count := map[string]int{}
	entries := map[string][]int{}
	acceptBy := map[string]int{}
	for _, b := range batches {
		kind := ""
		switch {
		case strings.HasPrefix(b.Summary, "crash bulk "):
			kind = "bulk"
		case strings.HasPrefix(b.Summary, "import ") && strings.HasSuffix(b.Summary, " users from CSV"):
			kind = "csv"
		case b.Summary == "accept invitation":
			kind = "accept"
			acceptBy[b.Actor]++
		}
		if kind != "" {
			count[kind]++
			entries[kind] = append(entries[kind], int(b.LastSeq-b.FirstSeq+1))
		}
	}

	// bulk
	markers := bulkMarkers(s)
	m := len(markers)
	seen := map[int]bool{}
	for _, n := range markers {
		seen[n] = true
	}
	for i := 1; i <= m; i++ {
		if !seen[i] {
			bad("torn: bulk markers %v are not 1..%d", markers, m)
			break
		}
	}
	bulk, _ := s.Users(store.UserFilter{Text: "bulk"})
	holding := 0
	for _, u := range bulk {
		if len(u.SiteIDs) > 0 {
			holding++
		}
	}
	if holding != 0 && holding != len(bulk) {
		bad("torn: %d of %d bulk users hold %s", holding, len(bulk), crashDepot)
	}
	if (holding == len(bulk)) != (m%2 == 1) {
		bad("torn: after %d bulk change sets %d users hold %s", m, holding, crashDepot)
	}
	if count["bulk"] != m {
		bad("torn: %d bulk batches in the audit, %d markers", count["bulk"], m)
	}
	for _, n := range entries["bulk"] {
		if n != bulkUsers+1 {
			bad("torn: a bulk batch has %d entries, want %d", n, bulkUsers+1)
		}
	}

	// csv
	groups := csvGroups(s)
	invs, _ := s.Invitations()
	invited := map[uint64][]store.Invitation{}
	for _, inv := range invs {
		invited[inv.UserID] = append(invited[inv.UserID], inv)
	}
	msgs, _ := s.Outbox()
	mail := map[string]map[store.MessageKind]int{}
	for _, msg := range msgs {
		if mail[msg.To] == nil {
			mail[msg.To] = map[store.MessageKind]int{}
		}
		mail[msg.To][msg.Kind]++
	}
	activated := 0
	for i, us := range groups {
		if len(us) != crashCSVRows {
			bad("torn: import %d has %d users, want %d", i, len(us), crashCSVRows)
		}
		for _, u := range us {
			if len(invited[u.ID]) != 1 || mail[u.Email]["invitation"] != 1 {
				bad("torn: %s has %d invitations and %d invitation messages", u.Email, len(invited[u.ID]), mail[u.Email]["invitation"])
				continue
			}
			// accept: all of it or none of it
			used := !invited[u.ID][0].Used.IsZero()
			parts := []bool{u.Activated, u.PasswordHash != "", used, mail[u.Email]["password-changed"] == 1, acceptBy[u.Email] == 1}
			all, none := true, true
			for _, p := range parts {
				all, none = all && p, none && !p
			}
			if !all && !none {
				bad("torn: %s accepted in part: active %v, password %v, invitation used %v, notice %v, batch %v", u.Email, parts[0], parts[1], parts[2], parts[3], parts[4])
			}
			if all {
				activated++
				if !checkedPw[u.Email] {
					checkedPw[u.Email] = true
					if !store.CheckPassword(u.PasswordHash, crashPassword) {
						bad("torn: %s holds a password that is not the one accepted", u.Email)
					}
				}
			}
		}
	}
	if count["csv"] != len(groups) {
		bad("torn: %d CSV import batches in the audit, %d groups of users", count["csv"], len(groups))
	}
	for _, n := range entries["csv"] {
		if n != 2*crashCSVRows {
			bad("torn: a CSV import batch has %d entries, want %d", n, 2*crashCSVRows)
		}
	}
	if count["accept"] != activated {
		bad("torn: %d accept batches, %d users who accepted", count["accept"], activated)
	}

	// nothing the child reported committed is missing
	for c := range reported {
		f := strings.Fields(c)
		switch f[0] {
		case "bulk":
			if n, _ := strconv.Atoi(f[1]); !seen[n] {
				bad("lost: bulk change set %d was reported committed", n)
			}
		case "csv":
			if n, _ := strconv.Atoi(f[1]); len(groups[n]) == 0 {
				bad("lost: CSV import %d was reported committed", n)
			}
		case "accept":
			if u, err := s.User(f[1]); err != nil || !u.Activated {
				bad("lost: %s's acceptance was reported committed", f[1])
			}
		}
	}
	return out
}
