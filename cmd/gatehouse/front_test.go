package main

import (
	"os/exec"
	"strings"
	"testing"
)

// The front (this package) links nothing of the store, the console or the
// command tree: every process pays for what it links before main, and an
// attached command is a process that only sends its line.
func TestFrontLinksOnlyTheAttach(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	heavy := map[string]bool{
		"github.com/gatehouse/gatehouse/store": true, "github.com/gatehouse/gatehouse/cmd": true,
		"github.com/gatehouse/gatehouse/keys": true, "github.com/gatehouse/gatehouse/tui": true,
		"go.etcd.io/bbolt": true, "github.com/spf13/cobra": true,
	}
	for _, p := range strings.Fields(string(out)) {
		if heavy[p] || strings.HasPrefix(p, "charm.land/") || strings.HasPrefix(p, "github.com/gatehouse/gatehouse/tui/") {
			t.Errorf("the front links %s: keep it to cmd/cmdline, keys/attach and store/dbpath", p)
		}
	}
}
