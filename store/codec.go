package store

import (
	"encoding/binary"
	"errors"
	"time"
)

// Users are the one large collection, read whole at open: a compact binary
// record decodes several times faster than JSON, which keeps a 100k-user open
// inside its budget. Everything else is small and stored as JSON.

const userCodecVersion = 1

type encoder struct{ b []byte }

func (e *encoder) uvarint(v uint64) { e.b = binary.AppendUvarint(e.b, v) }
func (e *encoder) str(s string)     { e.uvarint(uint64(len(s))); e.b = append(e.b, s...) }
func (e *encoder) bool(v bool) {
	if v {
		e.b = append(e.b, 1)
	} else {
		e.b = append(e.b, 0)
	}
}
func (e *encoder) ids(v []uint64) {
	e.uvarint(uint64(len(v)))
	for _, x := range v {
		e.uvarint(x)
	}
}
func (e *encoder) time(t time.Time) {
	if t.IsZero() {
		e.uvarint(0)
		return
	}
	e.uvarint(uint64(t.UnixNano()))
}

type decoder struct {
	b   []byte
	err error
}

var errCorrupt = errors.New("corrupt user record")

func (d *decoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.err = errCorrupt
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) str() string {
	n := d.uvarint()
	if d.err != nil || uint64(len(d.b)) < n {
		d.err = errCorrupt
		return ""
	}
	s := string(d.b[:n]) // copies: bbolt's bytes die with the transaction
	d.b = d.b[n:]
	return s
}

func (d *decoder) bool() bool {
	if d.err != nil || len(d.b) < 1 {
		d.err = errCorrupt
		return false
	}
	v := d.b[0] == 1
	d.b = d.b[1:]
	return v
}

func (d *decoder) ids() []uint64 {
	n := d.uvarint()
	if n == 0 || d.err != nil {
		return nil
	}
	if n > uint64(len(d.b)) {
		d.err = errCorrupt
		return nil
	}
	v := make([]uint64, n)
	for i := range v {
		v[i] = d.uvarint()
	}
	return v
}

func (d *decoder) time() time.Time {
	v := d.uvarint()
	if v == 0 {
		return time.Time{}
	}
	return time.Unix(0, int64(v)).UTC()
}

func encodeUser(u *User) []byte {
	e := encoder{b: make([]byte, 0, 160)}
	e.uvarint(userCodecVersion)
	e.uvarint(u.ID)
	e.uvarint(u.Version)
	e.str(u.First)
	e.str(u.Last)
	e.str(u.Email)
	e.uvarint(uint64(u.Type))
	e.uvarint(u.ProfileID)
	e.ids(u.ClientIDs)
	e.ids(u.SiteIDs)
	e.ids(u.TeamIDs)
	e.uvarint(u.DefaultSiteID)
	for _, f := range u.Features {
		e.uvarint(uint64(f))
	}
	e.bool(u.Disabled)
	e.bool(u.Activated)
	e.bool(u.Authored)
	e.str(u.PasswordHash)
	e.time(u.Created)
	e.str(u.CreatedBy)
	e.time(u.Updated)
	e.str(u.UpdatedBy)
	e.time(u.LastSignIn)
	return e.b
}

func decodeUser(b []byte) (*User, error) {
	d := decoder{b: b}
	if v := d.uvarint(); v != userCodecVersion {
		return nil, errCorrupt
	}
	u := &User{}
	u.ID = d.uvarint()
	u.Version = d.uvarint()
	u.First = d.str()
	u.Last = d.str()
	u.Email = d.str()
	u.Type = UserType(d.uvarint())
	u.ProfileID = d.uvarint()
	u.ClientIDs = d.ids()
	u.SiteIDs = d.ids()
	u.TeamIDs = d.ids()
	u.DefaultSiteID = d.uvarint()
	for i := range u.Features {
		u.Features[i] = Override(d.uvarint())
	}
	u.Disabled = d.bool()
	u.Activated = d.bool()
	u.Authored = d.bool()
	u.PasswordHash = d.str()
	u.Created = d.time()
	u.CreatedBy = d.str()
	u.Updated = d.time()
	u.UpdatedBy = d.str()
	u.LastSignIn = d.time()
	if d.err != nil {
		return nil, d.err
	}
	return u, nil
}
