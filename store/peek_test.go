package store

import (
	"errors"
	"slices"
	"testing"
	"time"
)

// A peek at the file gives the local operator exactly what EmailsFor gives
// them from the open store: the same users, in the same order, the same
// count, for any prefix and bound.
func TestPeekEmailsIsEmailsForTheOperator(t *testing.T) {
	skipOnEtcd(t, "PeekEmails reads the file")
	t.Parallel()
	f := openStore(t)
	if _, err := f.s.Demo(f.local, DemoOptions{Users: 300}); err != nil {
		t.Fatal(err)
	}
	f.apply("a mixed-case email", func(tx *Tx) error {
		_, err := tx.AddUser(NewUser{First: "Mo", Last: "Case", Email: "Mo.Case@Example.COM", Type: Employee, Profile: "User"})
		return err
	})
	type answer struct {
		emails  []string
		matched int
	}
	want := map[[2]any]answer{}
	prefixes := []string{"", "a", "AVA", "mo.case@", " e", "zz-nobody", "ava.garcia"}
	for _, p := range prefixes {
		for _, max := range []int{0, 1, 5, 200} {
			users, matched := f.s.EmailsFor(f.local, p, max)
			var emails []string
			for _, u := range users {
				emails = append(emails, u.Email)
			}
			want[[2]any{p, max}] = answer{emails, matched}
		}
	}
	f.s.Close()
	f.s = nil
	for _, p := range prefixes {
		for _, max := range []int{0, 1, 5, 200} {
			users, matched, err := PeekEmails(f.path, p, max, time.Second)
			if err != nil {
				t.Fatal(err)
			}
			var emails []string
			for _, u := range users {
				emails = append(emails, u.Email)
			}
			if w := want[[2]any{p, max}]; !slices.Equal(emails, w.emails) || matched != w.matched {
				t.Errorf("PeekEmails(%q, %d) = %d of %d %v, EmailsFor said %d of %d", p, max, len(emails), matched, first(emails), len(w.emails), w.matched)
			}
		}
	}
	if w := want[[2]any{"", 0}]; w.matched < 300 {
		t.Fatalf("only %d users: the test shows nothing", w.matched)
	}
}

func first(s []string) []string { return s[:min(3, len(s))] }

// A file another process holds is refused within the wait, as locked.
func TestPeekEmailsOfAHeldFile(t *testing.T) {
	skipOnEtcd(t, "PeekEmails reads the file")
	t.Parallel()
	f := newFixture(t) // open: it holds the file
	_, _, err := PeekEmails(f.path, "", 0, 50*time.Millisecond)
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("a held file: %v, want locked", err)
	}
}

// BenchmarkPeekEmails: the local operator's Tab at an email prefix on the
// 100k-user file, from the open of the file to the answer.
func BenchmarkPeekEmails(b *testing.B) {
	path := benchDB(b)
	for _, c := range []struct{ name, prefix string }{{"prefix", "ava.ga"}, {"all", ""}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				users, matched, err := PeekEmails(path, c.prefix, 200, time.Second)
				if err != nil || len(users) == 0 || matched < len(users) {
					b.Fatalf("%d users of %d: %v", len(users), matched, err)
				}
			}
		})
	}
}
