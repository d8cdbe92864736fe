package store_test

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/proof"
	"github.com/gatehouse/gatehouse/store"
)

// Operations: online backups taken during a write storm open clean, verify,
// and hold whole change sets only; a restore (stop, copy the backup over the
// database, start) gives back exactly the state at backup time.

const stormUsers = 50

func stormWorld(t *testing.T, path string) *store.Store {
	t.Helper()
	s, err := store.Open(path, store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Apply(store.LocalActor("test"), "storm world", func(tx *store.Tx) error {
		if _, err := tx.AddSite("Depot", ""); err != nil {
			return err
		}
		for i := range stormUsers {
			if _, err := tx.AddUser(store.NewUser{First: "Storm", Last: fmt.Sprint(i), Email: fmt.Sprintf("storm%02d@example.com", i), Type: store.Employee, Profile: "Basic"}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// stormCheck opens a copy and checks it holds whole change sets only.
func stormCheck(path string) (int, error) {
	s, err := store.Open(path, store.Options{Timeout: 2 * time.Second})
	if err != nil {
		return 0, fmt.Errorf("open: %w", err)
	}
	defer s.Close()
	if v, err := s.VerifyAudit(); err != nil || !v.OK {
		return 0, fmt.Errorf("audit verify: %v %v", err, v.Problems)
	}
	markers := 0
	for _, c := range s.Clients() {
		if strings.HasPrefix(c.Name, "storm-") {
			markers++
		}
	}
	users, _ := s.Users(store.UserFilter{Text: "storm"})
	holding := 0
	for _, u := range users {
		if len(u.SiteIDs) > 0 {
			holding++
		}
	}
	if len(users) != stormUsers || holding != 0 && holding != stormUsers {
		return 0, fmt.Errorf("torn: %d users, %d hold the site", len(users), holding)
	}
	if (holding == stormUsers) != (markers%2 == 1) {
		return 0, fmt.Errorf("torn: %d change sets, %d users hold the site", markers, holding)
	}
	batches, _ := s.Batches(0)
	n := 0
	for _, b := range batches {
		if b.Summary == "storm" {
			n++
			if b.LastSeq-b.FirstSeq+1 != stormUsers+1 {
				return 0, fmt.Errorf("torn: a storm batch has %d entries", b.LastSeq-b.FirstSeq+1)
			}
		}
	}
	if n != markers {
		return 0, fmt.Errorf("torn: %d storm batches, %d markers", n, markers)
	}
	return markers, nil
}

func TestCampaignBackupDuringWriteStorm(t *testing.T) {
	dir := t.TempDir()
	s := stormWorld(t, filepath.Join(dir, "live.db"))
	defer s.Close()
	dur := proof.Pick(time.Second, 30*time.Second)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var commits, seq atomic.Int64
	committed := make(chan struct{}, 1) // a change set since the last backup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				_, err := s.Apply(store.LocalActor(fmt.Sprintf("writer%d", w)), "storm", func(tx *store.Tx) error {
					if _, err := tx.AddClient(fmt.Sprintf("storm-%d", seq.Add(1))); err != nil {
						return err
					}
					users, err := tx.UserByEmail("storm00@example.com")
					if err != nil {
						return err
					}
					add := len(users.SiteIDs) == 0
					for i := range stormUsers {
						u, err := tx.UserByEmail(fmt.Sprintf("storm%02d@example.com", i))
						if err != nil {
							return err
						}
						if err := tx.AssignSites(u.ID, 0, []string{"Depot"}, nil, add); err != nil {
							return err
						}
					}
					return nil
				})
				if err != nil {
					t.Errorf("writer %d: %v", w, err)
					return
				}
				commits.Add(1)
				select {
				case committed <- struct{}{}:
				default:
				}
			}
		}()
	}
	var backups, clean int
	var sizes int64
	deadline := time.Now().Add(dur)
	for i := 0; i == 0 || time.Now().Before(deadline); i++ {
		// each backup after a new change set: a condition, not a pause,
		// so a slow machine still backs up during the storm
		select {
		case <-committed:
		case <-time.After(time.Minute):
			t.Fatal("no change set committed in a minute of the storm")
		}
		path := filepath.Join(dir, fmt.Sprintf("backup-%03d.db", i))
		if err := s.Backup(path); err != nil {
			t.Fatalf("backup %d: %v", i, err)
		}
		backups++
		fi, _ := os.Stat(path)
		sizes += fi.Size()
		if _, err := stormCheck(path); err != nil {
			t.Errorf("backup %d: %v", i, err)
			continue
		}
		clean++
		os.Remove(path)
	}
	close(stop)
	wg.Wait()
	if commits.Load() == 0 || backups == 0 {
		t.Fatalf("%d commits, %d backups: the storm proved nothing", commits.Load(), backups)
	}
	proof.Figure(t, "backup", "%d online backups (avg %d KiB) taken during a storm of %d change sets by 4 writers over %s: %d opened clean with the audit chain verified and whole change sets only; broken: %d (must be 0)",
		backups, sizes/int64(backups)>>10, commits.Load(), dur, clean, backups-clean)
}

// exportOf is the portable state without the export's own time.
func exportOf(t *testing.T, s *store.Store) string {
	t.Helper()
	d, err := s.Export()
	if err != nil {
		t.Fatal(err)
	}
	d.Exported = time.Time{}
	b, _ := json.Marshal(d)
	return string(b)
}

func TestCampaignRestoreGivesBackTheBackup(t *testing.T) {
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "gatehouse.db")
	s := stormWorld(t, dbPath)
	local := store.LocalActor("test")
	change := func(n string) {
		t.Helper()
		if _, err := s.Apply(local, "change "+n, func(tx *store.Tx) error {
			u, err := tx.UserByEmail("storm01@example.com")
			if err != nil {
				return err
			}
			if _, err := tx.EditUser(u.ID, 0, store.UserPatch{First: &n}); err != nil {
				return err
			}
			_, err = tx.AddClient("Client " + n)
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	change("one")
	change("two")
	// the state at backup time
	backup := filepath.Join(dir, "backup.db")
	if err := s.Backup(backup); err != nil {
		t.Fatal(err)
	}
	want := exportOf(t, s)
	wantAudit, _ := s.VerifyAudit()
	wantOutbox, _ := s.Outbox()
	wantBatches, _ := s.Batches(0)
	// life goes on after the backup
	change("three")
	if _, err := s.Apply(local, "disable", func(tx *store.Tx) error {
		u, _ := tx.UserByEmail("storm02@example.com")
		return tx.SetDisabled(u.ID, 0, true)
	}); err != nil {
		t.Fatal(err)
	}
	if exportOf(t, s) == want {
		t.Fatal("nothing changed after the backup: the test proves nothing")
	}
	// restore: stop, copy the backup over the database, start
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	in, err := os.Open(backup)
	if err != nil {
		t.Fatal(err)
	}
	out, err := os.Create(dbPath)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	in.Close()
	out.Close()
	s, err = store.Open(dbPath, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got := exportOf(t, s)
	gotAudit, _ := s.VerifyAudit()
	gotOutbox, _ := s.Outbox()
	gotBatches, _ := s.Batches(0)
	if got != want {
		t.Errorf("the restored state differs from the state at backup time:\n%s\nwant\n%s", got, want)
	}
	if !gotAudit.OK || gotAudit.Entries != wantAudit.Entries || len(gotOutbox) != len(wantOutbox) || len(gotBatches) != len(wantBatches) {
		t.Errorf("restored audit %+v (want %d entries), outbox %d (want %d), change sets %d (want %d)",
			gotAudit, wantAudit.Entries, len(gotOutbox), len(wantOutbox), len(gotBatches), len(wantBatches))
	}
	if u, _ := s.User("storm01@example.com"); u.First != "two" {
		t.Errorf("storm01's first name is %q after the restore, want %q", u.First, "two")
	}
	// and it takes new changes on top
	change("after restore")
	if v, _ := s.VerifyAudit(); !v.OK {
		t.Errorf("audit after a change on the restored database: %v", v.Problems)
	}
	proof.Figure(t, "restore", "backup, 2 more change sets, stop, copy the backup over the database, start: state equal to the backup's (export, %d audit entries, %d change sets, %d outbox messages), chain verified, new change sets append cleanly",
		gotAudit.Entries, len(gotBatches), len(gotOutbox))
}
