//go:build etcd

package store_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/proof"
	"github.com/gatehouse/gatehouse/store"
)

// The fault campaign on etcd: a 3-member cluster and two gatehouse nodes
// (two stores on one prefix, each its own client). In each run one node
// applies change sets of one kind as fast as it can — bulk edits of
// faultBulk users, CSV imports, invitation acceptances, the crash
// campaign's (campaign_crash_test.go) — and at a random moment either the
// etcd leader stops (its member closed; started again from its data
// folder at the end of the run) or the writing node dies (its client
// closed under it mid-operation, then a fresh store opened as the node
// restarted). After each fault:
//
//   - the surviving node serves: a change set (tried again while the
//     cluster elects a leader, for up to faultServeWithin) and a check on
//     what it wrote;
//   - a restarted node catches up before it serves: opened while the
//     other node writes, its first answers hold every change set reported
//     committed before it opened;
//   - a store opened afresh finds no torn change set (the crash
//     campaign's markers), every change set reported committed, and the
//     audit chain verifies.
//
// 200 runs with GATEHOUSE_CAMPAIGN=long (GATEHOUSE_ETCD_FAULT_RUNS
// overrides); a handful in `go test -tags etcd ./store`.

const (
	faultBulk         = 200 // users every bulk change set touches
	faultServeWithin  = 20 * time.Second
	faultLeader       = "etcd leader"
	faultNode         = "gatehouse node"
	faultCatchUpNodes = "catch"
)

var faultKinds = []string{faultLeader, faultNode}

type faultStats struct {
	runs, insideChangeSet, torn, lost, chainBad, unserved, stale int
	byFault, byMode, commits, failures                           map[string]int
}

