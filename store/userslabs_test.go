package store

import (
	"path/filepath"
	"reflect"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// A small open allocates per chunk: no huge-page piece for a handful.
func TestSmallOpenTakesNoSlabs(t *testing.T) {
	if s := newUserSlabs(slabsFrom - 1); s != nil {
		t.Fatalf("a bucket of sequence %d got slabs", slabsFrom-1)
	}
	if got := newUserSlabs(slabsFrom - 1).take(8); got != nil {
		t.Fatalf("nil slabs handed out %d users", len(got))
	}
}

// Each chunk's users are its own: appending to one never writes the next,
// across pieces too.
func TestSlabsDoNotOverlap(t *testing.T) {
	s := newUserSlabs(slabsFrom)
	var taken [][]User
	for n := 0; n < slabPieceUsers+3*userChunkSize; n += userChunkSize {
		c := s.take(userChunkSize)
		if len(c) != userChunkSize || cap(c) != userChunkSize {
			t.Fatalf("take(%d): len %d, cap %d", userChunkSize, len(c), cap(c))
		}
		for i := range c {
			c[i].ID = uint64(len(taken)*userChunkSize + i + 1)
		}
		taken = append(taken, c)
	}
	for i, c := range taken {
		_ = append(c, User{ID: 0xdead}) // capacity clipped: copies
		for j, u := range c {
			if want := uint64(i*userChunkSize + j + 1); u.ID != want {
				t.Fatalf("chunk %d user %d holds id %d, want %d: chunks overlap", i, j, u.ID, want)
			}
		}
	}
}

// A big open (slabs, string arenas, decoders working while the bucket is
// walked) loads every user exactly as its record decodes on its own.
func TestBigOpenLoadsEveryUserAsRecorded(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 25k-user database")
	}
	path := filepath.Join(t.TempDir(), "big.db")
	s, err := Open(path, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	n := slabsFrom + 5_000
	if _, err := s.Demo(LocalActor("test"), DemoOptions{Users: n}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if s, err = Open(path, Options{NoSync: true}); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got := s.UserCount(); got != n {
		t.Fatalf("%d users loaded, want %d", got, n)
	}
	seen := 0
	err = s.boltDB().View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketUsers).ForEach(func(k, v []byte) error {
			want, err := decodeUser(v, nil)
			if err != nil {
				return err
			}
			s.mu.RLock()
			got := s.users.get(btoi(k))
			s.mu.RUnlock()
			if got == nil || !reflect.DeepEqual(*got, *want) {
				t.Fatalf("user %d loaded as %+v, recorded as %+v", btoi(k), got, want)
			}
			seen++
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	if seen != n {
		t.Fatalf("compared %d users, want %d", seen, n)
	}
}
