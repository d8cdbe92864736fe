package dbpath

import "testing"

func TestDefault(t *testing.T) {
	for _, c := range []struct{ db, xdg, home, want string }{
		{"/srv/g.db", "/x", "/h", "/srv/g.db"},
		{"", "/x", "/h", "/x/gatehouse/gatehouse.db"},
		{"", "", "/h", "/h/.local/share/gatehouse/gatehouse.db"},
		{"", "", "", "./.local/share/gatehouse/gatehouse.db"},
	} {
		t.Setenv("GATEHOUSE_DB", c.db)
		t.Setenv("XDG_DATA_HOME", c.xdg)
		t.Setenv("HOME", c.home)
		if got := Default(); got != c.want {
			t.Errorf("GATEHOUSE_DB=%q XDG_DATA_HOME=%q HOME=%q: %q, want %q", c.db, c.xdg, c.home, got, c.want)
		}
	}
}
