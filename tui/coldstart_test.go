package tui

import (
	"os"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/store"
)

func TestColdStartPhases(t *testing.T) {
	path := os.Getenv("GH_COLD_DB")
	if path == "" {
		t.Skip("GH_COLD_DB not set")
	}
	t0 := time.Now()
	s, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t1 := time.Now()
	app := New(s, store.LocalActor("x"), asciiRenderer(), Options{})
	t2 := time.Now()
	app.w, app.h = 200, 60
	_ = app.View()
	t3 := time.Now()
	t.Logf("open %v, New %v, View %v", t1.Sub(t0), t2.Sub(t1), t3.Sub(t2))
}
