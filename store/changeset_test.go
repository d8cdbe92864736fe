package store

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// addBulk adds n Basic users at Head Office in one change set and returns them
// in a stable order.
func addBulk(t *testing.T, f *fx, prefix string, n int) []*User {
	t.Helper()
	f.apply("add "+prefix, func(tx *Tx) error {
		for i := range n {
			if _, err := tx.AddUser(emp("Bulk", fmt.Sprintf("%s %03d", prefix, i), fmt.Sprintf("%s%03d@example.com", prefix, i), "Basic", "Head Office")); err != nil {
				return err
			}
		}
		return nil
	})
	us, err := f.s.Users(UserFilter{Text: prefix})
	if err != nil {
		t.Fatal(err)
	}
	if len(us) != n {
		t.Fatalf("%d users match %q, want %d", len(us), prefix, n)
	}
	return us
}

// A change set is all or nothing: one failing edit among 100 leaves all 100 as they were.
func TestChangeSetAllOrNothing(t *testing.T) {
	f := newFixture(t)
	users := addBulk(t, f, "bulk", 100)
	const failAt = 59 // the 60th
	failures := []struct {
		name  string
		patch func(u *User) (uint64, UserPatch, []string)
		want  error
		names []string
	}{
		{"invalid name", func(u *User) (uint64, UserPatch, []string) {
			return u.Version, UserPatch{First: ptr(" ")}, []string{"North Depot"}
		}, ErrInput, []string{"first name"}},
		{"stale version", func(u *User) (uint64, UserPatch, []string) {
			return u.Version + 1, UserPatch{Last: ptr("Stale")}, []string{"North Depot"} // not the version it has
		}, ErrConflict, []string{users[failAt].Email}},
		{"unknown site", func(u *User) (uint64, UserPatch, []string) {
			return u.Version, UserPatch{Last: ptr("Lost")}, []string{"Atlantis"}
		}, ErrNotFound, []string{"Atlantis"}},
		{"duplicate email", func(u *User) (uint64, UserPatch, []string) {
			return u.Version, UserPatch{Email: ptr(strings.ToUpper(users[0].Email))}, []string{"North Depot"}
		}, ErrRefused, []string{users[0].Email}},
	}
	bulk := func(fail func(u *User) (uint64, UserPatch, []string)) func(tx *Tx) error {
		return func(tx *Tx) error {
			for i, u := range users {
				version, patch, sites := u.Version, UserPatch{Last: ptr(fmt.Sprintf("Renamed %03d", i))}, []string{"North Depot"}
				if i == failAt && fail != nil {
					version, patch, sites = fail(u)
				}
				if _, err := tx.EditUser(u.ID, version, patch); err != nil {
					return err
				}
				if err := tx.AssignSites(u.ID, 0, sites, nil, true); err != nil {
					return err
				}
				if i == 0 {
					if _, err := tx.AddClient("Bulk Client"); err != nil {
						return err
					}
				}
			}
			return nil
		}
	}
	unchanged := func(t *testing.T) {
		t.Helper()
		for _, u := range users {
			got, err := f.s.UserByID(u.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Version != u.Version || got.Last != u.Last || len(got.SiteIDs) != len(u.SiteIDs) {
				t.Fatalf("user %s changed: v%d %q sites %v", u.Email, got.Version, got.Last, f.s.Names().Sites(got.SiteIDs))
			}
			if d := f.s.Check(u.Email, "roster", View, "North Depot"); d.Allowed {
				t.Fatalf("%s reaches North Depot", u.Email)
			}
		}
		for _, c := range f.s.Clients() {
			if c.Name == "Bulk Client" {
				t.Fatal("the client of a failed change set exists")
			}
		}
	}
	for _, c := range failures {
		t.Run(c.name, func(t *testing.T) {
			n := f.auditLen()
			batches, _ := f.s.Batches(0)
			_, err := f.s.Apply(f.local, "bulk", bulk(c.patch))
			checkErr(t, err, c.want, c.names...)
			unchanged(t)
			if f.auditLen() != n {
				t.Error("failed change set wrote audit entries")
			}
			if bs, _ := f.s.Batches(0); len(bs) != len(batches) {
				t.Error("failed change set wrote a batch")
			}
		})
	}
	t.Run("nothing reached the file", func(t *testing.T) {
		f.reopen()
		unchanged(t)
	})
	t.Run("without the failure all 100 change", func(t *testing.T) {
		cs := f.apply("bulk", bulk(nil))
		for i, u := range users {
			got, _ := f.s.UserByID(u.ID)
			if got.Version <= u.Version || got.Last != fmt.Sprintf("Renamed %03d", i) {
				t.Fatalf("user %s: v%d %q", u.Email, got.Version, got.Last)
			}
			if d := f.s.Check(u.Email, "roster", View, "North Depot"); !d.Allowed {
				t.Fatal(d.Reason())
			}
		}
		// last name, sites and teams... one entry per changed field, plus the client
		if len(cs.Entries) != 2*len(users)+1 {
			t.Errorf("%d entries, want %d", len(cs.Entries), 2*len(users)+1)
		}
	})
}

// Preview runs a change set exactly as Apply would, reports it, and writes nothing.
func TestPreview(t *testing.T) {
	f := newFixture(t)
	users := addBulk(t, f, "prev", 20)
	fn := func(tx *Tx) error {
		for _, u := range users {
			if err := tx.AssignSites(u.ID, u.Version, []string{"North Depot"}, nil, true); err != nil {
				return err
			}
		}
		if _, err := tx.AddUser(emp("Pre", "View", "preview@example.com", "Basic")); err != nil {
			return err
		}
		if err := tx.Grant("Basic", 0, "leave", View); err != nil {
			return err
		}
		if err := tx.SetSetting("portal", "off"); err != nil {
			return err
		}
		_, err := tx.AddClient("Preview Client")
		return err
	}
	before := snapshot(t, f.s)
	auditBefore := f.auditLen()
	outboxBefore, _ := f.s.Outbox()
	invBefore, _ := f.s.Invitations()
	events, cancel := f.s.Subscribe()
	defer cancel()

	pv, err := f.s.Preview(f.local, "preview", fn)
	if err != nil {
		t.Fatal(err)
	}
	if !pv.DryRun || pv.Batch != 0 || len(pv.Tokens) != 0 {
		t.Errorf("preview: dry %v batch %d tokens %d", pv.DryRun, pv.Batch, len(pv.Tokens))
	}
	if len(pv.Entries) < len(users)+4 {
		t.Fatalf("preview reports %d entries", len(pv.Entries))
	}
	if got := snapshot(t, f.s); got != before {
		t.Error("preview changed what readers see")
	}
	if f.auditLen() != auditBefore {
		t.Error("preview wrote audit entries")
	}
	if o, _ := f.s.Outbox(); len(o) != len(outboxBefore) {
		t.Error("preview queued messages")
	}
	if i, _ := f.s.Invitations(); len(i) != len(invBefore) {
		t.Error("preview created invitations")
	}
	f.publishedNothing(t, events, "preview")
	before = snapshot(t, f.s) // with the marker's setting
	f.reopen()
	if got := snapshot(t, f.s); got != before {
		t.Error("preview reached the file")
	}

	// applying the same change set does what the preview said
	cs := f.apply("apply", fn)
	if len(cs.Entries) != len(pv.Entries) {
		t.Fatalf("apply made %d entries, preview said %d", len(cs.Entries), len(pv.Entries))
	}
	for i := range cs.Entries {
		a, p := cs.Entries[i], pv.Entries[i]
		if a.Entity != p.Entity || a.Field != p.Field || a.Before != p.Before || a.After != p.After {
			t.Errorf("entry %d: applied %+v, previewed %+v", i, a, p)
		}
	}

	// a preview that fails reports the error
	_, err = f.s.Preview(f.local, "bad", func(tx *Tx) error { _, err := tx.AddClient("Preview Client"); return err })
	checkErr(t, err, ErrRefused, "Preview Client")
}

// snapshot renders everything readers see, for before/after comparisons.
func snapshot(t *testing.T, s *Store) string {
	t.Helper()
	users, err := s.Users(UserFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var effective []*Effective
	for _, u := range users {
		e, err := s.Effective(u.Email)
		if err != nil {
			t.Fatal(err)
		}
		effective = append(effective, e)
	}
	all := struct {
		Users     []*User
		Effective []*Effective
		Profiles  []*Profile
		Settings  Settings
		Screens   []*Screen
		Clients   []*Client
		Sites     []*Site
		Teams     []*Team
	}{users, effective, s.Profiles(), s.Settings(), s.Screens(), s.Clients(), s.Sites(), s.Teams()}
	b, err := json.MarshalIndent(all, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// The audit chain verifies after many change sets and reports tampering by entry number.
func TestAuditChainTamper(t *testing.T) {
	f := newFixture(t)
	for i := range 40 {
		f.clock.Advance(time.Minute)
		f.apply(fmt.Sprintf("change %d", i), func(tx *Tx) error {
			switch i % 4 {
			case 0:
				_, err := tx.EditUser(f.user(emBasic).ID, 0, UserPatch{Last: ptr(fmt.Sprintf("Basic \"%d\" <é>", i))})
				return err
			case 1:
				return tx.Grant("Basic", 0, "leave", Level(i/4%2+1))
			case 2:
				_, err := tx.AddClient(fmt.Sprintf("Client %d", i))
				return err
			}
			return tx.AssignSites(f.user(emSupervisor).ID, 0, []string{"Head Office"}, nil, i/4%2 == 0)
		})
	}
	r, err := f.s.VerifyAudit()
	if err != nil {
		t.Fatal(err)
	}
	n := f.auditLen()
	if !r.OK || r.Entries != uint64(n) || n < 50 {
		t.Fatalf("verify: %+v over %d entries", r, n)
	}
	f.s.Close()
	f.s = nil
	mid := uint64(n / 2)

	tamper := []struct {
		name  string
		edit  func(t *testing.T, b auditKeys)
		wants []string // every one must be in some problem
	}{
		{"one byte of a value", func(t *testing.T, b auditKeys) {
			v := bytes.Clone(b.Get(itob(mid)))
			i := bytes.Index(v, []byte(`"field":"`)) + len(`"field":"`)
			v[i] ^= 0x01 // a letter stays a letter: the JSON still reads
			if err := b.Put(itob(mid), v); err != nil {
				t.Fatal(err)
			}
		}, []string{fmt.Sprintf("entry %d ", mid), "altered"}},
		{"one byte breaking the JSON", func(t *testing.T, b auditKeys) {
			v := bytes.Clone(b.Get(itob(mid)))
			v[0] = '['
			if err := b.Put(itob(mid), v); err != nil {
				t.Fatal(err)
			}
		}, []string{fmt.Sprintf("entry %d ", mid), "altered"}},
		{"one byte of the stored hash", func(t *testing.T, b auditKeys) {
			v := bytes.Clone(b.Get(itob(mid)))
			i := bytes.Index(v, []byte(`"hash":"`)) + len(`"hash":"`)
			v[i] = map[bool]byte{true: 'a', false: 'b'}[v[i] != 'a']
			if err := b.Put(itob(mid), v); err != nil {
				t.Fatal(err)
			}
		}, []string{fmt.Sprintf("entry %d ", mid), fmt.Sprintf("entry %d ", mid+1)}},
		{"a middle entry deleted", func(t *testing.T, b auditKeys) {
			if err := b.Delete(itob(mid)); err != nil {
				t.Fatal(err)
			}
		}, []string{fmt.Sprintf("%d", mid), "missing"}},
		{"the first entry deleted", func(t *testing.T, b auditKeys) {
			if err := b.Delete(itob(1)); err != nil {
				t.Fatal(err)
			}
		}, []string{"1", "missing"}},
		{"the last entry deleted", func(t *testing.T, b auditKeys) {
			if err := b.Delete(itob(uint64(n))); err != nil {
				t.Fatal(err)
			}
		}, []string{fmt.Sprintf("%d", n), "missing at the end"}},
		{"an entry rewritten with a fresh hash", func(t *testing.T, b auditKeys) {
			var e AuditEntry
			if err := json.Unmarshal(b.Get(itob(mid)), &e); err != nil {
				t.Fatal(err)
			}
			hash := sameHashing(t, e)
			e.After = "forged"
			e.Hash = hash(e)
			v, _ := json.Marshal(e)
			if err := b.Put(itob(mid), v); err != nil {
				t.Fatal(err)
			}
		}, []string{fmt.Sprintf("entry %d ", mid+1)}},
	}
	for _, c := range tamper {
		t.Run(c.name, func(t *testing.T) {
			s, err := f.tamperedCopy(t, c.edit)
			if err != nil {
				t.Fatalf("open a tampered file: %v", err)
			}
			defer s.Close()
			r, err := s.VerifyAudit()
			if err != nil {
				t.Fatal(err)
			}
			if r.OK || len(r.Problems) == 0 {
				t.Fatalf("tampering not detected: %+v", r)
			}
			all := strings.Join(r.Problems, "\n")
			for _, w := range c.wants {
				if !strings.Contains(all, w) {
					t.Errorf("problems do not mention %q:\n%s", w, all)
				}
			}
		})
	}
	t.Run("untouched copy", func(t *testing.T) {
		s, err := f.tamperedCopy(t, func(*testing.T, auditKeys) {})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		if r, _ := s.VerifyAudit(); !r.OK {
			t.Fatalf("pristine copy: %v", r.Problems)
		}
	})
}

// auditKeys is the audit log as stored, to tamper with (a bbolt bucket, or
// the keys under an etcd prefix).
type auditKeys interface {
	Get(key []byte) []byte
	Put(key, value []byte) error
	Delete(key []byte) error
}

// tamperedCopy copies the fixture's closed store, lets edit change its
// audit log below the store, and opens the copy.
func (f *fx) tamperedCopy(t *testing.T, edit func(*testing.T, auditKeys)) (*Store, error) {
	t.Helper()
	if f.etcd != nil {
		return etcdTamperedCopy(t, f.etcd.Prefix, edit)
	}
	path := filepath.Join(t.TempDir(), "tampered.db")
	copyFile(t, f.path, path)
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(func(tx *bolt.Tx) error { edit(t, tx.Bucket(bucketAudit)); return nil }); err != nil {
		t.Fatal(err)
	}
	db.Close()
	return Open(path, Options{NoSync: true})
}

// sameHashing returns a function that hashes entries the way the store does,
// found from a stored entry: sha256 over its JSON with an empty hash (with or
// without a final newline), as a forger who read the code would.
func sameHashing(t *testing.T, stored AuditEntry) func(AuditEntry) string {
	t.Helper()
	for _, suffix := range []string{"", "\n"} {
		h := func(e AuditEntry) string {
			e.Hash = ""
			b, _ := json.Marshal(e)
			sum := sha256.Sum256(append(b, suffix...))
			return hex.EncodeToString(sum[:])
		}
		if h(stored) == stored.Hash {
			return h
		}
	}
	t.Fatal("cannot reproduce the store's entry hash")
	return nil
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	src, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	dst, err := os.Create(to)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(dst, src); err != nil {
		t.Fatal(err)
	}
	if err := dst.Close(); err != nil {
		t.Fatal(err)
	}
}

// Subscribers hear of committed change sets, and only of those.
func TestEvents(t *testing.T) {
	f := newFixture(t)
	ch, cancel := f.s.Subscribe()
	ch2, cancel2 := f.s.Subscribe()
	defer cancel2()
	sup := f.user(emSupervisor)
	cs := f.apply("rename supervisor", func(tx *Tx) error {
		_, err := tx.EditUser(sup.ID, 0, UserPatch{Last: ptr("Evented")})
		return err
	})
	for _, c := range []<-chan Event{ch, ch2} {
		ev := nextEvent(t, c)
		if ev.Batch != cs.Batch || ev.Actor != f.local.Name || ev.Summary != "rename supervisor" || !ev.Time.Equal(cs.Time) {
			t.Errorf("event %+v for change set %d", ev, cs.Batch)
		}
		if !ev.Touches("user", sup.ID) || ev.Touches("user", f.user(emBasic).ID) {
			t.Errorf("event refs %v", ev.Refs)
		}
		if len(ev.Refs) != 1 || ev.Refs[0].Label != emSupervisor {
			t.Errorf("event refs %v, want just %s", ev.Refs, emSupervisor)
		}
	}

	// refused, no-op and preview change sets publish nothing: the next event is the next commit
	_, err := f.s.Apply(f.local, "refused", func(tx *Tx) error {
		if _, err := tx.EditUser(sup.ID, 0, UserPatch{Last: ptr("Nope")}); err != nil {
			return err
		}
		return tx.SetSetting("nonsense", "on")
	})
	checkErr(t, err, ErrInput, "nonsense")
	f.apply("no-op", func(tx *Tx) error { return tx.SetDisabled(sup.ID, 0, false) })
	if _, err := f.s.Preview(f.local, "preview", func(tx *Tx) error { return tx.SetDisabled(sup.ID, 0, true) }); err != nil {
		t.Fatal(err)
	}
	var batches []uint64
	for i := range 20 {
		cs := f.apply("client", func(tx *Tx) error { _, err := tx.AddClient(fmt.Sprintf("Ev %d", i)); return err })
		batches = append(batches, cs.Batch)
	}
	for _, b := range batches {
		if ev := nextEvent(t, ch); ev.Batch != b || !slices.ContainsFunc(ev.Refs, func(r Ref) bool { return r.Kind == "client" }) {
			t.Fatalf("got event for batch %d (%s), want %d", ev.Batch, ev.Summary, b)
		}
	}

	// disabling a user is heard, so sessions can end
	f.apply("disable", func(tx *Tx) error { return tx.SetDisabled(sup.ID, 0, true) })
	if ev := nextEvent(t, ch); !ev.Touches("user", sup.ID) {
		t.Errorf("disable event refs %v", ev.Refs)
	}

	// cancel closes the channel
	cancel()
	deadline := time.After(eventWait)
	for open := true; open; {
		select {
		case _, open = <-ch:
		case <-deadline:
			t.Fatalf("channel still open %v after cancel", eventWait)
		}
	}
	cancel() // twice is harmless
	f.apply("after cancel", func(tx *Tx) error { _, err := tx.AddClient("Late"); return err })

	// closing the store closes the remaining subscriptions
	f.s.Close()
	f.s = nil
	deadline = time.After(eventWait)
	for open := true; open; {
		select {
		case _, open = <-ch2:
		case <-deadline:
			t.Fatalf("subscription still open %v after Close", eventWait)
		}
	}
}

// A second Open of a held file fails quickly and says the database is in use.
func TestLock(t *testing.T) {
	skipOnEtcd(t, "the file lock")
	f := openStore(t)
	start := time.Now()
	s2, err := Open(f.path, Options{NoSync: true})
	elapsed := time.Since(start)
	if err == nil {
		s2.Close()
		t.Fatal("a second Open of a held file succeeded")
	}
	// the lock wait is a second: a bound far above it fails an Open that
	// waits for the holder to let go, not one on a slow machine
	if elapsed > 30*time.Second {
		t.Errorf("Open took %s to fail", elapsed)
	}
	checkErr(t, err, ErrLocked, "in use", f.path)
	if KindOf(err) != KindLocked {
		t.Errorf("KindOf = %d", KindOf(err))
	}

	t.Run("names the server", func(t *testing.T) {
		if err := os.WriteFile(f.path+".serving", []byte("127.0.0.1:23234\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := Open(f.path, Options{NoSync: true, Timeout: 100 * time.Millisecond})
		checkErr(t, err, ErrLocked, "127.0.0.1:23234")
	})
	t.Run("free after close", func(t *testing.T) {
		f.reopen()
	})
}

// Everything created survives Close and Open.
func TestReopenPersistence(t *testing.T) {
	f := newFixture(t)
	f.apply("more", func(tx *Tx) error {
		if _, err := tx.AddScreen("fleet", "Fleet", "Operations", true); err != nil {
			return err
		}
		if _, err := tx.CreateProfile("Auditor", Employee, "Supervisor"); err != nil {
			return err
		}
		for _, g := range []struct {
			p, sc string
			l     Level
		}{{"Auditor", "audit", View}, {"Auditor", "fleet", Maintain}, {"Auditor", "roster", None}, {"Basic", "leave", View}, {"Client", "scheduler", View}} {
			if err := tx.Grant(g.p, 0, g.sc, g.l); err != nil {
				return err
			}
		}
		for k, v := range map[string]string{"client-guardrail": "off", "invite-expiry": "3d", "adhoc-clock-in": "on", "portal": "off", "lockout-attempts": "7", "lockout-window": "30m"} {
			if err := tx.SetSetting(k, v); err != nil {
				return err
			}
		}
		if _, err := tx.AddTeam("Day", "South Yard"); err != nil {
			return err
		}
		if _, err := tx.AddUser(NewUser{First: "Aud", Last: "Itor", Email: "auditor@example.com", Type: Employee, Profile: "Auditor",
			Clients: []string{"Acme", "Zeta"}, Sites: []string{"Zeta HQ"}, Teams: []string{"South Yard/Day"}, DefaultSite: "Zeta HQ"}); err != nil {
			return err
		}
		u, err := tx.UserByEmail("auditor@example.com")
		if err != nil {
			return err
		}
		if err := tx.SetFeature(u.ID, 0, FeatureMobileApp, Deny); err != nil {
			return err
		}
		if err := tx.SetFeature(u.ID, 0, FeatureAdhocClockIn, Allow); err != nil {
			return err
		}
		if err := tx.SetPassword(u.ID, 0, "a long enough password"); err != nil {
			return err
		}
		if err := tx.SetDisabled(f.user(emUser).ID, 0, true); err != nil {
			return err
		}
		return tx.SetSetting("restrict-locations", "on")
	})
	cs := f.apply("invite", f.do(addUser(emp("Late", "Comer", "late@example.com", "Basic"))))
	f.apply("edit profile of basic", f.do(editUser(emBasic, UserPatch{Profile: ptr("Supervisor"), Email: ptr("bob@example.com")})))

	before := snapshot(t, f.s)
	for _, want := range []string{"Auditor", "fleet", "auditor@example.com", "bob@example.com", "South Yard", "Day", "Night", "Zeta HQ", "Head Office"} {
		if !strings.Contains(before, want) {
			t.Fatalf("snapshot lacks %q", want)
		}
	}
	checks := func() string {
		var b strings.Builder
		for _, u := range []string{"auditor@example.com", "bob@example.com", emUser, emClient, emManager} {
			for _, sc := range []string{"fleet", "audit", "roster", "leave", "scheduler"} {
				for _, site := range []string{"", "Zeta HQ", "South Yard", "North Depot"} {
					fmt.Fprintln(&b, f.s.Check(u, sc, View, site).Reason())
				}
			}
		}
		return b.String()
	}
	checksBefore := checks()
	audit, _ := f.s.AuditLog(AuditFilter{})
	outbox, _ := f.s.Outbox()
	batches, _ := f.s.Batches(0)

	f.reopen()

	if after := snapshot(t, f.s); after != before {
		t.Errorf("state differs after reopen:\n%s", lineDiff(before, after))
	}
	if after := checks(); after != checksBefore {
		t.Errorf("checks differ after reopen:\n%s", lineDiff(checksBefore, after))
	}
	if a, _ := f.s.AuditLog(AuditFilter{}); len(a) != len(audit) || !reflect.DeepEqual(a[len(a)-1], audit[len(audit)-1]) {
		t.Error("audit log differs after reopen")
	}
	if o, _ := f.s.Outbox(); len(o) != len(outbox) {
		t.Error("outbox differs after reopen")
	}
	if b, _ := f.s.Batches(0); len(b) != len(batches) {
		t.Error("batches differ after reopen")
	}
	if r, _ := f.s.VerifyAudit(); !r.OK {
		t.Errorf("audit after reopen: %v", r.Problems)
	}
	if _, err := f.s.User(emBasic); !errors.Is(err, ErrNotFound) {
		t.Error("the old email still finds the user after reopen")
	}
	if u := f.user("auditor@example.com"); !CheckPassword(u.PasswordHash, "a long enough password") {
		t.Error("password lost")
	}
	if _, err := f.s.AcceptInvitation(cs.Tokens[0], "a long enough password"); err != nil {
		t.Errorf("token created before reopen: %v", err)
	}
	// the id sequences go on where they were
	f.apply("after reopen", f.do(addUser(emp("After", "Reopen", "after@example.com", "Basic"))))
	if id := f.user("after@example.com").ID; id <= f.user("late@example.com").ID {
		t.Errorf("new user id %d reuses an old one", id)
	}
}

// lineDiff shows the first differing lines.
func lineDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	var out []string
	for i := 0; i < len(al) || i < len(bl); i++ {
		var x, y string
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if x != y {
			out = append(out, fmt.Sprintf("line %d:\n- %s\n+ %s", i+1, x, y))
			if len(out) == 10 {
				break
			}
		}
	}
	return strings.Join(out, "\n")
}
