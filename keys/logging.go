package keys

import (
	"fmt"
	"io"
	"sync"

	"charm.land/log/v2"

	"github.com/gatehouse/gatehouse/internal/safetext"
)

// NewLogger is the server's logger writing to w through LogWriter. Build
// Config.Logger with it.
func NewLogger(w io.Writer, opts log.Options) *log.Logger {
	return log.NewWithOptions(LogWriter(w), opts)
}

// LogWriter escapes what the server logs: user names, command lines, key
// comments, emails and error texts come from clients, and a control or
// invisible character in them (ESC, BEL, CR, bidi overrides) must reach
// whoever reads the log — a terminal, a pager — as \x1b, never as itself.
// charm.land/log escapes the values it writes; its messages go through
// lipgloss, which drops escape sequences but keeps invisible characters (a
// bidi override) as they are. That is its formatter's choice, not a promise. Newlines and tabs
// stay (the log is lines).
//
// Loggers made with With share their writer but not their lock, so the
// writer takes one of its own.
func LogWriter(w io.Writer) io.Writer {
	return &lockedWriter{w: safetext.NewWriter(w)}
}

type lockedWriter struct {
	mu sync.Mutex
	w  *safetext.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	n, err := l.w.Write(p)
	if err == nil {
		err = l.w.Flush() // a log line is whole: nothing waits for the next
	}
	return n, err
}

// maxLogText is how much of one client-sent value a log line keeps.
const maxLogText = 256

// logText is a value a client sent, for the log: escaped (one line, even
// without LogWriter) and cut to maxLogText bytes, saying how long it was.
func logText(s string) string {
	if len(s) > maxLogText {
		cut := maxLogText
		for cut > 0 && s[cut]&0xc0 == 0x80 { // not inside a UTF-8 sequence
			cut--
		}
		return fmt.Sprintf("%s… (%d bytes)", safetext.Escape(s[:cut]), len(s))
	}
	return safetext.Escape(s)
}
