// Package csvout writes CSV that is safe to open in a spreadsheet and to
// show in a terminal: the command line's --format csv and the console's
// files share it.
package csvout

import (
	"encoding/csv"
	"io"
	"strings"

	"github.com/gatehouse/gatehouse/internal/safetext"
)

// Table writes CSV as RFC 4180 says (encoding/csv: quoted where needed,
// lines ending in \n, which every spreadsheet reads), with every cell made
// inert (Inert).
type Table struct{ w *csv.Writer }

func New(w io.Writer) *Table { return &Table{csv.NewWriter(w)} }

// Row writes one record.
func (t *Table) Row(cells ...string) error {
	for i, c := range cells {
		cells[i] = Inert(c)
	}
	return t.w.Write(cells)
}

// Flush writes out what is buffered and reports any error on the way.
func (t *Table) Flush() error {
	t.w.Flush()
	return t.w.Error()
}

// Inert is a cell a spreadsheet shows as the text it is. Following OWASP's
// advice on CSV injection, a cell starting with = + - @, a tab, a carriage
// return or a NUL (which spreadsheets run as a formula or strip on the way
// to one) gets a leading apostrophe, which spreadsheets read as "this is
// text" and do not show. Control and invisible characters are then written
// out visibly (\x1b, \u202e), as everywhere else: one cell, one line,
// nothing a terminal acts on.
func Inert(s string) string {
	if s != "" && strings.IndexByte("=+-@\t\r\x00", s[0]) >= 0 {
		s = "'" + s
	}
	return safetext.Escape(s)
}
