package store

import "testing"

func TestSortByPowerPutsTheLeastPowerfulFirst(t *testing.T) {
	ps := openStore(t).s.Profiles()
	SortByPower(ps)
	var names []string
	for _, p := range ps {
		if p.Type == Employee {
			names = append(names, p.Name)
		}
	}
	want := []string{"Basic", "User", "Supervisor", "Manager", "Administrator"}
	if len(names) != len(want) {
		t.Fatalf("employee profiles %v, want %v", names, want)
	}
	for i := range want {
		if names[i] != want[i] {
			t.Fatalf("least powerful first: %v, want %v", names, want)
		}
	}
}
