package store

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/gatehouse/gatehouse/internal/hostile"
)

// The hostile fixture (internal/hostile/testdata/hostile.db) is a small
// database whose every text field holds hostile.Payload: escape sequences
// that write the clipboard, open links, move the cursor and colour text, C1
// controls, a stray byte, CR, BEL, DEL, bidi and zero-width characters. It
// is written below the rules, as a file from before them (or an old backup)
// would hold it: first filled through the API with plain text, so every
// record, index and reference is what the store itself writes, then every
// text field is rewritten in raw bbolt transactions and the audit chain
// sealed again, so `audit verify` passes and History shows every entry.
//
//	go test ./store -run TestHostileFixture -update-hostile
//
// rewrites it. Without the flag the test checks that the committed file
// still holds the payload in every field it claims, so it cannot rot into
// a harmless one. The read paths are tested on copies of it in cmd and tui.

var updateHostile = flag.Bool("update-hostile", false, "rewrite internal/hostile/testdata/hostile.db")

func TestHostileFixture(t *testing.T) {
	if *updateHostile {
		writeHostileFixture(t, hostile.Path())
	}
	if bad := hostileProblems(t, hostile.Copy(t)); len(bad) > 0 {
		if n := len(bad); n > 20 {
			bad = append(bad[:20], fmt.Sprintf("… and %d more", n-20))
		}
		t.Fatalf("the hostile fixture is no longer hostile (rewrite it: go test ./store -run TestHostileFixture -update-hostile):\n%s", strings.Join(bad, "\n"))
	}
}

