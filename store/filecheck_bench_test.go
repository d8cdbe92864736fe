package store

import (
	"os"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// What the damage checks add to every open, on the 100k-user database
// (BenchmarkOpen is the whole open): checkFile reads the meta pages, the
// freelist and the root page of every bucket with ordinary reads;
// checkContents looks at the buckets and their last ids through bbolt.

func BenchmarkCheckFile(b *testing.B) {
	path := benchDB(b)
	b.ReportAllocs()
	for b.Loop() {
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		if err := checkFile(f, path); err != nil {
			b.Fatal(err)
		}
		f.Close()
	}
}

func BenchmarkCheckContents(b *testing.B) {
	path := benchDB(b)
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	b.ReportAllocs()
	for b.Loop() {
		if err := db.View(func(tx *bolt.Tx) error { return checkContents(path, tx) }); err != nil {
			b.Fatal(err)
		}
	}
}
