package store

import (
	"errors"
	"runtime"
	"strings"
	"testing"
	"time"
)

func TestCheckPassword(t *testing.T) {
	f := newFixture(t)
	const pw = "correct horse battery"
	f.apply("passwords", func(tx *Tx) error {
		for _, e := range []string{emAdmin, emBasic} {
			if err := tx.SetPassword(f.user(e).ID, 0, pw); err != nil {
				return err
			}
		}
		return tx.SetDisabled(f.user(emBasic).ID, 0, true)
	})
	for _, tc := range []struct {
		name, email, pw string
		ok              bool
	}{
		{"right password", emAdmin, pw, true},
		{"email in another case", strings.ToUpper(emAdmin), pw, true},
		{"wrong password", emAdmin, pw + "!", false},
		{"empty password", emAdmin, "", false},
		{"unknown user", "nobody@example.com", pw, false},
		{"disabled user", emBasic, pw, false},
		{"user without a password", emManager, pw, false},
		{"user without a password, empty try", emManager, "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u, err := f.s.CheckPassword(tc.email, tc.pw)
			if tc.ok {
				if err != nil || u == nil || u.Email != emAdmin {
					t.Fatalf("want admin, got %v, %v", u, err)
				}
				return
			}
			if u != nil || err != ErrSignIn || !errors.Is(err, ErrDenied) {
				t.Fatalf("want ErrSignIn, got %v, %v", u, err)
			}
		})
	}
}

func TestCheckInvitation(t *testing.T) {
	f := newFixture(t)
	add := func(email string) string {
		cs := f.apply("add "+email, func(tx *Tx) error {
			_, err := tx.AddUser(NewUser{First: "New", Last: "Person", Email: email, Type: Employee, Profile: "Basic"})
			return err
		})
		return cs.Tokens[0]
	}
	open := add("open@example.com")
	used := add("used@example.com")
	if _, err := f.s.AcceptInvitation(used, "a long enough password"); err != nil {
		t.Fatal(err)
	}
	revoked := add("revoked@example.com")
	f.apply("resend", func(tx *Tx) error { return tx.ResendInvite(f.user("revoked@example.com").ID) })
	disabled := add("disabled@example.com")
	f.apply("disable", func(tx *Tx) error { return tx.SetDisabled(f.user("disabled@example.com").ID, 0, true) })
	expiring := add("expiring@example.com")

	u, err := f.s.CheckInvitation("  " + strings.ToUpper(open) + " ")
	if err != nil || u.Email != "open@example.com" {
		t.Fatalf("open token: %v, %v", u, err)
	}
	f.clock.Advance(f.s.Settings().InviteExpiry + time.Minute)
	for name, tok := range map[string]string{"used": used, "revoked": revoked, "disabled user": disabled, "expired": expiring, "wrong": "not-a-token", "empty": ""} {
		t.Run(name, func(t *testing.T) {
			u, err := f.s.CheckInvitation(tok)
			if u != nil || !IsBadToken(err) {
				t.Fatalf("want the bad-token answer, got %v, %v", u, err)
			}
		})
	}
}

func TestRecordSignIn(t *testing.T) {
	f := newFixture(t)
	max := f.user(emManager)
	if max.Status() != Invited {
		t.Fatal("fixture user should start invited")
	}
	f.clock.Advance(time.Hour)
	if err := f.s.RecordSignIn(max.ID, "key SHA256:abc", "127.0.0.1:5555"); err != nil {
		t.Fatal(err)
	}
	u := f.user(emManager)
	if !u.LastSignIn.Equal(f.clock.Now()) || u.Status() != Active || !u.HasRecords() {
		t.Fatalf("after sign-in: last %v, status %s", u.LastSignIn, u.Status())
	}
	if u.Version != max.Version {
		t.Fatalf("signing in moved the version from %d to %d", max.Version, u.Version)
	}
	es, _ := f.s.AuditLog(AuditFilter{Limit: 2})
	if len(es) != 2 || es[0].Field != "status" || es[1].Field != "sign-in" || es[1].Actor != emManager ||
		es[1].Before != "never" || !strings.Contains(es[1].After, "key SHA256:abc from 127.0.0.1:5555") {
		t.Fatalf("sign-in audit: %+v", es)
	}
	// an admin who read the user before the sign-in can still save
	if _, err := f.s.Apply(f.local, "edit", func(tx *Tx) error {
		_, err := tx.EditUser(max.ID, max.Version, UserPatch{First: ptr("Maxine")})
		return err
	}); err != nil {
		t.Fatalf("edit after sign-in: %v", err)
	}
	// a second sign-in records the first as before
	f.clock.Advance(time.Minute)
	if err := f.s.RecordSignIn(max.ID, "password", ""); err != nil {
		t.Fatal(err)
	}
	es, _ = f.s.AuditLog(AuditFilter{Limit: 1})
	if es[0].Before == "never" || !strings.HasSuffix(es[0].After, "by password") {
		t.Fatalf("second sign-in: %+v", es[0])
	}

	for _, tc := range []struct {
		name string
		id   uint64
		want error
	}{
		{"disabled", f.user(emBasic).ID, ErrDenied},
		{"unknown", 4242, ErrNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.name == "disabled" {
				f.apply("disable", func(tx *Tx) error { return tx.SetDisabled(tc.id, 0, true) })
			}
			n := f.auditLen()
			checkErr(t, f.s.RecordSignIn(tc.id, "password", "x"), tc.want)
			if f.auditLen() != n {
				t.Fatal("a refused sign-in left audit entries")
			}
		})
	}
}

