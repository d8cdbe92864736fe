package store

import (
	"errors"
	"fmt"
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
)

// Error is every error the store returns on purpose: one line that says what
// to do, and a Kind.
type Error struct {
	Kind Kind
	Msg  string
}

func (e *Error) Error() string { return e.Msg }

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
