package store

import (
	"encoding/binary"
	"errors"
	"strings"
	"time"
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
	db, err := openBolt(path, boltOpen{readOnly: true, timeout: timeout})
	if err != nil {
		if errors.Is(err, errFileLocked) {
			return nil, 0, &Error{Kind: KindLocked, Msg: "database " + path + " is in use by another gatehouse process"}
		}
		return nil, 0, err
	}
	defer db.close()
	stale := false
	err = db.checked(func() error {
		return db.view(func(tx rtx) error {
			if !tx.hasBucket(bucketMeta) {
				return nil // a new file: nobody yet
			}
			if binary.BigEndian.Uint64(tx.get(bucketMeta, keySchema)) != schemaVersion {
				stale = true // not damage: checked would call any other error so
				return nil
			}
			intern := map[string]string{}
			p := []byte(lower(strings.TrimSpace(prefix)))
			return scanPrefix(tx, bucketEmails, p, func(_, id []byte) error {
				matched++
				if max > 0 && len(users) == max {
					return nil // counted, not read
				}
				raw := tx.get(bucketUsers, id)
				if raw == nil {
					return errors.New("an email of the index names no user")
				}
				u, err := decodeUser(raw, intern)
				if err != nil {
					return err
				}
				users = append(users, u)
				return nil
			})
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
