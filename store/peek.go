package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// ErrPeekStale says a file cannot be peeked at (another schema): open it.
var ErrPeekStale = errors.New("the file is of another schema: open it instead")

// PeekEmails answers a Tab at an email for an actor who sees every user
// (the local operator) from the file's emails index, read-only, without
// loading the store: at 100k users a load takes a quarter of a second, the
// seek a millisecond. It gives what EmailsFor gives that actor: the users
// whose email starts with prefix, the first max by email (0: all), and how
// many matched. Anyone else's Tab goes through EmailsFor, which knows what
// they may see. It writes nothing (what has ended is taken back at the next
// open), and a file of another schema is ErrPeekStale.
func PeekEmails(path, prefix string, max int, timeout time.Duration) (users []*User, matched int, err error) {
	g := &openGuard{path: path}
	db, err := g.open(&bolt.Options{ReadOnly: true, Timeout: timeout})
	if err != nil {
		if errors.Is(err, bolterrors.ErrTimeout) {
			return nil, 0, &Error{Kind: KindLocked, Msg: "database " + path + " is in use by another gatehouse process"}
		}
		return nil, 0, err
	}
	defer db.Close()
	stale := false
	err = g.read(db, func() error {
		return db.View(func(tx *bolt.Tx) error {
			meta := tx.Bucket(bucketMeta)
			if meta == nil {
				return nil // a new file: nobody yet
			}
			if binary.BigEndian.Uint64(meta.Get(keySchema)) != schemaVersion {
				stale = true // not damage: g.read would call any other error so
				return nil
			}
			byID, intern := tx.Bucket(bucketUsers), map[string]string{}
			p := []byte(lower(strings.TrimSpace(prefix)))
			c := tx.Bucket(bucketEmails).Cursor()
			for k, id := c.Seek(p); k != nil && bytes.HasPrefix(k, p); k, id = c.Next() {
				matched++
				if max > 0 && len(users) == max {
					continue // counted, not read
				}
				raw := byID.Get(id)
				if raw == nil {
					return errors.New("an email of the index names no user")
				}
				u, err := decodeUser(raw, intern)
				if err != nil {
					return err
				}
				users = append(users, u)
			}
			return nil
		})
	})
	switch {
	case err != nil:
		return nil, 0, err
	case stale:
		return nil, 0, ErrPeekStale
	}
	return users, matched, nil
}
