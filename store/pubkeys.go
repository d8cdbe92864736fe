package store

import (
	"bytes"
	"crypto/rsa"
	"encoding/json"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/ssh"
)

// Public keys sign users in over SSH. Each key is stored once, normalised
// ("type base64", no comment, no options), under its SHA256 fingerprint, and
// belongs to exactly one user. Both buckets are created by the first change
// set that adds a key, so databases without keys need no new schema.
var (
	bucketPubKeys  = []byte("pubkeys")   // fingerprint → PublicKey (JSON)
	bucketUserKeys = []byte("user_keys") // user id ‖ fingerprint → nil
)

// PublicKey is a user's SSH public key.
type PublicKey struct {
	Fingerprint   string    `json:"fingerprint"`    // "SHA256:…" as ssh-keygen -l prints it
	Type          string    `json:"type"`           // ssh-ed25519, ecdsa-sha2-nistp256, ssh-rsa…
	AuthorizedKey string    `json:"authorized_key"` // "type base64", without comment
	Comment       string    `json:"comment"`
	UserID        uint64    `json:"user_id"`
	Added         time.Time `json:"added"`
	AddedBy       string    `json:"added_by"`
}

// ParsePublicKey reads one authorized_keys line ("ssh-ed25519 AAAA… comment")
// and returns the key as it would be stored (without user and dates).
func ParsePublicKey(line string) (PublicKey, ssh.PublicKey, error) {
	line = strings.TrimSpace(line)
	if line == "" {
		return PublicKey{}, nil, badInput("no public key given; give a line like 'ssh-ed25519 AAAA… you@laptop' (the .pub file)")
	}
	if strings.Contains(line, "PRIVATE KEY") {
		return PublicKey{}, nil, badInput("that is a private key: never hand it out; give the public key (the .pub file) instead")
	}
	pk, comment, options, rest, err := ssh.ParseAuthorizedKey([]byte(line))
	if err != nil {
		return PublicKey{}, nil, badInput("not an SSH public key (want a line like 'ssh-ed25519 AAAA… you@laptop'): %v", err)
	}
	if len(bytes.TrimSpace(rest)) > 0 {
		return PublicKey{}, nil, badInput("give one public key per line")
	}
	if len(options) > 0 {
		return PublicKey{}, nil, badInput("key options (%s) are not supported; give the plain public key", strings.Join(options, ","))
	}
	if _, ok := pk.(*ssh.Certificate); ok {
		return PublicKey{}, nil, badInput("SSH certificates are not supported; give the plain public key")
	}
	switch pk.Type() {
	case "ssh-dss":
		return PublicKey{}, nil, badInput("DSA keys are too weak and not accepted; make an ed25519 key: ssh-keygen -t ed25519")
	case ssh.KeyAlgoRSA:
		if ck, ok := pk.(ssh.CryptoPublicKey); ok {
			if rk, ok := ck.CryptoPublicKey().(*rsa.PublicKey); ok && rk.N.BitLen() < 2048 {
				return PublicKey{}, nil, badInput("RSA keys need at least 2048 bits (this one has %d); make an ed25519 key: ssh-keygen -t ed25519", rk.N.BitLen())
			}
		}
	}
	// the comment is shown to every administrator who lists the keys
	comment, err = optionalText("key comment", comment, 200)
	if err != nil {
		return PublicKey{}, nil, err
	}
	k := PublicKey{
		Fingerprint:   ssh.FingerprintSHA256(pk),
		Type:          pk.Type(),
		AuthorizedKey: strings.TrimSpace(string(ssh.MarshalAuthorizedKey(pk))),
		Comment:       comment,
	}
	return k, pk, nil
}

// normalFingerprint accepts "SHA256:…" or the bare base64 part.
func normalFingerprint(fp string) string {
	fp = strings.TrimSpace(fp)
	if rest, ok := strings.CutPrefix(fp, "sha256:"); ok {
		return "SHA256:" + rest
	}
	if !strings.HasPrefix(fp, "SHA256:") {
		return "SHA256:" + fp
	}
	return fp
}

