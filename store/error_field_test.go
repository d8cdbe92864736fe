package store

import (
	"strings"
	"testing"
)

// Each refusal of an input says which input it is about, so a form shows
// the reason at that field.
func TestRefusalsNameTheirField(t *testing.T) {
	f := newFixture(t)
	long := strings.Repeat("x", 101)
	cases := []struct {
		name string
		want Field
		op   func(*Tx) error
	}{
		{"empty first name", FieldFirstName, func(tx *Tx) error {
			_, err := tx.AddUser(NewUser{First: " ", Last: "L", Email: "n1@example.com", Type: Employee, Profile: "User"})
			return err
		}},
		{"formula last name", FieldLastName, func(tx *Tx) error {
			_, err := tx.AddUser(NewUser{First: "F", Last: "=1+1", Email: "n2@example.com", Type: Employee, Profile: "User"})
			return err
		}},
		{"invalid email", FieldEmail, func(tx *Tx) error {
			_, err := tx.AddUser(NewUser{First: "F", Last: "L", Email: "not-an-address", Type: Employee, Profile: "User"})
			return err
		}},
		{"email taken in other case", FieldEmail, func(tx *Tx) error {
			_, err := tx.AddUser(NewUser{First: "F", Last: "L", Email: strings.ToUpper(emUser), Type: Employee, Profile: "User"})
			return err
		}},
		{"client user without a client", FieldClient, func(tx *Tx) error {
			_, err := tx.AddUser(NewUser{First: "F", Last: "L", Email: "n3@example.com", Type: ClientUser, Profile: "Client"})
			return err
		}},
		{"default site of another client", FieldDefaultSite, func(tx *Tx) error {
			u, err := tx.UserByEmail(emClient)
			if err != nil {
				return err
			}
			site := "Zeta HQ"
			_, err = tx.EditUser(u.ID, 0, UserPatch{DefaultSite: &site})
			return err
		}},
		{"client name too long", FieldName, func(tx *Tx) error { _, err := tx.AddClient(long); return err }},
		{"client name taken", FieldName, func(tx *Tx) error { _, err := tx.AddClient("Acme"); return err }},
		{"site renamed to a taken name", FieldName, func(tx *Tx) error { return tx.RenameSite("North Depot", "South Yard") }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := f.s.Apply(f.local, c.name, c.op)
			e, ok := StoreError(err)
			if !ok {
				t.Fatalf("want a store error, got %v", err)
			}
			if e.Field != c.want {
				t.Fatalf("%q: field %q, want %q", e.Error(), e.Field, c.want)
			}
		})
	}
}
