package store

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// Migrating copies a store from one engine to another: a bbolt file into
// an empty prefix of an etcd cluster, or a store on etcd into a new file.
// The copy is of the records as stored (every bucket's keys, values and
// ids, and the audit chain's head), not of the domain, so the audit chain's
// hashes stay what they were and the copy is the same store. The source's
// chain is verified before anything is written, the copy's after, and the
// two must hold the same records, byte for byte.
//
// Whatever makes the target a store is written last (the etcd head, the
// file's name): a copy cut short is never opened as a store. What is left
// of one is said in MigrateToFile and MigrateToEtcd.

// Migrated is what a migrate copied and verified.
type Migrated struct {
	From, To string // the source and the target, as messages name them
	Records  int    // keys copied, of every bucket
	Entries  uint64 // audit entries, the chain verified on both sides
	Head     string // the chain's last hash: the same on both sides
	// Restarted: the target held what an unfinished migrate had written,
	// which was cleared first
	Restarted bool
}

// loader writes a whole copy of a store into a target that holds none.
type loader interface {
	// where names the target in messages
	where() string
	// load copies src (one snapshot) into the target: every bucket with
	// its keys, values and id, and the audit head; what makes the target
	// a store is written last. It returns how many keys it copied.
	load(src rtx) (int, error)
	// engine is the target's engine, once loaded (to compare the copy)
	engine() engine
	// open opens the loaded target as a store (to verify its chain)
	open() (*Store, error)
	// restarted says whether an unfinished copy was cleared first
	restarted() bool
	close()
}

// MigrateToFile copies the store into a new bbolt file at path, which must
// not exist. The copy is written to a temporary file beside it
// (.gatehouse-migrate-*, removed when the copy fails) and given its name
// only once it is whole and verified.
func (s *Store) MigrateToFile(path string) (Migrated, error) {
	if _, err := os.Stat(path); err == nil {
		return Migrated{}, refused("%s already exists; migrate never overwrites: choose a new file name", path)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return Migrated{}, badInput("cannot write %s: %v", path, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".gatehouse-migrate-*")
	if err != nil {
		return Migrated{}, badInput("cannot write the copy beside %s: %v", path, err)
	}
	name := tmp.Name()
	tmp.Close()
	os.Remove(name) // bbolt makes the file: an empty one is a damaged database
	defer os.Remove(name)
	l := &fileLoader{tmp: name, path: path}
	defer l.close()
	m, err := s.migrate(l)
	if err != nil {
		return Migrated{}, err
	}
	l.close()
	// no overwrite even now: a file that appeared meanwhile is kept
	if err := os.Link(name, path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return Migrated{}, refused("%s appeared while the copy was made; migrate never overwrites: choose a new file name", path)
		}
		return Migrated{}, badInput("cannot write %s: %v", path, err)
	}
	return m, nil
}

// MigrateToEtcd copies the store into an etcd cluster under cfg.Prefix,
// which must hold no store. The records go in transactions that fit the
// cluster's limits (cfg.MaxTxnOps, cfg.MaxRequestBytes), under a key that
// says a migrate is under way; the head, which makes the prefix a store,
// goes last with that key's removal. A migrate cut short leaves that key:
// OpenEtcd refuses the prefix, and the next migrate into it clears what it
// holds and starts over (Restarted).
func (s *Store) MigrateToEtcd(cfg EtcdConfig) (Migrated, error) {
	l, err := newEtcdLoader(cfg, s.path)
	if err != nil {
		return Migrated{}, err
	}
	defer l.close()
	return s.migrate(l)
}