func userKeyIndex(userID uint64, fp string) []byte { return append(itob(userID), fp...) }

// keyBuckets creates both key buckets on first use.
func (t *Tx) keyBuckets() error {
	t.keysTouched = true // the key cache is dropped once this commits
	if err := t.w.createBucket(bucketPubKeys); err != nil {
		return err
	}
	return t.w.createBucket(bucketUserKeys)
}

// AddKey enrols a public key (one authorized_keys line) for a user. It needs
// the same rights as editing that user. A key belongs to one user only.
func (t *Tx) AddKey(userID uint64, authorizedKey string) (PublicKey, error) {
	k, _, err := ParsePublicKey(authorizedKey)
	if err != nil {
		return PublicKey{}, err
	}
	u, err := t.mutable(userID, 0)
	if err != nil {
		return PublicKey{}, err
	}
	return t.addKey(u, k)
}

// EnrolOwnKey adds a key to the actor's own account: a user accepting their
// invitation enrols the key they signed in with. Nobody else's account can be
// reached this way.
func (t *Tx) EnrolOwnKey(authorizedKey string) (PublicKey, error) {
	k, _, err := ParsePublicKey(authorizedKey)
	if err != nil {
		return PublicKey{}, err
	}
	if t.actor.local || t.actorUser == nil {
		return PublicKey{}, refused("only a signed-in user enrols their own key; the operator uses users add-key")
	}
	u := t.user(t.actorUser.ID)
	if u == nil {
		return PublicKey{}, notFound("no user with id %d", t.actorUser.ID)
	}
	return t.addKey(u.clone(), k)
}

// addKey stores k for u (a clone to change); unchanged when u already holds it.
func (t *Tx) addKey(u *User, k PublicKey) (PublicKey, error) {
	if err := t.keyBuckets(); err != nil {
		return PublicKey{}, err
	}
	if v := t.w.get(bucketPubKeys, []byte(k.Fingerprint)); v != nil {
		var old PublicKey
		if err := json.Unmarshal(v, &old); err != nil {
			return PublicKey{}, err
		}
		if old.UserID == u.ID {
			return old, nil // already theirs: nothing to change
		}
		if holder := t.user(old.UserID); holder != nil {
			return PublicKey{}, with(refused("key %s is already enrolled for %s; a key signs in one user only", k.Fingerprint, holder.Email),
				userRef(holder), Fix{Do: FixRemoveKey, Ref: userRef(holder), Value: k.Fingerprint})
		}
		// the holder was deleted: the key is free again
		if err := t.w.del(bucketUserKeys, userKeyIndex(old.UserID, old.Fingerprint)); err != nil {
			return PublicKey{}, err
		}
	}
	k.UserID, k.Added, k.AddedBy = u.ID, t.now, t.actor.Name
	if err := writeJSON(t.w, bucketPubKeys, []byte(k.Fingerprint), k); err != nil {
		return PublicKey{}, err
	}
	if err := t.w.put(bucketUserKeys, userKeyIndex(u.ID, k.Fingerprint), nil); err != nil {
		return PublicKey{}, err
	}
	after := k.Fingerprint + " (" + k.Type
	if k.Comment != "" {
		after += " " + k.Comment
	}
	t.record(userRef(u), "key", "", after+")")
	return k, t.touch(u)
}

