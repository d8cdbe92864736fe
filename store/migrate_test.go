package store

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

// migrateFixture is a store with something in every bucket: users with
// invitations and messages in the outbox, a profile of its own, places,
// change sets and the audit chain over them, and a user since disabled.
func migrateFixture(t *testing.T) *fx {
	t.Helper()
	f := newFixture(t)
	f.apply("profile", func(tx *Tx) error {
		if _, err := tx.CreateProfile("Roster Lead", Employee, "Supervisor"); err != nil {
			return err
		}
		return tx.Grant("Roster Lead", 0, "leave", Maintain)
	})
	f.apply("disable", func(tx *Tx) error { return tx.SetDisabled(f.user(emBasic).ID, 0, true) })
	f.apply("more users", invitedUsers("many", 40))
	return f
}

// invitedUsers is a change set adding n invited users.
func invitedUsers(prefix string, n int) func(*Tx) error {
	return func(tx *Tx) error {
		for i := range n {
			if _, err := tx.AddUser(NewUser{First: "Many", Last: fmt.Sprintf("User %d", i), Email: fmt.Sprintf("%s%d@example.com", prefix, i), Type: Employee, Profile: "Basic"}); err != nil {
				return err
			}
		}
		return nil
	}
}

// sameStore fails the test unless b holds what a holds: its export (users,
// profiles, places, settings), its audit log, its raw records, and a chain
// that verifies.
func sameStore(t *testing.T, what string, a, b *Store) {
	t.Helper()
	da, err := a.Export()
	if err != nil {
		t.Fatal(err)
	}
	db, err := b.Export()
	if err != nil {
		t.Fatal(err)
	}
	da.Exported, db.Exported = time.Time{}, time.Time{}
	if !reflect.DeepEqual(da, db) {
		t.Errorf("%s: the export differs", what)
	}
	la, _ := a.AuditLog(AuditFilter{})
	lb, _ := b.AuditLog(AuditFilter{})
	if len(la) == 0 || !reflect.DeepEqual(la, lb) {
		t.Errorf("%s: the audit log differs (%d entries, %d)", what, len(la), len(lb))
	}
	if r, err := b.VerifyAudit(); err != nil || !r.OK || r.Entries != uint64(len(la)) {
		t.Errorf("%s: audit verify = %+v, %v", what, r, err)
	}
	digest := func(s *Store) [32]byte {
		var d [32]byte
		if err := s.db.view(func(tx rtx) error { var err error; d, err = recordsDigest(tx); return err }); err != nil {
			t.Fatal(err)
		}
		return d
	}
	if digest(a) != digest(b) {
		t.Errorf("%s: the records differ as stored", what)
	}
}

// A store copied into a new file holds every record as stored, and its
// chain verifies; migrate never writes over a file, nor leaves one behind
// when it fails.
func TestMigrateToFile(t *testing.T) {
	f := migrateFixture(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "copy.db")
	m, err := f.s.MigrateToFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if m.Records == 0 || m.Entries != uint64(f.auditLen()) || m.Head == "" || m.To != path {
		t.Errorf("migrated %+v; want every record and %d audit entries", m, f.auditLen())
	}
	c, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	sameStore(t, "the copy", f.s, c)
	c.Close()

	_, err = f.s.MigrateToFile(path)
	checkErr(t, err, ErrRefused, "already exists", "never overwrites")
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("the folder holds %d files after a refused migrate; want the copy alone", len(entries))
	}
}

// A store whose audit chain does not verify is not copied.
func TestMigrateRefusesABrokenChain(t *testing.T) {
	f := migrateFixture(t)
	f.s.Close()
	f.s = nil
	tampered, err := f.tamperedCopy(t, func(t *testing.T, k auditKeys) {
		if err := k.Delete(itob(2)); err != nil {
			t.Fatal(err)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	defer tampered.Close()
	path := filepath.Join(t.TempDir(), "copy.db")
	_, err = tampered.MigrateToFile(path)
	checkErr(t, err, ErrRefused, "does not verify", "nothing was copied")
	if _, err := os.Stat(path); err == nil {
		t.Error("a copy was written of a store whose chain does not verify")
	}
}
