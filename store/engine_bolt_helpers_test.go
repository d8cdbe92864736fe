package store

import (
	"encoding/json"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Tests that write a bbolt file by hand (fixtures, tampering) reach below
// the engine seam with these.

// boltDB is the bbolt file under a store opened on the bbolt engine.
func (s *Store) boltDB() *guardedDB { return s.db.(*boltEngine).db }

// putJSON stores v as JSON at key in a bbolt bucket.
func putJSON(b *bolt.Bucket, key []byte, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return b.Put(key, data)
}

// seed writes what a new database is seeded with into a bbolt transaction.
func seed(tx *bolt.Tx, now time.Time) error { return seedCatalog(boltTx{tx}, now) }
