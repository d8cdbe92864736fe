package store

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"
)

func getJSON(b *bolt.Bucket, key []byte, v any) error { return json.Unmarshal(b.Get(key), v) }

// backupBytes is what a backup of the store holds, byte for byte.
func backupBytes(t *testing.T, f *fx) []byte {
	t.Helper()
	if f.etcd != nil {
		// what a copy of the store's keys carries (etcd's own snapshots
		// also carry the revisions kept until compaction)
		return f.storedBytes()
	}
	path := filepath.Join(t.TempDir(), "backup.db")
	if err := f.s.Backup(path); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The security issue's findings, each reproduced through the store as the
// hostile insider did it, then refused. Every case here passed on the main
// line before the fix.

// withHR adds HR (the Manager's levels, every site) and its holder.
func withHR(f *fx) {
	f.apply("hr", func(tx *Tx) error {
		if _, err := tx.CreateProfile("HR", Employee, "Manager"); err != nil {
			return err
		}
		if err := tx.SetProfileScope("HR", ScopeAll); err != nil {
			return err
		}
		_, err := tx.AddUser(NewUser{First: "H", Last: "R", Email: "hr@example.com", Type: Employee, Profile: "HR"})
		return err
	})
}

// Point 1: nothing above you can be touched, down as well as up.
func TestNothingAboveTheActorCanBeChanged(t *testing.T) {
	f := newFixture(t)
	withHR(f)
	f.apply("a profile above HR that is not built in", func(tx *Tx) error {
		if _, err := tx.CreateProfile("Payroll clerk", Employee, "Manager"); err != nil {
			return err
		}
		return tx.Grant("Payroll clerk", 0, "payroll", Maintain)
	})
	hr := f.actor("hr@example.com")
	admin := f.user(emAdmin)
	for _, c := range []struct {
		name string
		op   func(tx *Tx) error
	}{
		// the sequence: lower the Administrator profile, narrow it,
		// then the administrator is "not above" and can be taken over
		{"lower Administrator's payroll", func(tx *Tx) error { return tx.Grant("Administrator", 0, "payroll", None) }},
		{"lower Administrator's users", func(tx *Tx) error { return tx.Grant("Administrator", 0, "users", None) }},
		{"lower Administrator's settings", func(tx *Tx) error { return tx.Grant("Administrator", 0, "settings", None) }},
		{"lower Administrator on a screen HR holds too", func(tx *Tx) error { return tx.Grant("Administrator", 0, "roster", View) }},
		{"narrow Administrator to assigned sites", func(tx *Tx) error { return tx.SetProfileScope("Administrator", ScopeAssigned) }},
		{"delete a profile above", func(tx *Tx) error { return tx.DeleteProfile("Payroll clerk") }},
		{"lower a profile above", func(tx *Tx) error { return tx.Grant("Payroll clerk", 0, "payroll", View) }},
		{"copy a profile above", func(tx *Tx) error { _, err := tx.CreateProfile("Clerk 2", Employee, "Payroll clerk"); return err }},
		{"raise their own profile", func(tx *Tx) error { return tx.Grant("HR", 0, "payroll", View) }},
		{"raise a profile to their own and beyond", func(tx *Tx) error { return tx.Grant("Basic", 0, "invoicing", View) }},
		// and the administrator themselves: every kind of change
		{"set the administrator's password", func(tx *Tx) error { return tx.SetPassword(admin.ID, 0, "hrownsadmin-plan-b") }},
		{"change the administrator's email", func(tx *Tx) error {
			_, err := tx.EditUser(admin.ID, 0, UserPatch{Email: ptr("hr-controlled@example.com")})
			return err
		}},
		{"rename the administrator", func(tx *Tx) error { _, err := tx.EditUser(admin.ID, 0, UserPatch{Last: ptr("X")}); return err }},
		{"give the administrator a lower profile", func(tx *Tx) error {
			_, err := tx.EditUser(admin.ID, 0, UserPatch{Profile: ptr("Basic")})
			return err
		}},
		{"enrol a key for the administrator", func(tx *Tx) error {
			line, _ := newKeyLine(t, "hr's key")
			_, err := tx.AddKey(admin.ID, line)
			return err
		}},
		{"resend the administrator's invitation", func(tx *Tx) error { return tx.ResendInvite(admin.ID) }},
		{"disable the administrator", func(tx *Tx) error { return tx.SetDisabled(admin.ID, 0, true) }},
		{"delete the administrator", func(tx *Tx) error { return tx.DeleteUser(admin.ID, 0) }},
		{"assign the administrator a site", func(tx *Tx) error {
			return tx.AssignSites(admin.ID, 0, []string{"North Depot"}, nil, true)
		}},
		{"assign the administrator a client", func(tx *Tx) error { return tx.AssignClients(admin.ID, 0, []string{"Acme"}, true) }},
		{"set the administrator's feature", func(tx *Tx) error { return tx.SetFeature(admin.ID, 0, FeaturePortal, Deny) }},
		{"set the administrator's default site", func(tx *Tx) error {
			_, err := tx.EditUser(admin.ID, 0, UserPatch{DefaultSite: ptr("Head Office")})
			return err
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			before := f.auditLen()
			_, err := f.s.Apply(hr, c.name, c.op)
			checkErr(t, err, ErrDenied)
			if n := f.auditLen(); n != before {
				t.Fatalf("a refused change wrote %d audit entries", n-before)
			}
		})
	}
	if p, _ := f.s.Profile("Administrator"); p.Level("payroll") != Maintain || p.Scope != ScopeAll {
		t.Fatalf("Administrator changed: %v %v", p.Levels, p.Scope)
	}
	// below HR, and HR's own profile downwards, stay HR's to change (in this
	// order: once HR lowers its own leave, Manager is above it)
	for _, c := range []struct {
		name string
		op   func(tx *Tx) error
	}{
		{"narrow an equal profile", func(tx *Tx) error { return tx.Grant("Manager", 0, "leave", View) }},
		{"raise a lower one to their own", func(tx *Tx) error { return tx.Grant("Basic", 0, "roster", Maintain) }},
		{"set a lower user's password", func(tx *Tx) error { return tx.SetPassword(f.user(emSupervisor).ID, 0, "sturdy-violet-lantern-9") }},
		{"lower their own profile", func(tx *Tx) error { return tx.Grant("HR", 0, "leave", None) }},
	} {
		if _, err := f.s.Apply(hr, c.name, c.op); err != nil {
			t.Errorf("%s: %v", c.name, err)
		}
	}
	_, err := f.s.Apply(hr, "then Manager is above HR", func(tx *Tx) error { return tx.Grant("Manager", 0, "roster", View) })
	checkErr(t, err, ErrDenied, "Manager", "Leave")
}

// Point 2: the client boundary is a trust boundary.
func TestClientBoundaryNeedsAnAllSitesActor(t *testing.T) {
	f := newFixture(t)
	f.apply("contacts", func(tx *Tx) error {
		// a Zeta contact without sites: visible to a scoped manager
		_, err := tx.AddUser(NewUser{First: "Cody", Last: "Zeta", Email: "cody@zeta.test", Type: ClientUser, Profile: "Client", Clients: []string{"Zeta"}})
		return err
	})
	mgr := f.actor(emManager)
	jane, cody := f.user(emClient), f.user("cody@zeta.test")
	for _, c := range []struct {
		name  string
		op    func(tx *Tx) error
		want  error
		names []string
	}{
		{"client user turned employee Manager", func(tx *Tx) error {
			_, err := tx.EditUser(jane.ID, 0, UserPatch{Profile: ptr("Manager")})
			return err
		}, ErrDenied, []string{"client boundary"}},
		{"client user turned employee Basic", func(tx *Tx) error {
			_, err := tx.EditUser(jane.ID, 0, UserPatch{Profile: ptr("Basic")})
			return err
		}, ErrDenied, []string{"client boundary"}},
		{"employee turned client user", func(tx *Tx) error {
			_, err := tx.EditUser(f.user(emSupervisor).ID, 0, UserPatch{Profile: ptr("Client"), Client: ptr("Acme")})
			return err
		}, ErrDenied, []string{"client boundary"}},
		{"Zeta contact moved to Acme", func(tx *Tx) error {
			_, err := tx.EditUser(cody.ID, 0, UserPatch{Client: ptr("Acme")})
			return err
		}, ErrDenied, []string{"client boundary"}},
		{"Zeta contact moved to Acme with the profile", func(tx *Tx) error {
			_, err := tx.EditUser(cody.ID, 0, UserPatch{Profile: ptr("Client"), Client: ptr("Acme")})
			return err
		}, ErrDenied, []string{"client boundary"}},
		{"default site of another client", func(tx *Tx) error {
			_, err := tx.EditUser(jane.ID, 0, UserPatch{DefaultSite: ptr("Zeta HQ")})
			return err
		}, ErrRefused, []string{"Zeta HQ", "Acme"}},
		{"default site of the client but not the actor's", func(tx *Tx) error {
			_, err := tx.EditUser(jane.ID, 0, UserPatch{DefaultSite: ptr("South Yard")})
			return err
		}, ErrDenied, []string{"South Yard"}},
		{"an employee's default site not the actor's", func(tx *Tx) error {
			_, err := tx.EditUser(f.user(emSupervisor).ID, 0, UserPatch{DefaultSite: ptr("Head Office")})
			return err
		}, ErrDenied, []string{"Head Office"}},
		{"a new user's default site not the actor's", func(tx *Tx) error {
			_, err := tx.AddUser(NewUser{First: "N", Last: "Ew", Email: "new@example.com", Type: Employee, Profile: "Basic", Sites: []string{"North Depot"}, DefaultSite: "Zeta HQ"})
			return err
		}, ErrDenied, []string{"Zeta HQ"}},
		{"a client user of a client none of whose sites they hold", func(tx *Tx) error {
			_, err := tx.AddUser(NewUser{First: "Z", Last: "Ed", Email: "zed@zeta.test", Type: ClientUser, Profile: "Client", Clients: []string{"Zeta"}})
			return err
		}, ErrDenied, []string{"Zeta"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := f.s.Apply(mgr, c.name, c.op)
			checkErr(t, err, c.want, c.names...)
		})
	}
	if d := f.s.Check(emClient, "users", Maintain, ""); d.Allowed {
		t.Fatalf("the client contact holds Users & permissions: %s", d.Reason())
	}
	if got := f.user(emClient); got.Type != ClientUser || got.DefaultSiteID != 0 {
		t.Fatalf("jane changed: %+v", got)
	}
	// the manager still does what is theirs
	if _, err := f.s.Apply(mgr, "default site at home", func(tx *Tx) error {
		_, err := tx.EditUser(jane.ID, 0, UserPatch{DefaultSite: ptr("North Depot")})
		return err
	}); err != nil {
		t.Fatalf("a client user's default site at the manager's own site of her client: %v", err)
	}
	// and an all-sites administrator crosses the boundary
	if _, err := f.s.Apply(f.actor(emAdmin), "move cody", func(tx *Tx) error {
		_, err := tx.EditUser(cody.ID, 0, UserPatch{Client: ptr("Acme")})
		return err
	}); err != nil {
		t.Fatalf("an administrator moves a contact: %v", err)
	}
	// even without restrict-locations, a client user's default site is their client's
	f.apply("no restriction", func(tx *Tx) error { return tx.SetSetting("restrict-locations", "off") })
	_, err := f.s.Apply(f.local, "jane at zeta", func(tx *Tx) error {
		_, err := tx.EditUser(jane.ID, 0, UserPatch{DefaultSite: ptr("Zeta HQ")})
		return err
	})
	checkErr(t, err, ErrRefused, "Zeta HQ")
}

// Point 3: credentials end when they should.
func TestInvitationsEndWhenTheyShould(t *testing.T) {
	invite := func(f *fx, email string) (*User, string) {
		cs := f.apply("invite "+email, func(tx *Tx) error {
			_, err := tx.AddUser(NewUser{First: "Ulla", Last: "Invitee", Email: email, Type: Employee, Profile: "Basic"})
			return err
		})
		return f.user(email), cs.Tokens[0]
	}
	const pw = "an attacker's passphrase 42"
	for _, c := range []struct {
		name string
		end  func(f *fx, u *User)
	}{
		{"signed in with an enrolled key", func(f *fx, u *User) {
			if err := f.s.RecordSignIn(u.ID, "key", "127.0.0.1:1"); err != nil {
				t.Fatal(err)
			}
		}},
		{"accepted once", func(f *fx, u *User) {}}, // the token is redeemed below, then again
		{"password set by an admin", func(f *fx, u *User) {
			f.apply("set", func(tx *Tx) error { return tx.SetPassword(u.ID, 0, "set-by-the-admin-42") })
		}},
		{"email changed", func(f *fx, u *User) {
			f.apply("fix email", func(tx *Tx) error {
				_, err := tx.EditUser(u.ID, 0, UserPatch{Email: ptr("ulla.new@example.com")})
				return err
			})
		}},
		{"disabled", func(f *fx, u *User) { f.apply("off", func(tx *Tx) error { return tx.SetDisabled(u.ID, 0, true) }) }},
		{"resent", func(f *fx, u *User) { f.apply("again", func(tx *Tx) error { return tx.ResendInvite(u.ID) }) }},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			u, token := invite(f, "ulla@example.com")
			if c.name == "accepted once" {
				if _, err := f.s.AcceptInvitation(token, "her own quiet lantern 7"); err != nil {
					t.Fatalf("first acceptance: %v", err)
				}
			}
			c.end(f, u)
			if _, err := f.s.CheckInvitation(token); !IsBadToken(err) {
				t.Errorf("CheckInvitation after %s: %v, want the bad-token answer", c.name, err)
			}
			if _, err := f.s.AcceptInvitation(token, pw); !IsBadToken(err) {
				t.Errorf("AcceptInvitation after %s: %v, want the bad-token answer", c.name, err)
			}
			if got, _ := f.s.UserByID(u.ID); got.PasswordHash != "" && CheckPassword(got.PasswordHash, pw) {
				t.Fatalf("the old token set a password after %s", c.name)
			}
			// the token is nowhere in the file any more, backups included
			if backup := backupBytes(t, f); bytes.Contains(backup, []byte(token)) {
				t.Errorf("after %s the spent token is still in clear in a backup", c.name)
			}
		})
	}
	t.Run("email changed: invited again at the new address", func(t *testing.T) {
		f := newFixture(t)
		u, _ := invite(f, "ulla@example.com")
		cs := f.apply("fix email", func(tx *Tx) error {
			_, err := tx.EditUser(u.ID, 0, UserPatch{Email: ptr("ulla.new@example.com")})
			return err
		})
		if len(cs.Tokens) != 1 {
			t.Fatalf("no new invitation for the new address: %v", cs.Entries)
		}
		got, err := f.s.CheckInvitation(cs.Tokens[0])
		if err != nil || got.Email != "ulla.new@example.com" {
			t.Fatalf("new token: %v %v", got, err)
		}
	})
	t.Run("queued token kept, sent token removed", func(t *testing.T) {
		f := newFixture(t)
		_, token := invite(f, "ulla@example.com")
		msgs, _ := f.s.Outbox()
		m := msgs[len(msgs)-1]
		if !strings.Contains(m.Body, token) {
			t.Fatal("a queued invitation must carry its token to be delivered")
		}
		if err := f.s.MarkSent(m.ID); err != nil {
			t.Fatal(err)
		}
		msgs, _ = f.s.Outbox()
		if sent := msgs[len(msgs)-1]; strings.Contains(sent.Body, token) || !strings.Contains(sent.Body, "[token removed: sent]") {
			t.Fatalf("sent message still holds the token or says nothing: %q", sent.Body)
		}
		if _, err := f.s.CheckInvitation(token); err != nil {
			t.Fatalf("sending must not spend the invitation: %v", err)
		}
	})
	t.Run("a replaced invitation's message is cancelled", func(t *testing.T) {
		f := newFixture(t)
		u, token := invite(f, "ulla@example.com")
		f.apply("again", func(tx *Tx) error { return tx.ResendInvite(u.ID) })
		msgs, _ := f.s.Outbox()
		var old *Message
		for i := range msgs {
			if msgs[i].UserID == u.ID && msgs[i].State == MessageCancelled {
				old = &msgs[i]
			}
		}
		if old == nil || strings.Contains(old.Body, token) {
			t.Fatalf("old invitation message not cancelled and cleaned: %+v", old)
		}
		queued := 0
		for _, m := range msgs {
			if m.UserID == u.ID && m.State == MessageQueued {
				queued++
			}
		}
		if queued != 1 {
			t.Fatalf("%d of ulla's messages queued, want only the new invitation", queued)
		}
	})
}

