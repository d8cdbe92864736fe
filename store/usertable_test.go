package store

import (
	"reflect"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"
)

func TestUserTable(t *testing.T) {
	tab, err := newUserTable([]*User{{ID: 5, Email: "e"}, {ID: 2, Email: "b"}})
	if err != nil {
		t.Fatal(err)
	}
	ids := func() (out []uint64) {
		tab.each(func(u *User) { out = append(out, u.ID) })
		return out
	}
	steps := []struct {
		name string
		do   func()
		want []uint64
	}{
		{"loaded, walked in id order", func() {}, []uint64{2, 5}},
		{"a new id past the end", func() { tab.set(&User{ID: 40}) }, []uint64{2, 5, 40}},
		{"a new id in a hole", func() { tab.set(&User{ID: 3}) }, []uint64{2, 3, 5, 40}},
		{"replacing is not adding", func() { tab.set(&User{ID: 3, Email: "c2"}) }, []uint64{2, 3, 5, 40}},
		{"deleting", func() { tab.del(5) }, []uint64{2, 3, 40}},
		{"deleting twice, or an id never used", func() { tab.del(5); tab.del(1000) }, []uint64{2, 3, 40}},
	}
	for _, st := range steps {
		st.do()
		got := ids()
		if len(got) != len(st.want) || tab.len() != len(st.want) {
			t.Fatalf("%s: ids %v (len %d), want %v", st.name, got, tab.len(), st.want)
		}
		for i := range got {
			if got[i] != st.want[i] {
				t.Fatalf("%s: ids %v, want %v", st.name, got, st.want)
			}
		}
	}
	if u := tab.get(3); u == nil || u.Email != "c2" {
		t.Fatalf("get(3) = %+v, want the replacement", u)
	}
	if tab.get(5) != nil || tab.get(1<<40) != nil {
		t.Fatal("a deleted id, or one past the end, must read as nil")
	}
}

// A user record with an id no sequence could have made (a damaged file) is
// refused at open with a message, not turned into a huge allocation.
func TestOpenRefusesOutOfRangeUserID(t *testing.T) {
	skipOnEtcd(t, "it writes the file by hand")
	f := newFixture(t)
	path := f.path
	f.s.Close()
	f.s = nil
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		u := &User{ID: 1 << 40, Email: "huge@example.com", First: "H", Last: "Uge"}
		// the sequence too: else open refuses it sooner (checkContents), not here
		if err := tx.Bucket(bucketUsers).SetSequence(u.ID); err != nil {
			return err
		}
		return tx.Bucket(bucketUsers).Put(itob(u.ID), encodeUser(u))
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	_, err = Open(path, Options{NoSync: true})
	if err == nil || !strings.Contains(err.Error(), "out of range") {
		t.Fatalf("Open = %v, want an out-of-range refusal", err)
	}
}

// Checks, lookups by email and writes right after open wait for the email
// index that open builds in the background, and see every user.
func TestEmailIndexRightAfterOpen(t *testing.T) {
	f := newFixture(t)
	for i := 0; i < 5; i++ {
		f.reopen()
		if d := f.s.Check(emClient, "payroll", View, ""); d.Allowed {
			t.Fatalf("client allowed payroll right after open: %+v", d)
		}
		if _, err := f.s.User(strings.ToUpper(emManager)); err != nil {
			t.Fatalf("User right after open: %v", err)
		}
		_, err := f.s.Apply(f.local, "dup", func(tx *Tx) error {
			_, err := tx.AddUser(NewUser{First: "A", Last: "B", Email: emAdmin, Type: Employee, Profile: "User"})
			return err
		})
		if err == nil || !strings.Contains(err.Error(), emAdmin) {
			t.Fatalf("a duplicate email right after open: %v", err)
		}
	}
}

// EffectiveByID answers exactly as Effective, for every fixture user.
func TestEffectiveByIDMatchesEffective(t *testing.T) {
	f := newFixture(t)
	for _, email := range []string{emAdmin, emManager, emSupervisor, emUser, emBasic, emClient} {
		byEmail, err := f.s.Effective(email)
		if err != nil {
			t.Fatal(err)
		}
		byID, err := f.s.EffectiveByID(f.user(email).ID)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(byEmail, byID) {
			t.Errorf("%s: by id %+v, by email %+v", email, byID, byEmail)
		}
	}
	if _, err := f.s.EffectiveByID(1 << 30); err == nil {
		t.Error("an unknown id has effective access")
	}
}