// A sign-in recorded in the background comes before anything the user does:
// their own change sets wait for it. The write lock is held so neither
// sign-in can commit; the test waits until the user's change set is seen
// waiting for them (it never is, should Apply not wait), then lets go.
func TestSignInLaterPrecedesTheUsersOwnChanges(t *testing.T) {
	f := newFixture(t)
	admin := f.user(emAdmin)
	f.s.wmu.Lock()
	first := f.s.RecordSignInLater(admin.ID, "key SHA256:x", "127.0.0.1:1")
	second := f.s.RecordSignInLater(admin.ID, "key SHA256:x", "127.0.0.1:2")
	acted := make(chan *ChangeSet, 1)
	go func() {
		cs, err := f.s.Apply(f.actor(emAdmin), "add client", func(tx *Tx) error {
			_, err := tx.AddClient("Omega")
			return err
		})
		if err != nil {
			t.Error(err)
		}
		acted <- cs
	}()
	waitFor(t, "the user's change set to wait for their sign-in", func() bool { return f.s.signIns.waiting.Load() == 1 })
	f.s.wmu.Unlock()
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	if err := <-second; err != nil {
		t.Fatal(err)
	}
	cs := <-acted
	signIns := mustAuditLog(t, f.s, AuditFilter{Actor: emAdmin})
	var last uint64
	for _, e := range signIns {
		if e.Field == "sign-in" && e.Batch > last {
			last = e.Batch
		}
	}
	if cs == nil {
		t.Fatal("the user's change set failed")
	}
	if last == 0 || cs.Batch < last {
		t.Fatalf("the user's change set is #%d, sign-ins up to #%d: it must come after both", cs.Batch, last)
	}
	if u := f.user(emAdmin); !strings.HasSuffix(mustLastSignIn(t, f.s, emAdmin), "127.0.0.1:2") || u.Status() != Active {
		t.Fatalf("the later sign-in is not the last recorded: %v", u.LastSignIn)
	}
}

// waitFor waits for a condition (never for a duration); a minute without it
// fails the test.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		runtime.Gosched()
	}
}

func mustAuditLog(t *testing.T, s *Store, f AuditFilter) []AuditEntry {
	t.Helper()
	es, err := s.AuditLog(f)
	if err != nil {
		t.Fatal(err)
	}
	return es
}

// mustLastSignIn is the after-value of the user's newest sign-in entry.
func mustLastSignIn(t *testing.T, s *Store, email string) string {
	t.Helper()
	var last AuditEntry
	for _, e := range mustAuditLog(t, s, AuditFilter{Actor: email}) {
		if e.Field == "sign-in" && e.Seq > last.Seq {
			last = e
		}
	}
	return last.After
}

// Closing the store waits for sign-ins still being recorded in the
// background: a server shutting down loses none.
func TestCloseWaitsForSignInsLater(t *testing.T) {
	f := newFixture(t)
	admin := f.user(emAdmin)
	f.s.wmu.Lock() // the sign-in cannot commit yet
	done := f.s.RecordSignInLater(admin.ID, "password", "127.0.0.1:9")
	closed := make(chan error, 1)
	go func() { closed <- f.s.Close() }()
	waitFor(t, "Close to begin", func() bool {
		f.s.signIns.mu.Lock()
		defer f.s.signIns.mu.Unlock()
		return f.s.signIns.closed
	})
	select {
	case err := <-closed:
		t.Fatalf("Close returned (%v) with a sign-in still to write", err)
	default:
	}
	f.s.wmu.Unlock()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if err := <-closed; err != nil {
		t.Fatal(err)
	}
	if err := <-f.s.RecordSignInLater(admin.ID, "password", "127.0.0.1:10"); err == nil {
		t.Fatal("a sign-in was taken after Close")
	}
	f.s = nil
	s, err := f.open(Options{NoSync: true, Now: f.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	f.s = s
	if u := f.user(emAdmin); u.LastSignIn.IsZero() || !strings.HasSuffix(mustLastSignIn(t, s, emAdmin), "127.0.0.1:9") {
		t.Fatalf("the sign-in was lost at close: %+v", u.LastSignIn)
	}
}