// A file written before these rules: an active user's invitation still open
// and its token in clear in a sent message. One open cleans it.
func TestOpenCleansTokensAnOlderFileHolds(t *testing.T) {
	skipOnEtcd(t, "it writes the file by hand")
	f := newFixture(t)
	cs := f.apply("invite", func(tx *Tx) error {
		_, err := tx.AddUser(NewUser{First: "Old", Last: "Timer", Email: "old@example.com", Type: Employee, Profile: "Basic"})
		return err
	})
	token, u := cs.Tokens[0], f.user("old@example.com")
	// as the older version left it: the user active, the invitation open, its message sent with the token
	if err := f.s.boltDB().Update(func(btx *bolt.Tx) error {
		raw := u.clone()
		raw.Activated = true
		if err := btx.Bucket(bucketUsers).Put(itob(raw.ID), encodeUser(raw)); err != nil {
			return err
		}
		key := tokenKey(token)
		var inv Invitation
		if err := getJSON(btx.Bucket(bucketInvitations), key, &inv); err != nil {
			return err
		}
		inv.Message = 0
		if err := putJSON(btx.Bucket(bucketInvitations), key, inv); err != nil {
			return err
		}
		var m Message
		if err := getJSON(btx.Bucket(bucketOutbox), itob(1), &m); err != nil {
			return err
		}
		m.State, m.UserID = MessageSent, 0
		if err := putJSON(btx.Bucket(bucketOutbox), itob(m.ID), m); err != nil {
			return err
		}
		return btx.Bucket(bucketMeta).Delete(keyOutboxTokens)
	}); err != nil {
		t.Fatal(err)
	}
	f.reopen()
	if _, err := f.s.AcceptInvitation(token, "an attacker's passphrase 42"); !IsBadToken(err) {
		t.Fatalf("the old token of an active user: %v", err)
	}
	if bytes.Contains(backupBytes(t, f), []byte(token)) {
		t.Fatal("the token of a sent message survived the open")
	}
}

