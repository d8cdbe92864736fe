// Package holdstart starts a holder (`gatehouse --db DB __hold`): the
// process that holds a database for the other gatehouse processes of this
// machine, started by the first console that finds nobody holding it,
// which hands it its terminal. It imports nothing but syscall, so that a
// first console can start its holder before the runtime has initialized its
// other packages (cmd/gatehouse/early); cmd starts it the same way later.
package holdstart

const (
	// Name is the holder's hidden command.
	Name = "__hold"
	// ReportEnv set to "3" tells the holder to write its first line
	// (ready, held, locked, refused MSG, failed) to descriptor 3.
	ReportEnv = "GATEHOUSE_HOLD_REPORT"
	// ConsoleEnv names the holder's first descriptor of a handed console:
	// the pair to the console's process, then its in, out and err.
	ConsoleEnv = "GATEHOUSE_HOLD_CONSOLE"
	// LingerEnv, when set, is the holder's --linger (tests).
	LingerEnv = "GATEHOUSE_HOLD_LINGER"
)

// RootFlags reads the root's flags at the start of a command line: --db and
// --as with their values, --db=, --as= and --json. It returns how many
// words they are and --db's value; ok is false at a flag of another kind,
// or a flag without its value (the tree says what is wrong).
func RootFlags(args []string) (n int, db string, ok bool) {
	for n < len(args) {
		a := args[n]
		switch {
		case a == "--db" || a == "--as":
			if n+1 >= len(args) {
				return n, db, false
			}
			if a == "--db" {
				db = args[n+1]
			}
			n += 2
		case hasPrefix(a, "--db="):
			db = a[len("--db="):]
			n++
		case a == "--json" || hasPrefix(a, "--as="):
			n++
		case hasPrefix(a, "-"):
			return n, db, false
		default:
			return n, db, true
		}
	}
	return n, db, true
}

func hasPrefix(s, p string) bool { return len(s) >= len(p) && s[:len(p)] == p }
