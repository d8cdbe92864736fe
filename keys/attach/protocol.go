package attach

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strconv"
	"syscall"

	"github.com/gatehouse/gatehouse/internal/safetext"
)

// What a client and its holder say to each other over the local socket,
// beyond SSH: the exec request's command is a Request (the argv whole,
// never split again), and the holder reaches the caller's side — its files,
// its standard input, its terminal — through channels it opens to the
// client (CallerChannel), one per operation, each a stream of frames.

// Protocol is the version of that: a client and a holder of different
// versions (an older binary still holding the file) do not talk; the client
// is told to wait for that holder to end.
const Protocol = 1

// MaxCommandLine bounds a local exec request (an SSH packet holds at
// most 256 KiB).
const MaxCommandLine = 128 << 10

// Request is the command of a local exec request, as JSON.
type Request struct {
	Protocol int      `json:"protocol"`
	Args     []string `json:"args"`
	// User is the caller's OS user name as it sees it (used when the
	// holder cannot look the peer's uid up itself)
	User string   `json:"user,omitempty"`
	Env  []string `json:"env,omitempty"` // the caller's variables of CallerEnv
	// TTY says which of the caller's standard input, output and error are
	// terminals
	TTY [3]bool `json:"tty"`
	// BuildID is the caller's Go build ID (buildid.go): a holder of
	// another build refuses it
	BuildID string `json:"build_id,omitempty"`
	// ArgsFollow: the command line is too long for the request, and the
	// holder asks for it (OpArgs)
	ArgsFollow bool `json:"args_follow,omitempty"`
}

// marshal is the request as JSON, as json.Marshal writes it (the same
// value read back), without the reflection json.Marshal builds on its
// first use: an attached command is a process that sends only this, and
// its first json.Marshal cost it a millisecond (TestRequestMarshal).
func (r *Request) marshal() []byte {
	b := make([]byte, 0, 256)
	b = append(b, `{"protocol":`...)
	b = strconv.AppendInt(b, int64(r.Protocol), 10)
	b = append(b, `,"args":`...)
	b = appendJSONStrings(b, r.Args)
	if r.User != "" {
		b = append(b, `,"user":`...)
		b = safetext.AppendJSONString(b, r.User)
	}
	if len(r.Env) > 0 {
		b = append(b, `,"env":`...)
		b = appendJSONStrings(b, r.Env)
	}
	b = append(b, `,"tty":[`...)
	for i, t := range r.TTY {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendBool(b, t)
	}
	b = append(b, ']')
	if r.BuildID != "" {
		b = append(b, `,"build_id":`...)
		b = safetext.AppendJSONString(b, r.BuildID)
	}
	if r.ArgsFollow {
		b = append(b, `,"args_follow":true`...)
	}
	return append(b, '}')
}

func appendJSONStrings(b []byte, ss []string) []byte {
	if ss == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i, s := range ss {
		if i > 0 {
			b = append(b, ',')
		}
		b = safetext.AppendJSONString(b, s)
	}
	return append(b, ']')
}

// MaxArgs bounds a command line fetched with OpArgs.
const MaxArgs = 16 << 20

// CallerEnv are the caller's environment variables the holder uses for its
// command line: who the caller is, its clock and language, its terminal's
// colours, and the variables gatehouse's commands read.
var CallerEnv = []string{
	"USER", "LOGNAME", "TZ", "LANG", "LC_ALL", "LC_CTYPE", "LC_MESSAGES",
	"COLORTERM", "NO_COLOR", "CLICOLOR", "CLICOLOR_FORCE", "TERM_PROGRAM", "TERM_PROGRAM_VERSION",
	"GATEHOUSE_SMTP_PASSWORD", "GATEHOUSE_COMPLETION_DESCRIPTIONS",
}

// CallerChannel is the channel type of an operation on the caller's side.
const CallerChannel = "gatehouse-caller@gatehouse"

