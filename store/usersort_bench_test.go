package store

import "testing"

// BenchmarkSortUsers100k orders all 100,000 users of the demo database
// both ways: sortUsersFast (who-can's) and SortUsers (the comparison sort).
func BenchmarkSortUsers100k(b *testing.B) {
	s, err := Open(benchDB(b), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	var all []*User
	s.EachUser(func(u *User) { all = append(all, u) })
	us := make([]*User, len(all))
	b.Run("fast", func(b *testing.B) {
		for b.Loop() {
			copy(us, all)
			sortUsersFast(us)
		}
	})
	b.Run("SortUsers", func(b *testing.B) {
		for b.Loop() {
			copy(us, all)
			SortUsers(us)
		}
	})
}
