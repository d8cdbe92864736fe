// Package cmdline tells what a gatehouse command line asks for from its
// words alone, without the command tree: a command of the database, the
// console, or nothing of the database; which database it names; whether its
// store is on etcd. The front (cmd/gatehouse) sends a line of the database
// to the process holding it before the rest of gatehouse has started, and
// the tree (package cmd) classifies with the same words; what these say is
// what the tree says (cmd's TestKnownLineAgreesWithTheTree).
package cmdline

import (
	"strconv"
	"strings"
)

// Kind is what a command line needs of the database.
type Kind int

const (
	NeedsNoStore Kind = iota // help, version, completion scripts, unknown commands
	Console
	Completion
	Command
)

// HoldName is the hidden command of the holder (gatehouse __hold), which
// opens the file itself.
const HoldName = "__hold"

// The requests a shell's completion sends (cobra.ShellCompRequestCmd and
// cobra.ShellCompNoDescRequestCmd; cmd's tests hold them equal).
const (
	CompleteRequest       = "__complete"
	CompleteNoDescRequest = "__completeNoDesc"
)

// IsCompletionRequest says whether a command line is a shell's completion
// request.
func IsCompletionRequest(args []string) bool {
	return len(args) > 0 && (args[0] == CompleteRequest || args[0] == CompleteNoDescRequest)
}

// AsksHelp says whether a command line asks for help or the version
// (before any "--"), which every command answers without the database.
func AsksHelp(args []string) bool {
	for _, a := range args {
		if a == "--" {
			break
		}
		if a == "-h" || a == "--help" || a == "--version" || strings.HasPrefix(a, "--help=") || strings.HasPrefix(a, "--version=") {
			return true
		}
	}
	return false
}

// Known classifies a command line of the usual shape without building the
// tree: the root's own flags (--db, --as with their values, --json), alone
// (the console) or followed by the command's words, ending at a word of
// StoreCommand's (a command that works on the database), "version" or the
// holder's; it says nothing (ok false) of any other line, which the tree
// then classifies.
func Known(args []string) (kind Kind, ok bool) {
	kind, _, ok = KnownWord(args)
	return kind, ok
}

// KnownWord is Known, and the root's command the line names.
func KnownWord(args []string) (kind Kind, word string, ok bool) {
	i := 0
	for i < len(args) {
		a := args[i]
		switch {
		case a == "--db" || a == "--as":
			if i+1 >= len(args) {
				return 0, "", false // no value: the tree says so
			}
			i += 2 // the flag's value
			continue
		case a == "--json" || strings.HasPrefix(a, "--db=") || strings.HasPrefix(a, "--as="):
			i++
			continue
		case strings.HasPrefix(a, "-"):
			return 0, "", false
		}
		break
	}
	if i >= len(args) {
		// the root's flags alone: the console (its start waits for no
		// tree)
		return Console, "", true
	}
	word = args[i]
	if word == "version" || word == HoldName { // the holder opens the file itself
		return NeedsNoStore, word, true
	}
	if StoreCommand(word) {
		return Command, word, true
	}
	if i+1 < len(args) && StoreCommand(word+" "+args[i+1]) {
		return Command, word, true
	}
	return 0, "", false
}

// StoreCommand says whether path (the command's words) names a command
// that works on the database: every such command of the tree, and nothing
// else (TestKnownLineAgreesWithTheTree fails until a command added to the
// tree is added here).
func StoreCommand(path string) bool {
	switch path {
	case "audit log", "audit verify",
		"backup", "check", "demo", "effective", "expiring", "export", "import", "import-users",
		"review", "serve", "undo", "who-can",
		"clients add", "clients delete", "clients list", "clients rename", "clients restore", "clients retire",
		"outbox list", "outbox show",
		"profiles create", "profiles delete", "profiles grant", "profiles list", "profiles rename", "profiles scope", "profiles show",
		"screens add", "screens list", "screens retitle",
		"settings set", "settings show",
		"sites add", "sites assign", "sites delete", "sites list", "sites rename", "sites restore", "sites retire", "sites unassign",
		"teams add", "teams delete", "teams list", "teams move", "teams rename", "teams restore", "teams retire",
		"users add", "users add-key", "users assign-client", "users delete", "users disable", "users edit", "users enable",
		"users feature", "users history", "users invite", "users keys", "users list", "users remove-key", "users set-password",
		"users show", "users unassign-client":
		return true
	}
	return false
}

// DB is the --db a command line names, or "".
func DB(args []string) string {
	db := ""
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			break
		}
		if a == "--db" && i+1 < len(args) {
			db = args[i+1]
			i++
		} else if v, ok := strings.CutPrefix(a, "--db="); ok {
			db = v
		}
	}
	return db
}

// OnEtcd says whether a command line's store is on etcd, told from its
// words and the environment without the tree: such a line attaches to no
// holder. A line naming any etcd flag is one; the tree says what is wrong
// with it.
func OnEtcd(args []string, getenv func(string) string) bool {
	db := false
	for _, a := range args {
		if a == "--" {
			break
		}
		if strings.HasPrefix(a, "--etcd") || strings.HasPrefix(a, "--to-etcd") {
			return true
		}
		if a == "--db" || strings.HasPrefix(a, "--db=") {
			db = true
		}
	}
	return !db && getenv("GATEHOUSE_ETCD") != ""
}

// AskedJSON finds --json (or --json=true) among arguments not yet parsed.
func AskedJSON(args []string) bool {
	want := false
	for _, arg := range args {
		if arg == "--" {
			break
		}
		if arg == "--json" {
			want = true
		} else if v, ok := strings.CutPrefix(arg, "--json="); ok {
			want, _ = strconv.ParseBool(v)
		}
	}
	return want
}
