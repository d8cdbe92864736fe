package users

import (
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/store"
)

// At 80 columns the email column goes; two users with the same name still
// look different: each row carries the end of the email that tells them
// apart.
func TestSameNamesToldApartWithoutTheEmailColumn(t *testing.T) {
	s := newTestStore(t, 0)
	if _, err := s.Apply(store.LocalActor("test"), "twins", func(tx *store.Tx) error {
		for _, e := range []string{"emeka.baker.171@staff.example.com", "emeka.baker.32@staff.example.com", "emeka.baker@zeta.example", "emeka.baker@acme.example"} {
			if _, err := tx.AddUser(store.NewUser{First: "Emeka", Last: "Baker", Email: e, Type: store.Employee, Profile: "Basic"}); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	app := newTestApp(t, s, nil, 80, 24)
	v := viewOf(app)
	var rows []string
	for _, l := range strings.Split(v, "\n") {
		if strings.Contains(l, "Emeka Baker …") {
			rows = append(rows, l)
		}
	}
	if len(rows) != 4 {
		t.Fatalf("want 4 Emeka Baker rows:\n%s", v)
	}
	seen := map[string]bool{}
	for _, r := range rows {
		if seen[r] {
			t.Fatalf("two rows look the same at 80 columns: %q\n%s", r, v)
		}
		seen[r] = true
	}
	for _, want := range []string{"…171", "…32", "…@acme", "…@zeta"} {
		if !strings.Contains(v, want) {
			t.Errorf("no %q telling a row apart:\n%s", want, v)
		}
	}
}

func TestDistinguishing(t *testing.T) {
	for _, c := range []struct{ a, b, want string }{
		{"emeka.baker.171@x", "emeka.baker.32@x", "171"},
		{"emeka.baker.32@x", "emeka.baker.171@x", "32"},
		{"e.baker@a.com", "e.baker@b.com", "@a"},
		{"e.baker@mail.a.com", "e.baker@mail.b.com", "@mail.a.com"},
		{"ebaker@x", "e.baker@x", "ebaker"},
		{"jo.smith2@x", "jo.smith@x", "2"},
	} {
		if got := distinguishing(c.a, c.b); got != c.want {
			t.Errorf("distinguishing(%q, %q) = %q, want %q", c.a, c.b, got, c.want)
		}
	}
}
