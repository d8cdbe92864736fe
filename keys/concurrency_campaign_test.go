package keys_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"charm.land/log/v2"
	gossh "golang.org/x/crypto/ssh"

	"github.com/gatehouse/gatehouse/cmd"
	"github.com/gatehouse/gatehouse/internal/proof"
	"github.com/gatehouse/gatehouse/keys"
	"github.com/gatehouse/gatehouse/store"
)

// The concurrency campaign: 100 actors writing through the store and 20 real
// SSH sessions running commands on a server on 127.0.0.1:0, all at once, all
// editing the same 20 users. A store actor reads a user, then writes with the
// version it read: the write commits or fails with store.ErrConflict, never
// anything else. Afterwards no write is lost (no two commits were made from
// the same read version of a user, and every user's version moved once per
// commit), the audit log holds exactly the entries of the committed change
// sets and its chain verifies. Run it under -race.
//
// Long (GATEHOUSE_CAMPAIGN=long): 1,000 edits per actor and per session.
// Short: 10 per actor, 5 per session.

const (
	concTargets = 20
	concActors  = 100
	concSSH     = 20
)

type concWrite struct {
	target  uint64
	version uint64 // the version the write was made from (0: read inside the change set)
	entries int
}

func TestCampaignConcurrency(t *testing.T) {
	perActor := proof.Int("GATEHOUSE_CONC_EDITS", proof.Pick(10, 1000))
	perSession := proof.Int("GATEHOUSE_CONC_SSH_EDITS", proof.Pick(5, 1000))
	dir := t.TempDir()
	st, err := store.Open(filepath.Join(dir, "gatehouse.db"), store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	local := store.LocalActor("test")
	var targets []uint64
	actors := make([]store.Actor, concActors)
	_, err = st.Apply(local, "concurrency world", func(tx *store.Tx) error {
		for _, s := range []string{"Depot", "Depot 2"} {
			if _, err := tx.AddSite(s, ""); err != nil {
				return err
			}
		}
		for i := range concTargets {
			u, err := tx.AddUser(store.NewUser{First: "Target", Last: fmt.Sprint(i), Email: fmt.Sprintf("t%02d@example.com", i), Type: store.Employee, Profile: "Basic", Sites: []string{"Depot"}})
			if err != nil {
				return err
			}
			targets = append(targets, u.ID)
		}
		for i := range concActors {
			u, err := tx.AddUser(store.NewUser{First: "Actor", Last: fmt.Sprint(i), Email: fmt.Sprintf("actor%03d@admins.test", i), Type: store.Employee, Profile: "Administrator"})
			if err != nil {
				return err
			}
			actors[i] = store.Actor{UserID: u.ID, Name: u.Email}
		}
		for i := range concSSH {
			email := fmt.Sprintf("ssh%02d@admins.test", i)
			u, err := tx.AddUser(store.NewUser{First: "Ssh", Last: fmt.Sprint(i), Email: email, Type: store.Employee, Profile: "Administrator"})
			if err != nil {
				return err
			}
			if _, err := tx.AddKey(u.ID, proof.AuthorizedKey(email)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	initial := map[uint64]uint64{}
	for _, id := range targets {
		u, _ := st.UserByID(id)
		initial[id] = u.Version
	}

	srv, err := keys.New(keys.Config{Store: st, HostKeyPath: filepath.Join(dir, "hostkey"), Command: cmd.RemoteCommand(st),
		Logger: log.New(io.Discard), ShutdownGrace: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	addr, err := srv.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx) }()
	defer func() { cancel(); <-served }()

	// sign the SSH users in first: their sign-ins are audited before counting starts
	clients := make([]*gossh.Client, concSSH)
	for i := range clients {
		email := fmt.Sprintf("ssh%02d@admins.test", i)
		c, err := gossh.Dial("tcp", addr.String(), &gossh.ClientConfig{User: email, Auth: []gossh.AuthMethod{gossh.PublicKeys(proof.Signer(email))},
			HostKeyCallback: gossh.FixedHostKey(srv.HostKey()), Timeout: 10 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		clients[i] = c
		if code, _, _, err := concExec(c, "effective "+email); err != nil || code != 0 {
			t.Fatalf("warm-up of %s: %d %v", email, code, err)
		}
	}
	v0, err := st.VerifyAudit()
	if err != nil || !v0.OK {
		t.Fatalf("audit before: %v %v", err, v0.Problems)
	}
	batches0, _ := st.Batches(0)

	var (
		mu        sync.Mutex
		writes    []concWrite
		conflicts atomic.Int64
		unexpect  []string
	)
	fail := func(format string, a ...any) {
		mu.Lock()
		defer mu.Unlock()
		if len(unexpect) < 20 {
			unexpect = append(unexpect, fmt.Sprintf(format, a...))
		}
	}
	start := time.Now()
	var wg sync.WaitGroup
	for a := range concActors {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(a), 42))
			for n := range perActor {
				id := targets[rng.IntN(len(targets))]
				u, err := st.UserByID(id) // the read
				if err != nil {
					fail("read: %v", err)
					return
				}
				v := u.Version
				var op func(tx *store.Tx) error
				switch rng.IntN(3) {
				case 0:
					op = func(tx *store.Tx) error {
						_, err := tx.EditUser(id, v, store.UserPatch{First: concPtr(fmt.Sprintf("a%d-%d", a, n))})
						return err
					}
				case 1:
					to := store.Deny
					if u.Features[store.FeaturePortal] == store.Deny {
						to = store.Allow
					}
					op = func(tx *store.Tx) error { return tx.SetFeature(id, v, store.FeaturePortal, to) }
				default:
					add := len(u.SiteIDs) < 2
					op = func(tx *store.Tx) error { return tx.AssignSites(id, v, []string{"Depot 2"}, nil, add) }
				}
				if rng.IntN(4) == 0 {
					time.Sleep(time.Duration(rng.IntN(200)) * time.Microsecond) // widen the window between read and write
				}
				cs, err := st.Apply(actors[a], "concurrent edit", op)
				switch {
				case err == nil:
					if cs.Batch == 0 || len(cs.Entries) != 1 {
						fail("actor %d: a commit with batch %d and %d entries", a, cs.Batch, len(cs.Entries))
					}
					mu.Lock()
					writes = append(writes, concWrite{target: id, version: v, entries: len(cs.Entries)})
					mu.Unlock()
				case errors.Is(err, store.ErrConflict):
					conflicts.Add(1)
				default:
					fail("actor %d: neither a commit nor a conflict: %v", a, err)
				}
			}
		}()
	}
	var sshOK, sshConflicts atomic.Int64
	for i, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(i), 7))
			for n := range perSession {
				id := targets[rng.IntN(len(targets))]
				email := fmt.Sprintf("t%02d@example.com", concIndex(targets, id))
				line := fmt.Sprintf("--json users edit %s --first s%d-%d", email, i, n)
				if n%2 == 1 {
					line = fmt.Sprintf("--json users feature %s portal=%s", email, []string{"allow", "deny"}[n%4/2])
				}
				code, out, errOut, err := concExec(c, line)
				switch {
				case err != nil:
					fail("ssh %d: %v", i, err)
					return
				case code == 0:
					var v struct {
						ChangeSet uint64            `json:"change_set"`
						Entries   []json.RawMessage `json:"entries"`
					}
					if err := json.Unmarshal([]byte(out), &v); err != nil {
						fail("ssh %d: %q: %v", i, out, err)
						continue
					}
					sshOK.Add(1)
					if len(v.Entries) > 0 {
						mu.Lock()
						writes = append(writes, concWrite{target: id, entries: len(v.Entries)})
						mu.Unlock()
					}
				case code == 1 && strings.Contains(errOut, "after you read it"):
					sshConflicts.Add(1)
				default:
					fail("ssh %d: %q: exit %d %s", i, line, code, errOut)
				}
			}
		}()
	}
	wg.Wait()
	took := time.Since(start)
	for _, u := range unexpect {
		t.Error(u)
	}

	// no lost write: no two commits from one read, one version per commit
	lost := 0
	fromRead := map[[2]uint64]int{}
	commits := map[uint64]uint64{}
	entries := 0
	for _, w := range writes {
		commits[w.target]++
		entries += w.entries
		if w.version != 0 {
			k := [2]uint64{w.target, w.version}
			fromRead[k]++
			if fromRead[k] > 1 {
				lost++
				t.Errorf("user %d: two commits were made from version %d: one overwrote the other unseen", w.target, w.version)
			}
		}
	}
	for _, id := range targets {
		u, _ := st.UserByID(id)
		if want := initial[id] + commits[id]; u.Version != want {
			lost++
			t.Errorf("user %s: version %d after %d commits from version %d", u.Email, u.Version, commits[id], initial[id])
		}
	}
	v1, err := st.VerifyAudit()
	if err != nil || !v1.OK {
		t.Errorf("audit after: %v %v", err, v1.Problems)
	}
	batches1, _ := st.Batches(0)
	added := int(v1.Entries - v0.Entries)
	if added != entries {
		t.Errorf("the audit log grew by %d entries; the committed change sets hold %d", added, entries)
	}
	if got := len(batches1) - len(batches0); got != len(writes) {
		t.Errorf("%d change sets in the audit log, %d commits", got, len(writes))
	}
	storeCommits := 0
	for _, w := range writes {
		if w.version != 0 {
			storeCommits++
		}
	}
	proof.Figure(t, "concurrency", "%d store actors × %d edits and %d SSH sessions × %d commands on %d users in %s: store %d commits, %d conflicts; SSH %d ok (%d changed), %d conflicts; other errors %d (must be 0); lost writes %d (must be 0); audit entries added %d = entries committed %d; chain verified %v",
		concActors, perActor, concSSH, perSession, concTargets, took.Round(time.Millisecond), storeCommits, conflicts.Load(),
		sshOK.Load(), len(writes)-storeCommits, sshConflicts.Load(), len(unexpect), lost, added, entries, v1.OK)
	if conflicts.Load() == 0 {
		t.Error("no conflict at all: the actors never overlapped, the campaign proved nothing")
	}
}

func concIndex(ids []uint64, id uint64) int {
	for i, x := range ids {
		if x == id {
			return i
		}
	}
	return -1
}

func concPtr[T any](v T) *T { return &v }

// concExec runs one command line in a new session of c.
func concExec(c *gossh.Client, line string) (int, string, string, error) {
	s, err := c.NewSession()
	if err != nil {
		return 0, "", "", err
	}
	defer s.Close()
	var out, errb bytes.Buffer
	s.Stdout, s.Stderr = &out, &errb
	err = s.Run(line)
	var ee *gossh.ExitError
	switch {
	case err == nil:
		return 0, out.String(), errb.String(), nil
	case errors.As(err, &ee):
		return ee.ExitStatus(), out.String(), errb.String(), nil
	}
	return 0, "", "", err
}