func TestCampaignEtcdFaults(t *testing.T) {
	runs := proof.Int("GATEHOUSE_ETCD_FAULT_RUNS", proof.Pick(6, 200))
	start := time.Now()
	fc := store.SharedFaultCluster(t)
	cfg := fc.Config(t)
	open := func() *store.Store {
		t.Helper()
		s, err := store.OpenEtcd(cfg, store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	nodes := [2]*store.Store{open(), open()}
	defer func() {
		for _, s := range nodes {
			s.Close()
		}
	}()
	_, err := nodes[0].Apply(store.LocalActor("test"), "setup", func(tx *store.Tx) error {
		if _, err := tx.AddSite(crashDepot, ""); err != nil {
			return err
		}
		for i := range faultBulk {
			if _, err := tx.AddUser(store.NewUser{First: "Bulk", Last: fmt.Sprint(i), Email: fmt.Sprintf("bulk%04d@example.com", i), Type: store.Employee, Profile: "Basic"}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, seed>>7))
	st := faultStats{byFault: map[string]int{}, byMode: map[string]int{}, commits: map[string]int{}, failures: map[string]int{}}
	reported := map[string]bool{}
	checkedPw := map[string]bool{}
	for r := range runs {
		mode := crashModes[r%len(crashModes)]
		fault := faultKinds[(r/len(crashModes))%len(faultKinds)]
		writer := r % 2
		survivor := nodes[1-writer]
		waitCaughtUp(t, nodes[writer])
		delay := time.Duration(5+rng.IntN(300)) * time.Millisecond
		if mode == "accept" { // an acceptance hashes a password (argon2id): give it longer
			delay = time.Duration(20+rng.IntN(800)) * time.Millisecond
		}
		w := startFaultWorker(nodes[writer], mode)
		w.waitBegun(t)
		time.Sleep(delay) // the fault's random moment, not a wait for anything
		inside := w.inside.Load()
		stopped := -1
		switch fault {
		case faultLeader:
			stopped = fc.Leader(t)
			fc.Kill(stopped)
		case faultNode:
			store.CutClient(nodes[writer])
		}
		tFault := time.Now()
		commits, failure := w.stop()
		tStopped := time.Now()
		st.runs++
		st.byFault[fault]++
		st.byMode[mode]++
		if inside {
			st.insideChangeSet++
		}
		for _, c := range commits {
			reported[c] = true
			st.commits[strings.Fields(c)[0]]++
		}
		if failure != "" {
			st.failures[failure]++
		}
		problem := func(format string, a ...any) {
			t.Errorf("run %d (%s, %s after %s): %s", r, mode, fault, delay, fmt.Sprintf(format, a...))
		}

		// the surviving node serves; a restarted node catches up first
		if err := serveAfterFault(survivor, fmt.Sprint(r)); err != nil {
			st.unserved++
			problem("the surviving node does not serve: %v", err)
		}
		if fault == faultLeader {
			if err := serveAfterFault(nodes[writer], fmt.Sprintf("%dw", r)); err != nil {
				st.unserved++
				problem("the writing node does not serve after the leader stopped: %v", err)
			}
		} else {
			nodes[writer].Close()
			fresh, stale := restartWhileOtherWrites(t, cfg, survivor, r)
			nodes[writer] = fresh
			if stale != "" {
				st.stale++
				problem("the restarted node served before it caught up: %s", stale)
			}
		}

		// a store opened afresh: nothing torn, nothing lost, one chain
		check := open()
		if v, err := check.VerifyAudit(); err != nil || !v.OK {
			st.chainBad++
			problem("the chain does not verify: %v %v", err, v.Problems)
		}
		for _, p := range changeSetsCheck(check, faultBulk, reported, checkedPw) {
			if strings.HasPrefix(p, "lost:") {
				st.lost++
			} else if !strings.HasPrefix(p, "audit verify") {
				st.torn++
			}
			problem("%s", p)
		}
		check.Close()
		tChecked := time.Now()
		if stopped >= 0 {
			if err := fc.Start(stopped); err != nil {
				t.Fatal(err)
			}
		}
		t.Logf("TIMING run %d %s %s: fault %s, worker stop %s, serve+check %s, restart %s, %d commits", r, mode, fault, tFault.Sub(w.t0), tStopped.Sub(tFault), tChecked.Sub(tStopped), time.Since(tChecked), len(commits))
		if t.Failed() {
			break
		}
	}
	proof.Figure(t, "etcd-faults", "%d runs (etcd leader stopped %d, gatehouse node killed %d; bulk %d, csv %d, accept %d; %d inside a change set), %d change sets reported committed (bulk %d, csv %d, accept %d), %d refused or unknown at the fault (%s); torn change sets: %d (must be 0), reported commits missing: %d (must be 0), chain verify failures: %d (must be 0), surviving node unable to serve: %d (must be 0), restarted node serving before it caught up: %d (must be 0), %s (seed %d)",
		st.runs, st.byFault[faultLeader], st.byFault[faultNode], st.byMode["bulk"], st.byMode["csv"], st.byMode["accept"], st.insideChangeSet,
		st.commits["bulk"]+st.commits["csv"]+st.commits["accept"], st.commits["bulk"], st.commits["csv"], st.commits["accept"],
		sumCounts(st.failures), failureList(st.failures),
		st.torn, st.lost, st.chainBad, st.unserved, st.stale, time.Since(start).Round(time.Second), seed)
	if st.commits["bulk"] == 0 || st.commits["csv"] == 0 {
		t.Errorf("the nodes committed too little to prove anything: %v", st.commits)
	}
}

// faultWorker applies change sets of one kind on one node until stopped,
// as the crash campaign's child does.
type faultWorker struct {
	t0      time.Time
	s       *store.Store
	mode    string
	begun   chan struct{}
	inside  atomic.Bool
	quit    chan struct{}
	done    chan struct{}
	mu      sync.Mutex
	commits []string
	failure string // the kind of the error that ended it, if one did
}

func startFaultWorker(s *store.Store, mode string) *faultWorker {
	w := &faultWorker{t0: time.Now(), s: s, mode: mode, begun: make(chan struct{}), quit: make(chan struct{}), done: make(chan struct{})}
	go w.run()
	return w
}

func (w *faultWorker) waitBegun(t *testing.T) {
	t.Helper()
	select {
	case <-w.begun:
	case <-w.done:
		t.Fatalf("the %s worker ended before it began: %s", w.mode, w.failure)
	}
}

// stop asks the worker to end after the change set it is in, and returns
// what it reported committed and what ended it.
func (w *faultWorker) stop() ([]string, string) {
	close(w.quit)
	<-w.done
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.commits, w.failure
}

func (w *faultWorker) run() {
	defer close(w.done)
	local := store.LocalActor("fault")
	once := sync.OnceFunc(func() { close(w.begun) })
	for {
		select {
		case <-w.quit:
			once()
			return
		default:
		}
		name, err := w.next(local, once)
		if err != nil {
			w.mu.Lock()
			w.failure = failureKind(err)
			w.mu.Unlock()
			once()
			return
		}
		if name != "" {
			w.mu.Lock()
			w.commits = append(w.commits, name)
			w.mu.Unlock()
		}
	}
}

// next applies one change set of the worker's kind; it returns its name
// as the crash campaign's check knows it ("bulk 3"), once committed.
func (w *faultWorker) next(local store.Actor, begin func()) (string, error) {
	s := w.s
	switch w.mode {
	case "bulk":
		users, err := s.Users(store.UserFilter{Text: "bulk"})
		if err != nil {
			return "", err
		}
		i := 0
		w.inside.Store(true)
		begin()
		_, err = s.Apply(local, "crash bulk change", func(tx *store.Tx) error {
			i = len(bulkMarkers(s)) + 1 // memory is the change set's snapshot here
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
		w.inside.Store(false)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("bulk %d", i), nil
	case "csv":
		i := 1
		for g := range csvGroups(s) {
			i = max(i, g+1)
		}
		var b strings.Builder
		b.WriteString(store.CSVHeader + "\n")
		for j := range crashCSVRows {
			fmt.Fprintf(&b, "Csv,Row%d,csv%d-%d@example.com,employee,Basic,,%s\n", j, i, j, crashDepot)
		}
		w.inside.Store(true)
		begin()
		_, bad, err := s.ImportUsersCSV(local, strings.NewReader(b.String()), false)
		w.inside.Store(false)
		if err == nil && len(bad) > 0 {
			err = fmt.Errorf("rows refused: %v", bad)
		}
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("csv %d", i), nil
	case "accept":
		open := openInvitations(s)
		if len(open) == 0 { // none left to accept: import more
			w.mode = "csv"
			name, err := w.next(local, func() {})
			w.mode = "accept"
			return name, err
		}
		for email, token := range open {
			w.inside.Store(true)
			begin()
			_, err := s.AcceptInvitation(token, crashPassword)
			w.inside.Store(false)
			if err != nil {
				return "", err
			}
			return "accept " + email, nil
		}
	}
	return "", fmt.Errorf("unknown mode %q", w.mode)
}

// failureKind sorts what ended a worker: the store's kind, or another error.
func failureKind(err error) string {
	switch store.KindOf(err) {
	case store.KindUnavailable:
		return "no quorum"
	case store.KindConflict:
		return "conflict"
	case store.KindRefused:
		return "refused"
	case 0:
		if strings.Contains(err.Error(), "not known") {
			return "outcome unknown"
		}
		return "client closed"
	}
	return fmt.Sprintf("kind %d", store.KindOf(err))
}

// serveAfterFault applies a change set on s (again while the cluster has
// no leader, for up to faultServeWithin) and checks on what it wrote.
func serveAfterFault(s *store.Store, tag string) error {
	email := "served" + tag + "@example.com"
	deadline := time.Now().Add(faultServeWithin)
	for {
		_, err := s.Apply(store.LocalActor("survivor"), "after the fault "+tag, func(tx *store.Tx) error {
			_, err := tx.AddUser(store.NewUser{First: "Served", Last: tag, Email: email, Type: store.Employee, Profile: "Basic"})
			return err
		})
		if err == nil {
			break
		}
		if _, uerr := s.User(email); uerr == nil && errors.Is(err, store.ErrRefused) {
			break // an earlier try landed after all
		}
		if store.KindOf(err) != store.KindUnavailable && store.KindOf(err) != 0 || time.Now().After(deadline) {
			return err
		}
	}
	if d := s.Check(email, "scheduler", store.View, ""); d.Code == store.CodeUnknownUser {
		return fmt.Errorf("a check of %s after its change set: %+v", email, d)
	}
	return nil
}

// restartWhileOtherWrites opens a fresh store while other writes, and
// returns it with what its first answers missed ("" when nothing).
func restartWhileOtherWrites(t *testing.T, cfg store.EtcdConfig, other *store.Store, r int) (*store.Store, string) {
	t.Helper()
	var mu sync.Mutex
	var committed []string
	var last uint64
	quit, done := make(chan struct{}), make(chan struct{})
	first := make(chan struct{})
	go func() {
		defer close(done)
		for k := 0; ; k++ {
			select {
			case <-quit:
				return
			default:
			}
			email := fmt.Sprintf("%s%d-%d@example.com", faultCatchUpNodes, r, k)
			cs, err := other.Apply(store.LocalActor("other"), "while it restarts", func(tx *store.Tx) error {
				_, err := tx.AddUser(store.NewUser{First: "Catch", Last: fmt.Sprint(k), Email: email, Type: store.Employee, Profile: "Basic"})
				return err
			})
			if err != nil {
				continue
			}
			mu.Lock()
			committed, last = append(committed, email), cs.Batch
			mu.Unlock()
			if k == 0 {
				close(first)
			}
		}
	}()
	select {
	case <-first:
	case <-time.After(faultServeWithin):
		close(quit)
		<-done
		t.Fatalf("the other node committed nothing in %s", faultServeWithin)
	}
	mu.Lock()
	before, lastBefore := append([]string(nil), committed...), last
	mu.Unlock()
	fresh, err := store.OpenEtcd(cfg, store.Options{})
	var stale string
	if err != nil {
		stale = "it did not open: " + err.Error()
	} else {
		if got := fresh.LastBatch(); got < lastBefore {
			stale = fmt.Sprintf("its last change set is %d, %d was reported before it opened", got, lastBefore)
		}
		for _, email := range before {
			if _, err := fresh.User(email); err != nil {
				stale = fmt.Sprintf("it does not know %s, reported committed before it opened", email)
				break
			}
		}
	}
	close(quit)
	<-done
	if err != nil {
		t.Fatal(stale)
	}
	return fresh, stale
}

// waitCaughtUp waits until s's memory reflects the cluster's last commit.
func waitCaughtUp(t *testing.T, s *store.Store) {
	t.Helper()
	deadline := time.Now().Add(faultServeWithin)
	for {
		ok, err := store.CaughtUp(s)
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("a node did not catch up in %s: %v", faultServeWithin, err)
		}
		time.Sleep(10 * time.Millisecond) // polling a condition
	}
}

func sumCounts(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

func failureList(m map[string]int) string {
	if len(m) == 0 {
		return "none"
	}
	var parts []string
	for _, k := range []string{"no quorum", "outcome unknown", "client closed", "conflict", "refused"} {
		if m[k] > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", k, m[k]))
		}
	}
	for k, v := range m {
		if !strings.Contains("no quorum outcome unknown client closed conflict refused", k) {
			parts = append(parts, fmt.Sprintf("%s %d", k, v))
		}
	}
	return strings.Join(parts, ", ")
}