// migrate verifies the store's audit chain, copies it into l's target in
// one snapshot, and checks the copy: the same records, and a chain that
// verifies with the same head.
func (s *Store) migrate(l loader) (Migrated, error) {
	m := Migrated{From: s.path, To: l.where()}
	from, err := s.VerifyAudit()
	if err != nil {
		return m, err
	}
	if !from.OK {
		return m, refused("the audit chain of %s does not verify (%s): nothing was copied", s.path, from.Problems[0])
	}
	var want [sha256.Size]byte
	if err := s.db.view(func(tx rtx) error {
		var err error
		if m.Records, err = l.load(tx); err != nil {
			return err
		}
		want, err = recordsDigest(tx)
		return err
	}); err != nil {
		return m, err
	}
	m.Restarted = l.restarted()
	var got [sha256.Size]byte
	if err := l.engine().view(func(tx rtx) error {
		var err error
		got, err = recordsDigest(tx)
		return err
	}); err != nil {
		return m, err
	}
	if got != want {
		return m, fmt.Errorf("the copy in %s does not hold the records of %s: it is not to be used", m.To, s.path)
	}
	t, err := l.open()
	if err != nil {
		return m, err
	}
	defer t.Close()
	to, err := t.VerifyAudit()
	if err != nil {
		return m, err
	}
	if !to.OK {
		return m, fmt.Errorf("the audit chain of the copy in %s does not verify (%s): it is not to be used", m.To, to.Problems[0])
	}
	if to.Entries < from.Entries {
		return m, fmt.Errorf("the copy in %s holds %d audit entries, %s %d: it is not to be used", m.To, to.Entries, s.path, from.Entries)
	}
	m.Entries = to.Entries
	m.Head = t.auditHeadHash()
	return m, nil
}

// auditHeadHash is the audit chain's last hash.
func (s *Store) auditHeadHash() string {
	var h auditHead
	_ = s.db.view(func(tx rtx) error {
		if v := tx.get(bucketMeta, keyAuditHead); v != nil {
			_ = json.Unmarshal(v, &h)
		}
		return nil
	})
	return h.Hash
}

// eachRecord calls fn for every key of the store's buckets, in order,
// but the audit head (an engine may keep it apart: copyHead).
func eachRecord(src rtx, fn func(bucket, key, value []byte) error) error {
	for _, b := range allBuckets {
		if err := src.scan(b, nil, false, func(k, v []byte) error {
			if isAuditHead(b, k) {
				return nil
			}
			return fn(b, k, v)
		}); err != nil {
			return err
		}
	}
	return nil
}

func isAuditHead(bucket, key []byte) bool {
	return string(bucket) == string(bucketMeta) && string(key) == string(keyAuditHead)
}

// recordsDigest is a hash of everything a store holds as stored: every
// bucket's id and keys and values, and the audit head.
func recordsDigest(src rtx) ([sha256.Size]byte, error) {
	h := sha256.New()
	field := func(h hash.Hash, b []byte) {
		var n [binary.MaxVarintLen64]byte
		h.Write(n[:binary.PutUvarint(n[:], uint64(len(b)))])
		h.Write(b)
	}
	for _, b := range allBuckets {
		field(h, b)
		field(h, itob(src.sequence(b)))
	}
	field(h, src.get(bucketMeta, keyAuditHead))
	err := eachRecord(src, func(b, k, v []byte) error {
		field(h, b)
		field(h, k)
		field(h, v)
		return nil
	})
	var sum [sha256.Size]byte
	copy(sum[:], h.Sum(nil))
	return sum, err
}

// fileLoader writes the copy into a new bbolt file (tmp), which
// MigrateToFile names path once it is verified.
type fileLoader struct {
	tmp, path string
	eng       *boltEngine
}

func (l *fileLoader) where() string { return l.path }

func (l *fileLoader) load(src rtx) (int, error) {
	eng, err := openBolt(l.tmp, boltOpen{timeout: time.Second, noSync: true})
	if err != nil {
		return 0, badInput("cannot write the copy beside %s: %v", l.path, err)
	}
	l.eng = eng
	return eng.load(src)
}

func (l *fileLoader) engine() engine { return l.eng }

func (l *fileLoader) open() (*Store, error) {
	// the copy was written without an fsync per batch: one now, and the
	// store opened as any file is (checked, and synced from here on)
	err := l.eng.sync()
	l.close()
	if err != nil {
		return nil, fmt.Errorf("cannot write the copy beside %s: %v", l.path, err)
	}
	eng, err := openBolt(l.tmp, boltOpen{timeout: time.Second})
	if err != nil {
		return nil, err
	}
	return openOn(eng, l.path, Options{})
}

func (l *fileLoader) restarted() bool { return false }

func (l *fileLoader) close() {
	if l.eng != nil {
		l.eng.close()
		l.eng = nil
	}
}
