package tui

import (
	"os"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/gatehouse/gatehouse/store"
)

// TestColdStartPhases times the console's start in this process (GH_COLD_DB
// names a database); bench/'s BenchmarkColdStart times the real binary's.
func TestColdStartPhases(t *testing.T) {
	path := os.Getenv("GH_COLD_DB")
	if path == "" {
		t.Skip("GH_COLD_DB not set")
	}
	t0 := time.Now()
	s, err := store.Open(path, store.Options{EmailIndexLater: true}) // as the console opens it
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	t1 := time.Now()
	app := New(s, store.LocalActor("x"), Options{})
	defer app.Close()
	t2 := time.Now()
	app.Update(tea.WindowSizeMsg{Width: 200, Height: 60})
	if v := viewOf(app); !strings.Contains(v, "Employees (") {
		t.Fatalf("the first frame has no user list:\n%s", v)
	}
	t3 := time.Now()
	t.Logf("open %v, New %v, View %v", t1.Sub(t0), t2.Sub(t1), t3.Sub(t2))
}
