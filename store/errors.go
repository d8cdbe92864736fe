package store

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Kind sorts errors by what the caller should do about them.
type Kind uint8

const (
	KindInput    Kind = iota + 1 // bad input: fix the command
	KindNotFound                 // no such record: also bad input
	KindRefused                  // a rule refuses it
	KindDenied                   // the actor lacks the right
	KindConflict                 // the record changed since it was read
	KindLocked                   // the database is held by another process
	KindDamaged                  // the database file is damaged: restore a backup
	// KindUnavailable: the store cannot take a change set now (an etcd
	// cluster without a quorum); nothing was written, or the line says
	// that whether it was is known once the store answers again. Try
	// again later: checks answer from memory meanwhile (Freshness).
	KindUnavailable
)

// callerGone refuses a change set whose actor's context has ended (see
// Actor.WithContext).
func callerGone() error {
	return &Error{Kind: KindRefused, Msg: "the command was interrupted (its caller went away) before its change set was written: nothing was written"}
}

// Error is every error the store returns on purpose: one line for people
// that names no command, and as data what it is (Kind), what it is about
// (Subject), what would make it pass (Fix) and, for a name that matched
// nothing, the names it came close to (Near). Each front end renders the fix
// its own way: the command line as a command, the console as a key or screen.
type Error struct {
	Kind    Kind
	Msg     string
	Subject Ref      // the record it is about, if one
	Fix     Fix      // what would make it pass (Do == FixNone: nothing to say)
	Near    []string // did you mean: existing names closest to the one given
	Field   Field    // the input it is about, if one: a form shows it there
}

// Field names the input a refusal is about, so a form can show the reason
// beside what was typed.
type Field string

const (
	FieldFirstName   Field = "first"
	FieldLastName    Field = "last"
	FieldEmail       Field = "email"
	FieldName        Field = "name" // a client, site, team or profile name
	FieldClient      Field = "client"
	FieldDefaultSite Field = "default-site"
)

// atField says which input err is about (unless it says so already).
func atField(err error, f Field) error {
	if e, ok := StoreError(err); ok && e.Field == "" {
		e.Field = f
	}
	return err
}

// Error is the line with its did-you-mean; the fix is the front end's to say.
func (e *Error) Error() string {
	if len(e.Near) == 0 {
		return e.Msg
	}
	return e.Msg + "; did you mean " + orList(e.Near) + "?"
}

// orList joins names as "A", "A or B", "A, B or C".
func orList(names []string) string {
	switch len(names) {
	case 0:
		return ""
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// StoreError is the store's own error inside err, if there is one.
func StoreError(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// Is lets errors.Is(err, store.ErrDenied) match by kind.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Msg == "" && t.Kind == e.Kind
}

// Sentinels for errors.Is.
var (
	ErrInput    = &Error{Kind: KindInput}
	ErrNotFound = &Error{Kind: KindNotFound}
	ErrRefused  = &Error{Kind: KindRefused}
	ErrDenied   = &Error{Kind: KindDenied}
	ErrConflict = &Error{Kind: KindConflict}
	ErrLocked   = &Error{Kind: KindLocked}
	ErrDamaged  = &Error{Kind: KindDamaged}
	// ErrUnavailable matches KindUnavailable.
	ErrUnavailable = &Error{Kind: KindUnavailable}
)

// KindOf returns the kind of a store error, or 0 for any other error.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	var c *ConflictError
	if errors.As(err, &c) {
		return KindConflict
	}
	return 0
}

func badInput(format string, a ...any) error {
	return &Error{Kind: KindInput, Msg: fmt.Sprintf(format, shorten(a)...)}
}

func notFound(format string, a ...any) error {
	return &Error{Kind: KindNotFound, Msg: fmt.Sprintf(format, shorten(a)...)}
}

func refused(format string, a ...any) error {
	return &Error{Kind: KindRefused, Msg: fmt.Sprintf(format, shorten(a)...)}
}

func denied(format string, a ...any) error {
	return &Error{Kind: KindDenied, Msg: fmt.Sprintf(format, shorten(a)...)}
}

// maxQuoted bounds what an error repeats of any one value: a message is one
// line for a person, and a 50 MB name must not come back as a 50 MB line.
const maxQuoted = 80

// shorten cuts every text argument longer than maxQuoted runes to its start.
func shorten(a []any) []any {
	for i, v := range a {
		if s, ok := v.(string); ok && len(s) > maxQuoted && utf8.RuneCountInString(s) > maxQuoted {
			a[i] = string([]rune(s)[:maxQuoted-20]) + "…"
		}
	}
	return a
}

// ConflictError names who changed the record and when.
type ConflictError struct {
	Entity string
	By     string
	At     time.Time
	Want   uint64
	Have   uint64
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("%s was changed by %s at %s after you read it (version %d, you had %d); reload and try again",
		e.Entity, e.By, e.At.Local().Format("2006-01-02 15:04:05"), e.Have, e.Want)
}

// Is makes errors.Is(err, ErrConflict) true.
func (e *ConflictError) Is(target error) bool { return target == ErrConflict }

// with returns err with its fix and subject set (err from this package's
// constructors).
func with(err error, subject Ref, fix Fix) error {
	if e, ok := err.(*Error); ok {
		e.Subject, e.Fix = subject, fix
	}
	return err
}

// countOf writes n with the noun that agrees with it: "1 user", "3 users".
func countOf(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}
