package store

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// sortUsersFast orders exactly as SortUsers: names that tie in their first
// eight bytes or differ only in case, shorter than eight bytes, non-ASCII
// (folded as strings.ToLower folds), and random ones from a small
// alphabet, so that ties are everywhere.
func TestSortUsersFastIsSortUsers(t *testing.T) {
	t.Parallel()
	mk := func(first, last, email string) *User { return &User{First: first, Last: last, Email: email} }
	fixed := []*User{
		mk("Ava", "Adams", "ava.adams.2@x"), mk("ava", "adams", "ava.adams.10@x"), mk("Ava", "ADAMS", "AVA.ADAMS.1@x"),
		mk("Bo", "Li", "bo@x"), mk("Bo", "Lim", "bo.lim@x"), mk("", "Li", "li@x"), mk("Bo", "", "bo2@x"),
		mk("Élodie", "Ärger", "e@x"), mk("élodie", "ärger", "f@x"), mk("Zed", "Arger", "z@x"), mk("Öz", "Zz", "o@x"),
		mk("Maximilian", "Abercrombie-Fitch", "m1@x"), mk("Maximilian", "Abercrombie-Fitch", "M0@x"),
		mk("İnci", "Ιωάννου", "i@x"), mk("Ω", "ω", "w@x"),
		// keys that tie on their first 32 bytes (the whole keys decide)
		mk("Zoe", "Abercrombie-Fitch-Montgomery-Smythe", "z@x"), mk("Amy", "Abercrombie-Fitch-Montgomery-Smythe", "a@x"),
		mk("Amy", "ABERCROMBIE-FITCH-MONTGOMERY-SMYTHE", "b@x"), mk("Bo", "Abercrombie-Fitch-Montgomery-Smyth", "c@x"),
	}
	rng := rand.New(rand.NewPCG(3, 4))
	alphabet := []string{"a", "A", "b", "é", "É", " ", "z", "-"}
	word := func() string {
		s := ""
		for range rng.IntN(11) {
			s += alphabet[rng.IntN(len(alphabet))]
		}
		return s
	}
	var random []*User
	for i := range 5000 {
		random = append(random, mk(word(), word(), fmt.Sprintf("%s%d@x", word(), i)))
	}
	for name, us := range map[string][]*User{"fixed": fixed, "random": random, "one": fixed[:1], "two": fixed[:2], "none": nil} {
		want := slices.Clone(us)
		SortUsers(want)
		got := slices.Clone(us)
		rng.Shuffle(len(got), func(i, j int) { got[i], got[j] = got[j], got[i] })
		sortUsersFast(got)
		if order := sortOrder(slices.Clone(got)); len(order) != len(got) {
			t.Fatalf("%s: an order of %d for %d users", name, len(order), len(got))
		}
		if !slices.Equal(got, want) {
			for i := range got {
				if got[i] != want[i] {
					t.Fatalf("%s: at %d got %q, want %q", name, i, SortKey(got[i]), SortKey(want[i]))
				}
			}
		}
	}
}