// RemoveKey takes a key away from a user (same rights as editing the user).
func (t *Tx) RemoveKey(userID uint64, fingerprint string) error {
	u, err := t.mutable(userID, 0)
	if err != nil {
		return err
	}
	fp := normalFingerprint(fingerprint)
	if err := t.keyBuckets(); err != nil {
		return err
	}
	v := t.w.get(bucketPubKeys, []byte(fp))
	var k PublicKey
	if v != nil {
		if err := json.Unmarshal(v, &k); err != nil {
			return err
		}
	}
	if v == nil || k.UserID != u.ID {
		return with(notFound("%s has no key %s", u.Email, fp), userRef(u), Fix{Do: FixListKeys, Ref: userRef(u)})
	}
	if err := t.w.del(bucketPubKeys, []byte(fp)); err != nil {
		return err
	}
	if err := t.w.del(bucketUserKeys, userKeyIndex(u.ID, fp)); err != nil {
		return err
	}
	before := k.Fingerprint + " (" + k.Type
	if k.Comment != "" {
		before += " " + k.Comment
	}
	t.record(userRef(u), "key", before+")", "")
	return t.touch(u)
}

// Keys lists a user's public keys, oldest first.
func (s *Store) Keys(email string) ([]PublicKey, error) {
	u, err := s.User(email)
	if err != nil {
		return nil, err
	}
	return s.KeysOf(u.ID)
}

// KeysOf lists the public keys of a user by id, oldest first.
func (s *Store) KeysOf(userID uint64) ([]PublicKey, error) {
	out := []PublicKey{}
	err := s.db.view(func(tx rtx) error {
		if !tx.hasBucket(bucketPubKeys) || !tx.hasBucket(bucketUserKeys) {
			return nil
		}
		prefix := itob(userID)
		return scanPrefix(tx, bucketUserKeys, prefix, func(k, _ []byte) error {
			v := tx.get(bucketPubKeys, k[len(prefix):])
			if v == nil {
				return nil
			}
			var pk PublicKey
			if err := json.Unmarshal(v, &pk); err != nil {
				return err
			}
			out = append(out, pk)
			return nil
		})
	})
	slices.SortFunc(out, func(a, b PublicKey) int { return a.Added.Compare(b.Added) })
	return out, err
}

// Key finds an enrolled key by fingerprint.
func (s *Store) Key(fingerprint string) (PublicKey, error) {
	fp := normalFingerprint(fingerprint)
	keys, err := s.keyIndex()
	if err != nil {
		return PublicKey{}, err
	}
	k, found := keys[fp]
	if !found {
		return PublicKey{}, notFound("no enrolled key %s", fp)
	}
	return k, nil
}

// keyCache holds every enrolled key by fingerprint: a sign-in looks its key
// up three times, a hundred at once each did it in a read transaction of
// its own. Read from the file on first use, dropped by any change set that
// writes a key (Tx.keyBuckets), before its change event goes out.
type keyCache struct {
	mu sync.Mutex
	m  map[string]PublicKey // nil: read again
}

func (s *Store) keyIndex() (map[string]PublicKey, error) {
	s.keyCache.mu.Lock()
	defer s.keyCache.mu.Unlock()
	if s.keyCache.m != nil {
		return s.keyCache.m, nil
	}
	m := map[string]PublicKey{}
	err := s.db.view(func(tx rtx) error {
		return tx.scan(bucketPubKeys, nil, false, func(fp, v []byte) error {
			var k PublicKey
			if err := json.Unmarshal(v, &k); err != nil {
				return err
			}
			m[string(fp)] = k
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	s.keyCache.m = m
	return m, nil
}

// dropKeyCache forgets the keys after a change set that wrote one. Waiting
// for the lock orders it after any read of the old keys under way.
func (s *Store) dropKeyCache() {
	s.keyCache.mu.Lock()
	s.keyCache.m = nil
	s.keyCache.mu.Unlock()
}

// UserByKey finds the user a key belongs to. Sign-in rates are low, so this
// reads through to the file rather than keeping an index in memory.
func (s *Store) UserByKey(fingerprint string) (*User, error) {
	k, err := s.Key(fingerprint)
	if err != nil {
		return nil, err
	}
	u, err := s.UserByID(k.UserID)
	if err != nil {
		return nil, notFound("no user holds key %s", k.Fingerprint)
	}
	return u, nil
}
