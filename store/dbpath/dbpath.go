// Package dbpath names the default database file. It imports nothing but
// syscall, so that a process can find its database before the runtime has
// initialized its other packages (cmd/gatehouse/early).
package dbpath

import "syscall"

// Default is $GATEHOUSE_DB, else $XDG_DATA_HOME/gatehouse/gatehouse.db,
// else ~/.local/share/gatehouse/gatehouse.db (else in the working
// directory, with no home). It is not cleaned (store.DefaultPath is).
func Default() string {
	if p, _ := syscall.Getenv("GATEHOUSE_DB"); p != "" {
		return p
	}
	dir, _ := syscall.Getenv("XDG_DATA_HOME")
	if dir == "" {
		home, _ := syscall.Getenv("HOME")
		if home == "" {
			home = "."
		}
		dir = home + "/.local/share"
	}
	return dir + "/gatehouse/gatehouse.db"
}
