// Package early starts a first console's holder as soon as the process
// runs, before the runtime has initialized its other packages: a console
// that finds nobody holding its database runs in a holder it starts (cmd's
// attach.go), and that holder's start, its own runtime and package init,
// then overlaps the rest of this process's. It imports nothing but syscall
// and packages that import nothing else, so that the runtime initializes it
// among the first; main hands what it started to cmd (cmd.Attach.Started).
//
// It acts only on a line that is certainly the console (the root's flags
// alone, a database file, standard input and output terminals), and only
// when no socket is beside the database (nobody may be holding it for
// others) and the path is no symbolic link (cmd resolves those); anything
// else is left to cmd, as before.
package early

// Holder is what was started, or nil.
var Holder *Started

// Started is a holder started at init, handed this process's terminal.
type Started struct {
	DB       string // the database, absolute (not resolved: cmd compares canonical paths)
	Pid      int    // the holder
	Report   int    // its first line (close-on-exec)
	Handover int    // this side of the console's pair: nothing written yet
	Restore  func() // puts the terminal back as it was before the holder had it
	At       int64  // when it was started, Unix nanoseconds
}

func init() { Holder = start() }
