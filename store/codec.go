package store

import (
	"encoding/binary"
	"errors"
	"time"
	"unsafe"
)

// Users are the one large collection, read whole at open: a compact binary
// record decodes several times faster than JSON, which keeps a 100k-user open
// inside its budget. Everything else is small and stored as JSON.

// userCodecVersion 1 is every user without expiries; 2 adds them at the end
// (so files without any stay readable by gatehouse before expiries).
const (
	userCodecVersion       = 1
	userCodecWithExpiries  = 2
	maxExpiriesPerUserRead = 1 << 16
)

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
	// intern shares repeated strings (first names, actor names) across users
	// decoded by one load: fewer allocations at open and a smaller heap.
	intern map[string]string
	// arena, when set, holds the other strings of the users one loader
	// decodes (emails, password hashes) in shared chunks: one allocation per
	// chunk rather than per string.
	arena *[]byte
}

// arenaChunk is the size of one chunk of a loader's string arena.
const arenaChunk = 64 << 10

const maxInterned = 1 << 16

func (d *decoder) istr() string {
	n := d.uvarint()
	if d.err != nil || uint64(len(d.b)) < n {
		d.err = errCorrupt
		return ""
	}
	raw := d.b[:n]
	d.b = d.b[n:]
	if d.intern == nil {
		return string(raw)
	}
	if s, ok := d.intern[string(raw)]; ok { // no allocation for the lookup
		return s
	}
	s := string(raw)
	if len(d.intern) < maxInterned {
		d.intern[s] = s
	}
	return s
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
	raw := d.b[:n]
	d.b = d.b[n:]
	if d.arena == nil || n == 0 || n > arenaChunk/4 {
		return string(raw) // copies: bbolt's bytes die with the transaction
	}
	a := *d.arena
	if cap(a)-len(a) < int(n) {
		a = make([]byte, 0, arenaChunk)
	}
	start := len(a)
	a = append(a, raw...)
	*d.arena = a
	// the bytes are never written again: appends go past them
	return unsafe.String(&a[start], n)
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

// idChunk is how many ids one allocation of a loader's backing holds.
const idChunk = 4096

// ids reads a list of ids into the shared backing array (one allocation per
// user for all three lists); the capacity is clipped so appends copy.
func (d *decoder) ids(backing *[]uint64) []uint64 {
	n := d.uvarint()
	if n == 0 || d.err != nil {
		return nil
	}
	if n > uint64(len(d.b)) {
		d.err = errCorrupt
		return nil
	}
	if uint64(cap(*backing)-len(*backing)) < n {
		*backing = make([]uint64, 0, max(n, idChunk))
	}
	start := len(*backing)
	for i := uint64(0); i < n; i++ {
		*backing = append(*backing, d.uvarint())
	}
	return (*backing)[start:len(*backing):len(*backing)]
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
	if len(u.Expiries) > 0 {
		e.uvarint(userCodecWithExpiries)
	} else {
		e.uvarint(userCodecVersion)
	}
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
	if len(u.Expiries) > 0 {
		e.uvarint(uint64(len(u.Expiries)))
		for _, x := range u.Expiries {
			e.uvarint(uint64(x.Grant))
			e.uvarint(x.ID)
			e.time(x.At)
			e.uvarint(x.Back)
		}
	}
	return e.b
}

func decodeUser(b []byte, intern map[string]string) (*User, error) {
	u := &User{}
	var backing []uint64
	if err := decodeUserInto(u, b, &userLoader{intern: intern, backing: &backing}); err != nil {
		return nil, err
	}
	return u, nil
}

// userLoader is what one loader shares across the users it decodes: the
// interned strings, the arena of other strings and the backing of id lists
// (appends to a list copy: its capacity is clipped).
type userLoader struct {
	intern  map[string]string
	arena   *[]byte
	backing *[]uint64
}

// decodeUserInto decodes into u.
func decodeUserInto(u *User, b []byte, l *userLoader) error {
	backing := l.backing
	d := decoder{b: b, intern: l.intern, arena: l.arena}
	version := d.uvarint()
	if version != userCodecVersion && version != userCodecWithExpiries {
		return errCorrupt
	}
	u.ID = d.uvarint()
	u.Version = d.uvarint()
	u.First = d.istr()
	u.Last = d.istr()
	u.Email = d.str()
	u.Type = UserType(d.uvarint())
	u.ProfileID = d.uvarint()
	u.ClientIDs = d.ids(backing)
	u.SiteIDs = d.ids(backing)
	u.TeamIDs = d.ids(backing)
	u.DefaultSiteID = d.uvarint()
	for i := range u.Features {
		u.Features[i] = Override(d.uvarint())
	}
	u.Disabled = d.bool()
	u.Activated = d.bool()
	u.Authored = d.bool()
	u.PasswordHash = d.str()
	u.Created = d.time()
	u.CreatedBy = d.istr()
	u.Updated = d.time()
	u.UpdatedBy = d.istr()
	u.LastSignIn = d.time()
	if version == userCodecWithExpiries {
		n := d.uvarint()
		if n == 0 || n > maxExpiriesPerUserRead || n > uint64(len(d.b)) {
			return errCorrupt
		}
		u.Expiries = make([]Expiry, n)
		for i := range u.Expiries {
			u.Expiries[i] = Expiry{Grant: Grant(d.uvarint()), ID: d.uvarint(), At: d.time(), Back: d.uvarint()}
		}
	}
	return d.err
}
