// Command gatehouse administers who may see which sites and which screens.
//
// This is its front, where every gatehouse command line starts. A command
// of the database that another gatehouse process of this machine holds
// (the holder a console started, or serve) is sent to that process and
// answered from there; anything else, and anything that goes wrong before
// the line is sent, becomes gatehouse-core (installed beside this program),
// which is the rest of gatehouse and says what is wrong the usual way. The
// front links only what sending a line needs — no store, no console, no
// command tree — because every process pays for the code it links before
// main runs: an attached command answers in two thirds of the time the
// whole of gatehouse takes to start.
package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"

	"github.com/gatehouse/gatehouse/cmd/cmdline"
	"github.com/gatehouse/gatehouse/keys/attach"
	"github.com/gatehouse/gatehouse/store/dbpath"
)

// coreName is the rest of gatehouse, beside this program.
const coreName = "gatehouse-core"

func main() {
	args := os.Args[1:]
	core, err := corePath()
	if err == nil && sendable(args) {
		if code, sent := send(args, core); sent {
			os.Exit(code)
		}
	}
	if err == nil {
		err = become(core, args)
	}
	if errors.Is(err, fs.ErrNotExist) {
		err = fmt.Errorf("%s is not there: gatehouse is two programs, gatehouse and %s, installed side by side; install both (CGO_ENABLED=0 go install ./cmd/...)", core, coreName)
	}
	fmt.Fprintf(os.Stderr, "gatehouse: %v\n", err)
	os.Exit(1)
}

// corePath is gatehouse-core beside this program (the file it runs from,
// symbolic links resolved).
func corePath() (string, error) {
	exe, err := os.Executable()
	if err != nil {
		return "", fmt.Errorf("cannot tell where this program is, and so where %s is: %v", coreName, err)
	}
	core := filepath.Join(filepath.Dir(exe), coreName)
	if runtime.GOOS == "windows" {
		core += ".exe"
	}
	return core, nil
}

// sendable says whether a command line may be sent to the holder of its
// database from here: a command of the database of the usual shape, or a
// shell's completion request, on a system whose gatehouse attaches, with
// its store in a file (a store on etcd is opened by every process itself).
func sendable(args []string) bool {
	if !attach.Supported() || cmdline.OnEtcd(args, os.Getenv) || cmdline.AsksHelp(args) {
		return false
	}
	if cmdline.IsCompletionRequest(args) {
		return true
	}
	kind, ok := cmdline.Known(args)
	return ok && kind == cmdline.Command
}

// send runs the command line in the holder of its database, as gatehouse-core
// would attached (sent false: it was not sent, and gatehouse-core runs it).
// The holder runs it only if it is of gatehouse-core's build. A command
// refused at the socket is said here, as gatehouse-core would say it (which
// would only try again, and wait again for a holder that does not answer);
// a completion request goes on to gatehouse-core, which then reads the file.
func send(args []string, core string) (code int, sent bool) {
	id := attach.ReadBuildID(core)
	if id == "" {
		return 0, false // a build that cannot be told: gatehouse-core decides
	}
	db := cmdline.DB(args)
	if db == "" {
		db = dbpath.Default()
	}
	code, err := attach.Run(attach.Options{
		Socket: attach.Socket(db), Args: args, DB: db, BuildID: id,
		// the holder looks the peer's uid up itself: the name said is its
		// fallback, which gatehouse-core would say too
		User: os.Getenv("USER"),
	})
	var refused *attach.Refusal
	if errors.As(err, &refused) && !cmdline.IsCompletionRequest(args) {
		refused.Print(os.Stderr, cmdline.AskedJSON(args))
		return 1, true
	}
	return code, err == nil
}
