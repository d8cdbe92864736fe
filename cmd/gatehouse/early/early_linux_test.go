package early

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/gatehouse/gatehouse/store/dbpath"
)

// The line read from /proc is the one os reads.
func TestCommandLineIsOsArgs(t *testing.T) {
	args, ok := commandLine()
	if !ok || !slices.Equal(args, os.Args) {
		t.Fatalf("commandLine() = %q %v, want %q", args, ok, os.Args)
	}
}

func TestDatabaseFile(t *testing.T) {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("GATEHOUSE_DB", "")
	t.Setenv("GATEHOUSE_ETCD", "")
	for _, c := range []struct {
		args []string
		etcd string
		want string // "" for none
	}{
		{[]string{"--db", "/srv/a.db"}, "", "/srv/a.db"},
		{[]string{"--db=rel/a.db"}, "", filepath.Join(wd, "rel/a.db")},
		{[]string{"--db", "/srv/a.db"}, "http://127.0.0.1:2379", "/srv/a.db"}, // --db wins over $GATEHOUSE_ETCD, as in cmd
		{nil, "http://127.0.0.1:2379", ""},
		{nil, "", dbpath.Default()},
	} {
		t.Setenv("GATEHOUSE_ETCD", c.etcd)
		got, ok := databaseFile(c.args)
		if c.want == "" {
			if ok {
				t.Errorf("%q with GATEHOUSE_ETCD=%q: %q, want none (the store is on etcd)", c.args, c.etcd, got)
			}
			continue
		}
		if !ok || filepath.Clean(got) != filepath.Clean(c.want) {
			t.Errorf("%q with GATEHOUSE_ETCD=%q: %q %v, want %q", c.args, c.etcd, got, ok, c.want)
		}
	}
}