// CallerOp is the extra data of a CallerChannel open.
type CallerOp struct {
	Op     string `json:"op"` // OpRead, OpWrite, OpStat, OpSecret, OpStdin
	Name   string `json:"name,omitempty"`
	Prompt string `json:"prompt,omitempty"`
}

const (
	OpRead   = "read"   // the caller sends a file's bytes (frames), then FrameEnd
	OpWrite  = "write"  // the holder sends a new file's bytes, then FrameEnd; the caller answers WriteResult
	OpStat   = "stat"   // the caller answers StatResult
	OpSecret = "secret" // the caller asks its terminal for a line without echo, and answers it
	OpStdin  = "stdin"  // the holder asks for up to N bytes of standard input at a time (FrameRead)
	OpArgs   = "args"   // the caller sends its command line (JSON, frames), then FrameEnd
)

// Frame types.
const (
	FrameData = 'd' // bytes
	FrameEnd  = 'e' // the end, whole: the payload is the answer (JSON), if any
	FrameErr  = 'x' // failed: the payload is a callerError
	FrameRead = 'r' // (stdin) read up to the 4-byte big-endian count
)

// MaxFrame bounds one frame's payload.
const MaxFrame = 64 << 10

func WriteFrame(w io.Writer, kind byte, payload []byte) error {
	if len(payload) > MaxFrame {
		return fmt.Errorf("a frame of %d bytes", len(payload))
	}
	b := make([]byte, 5+len(payload))
	b[0] = kind
	binary.BigEndian.PutUint32(b[1:5], uint32(len(payload)))
	copy(b[5:], payload)
	_, err := w.Write(b)
	return err
}

// ReadFrame reads one frame; a stream that ends before it is whole is
// io.ErrUnexpectedEOF (the other side went away).
func ReadFrame(r io.Reader) (byte, []byte, error) {
	var h [5]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		if errors.Is(err, io.EOF) {
			return 0, nil, io.ErrUnexpectedEOF
		}
		return 0, nil, err
	}
	n := binary.BigEndian.Uint32(h[1:])
	if n > MaxFrame {
		return 0, nil, fmt.Errorf("a frame of %d bytes", n)
	}
	p := make([]byte, n)
	if _, err := io.ReadFull(r, p); err != nil {
		return 0, nil, io.ErrUnexpectedEOF
	}
	return h[0], p, nil
}

// callerError is a failure on the caller's side, as sent: the message and,
// for a system call's failure, its errno (so errors.Is(err, fs.ErrExist)
// holds on the holder's side as it would have on the caller's).
type callerError struct {
	Msg   string `json:"msg"`
	Errno int    `json:"errno,omitempty"`
	Op    string `json:"op,omitempty"`
	Path  string `json:"path,omitempty"`
}

func EncodeCallerError(err error) []byte {
	ce := callerError{Msg: err.Error()}
	var errno syscall.Errno
	if errors.As(err, &errno) {
		ce.Errno = int(errno)
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		ce.Op, ce.Path = pe.Op, pe.Path
	}
	b, _ := json.Marshal(ce)
	return b
}

func DecodeCallerError(p []byte) error {
	var ce callerError
	if err := json.Unmarshal(p, &ce); err != nil {
		return errors.New("the caller failed")
	}
	var inner error = errors.New(ce.Msg)
	if ce.Errno != 0 {
		inner = syscall.Errno(ce.Errno)
	}
	if ce.Path != "" || ce.Op != "" {
		return &fs.PathError{Op: ce.Op, Path: ce.Path, Err: inner}
	}
	if ce.Errno != 0 {
		return inner
	}
	return errors.New(ce.Msg)
}

// WriteResult answers OpWrite.
type WriteResult struct {
	Path string `json:"path"` // the file written, absolute
	Size int64  `json:"size"`
}

// StatResult answers OpStat.
type StatResult struct {
	Exists bool `json:"exists"`
}
