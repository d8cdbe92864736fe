package cmd

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/gatehouse/gatehouse/cmd/cmdline"
	"github.com/gatehouse/gatehouse/internal/safetext"
	"github.com/gatehouse/gatehouse/store"
	"github.com/spf13/cobra"
)

// How an error reaches stderr: one line "gatehouse: <message>", or with
// --json one JSON object on one line (cmd/JSON.md, "Errors"). The exit code
// is the same either way (ExitCode).

// errorView is the JSON form of an error.
type errorView struct {
	Error string `json:"error"`
	Kind  string `json:"kind"`
	// Rows are the bad rows of import-users, each with its line number.
	Rows []rowErrorView `json:"rows,omitempty"`
}

type rowErrorView struct {
	Line  int    `json:"line"`
	Error string `json:"error"`
}

// Error kinds as --json names them: the store's kinds, and cmd's own.
const (
	kindUsage  = "usage"  // bad usage of the command line (cmd's and cobra's): exit 2
	kindFailed = "failed" // the work itself failed (a file not written…): exit 1
)

var storeKinds = map[store.Kind]string{
	store.KindInput:    "input",
	store.KindNotFound: "not-found",
	store.KindRefused:  "refused",
	store.KindDenied:   "denied",
	store.KindConflict: "conflict",
	store.KindLocked:   "locked",
	store.KindDamaged:  "damaged",
	// the store cannot take a change set now (etcd without a quorum)
	store.KindUnavailable: "unavailable",
}

// errorKind names what kind of error err is, decided as ExitCode decides
// its code: by the error's type, never by its text.
func errorKind(err error) string {
	if k, ok := storeKinds[store.KindOf(err)]; ok {
		return k
	}
	var rows *badRowsError
	if errors.As(err, &rows) {
		return storeKinds[store.KindInput] // the file's rows are bad input, not the command line
	}
	var ue *usageError
	if errors.As(err, &ue) {
		return kindUsage
	}
	var re *ruleError
	if errors.As(err, &re) {
		return storeKinds[store.KindRefused]
	}
	var rn *runError
	if errors.As(err, &rn) {
		return kindFailed
	}
	return kindUsage // cobra's own parsing errors
}

// printError writes the one line of an error: msg is err's line, unescaped.
func printError(w io.Writer, err error, msg string, asJSON bool) {
	if !asJSON {
		fmt.Fprintf(w, "gatehouse: %s\n", safetext.Escape(msg))
		return
	}
	v := errorView{Error: msg, Kind: errorKind(err)}
	var rows *badRowsError
	if errors.As(err, &rows) {
		for _, r := range rows.rows {
			v.Rows = append(v.Rows, rowErrorView{Line: r.Line, Error: oneLine(r.Err)})
		}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf) // one line: no indent
	enc.SetEscapeHTML(false)
	if enc.Encode(v) != nil {
		fmt.Fprintf(w, "gatehouse: %s\n", safetext.Escape(msg))
		return
	}
	w.Write(safetext.JSON(buf.Bytes()))
}

// badRowsError is import-users' refusal of a file with bad rows: printed
// as one line per row before the error, or with --json inside it.
type badRowsError struct {
	*usageError // exit 2, as any bad input
	rows        []store.RowError
}

func (e *badRowsError) Unwrap() error { return e.usageError }

// jsonErrors says whether errors are JSON: --json as parsed, or, when
// cobra stopped before parsing every flag (an unknown command or flag),
// --json among the arguments before "--".
func (a *app) jsonErrors(c *cobra.Command, args []string) bool {
	if c != nil && c.Flags().Parsed() && !a.flagsFailed {
		return a.json
	}
	return cmdline.AskedJSON(args)
}
