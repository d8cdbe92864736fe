package store

import (
	"bufio"
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// The crash test re-executes this test binary as a child that applies bulk
// change sets to a synced database as fast as it can; the parent kills it
// with SIGKILL at random moments and checks, after each kill, that every
// change set is either wholly in the file or not at all.

const (
	crashEnv    = "GATEHOUSE_CRASH_CHILD_DB"
	crashUsers  = 2000
	crashRounds = 8
	crashSite   = "Depot"
)

// TestCrashChild is the child: it only runs when the parent sets crashEnv.
func TestCrashChild(t *testing.T) {
	path := os.Getenv(crashEnv)
	if path == "" {
		t.Skip("the child of TestCrashSafety")
	}
	s, err := Open(path, Options{Timeout: 5 * time.Second})
	if err != nil {
		fmt.Println("error open:", err)
		os.Exit(3)
	}
	users, err := s.Users(UserFilter{})
	if err != nil {
		fmt.Println("error users:", err)
		os.Exit(3)
	}
	markers := crashMarkers(s)
	fmt.Println("ready", len(markers))
	for i := len(markers) + 1; ; i++ {
		add := i%2 == 1 // odd change sets assign the site to everyone, even ones take it away
		_, err := s.Apply(LocalActor("crash"), fmt.Sprintf("bulk %d", i), func(tx *Tx) error {
			if _, err := tx.AddClient(fmt.Sprintf("batch-%d", i)); err != nil {
				return err
			}
			for _, u := range users {
				if err := tx.AssignSites(u.ID, 0, []string{crashSite}, nil, add); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			fmt.Println("error apply:", err)
			os.Exit(4)
		}
		fmt.Println("commit", i)
	}
}

// crashMarkers returns the numbers of the "batch-N" marker clients, sorted.
func crashMarkers(s *Store) []int {
	var out []int
	for _, c := range s.Clients() {
		if n, ok := strings.CutPrefix(c.Name, "batch-"); ok {
			if i, err := strconv.Atoi(n); err == nil {
				out = append(out, i)
			}
		}
	}
	slices.Sort(out)
	return out
}

func TestCrashSafety(t *testing.T) {
	if testing.Short() {
		t.Skip("kills child processes; skipped with -short")
	}
	start := time.Now()
	path := filepath.Join(t.TempDir(), "crash.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Apply(LocalActor("test"), "setup", func(tx *Tx) error {
		if _, err := tx.AddSite(crashSite, ""); err != nil {
			return err
		}
		for i := range crashUsers {
			if _, err := tx.AddUser(NewUser{First: "Crash", Last: fmt.Sprintf("Test %04d", i), Email: fmt.Sprintf("crash%04d@example.com", i), Type: Employee, Profile: "Basic"}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	t.Logf("setup %s", time.Since(start))

	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, seed>>1))
	var reported int // the highest change set a child said it committed
	for round := range crashRounds {
		t0 := time.Now()
		committed, stderr := crashRound(t, "TestCrashChild", crashEnv, path, round, 50+rng.IntN(351), round == crashRounds-1 && reported == 0)
		if committed > reported {
			reported = committed
		}
		t1 := time.Now()
		m := crashVerify(t, path, round, stderr)
		t.Logf("round %d: child %s, verify %s, %d committed", round, t1.Sub(t0), time.Since(t1), m)
		if m < reported || m > reported+1 {
			// the child prints after Apply returns: the file may hold one more, never fewer
			t.Fatalf("round %d: %d change sets in the file, the child reported %d committed", round, m, reported)
		}
		reported = m
	}
	if reported == 0 {
		t.Fatal("no child ever committed a change set: the test proved nothing")
	}
	t.Logf("%d bulk change sets survived %d kills", reported, crashRounds)
}

// crashRound starts a child (the test named child, given the database by
// env), kills it delay ms after it is ready (after its first commit when
// needCommit), and returns the last commit it reported.
func crashRound(t *testing.T, child, env, path string, round, delay int, needCommit bool) (int, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^"+child+"$", "-test.count=1")
	cmd.Env = append(os.Environ(), env+"="+path)
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
	firstCommit := make(chan struct{})
	var last atomic.Int64
	var lines atomic.Value
	lines.Store("")
	done := make(chan struct{})
	go func() {
		defer close(done)
		sc := bufio.NewScanner(out)
		var r, c bool
		for sc.Scan() {
			line := sc.Text()
			lines.Store(lines.Load().(string) + line + "\n")
			switch {
			case strings.HasPrefix(line, "ready") && !r:
				r = true
				close(ready)
			case strings.HasPrefix(line, "commit "):
				n, _ := strconv.Atoi(strings.TrimPrefix(line, "commit "))
				last.Store(int64(n))
				if !c {
					c = true
					close(firstCommit)
				}
			}
		}
	}()
	kill := func() {
		_ = cmd.Process.Kill() // SIGKILL
		<-done
		_ = cmd.Wait()
	}
	select {
	case <-ready:
	case <-done:
		_ = cmd.Wait()
		t.Fatalf("round %d: child ended before it was ready: %s\n%s", round, lines.Load(), stderr.String())
	case <-time.After(time.Minute): // only a bound: the child starts in a second
		kill()
		t.Fatalf("round %d: child not ready in a minute: %s", round, stderr.String())
	}
	if needCommit {
		select {
		case <-firstCommit:
		case <-done:
		case <-time.After(time.Minute): // then "proved nothing" says so
		}
	}
	select {
	case <-time.After(time.Duration(delay) * time.Millisecond):
	case <-done:
	}
	select {
	case <-done:
		_ = cmd.Wait()
		t.Fatalf("round %d: child ended on its own: %s\n%s", round, lines.Load(), stderr.String())
	default:
	}
	kill()
	if st := cmd.ProcessState; st == nil || st.Success() {
		t.Fatalf("round %d: child was not killed: %v", round, st)
	}
	return int(last.Load()), stderr.String()
}

// crashVerify reopens the file after a kill and checks nothing is torn; it
// returns the number of bulk change sets in the file.
func crashVerify(t *testing.T, path string, round int, stderr string) int {
	t.Helper()
	s, err := Open(path, Options{Timeout: 2 * time.Second})
	if err != nil {
		t.Fatalf("round %d: reopen after kill: %v\n%s", round, err, stderr)
	}
	defer s.Close()
	r, err := s.VerifyAudit()
	if err != nil || !r.OK {
		t.Fatalf("round %d: audit after kill: %v %v", round, err, r.Problems)
	}
	users, err := s.Users(UserFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(users) != crashUsers {
		t.Fatalf("round %d: %d users, want %d", round, len(users), crashUsers)
	}
	assigned := 0
	for _, u := range users {
		if len(u.SiteIDs) > 0 {
			assigned++
		}
	}
	markers := crashMarkers(s)
	m := len(markers)
	for i, n := range markers {
		if n != i+1 {
			t.Fatalf("round %d: markers %v are not 1..%d", round, markers, m)
		}
	}
	if assigned != 0 && assigned != crashUsers {
		t.Fatalf("round %d: torn change set: %d of %d users hold the site", round, assigned, crashUsers)
	}
	if want := m%2 == 1; (assigned == crashUsers) != want {
		t.Fatalf("round %d: after %d bulk change sets the site is held by %d users", round, m, assigned)
	}
	batches, err := s.Batches(0)
	if err != nil {
		t.Fatal(err)
	}
	var bulk []Batch
	for _, b := range batches {
		if strings.HasPrefix(b.Summary, "bulk ") {
			bulk = append(bulk, b)
		}
	}
	if len(bulk) != m {
		t.Fatalf("round %d: %d bulk batches in the audit, %d markers", round, len(bulk), m)
	}
	for _, b := range bulk {
		// one entry for the marker, one per user's sites
		if n := b.LastSeq - b.FirstSeq + 1; n != crashUsers+1 {
			t.Fatalf("round %d: batch %d (%s) has %d entries, want %d", round, b.ID, b.Summary, n, crashUsers+1)
		}
	}
	return m
}