// The check is not a formality: a file filled the same way but left plain
// fails it, field by field.
func TestHostileFixtureCheckRefusesAPlainFile(t *testing.T) {
	raw := filepath.Join(t.TempDir(), "plain.db")
	s, err := Open(raw, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	fillHostileFixture(t, raw)
	bad := hostileProblems(t, raw)
	for _, want := range []string{"user 1 first", "client name", "screen key", "message 1 body", "key comment", "audit entry 1 actor", "change set 1 summary", "the admin"} {
		if !slices.ContainsFunc(bad, func(b string) bool { return strings.Contains(b, want) }) {
			t.Errorf("a plain %s passed the check", want)
		}
	}
}

// hostileNow is the fixture's clock: its records do not change from one
// writing to the next but for tokens and hashes.
var hostileNow = time.Date(2026, 1, 15, 9, 0, 0, 0, time.UTC)

func writeHostileFixture(t *testing.T, dst string) {
	dir := t.TempDir()
	raw := filepath.Join(dir, "raw.db")
	// 4 KiB pages (Open makes 16 KiB ones for new files): the fixture is
	// committed, and small
	db, err := bolt.Open(raw, 0o600, &bolt.Options{PageSize: 4096})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(func(tx *bolt.Tx) error {
		for _, b := range allBuckets {
			if _, err := tx.CreateBucket(b); err != nil {
				return err
			}
		}
		return seed(tx, hostileNow)
	}); err != nil {
		t.Fatal(err)
	}
	db.Close()

	fillHostileFixture(t, raw)
	rewriteHostile(t, raw)

	// compact into the final file: the rewrites leave free pages behind
	src, err := bolt.Open(raw, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	out := filepath.Join(dir, "hostile.db")
	cdb, err := bolt.Open(out, 0o600, &bolt.Options{PageSize: 4096})
	if err != nil {
		t.Fatal(err)
	}
	if err := bolt.Compact(cdb, src, 0); err != nil {
		t.Fatal(err)
	}
	cdb.Close()
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, data, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s (%d bytes)", dst, len(data))
}

// fillHostileFixture puts one of every kind of record into the file through
// the API, with plain names.
func fillHostileFixture(t *testing.T, path string) {
	s, err := Open(path, Options{NoSync: true, Now: func() time.Time { return hostileNow }})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	local := LocalActor("fixture")
	step := func(what string, fn func(tx *Tx) error) {
		t.Helper()
		if _, err := s.Apply(local, what, fn); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	step("places", func(tx *Tx) error {
		for _, c := range []string{"Acme", "Zeta"} {
			if _, err := tx.AddClient(c); err != nil {
				return err
			}
		}
		for _, st := range [][2]string{{"North Depot", "Acme"}, {"South Yard", "Acme"}, {"Zeta HQ", "Zeta"}, {"Head Office", ""}} {
			if _, err := tx.AddSite(st[0], st[1]); err != nil {
				return err
			}
		}
		for _, tm := range [][2]string{{"Night", "North Depot"}, {"Day", "Head Office"}} {
			if _, err := tx.AddTeam(tm[0], tm[1]); err != nil {
				return err
			}
		}
		return nil
	})
	step("catalog", func(tx *Tx) error {
		if _, err := tx.AddScreen("rota-x", "Rota X", "Extra", false); err != nil {
			return err
		}
		if _, err := tx.CreateProfile("Auditor", Employee, "User"); err != nil {
			return err
		}
		for _, g := range []struct {
			profile, screen string
			l               Level
		}{{"Auditor", "audit", View}, {"Auditor", "rota-x", View}, {"Manager", "rota-x", Maintain}, {"Basic", "rota-x", View}, {"Client", "rota-x", View}, {"Administrator", "rota-x", Maintain}} {
			if err := tx.Grant(g.profile, 0, g.screen, g.l); err != nil {
				return err
			}
		}
		return tx.SetSetting("restrict-locations", "off")
	})
	step("users", func(tx *Tx) error {
		for _, n := range []NewUser{
			{First: "Ada", Last: "Admin", Email: "ada.admin@fixture.test", Type: Employee, Profile: "Administrator", Sites: []string{"Head Office"}},
			{First: "Max", Last: "Manager", Email: "max.manager@fixture.test", Type: Employee, Profile: "Manager", Sites: []string{"North Depot"}, Clients: []string{"Acme"}, DefaultSite: "North Depot"},
			{First: "Bob", Last: "Basic", Email: "bob.basic@fixture.test", Type: Employee, Profile: "Basic", Teams: []string{"North Depot/Night"}},
			{First: "Ann", Last: "Auditor", Email: "ann.auditor@fixture.test", Type: Employee, Profile: "Auditor", Sites: []string{"South Yard"}},
			{First: "Cleo", Last: "Client", Email: "cleo.client@fixture.test", Type: ClientUser, Profile: "Client", Clients: []string{"Acme"}, Sites: []string{"North Depot"}},
			{First: "Dora", Last: "Disabled", Email: "dora.disabled@fixture.test", Type: Employee, Profile: "User", Sites: []string{"Zeta HQ"}},
		} {
			if _, err := tx.AddUser(n); err != nil {
				return err
			}
		}
		return nil
	})
	user := func(email string) *User {
		u, err := s.User(email)
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	step("keys, passwords, features", func(tx *Tx) error {
		ada := user("ada.admin@fixture.test")
		if _, err := tx.AddKey(ada.ID, hostile.AdminAuthorizedKey()+" ada@laptop"); err != nil {
			return err
		}
		if err := tx.SetPassword(ada.ID, ada.Version, "correct horse battery staple 42"); err != nil {
			return err
		}
		bob := user("bob.basic@fixture.test")
		return tx.SetFeature(bob.ID, bob.Version, FeaturePortal, Deny)
	})
	step("disable", func(tx *Tx) error {
		d := user("dora.disabled@fixture.test")
		return tx.SetDisabled(d.ID, d.Version, true)
	})
	if err := s.RecordSignIn(user("ada.admin@fixture.test").ID, "publickey", "127.0.0.1:2222"); err != nil {
		t.Fatal(err)
	}
	all, err := s.Outbox()
	var msgs []Message // still queued (an invitation spent by a password is cancelled)
	for _, m := range all {
		if m.State == MessageQueued {
			msgs = append(msgs, m)
		}
	}
	if err != nil || len(msgs) < 2 {
		t.Fatalf("outbox: %d messages queued, %v", len(msgs), err)
	}
	if err := s.MarkFailed(msgs[0].ID, "smtp: 550 mailbox unavailable", time.Time{}); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkSent(msgs[1].ID); err != nil {
		t.Fatal(err)
	}
}

// rewriteHostile makes every text field hostile, below the rules.
func rewriteHostile(t *testing.T, path string) {
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	h := hostile.Of
	err = db.Update(func(tx *bolt.Tx) error {
		// users, and the email index under their new emails
		ub, eb := tx.Bucket(bucketUsers), tx.Bucket(bucketEmails)
		var users []*User
		if err := ub.ForEach(func(k, v []byte) error {
			u, err := decodeUser(v, nil)
			users = append(users, u)
			return err
		}); err != nil {
			return err
		}
		for _, u := range users {
			if err := eb.Delete([]byte(lower(u.Email))); err != nil {
				return err
			}
			u.First, u.Last, u.Email, u.CreatedBy, u.UpdatedBy = h(u.First), h(u.Last), h(u.Email), h(u.CreatedBy), h(u.UpdatedBy)
			if err := ub.Put(itob(u.ID), encodeUser(u)); err != nil {
				return err
			}
			if err := eb.Put([]byte(lower(u.Email)), itob(u.ID)); err != nil {
				return err
			}
		}
		// the catalog
		if err := rewriteJSON(tx.Bucket(bucketClients), func(c *Client) { c.Name, c.UpdatedBy = h(c.Name), h(c.UpdatedBy) }); err != nil {
			return err
		}
		if err := rewriteJSON(tx.Bucket(bucketSites), func(s *Site) { s.Name, s.UpdatedBy = h(s.Name), h(s.UpdatedBy) }); err != nil {
			return err
		}
		if err := rewriteJSON(tx.Bucket(bucketTeams), func(s *Team) { s.Name, s.UpdatedBy = h(s.Name), h(s.UpdatedBy) }); err != nil {
			return err
		}
		renamed := map[string]string{} // screen keys: the built-ins stay (the rules name them)
		if err := rewriteJSON(tx.Bucket(bucketScreens), func(sc *Screen) {
			if !sc.Builtin {
				renamed[sc.Key] = h(sc.Key)
				sc.Key = h(sc.Key)
			}
			sc.Title, sc.Group = h(sc.Title), h(sc.Group)
		}); err != nil {
			return err
		}
		if err := rewriteJSON(tx.Bucket(bucketProfiles), func(p *Profile) {
			p.Name, p.UpdatedBy = h(p.Name), h(p.UpdatedBy)
			for old, nu := range renamed {
				if l, ok := p.Levels[old]; ok {
					delete(p.Levels, old)
					p.Levels[nu] = l
				}
			}
		}); err != nil {
			return err
		}
		meta := tx.Bucket(bucketMeta)
		var st Settings
		if err := json.Unmarshal(meta.Get(keySettings), &st); err != nil {
			return err
		}
		st.UpdatedBy = h(st.UpdatedBy) // the values are typed: nothing else holds text
		if err := putJSON(meta, keySettings, st); err != nil {
			return err
		}
		// invitations, the outbox, public keys
		if err := rewriteJSON(tx.Bucket(bucketInvitations), func(inv *Invitation) { inv.Email = h(inv.Email) }); err != nil {
			return err
		}
		if err := rewriteJSON(tx.Bucket(bucketOutbox), func(m *Message) {
			m.To, m.Subject, m.Body = h(m.To), h(m.Subject), h(m.Body)+"\n"+hostile.Payload+" second line\n"
			m.LastError = h(m.LastError)
		}); err != nil {
			return err
		}
		if err := rewriteJSON(tx.Bucket(bucketPubKeys), func(k *PublicKey) { k.Comment, k.AddedBy = h(k.Comment), h(k.AddedBy) }); err != nil {
			return err
		}
		// the audit log, sealed again in order, and the change sets
		ab := tx.Bucket(bucketAudit)
		var head auditHead
		var entries []AuditEntry
		if err := ab.ForEach(func(k, v []byte) error {
			var e AuditEntry
			entries = append(entries, e)
			return json.Unmarshal(v, &entries[len(entries)-1])
		}); err != nil {
			return err
		}
		for i := range entries {
			e := &entries[i]
			e.Actor, e.Entity.Label, e.Field, e.Before, e.After = h(e.Actor), h(e.Entity.Label), h(e.Field), h(e.Before), h(e.After)
			e.Prev = head.Hash
			if err := ab.Put(itob(e.Seq), sealEntry(e, nil)); err != nil {
				return err
			}
			head = auditHead{Seq: e.Seq, Hash: e.Hash}
		}
		if err := putJSON(meta, keyAuditHead, head); err != nil {
			return err
		}
		return rewriteJSON(tx.Bucket(bucketBatches), func(b *Batch) { b.Actor, b.Summary = h(b.Actor), h(b.Summary) })
	})
	if err != nil {
		t.Fatal(err)
	}
}

// rewriteJSON decodes every record of b as a T, changes it and stores it back.
func rewriteJSON[T any](b *bolt.Bucket, change func(*T)) error {
	if b == nil {
		return fmt.Errorf("bucket missing")
	}
	type kv struct {
		k []byte
		v *T
	}
	var all []kv
	if err := b.ForEach(func(k, v []byte) error {
		x := new(T)
		all = append(all, kv{append([]byte(nil), k...), x})
		return json.Unmarshal(v, x)
	}); err != nil {
		return err
	}
	for _, r := range all {
		change(r.v)
		if err := putJSON(b, r.k, r.v); err != nil {
			return err
		}
	}
	return nil
}

// hostileProblems opens a copy of the fixture with the store and lists
// every field the fixture claims is hostile that is not, and every kind of
// record there is too little of for the read paths to show.
func hostileProblems(t *testing.T, path string) []string {
	s, err := Open(path, Options{NoSync: true})
	if err != nil {
		t.Fatalf("the fixture does not open: %v", err)
	}
	defer s.Close()
	var bad []string
	claim := func(what, v string, binary bool) {
		want := hostile.Stored
		if binary {
			want = hostile.Payload // the users' binary records keep even the stray byte
		}
		if !strings.Contains(v, want) {
			bad = append(bad, fmt.Sprintf("%s = %q", what, v))
		}
	}
	atLeast := func(what string, n, min int) {
		if n < min {
			bad = append(bad, fmt.Sprintf("%d %s, want at least %d", n, what, min))
		}
	}

	var users []*User
	s.EachUser(func(u *User) { users = append(users, u) })
	atLeast("users", len(users), 6)
	types := map[UserType]int{}
	disabled := 0
	for _, u := range users {
		types[u.Type]++
		if u.Disabled {
			disabled++
		}
		for f, v := range map[string]string{"first": u.First, "last": u.Last, "email": u.Email, "created by": u.CreatedBy, "updated by": u.UpdatedBy} {
			claim(fmt.Sprintf("user %d %s", u.ID, f), v, true)
		}
	}
	atLeast("client users", types[ClientUser], 1)
	atLeast("disabled users", disabled, 1)
	if _, err := s.User(hostile.AdminEmail); err != nil {
		bad = append(bad, "the admin "+fmt.Sprintf("%q", hostile.AdminEmail)+" is missing: "+err.Error())
	}
	if u, err := s.UserByKey(mustFingerprint(t, hostile.AdminAuthorizedKey())); err != nil || u.Email != hostile.AdminEmail {
		bad = append(bad, fmt.Sprintf("the admin's key does not sign in as the admin (%v)", err))
	}

	atLeast("clients", len(s.Clients()), 2)
	for _, c := range s.Clients() {
		claim("client name", c.Name, false)
		claim("client updated by", c.UpdatedBy, false)
	}
	atLeast("sites", len(s.Sites()), 4)
	for _, x := range s.Sites() {
		claim("site name", x.Name, false)
		claim("site updated by", x.UpdatedBy, false)
	}
	atLeast("teams", len(s.Teams()), 2)
	for _, x := range s.Teams() {
		claim("team name", x.Name, false)
		claim("team updated by", x.UpdatedBy, false)
	}
	atLeast("profiles", len(s.Profiles()), 7)
	for _, p := range s.Profiles() {
		claim("profile name", p.Name, false)
		claim("profile updated by", p.UpdatedBy, false)
	}
	custom := 0
	for _, sc := range s.Screens() {
		claim("screen title", sc.Title, false)
		claim("screen group", sc.Group, false)
		if !sc.Builtin {
			custom++
			claim("screen key", sc.Key, false)
		}
	}
	atLeast("custom screens", custom, 1)
	claim("settings updated by", s.Settings().UpdatedBy, false)

	invs, err := s.Invitations()
	if err != nil {
		t.Fatal(err)
	}
	atLeast("invitations", len(invs), 6)
	for _, inv := range invs {
		claim("invitation email", inv.Email, false)
	}
	msgs, err := s.Outbox()
	if err != nil {
		t.Fatal(err)
	}
	atLeast("outbox messages", len(msgs), 7)
	failed := 0
	for _, m := range msgs {
		claim(fmt.Sprintf("message %d to", m.ID), m.To, false)
		claim(fmt.Sprintf("message %d subject", m.ID), m.Subject, false)
		claim(fmt.Sprintf("message %d body", m.ID), m.Body, false)
		if m.LastError != "" {
			failed++
			claim(fmt.Sprintf("message %d last error", m.ID), m.LastError, false)
		}
	}
	atLeast("messages with an error", failed, 1)
	var keys []PublicKey
	for _, u := range users {
		ks, err := s.KeysOf(u.ID)
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, ks...)
	}
	atLeast("keys", len(keys), 1)
	for _, k := range keys {
		claim("key comment", k.Comment, false)
		claim("key added by", k.AddedBy, false)
	}

	entries, err := s.AuditLog(AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	atLeast("audit entries", len(entries), 20)
	for _, e := range entries {
		for f, v := range map[string]string{"actor": e.Actor, "label": e.Entity.Label, "field": e.Field, "before": e.Before, "after": e.After} {
			claim(fmt.Sprintf("audit entry %d %s", e.Seq, f), v, false)
		}
	}
	batches, err := s.Batches(0)
	if err != nil {
		t.Fatal(err)
	}
	atLeast("change sets", len(batches), 5)
	for _, b := range batches {
		claim(fmt.Sprintf("change set %d actor", b.ID), b.Actor, false)
		claim(fmt.Sprintf("change set %d summary", b.ID), b.Summary, false)
	}
	if h, err := s.History(hostile.AdminEmail); err != nil || len(h) == 0 {
		bad = append(bad, fmt.Sprintf("the admin has no history (%d entries, %v)", len(h), err))
	}
	if r, err := s.VerifyAudit(); err != nil || !r.OK {
		bad = append(bad, fmt.Sprintf("the audit chain does not verify: %v %v", r.Problems, err))
	}
	return bad
}

func mustFingerprint(t *testing.T, authorizedKey string) string {
	t.Helper()
	k, _, err := ParsePublicKey(authorizedKey)
	if err != nil {
		t.Fatal(err)
	}
	return k.Fingerprint
}
