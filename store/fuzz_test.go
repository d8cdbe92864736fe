package store_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/gatehouse/gatehouse/store"
)

// Fuzz targets of hostile input: CSV import, JSON import, the --where
// parser and email/name validation. Their seed corpora (testdata/fuzz/)
// run as plain tests in `go test ./...`; the campaign runs each with
// -fuzz for 5 minutes (task fuzz).

// fuzzStore is a store with a little of everything, one per fuzz worker.
func fuzzStore(f *testing.F) (*store.Store, store.Actor) {
	f.Helper()
	s, err := store.Open(filepath.Join(f.TempDir(), "fuzz.db"), store.Options{NoSync: true})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { s.Close() })
	var mgr store.Actor
	_, err = s.Apply(store.LocalActor("fuzz"), "fuzz world", func(tx *store.Tx) error {
		for _, c := range []string{"Acme", "Zeta"} {
			if _, err := tx.AddClient(c); err != nil {
				return err
			}
		}
		for _, st := range [][2]string{{"North Depot", "Acme"}, {"Zeta HQ", "Zeta"}, {"Head Office", ""}} {
			if _, err := tx.AddSite(st[0], st[1]); err != nil {
				return err
			}
		}
		if _, err := tx.AddTeam("Night", "North Depot"); err != nil {
			return err
		}
		u, err := tx.AddUser(store.NewUser{First: "Max", Last: "Manager", Email: "manager@example.com", Type: store.Employee, Profile: "Manager", Sites: []string{"North Depot"}})
		if err != nil {
			return err
		}
		mgr = store.Actor{UserID: u.ID, Name: u.Email}
		_, err = tx.AddUser(store.NewUser{First: "Jane", Last: "Doe", Email: "jane@acme.example", Type: store.ClientUser, Profile: "Client", Clients: []string{"Acme"}, Sites: []string{"North Depot"}})
		return err
	})
	if err != nil {
		f.Fatal(err)
	}
	return s, mgr
}

// head is the newest audit entry and the number of users: a write moves one.
func head(s *store.Store) string {
	last, _ := s.AuditLog(store.AuditFilter{Limit: 1})
	seq := uint64(0)
	if len(last) == 1 {
		seq = last[0].Seq
	}
	return fmt.Sprintf("audit %d, users %d", seq, s.UserCount())
}

// intended reports whether err is one of the store's own errors (a message
// meant for the user), not something that escaped from below.
func intended(err error) bool { return store.KindOf(err) != 0 }

func FuzzImportUsersCSV(f *testing.F) {
	for _, seed := range []string{
		store.CSVHeader + "\nJane,Doe,jane2@acme.example,client,Client,Acme,North Depot\n",
		store.CSVHeader + "\nSam,Lee,sam@example.com,employee,User,,North Depot;Head Office\n",
		"\ufeff" + store.CSVHeader + "\r\nA,B,a@b.example,employee,Basic,,\r\n",
		store.CSVHeader + "\n\"Quoted, Name\",\"O\"\"Brien\",q@example.com,employee,Basic,,\n",
		store.CSVHeader + "\nA,B,bad-email,employee,Basic,,\n,,,,,,\nA,B,c@d.example,robot,Basic,,\n",
		store.CSVHeader + "\nA,B,x@y.example,employee,Administrator,,Zeta HQ\n",
		"first_name,last_name\nA,B\n",
		"",
	} {
		f.Add([]byte(seed), false)
	}
	s, mgr := fuzzStore(f)
	f.Fuzz(func(t *testing.T, data []byte, asManager bool) {
		actor := store.LocalActor("fuzz")
		if asManager {
			actor = mgr
		}
		before := head(s)
		cs, bad, err := s.ImportUsersCSV(actor, bytes.NewReader(data), true)
		if after := head(s); after != before {
			t.Fatalf("a dry run wrote: %s, then %s", before, after)
		}
		if err != nil {
			if !intended(err) {
				t.Fatalf("unintended error: %v", err)
			}
			return
		}
		for _, b := range bad {
			if b.Line < 2 || b.Err == "" {
				t.Fatalf("bad row without a line or a reason: %+v", b)
			}
		}
		if len(bad) > 0 {
			return
		}
		// the dry run found nothing wrong: the real import does exactly that
		created := 0
		for _, e := range cs.Entries {
			if e.Entity.Kind == "user" && e.Field == "created" {
				created++
			}
		}
		n := s.UserCount()
		real, bad, err := s.ImportUsersCSV(actor, bytes.NewReader(data), false)
		if err != nil || len(bad) > 0 {
			t.Fatalf("the dry run passed, the import did not: %v %v", err, bad)
		}
		if len(real.Entries) != len(cs.Entries) || s.UserCount() != n+created {
			t.Fatalf("the dry run said %d entries (%d users), the import made %d (%d users)", len(cs.Entries), created, len(real.Entries), s.UserCount()-n)
		}
		for _, e := range real.Entries {
			if e.Field != "created" {
				continue
			}
			if _, err := store.ValidateEmail(e.Entity.Label); err != nil {
				t.Fatalf("imported an invalid email %q: %v", e.Entity.Label, err)
			}
		}
		// and it can be taken back
		if _, err := s.Undo(store.LocalActor("fuzz"), real.Batch); err != nil {
			t.Fatalf("undo of an import: %v", err)
		}
		if s.UserCount() != n {
			t.Fatalf("undo left %d users, want %d", s.UserCount(), n)
		}
	})
}