// Point 6: scope hides existence.
func TestOutOfReachLooksMissing(t *testing.T) {
	f := newFixture(t)
	mgr := f.actor(emManager) // North Depot; emUser is at South Yard
	out, missing := f.user(emUser), "nobody@example.com"
	same := func(t *testing.T, what string, errOut, errMissing error) {
		t.Helper()
		if errOut == nil || errMissing == nil {
			t.Fatalf("%s: %v / %v", what, errOut, errMissing)
		}
		a := strings.ReplaceAll(errOut.Error(), emUser, "X")
		b := strings.ReplaceAll(errMissing.Error(), missing, "X")
		if a != b || KindOf(errOut) != KindOf(errMissing) {
			t.Errorf("%s: out of reach %q (kind %d) vs missing %q (kind %d)", what, errOut, KindOf(errOut), errMissing, KindOf(errMissing))
		}
		if strings.Contains(errOut.Error(), "South Yard") {
			t.Errorf("%s names the hidden user's site: %v", what, errOut)
		}
	}
	for name, op := range map[string]func(tx *Tx, u *User) error{
		"disable":      func(tx *Tx, u *User) error { return tx.SetDisabled(u.ID, 0, true) },
		"set-password": func(tx *Tx, u *User) error { return tx.SetPassword(u.ID, 0, "whatever-passphrase-9") },
		"edit":         func(tx *Tx, u *User) error { _, err := tx.EditUser(u.ID, 0, UserPatch{First: ptr("X")}); return err },
	} {
		byEmail := func(email string) error {
			_, err := f.s.Apply(mgr, name, func(tx *Tx) error {
				u, err := tx.UserByEmail(email)
				if err != nil {
					return err
				}
				return op(tx, u)
			})
			return err
		}
		same(t, name+" by email", byEmail(emUser), byEmail(missing))
	}
	_, errOut := f.s.UserFor(mgr, emUser)
	_, errMissing := f.s.UserFor(mgr, missing)
	same(t, "UserFor", errOut, errMissing)
	_, errOut = f.s.HistoryFor(mgr, emUser)
	_, errMissing = f.s.HistoryFor(mgr, missing)
	same(t, "HistoryFor", errOut, errMissing)
	// by id (the console passes ids): the same answer as a missing id
	_, err := f.s.Apply(mgr, "by id", func(tx *Tx) error { return tx.SetDisabled(out.ID, 0, true) })
	_, err2 := f.s.Apply(mgr, "by id", func(tx *Tx) error { return tx.SetDisabled(99999, 0, true) })
	if a, b := strings.ReplaceAll(err.Error(), strconv.FormatUint(out.ID, 10), "N"), strings.ReplaceAll(err2.Error(), "99999", "N"); a != b {
		t.Errorf("by id: %q vs %q", err, err2)
	}
	// an actor without view on Users & permissions is refused alike for anyone
	sup := f.actor(emSupervisor)
	_, errOut = f.s.UserFor(sup, emManager)
	_, errMissing = f.s.UserFor(sup, missing)
	if errOut.Error() != errMissing.Error() || KindOf(errOut) != KindDenied {
		t.Errorf("without view: %q vs %q", errOut, errMissing)
	}
	// the email-uniqueness refusal does not name whom the email belongs to
	_, err = f.s.Apply(mgr, "add", func(tx *Tx) error {
		_, err := tx.AddUser(NewUser{First: "U", Last: "Ma", Email: emUser, Type: Employee, Profile: "Basic", Sites: []string{"North Depot"}})
		return err
	})
	checkErr(t, err, ErrRefused, "in use")
	if strings.Contains(err.Error(), "Uma") {
		t.Errorf("the refusal names the hidden user: %v", err)
	}
}

