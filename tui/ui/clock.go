package ui

import "time"

// Clock is how a console tells time: now (for spans and expiry) and the
// zone times are shown in. Tests fix both.
type Clock struct {
	Now func() time.Time
	Loc *time.Location
}

func (c Clock) Stamp(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.In(c.Loc).Format("2006-01-02 15:04")
}

func (c Clock) Short(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.In(c.Loc).Format("01-02 15:04")
}

// OrWallClock is c with what it leaves unset taken from the wall clock,
// in local time.
func (c Clock) OrWallClock() Clock {
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Loc == nil {
		c.Loc = time.Local
	}
	return c
}