func FuzzImportJSON(f *testing.F) {
	s, _ := fuzzStore(f)
	d, err := s.Export()
	if err != nil {
		f.Fatal(err)
	}
	full, _ := json.Marshal(d)
	f.Add(full)
	f.Add([]byte(`{"format":"gatehouse/1","users":[{"first_name":"A","last_name":"B","email":"a@b.example","type":"employee","profile":"Basic","status":"invited"}]}`))
	f.Add([]byte(`{"format":"gatehouse/1","profiles":[{"name":"Client","type":"client","scope":"all","levels":{"payroll":"maintain"}}]}`))
	f.Add([]byte(`{"format":"gatehouse/1","settings":{"invite-expiry":"0s","client-guardrail":"off"},"screens":[{"key":"x y","title":""}]}`))
	f.Add([]byte(`{"format":"gatehouse/1","sites":[{"name":"A/B","client":"Nobody"}],"teams":[{"name":"T","site":"Missing"}]}`))
	f.Add([]byte(`{"format":"gatehouse/0"}`))
	f.Add([]byte(`{"format":"gatehouse/1","extra":1}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := store.ReadDump(bytes.NewReader(data))
		if err != nil {
			if !errors.Is(err, store.ErrInput) {
				t.Fatalf("a bad file must be bad input: %v", err)
			}
			return
		}
		before := head(s)
		cs, err := s.Import(store.LocalActor("fuzz"), d, true)
		if after := head(s); after != before {
			t.Fatalf("a dry run wrote: %s, then %s", before, after)
		}
		if err != nil {
			if !intended(err) {
				t.Fatalf("unintended error: %v", err)
			}
			return
		}
		if !cs.DryRun || cs.Batch != 0 {
			t.Fatalf("a dry run reported a change set: %+v", cs)
		}
	})
}

func FuzzParseWhere(f *testing.F) {
	for _, seed := range []string{
		`profile=User,site="North Depot",status=active`,
		`site="Zeta HQ",type=client`,
		`status=active|invited,text=jane`,
		`team="North Depot/Night", client = Acme`,
		`status=all`,
		`text="a, b"`,
		`profile=`,
		`profile=User,profile=Basic`,
		`site="unterminated`,
		`,`,
		`=x`,
		`type=robot`,
		`name="quoted" trailing`,
	} {
		f.Add(seed)
	}
	s, _ := fuzzStore(f)
	f.Fuzz(func(t *testing.T, expr string) {
		w, err := store.ParseWhere(expr)
		if err != nil {
			if !errors.Is(err, store.ErrInput) {
				t.Fatalf("%q: want bad input, got %v", expr, err)
			}
			return
		}
		if _, err := s.Users(w); err != nil && !intended(err) {
			t.Fatalf("%q: unintended error: %v", expr, err)
		}
		// what was read prints back to the same filter
		canon, ok := renderWhere(w)
		if !ok {
			return
		}
		again, err := store.ParseWhere(canon)
		if err != nil {
			t.Fatalf("%q read as %+v, printed %q, which does not read: %v", expr, w, canon, err)
		}
		if !sameFilter(w, again) {
			t.Fatalf("%q read as %+v; printed %q reads as %+v", expr, w, canon, again)
		}
	})
}

func renderWhere(f store.UserFilter) (string, bool) {
	var parts []string
	for _, kv := range [][2]string{{"profile", f.Profile}, {"site", f.Site}, {"team", f.Team}, {"client", f.Client}, {"text", f.Text}} {
		if kv[1] == "" {
			continue
		}
		if strings.Contains(kv[1], `"`) {
			return "", false
		}
		parts = append(parts, kv[0]+`="`+kv[1]+`"`)
	}
	if f.Type != nil {
		parts = append(parts, "type="+f.Type.String())
	}
	if len(f.Statuses) > 0 {
		var st []string
		for _, x := range f.Statuses {
			st = append(st, x.String())
		}
		parts = append(parts, "status="+strings.Join(st, "|"))
	}
	return strings.Join(parts, ","), len(parts) > 0
}

func sameFilter(a, b store.UserFilter) bool {
	if (a.Type == nil) != (b.Type == nil) || a.Type != nil && *a.Type != *b.Type {
		return false
	}
	return a.Profile == b.Profile && a.Site == b.Site && a.Team == b.Team && a.Client == b.Client && a.Text == b.Text && slices.Equal(a.Statuses, b.Statuses)
}

func FuzzValidateEmail(f *testing.F) {
	for _, seed := range []string{"jane@example.com", " Jane.Doe+tag@Example.COM ", "a@b", "@example.com", "a@.example.com",
		"a@example..com", `"quoted local"@example.com`, "a b@example.com", "Jane <jane@example.com>", "jane@exa\x00mple.com",
		"ünïcode@exämple.com", "a@b.c\n", strings.Repeat("a", 250) + "@b.co"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out, err := store.ValidateEmail(in)
		if err != nil {
			if !errors.Is(err, store.ErrInput) {
				t.Fatalf("%q: want bad input, got %v", in, err)
			}
			return
		}
		if out != strings.TrimSpace(in) {
			t.Fatalf("%q: valid, but returned %q, not the address trimmed", in, out)
		}
		if again, err := store.ValidateEmail(out); err != nil || again != out {
			t.Fatalf("%q: valid once (%q) but not again: %q %v", in, out, again, err)
		}
		if len(out) > 254 || !utf8.ValidString(out) || strings.Count(out, "@") < 1 {
			t.Fatalf("%q: accepted %q", in, out)
		}
		for _, r := range out {
			if unicode.IsSpace(r) || unicode.IsControl(r) {
				t.Fatalf("%q: accepted %q with space or control character %U", in, out, r)
			}
		}
		local, domain, _ := strings.Cut(out, "@")
		if local == "" || !strings.Contains(domain, ".") {
			t.Fatalf("%q: accepted %q without a local part or a dotted domain", in, out)
		}
	})
}

func FuzzValidateName(f *testing.F) {
	for _, seed := range []string{"Jane", "  Mary Ann  ", "", " ", "O'Brien", "日本語", "a\tb", "a\x00b", "\u200b", strings.Repeat("x", 101), "\xff\xfe"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out, err := store.ValidateName("first", in)
		if err != nil {
			if !errors.Is(err, store.ErrInput) {
				t.Fatalf("%q: want bad input, got %v", in, err)
			}
			return
		}
		if out != strings.TrimSpace(in) || out == "" {
			t.Fatalf("%q: valid, but returned %q", in, out)
		}
		if again, err := store.ValidateName("first", out); err != nil || again != out {
			t.Fatalf("%q: valid once (%q) but not again: %v", in, out, err)
		}
		if !utf8.ValidString(out) || utf8.RuneCountInString(out) > 100 {
			t.Fatalf("%q: accepted %q", in, out)
		}
		for _, r := range out {
			if unicode.IsControl(r) {
				t.Fatalf("%q: accepted a control character %U", in, r)
			}
		}
	})
}