// Point 6, the records that name people: history, the audit log and "changed
// by" do not name a user outside a scoped reader's sites, and the audit log
// leaves out entries about such users.
func TestRecordsDoNotNameUsersOutOfReach(t *testing.T) {
	f := newFixture(t)
	f.apply("an all-sites editor at South Yard, a scoped auditor at North Depot", func(tx *Tx) error {
		if _, err := tx.CreateProfile("HR", Employee, "Manager"); err != nil {
			return err
		}
		if err := tx.SetProfileScope("HR", ScopeAll); err != nil {
			return err
		}
		if _, err := tx.AddUser(NewUser{First: "Hana", Last: "Rees", Email: "hr@example.com", Type: Employee, Profile: "HR", Sites: []string{"South Yard"}}); err != nil {
			return err
		}
		if _, err := tx.CreateProfile("Site auditor", Employee, "Manager"); err != nil {
			return err
		}
		if err := tx.Grant("Site auditor", 0, "audit", View); err != nil {
			return err
		}
		_, err := tx.AddUser(NewUser{First: "Aud", Last: "Itor", Email: "aud@example.com", Type: Employee, Profile: "Site auditor", Sites: []string{"North Depot"}})
		return err
	})
	hr, aud := f.actor("hr@example.com"), f.actor("aud@example.com")
	if _, err := f.s.Apply(hr, "rename the supervisor", func(tx *Tx) error {
		_, err := tx.EditUser(f.user(emSupervisor).ID, 0, UserPatch{Last: ptr("Renamed")})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.Apply(hr, "rename the user at South Yard", func(tx *Tx) error {
		_, err := tx.EditUser(f.user(emUser).ID, 0, UserPatch{Last: ptr("Renamed")})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	history, err := f.s.HistoryFor(aud, emSupervisor)
	if err != nil {
		t.Fatal(err)
	}
	log, err := f.s.AuditLogFor(aud, AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range append(history, log...) {
		if e.Actor == "hr@example.com" {
			t.Errorf("entry %d names hr@example.com, outside the auditor's sites", e.Seq)
		}
		if e.Entity.Kind == "user" && (e.Entity.Label == emUser || e.Entity.Label == "hr@example.com") {
			t.Errorf("entry %d about %s, outside the auditor's sites", e.Seq, e.Entity.Label)
		}
	}
	if name := f.s.ActorNames(aud)("hr@example.com"); name != HiddenActor {
		t.Errorf("the auditor reads hr's name as %q", name)
	}
	// the administrator sees everything as it is
	if name := f.s.ActorNames(f.actor(emAdmin))("hr@example.com"); name != "hr@example.com" {
		t.Errorf("the administrator reads %q", name)
	}
	full, _ := f.s.AuditLogFor(f.actor(emAdmin), AuditFilter{})
	if len(full) <= len(log) {
		t.Errorf("the administrator's log (%d) is not longer than the scoped auditor's (%d)", len(full), len(log))
	}
}

// Point 6's "no measurable difference in time": a scoped actor asking about
// users outside their sites, and about emails nobody has, on the 100k demo
// database. The two answers must cost the same (BENCH.md).
func BenchmarkUserForOutOfReachVsMissing(b *testing.B) {
	s, err := Open(benchDB(b), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	managers, _ := s.Users(UserFilter{Profile: "Manager"})
	var mgr Actor
	var hidden []string
	for _, m := range managers {
		a := Actor{UserID: m.ID, Name: m.Email}
		seen := s.Visible(a)
		hidden = hidden[:0]
		s.EachUser(func(u *User) {
			if !seen(u) && len(hidden) < 4096 {
				hidden = append(hidden, u.Email)
			}
		})
		if len(hidden) == 4096 && len(m.SiteIDs) > 0 {
			mgr = a
			break
		}
	}
	if mgr.UserID == 0 {
		b.Fatal("no scoped manager with 4,096 users out of reach")
	}
	missing := make([]string, len(hidden))
	for i, e := range hidden {
		missing[i] = "x" + e // the same length and shape, nobody's
	}
	for _, c := range []struct {
		name   string
		emails []string
	}{{"out-of-reach", hidden}, {"missing", missing}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				if _, err := s.UserFor(mgr, c.emails[i&4095]); err == nil {
					b.Fatal("found")
				}
			}
		})
	}
}
