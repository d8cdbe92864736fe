// Package dbpath is where gatehouse keeps its database when a command line
// names none: a package of its own, so that the front (cmd/gatehouse) finds
// the file's holder without linking the store.
package dbpath

import (
	"os"
	"path/filepath"
)

// Default is $GATEHOUSE_DB, else $XDG_DATA_HOME/gatehouse/gatehouse.db,
// else ~/.local/share/gatehouse/gatehouse.db.
func Default() string {
	if p := os.Getenv("GATEHOUSE_DB"); p != "" {
		return p
	}
	dir := os.Getenv("XDG_DATA_HOME")
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			home = "."
		}
		dir = filepath.Join(home, ".local", "share")
	}
	return filepath.Join(dir, "gatehouse", "gatehouse.db")
}
