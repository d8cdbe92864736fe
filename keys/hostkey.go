package keys

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	gossh "golang.org/x/crypto/ssh"
)

// DefaultHostKeyPath is where serve keeps the host key: beside the database.
func DefaultHostKeyPath(dbPath string) string { return dbPath + ".hostkey" }

// LoadOrCreateHostKey reads the server's private host key, generating an
// ed25519 key (mode 0600) the first time. A key file that others may read is
// refused, as sshd refuses it.
func LoadOrCreateHostKey(path string) (gossh.Signer, bool, error) {
	if path == "" {
		return nil, false, errors.New("no host key path given")
	}
	data, err := os.ReadFile(path)
	created := false
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if data, err = createHostKey(path); err != nil {
			return nil, false, err
		}
		created = true
	case err != nil:
		return nil, false, fmt.Errorf("cannot read the host key %s: %v", path, err)
	default:
		fi, err := os.Stat(path)
		if err != nil {
			return nil, false, fmt.Errorf("cannot read the host key %s: %v", path, err)
		}
		if fi.Mode().Perm()&0o077 != 0 {
			return nil, false, fmt.Errorf("the host key %s may be read by others (mode %04o); run: chmod 600 %s", path, fi.Mode().Perm(), path)
		}
	}
	signer, err := gossh.ParsePrivateKey(data)
	if err != nil {
		return nil, false, fmt.Errorf("the host key %s is not a private key gatehouse can read: %v", path, err)
	}
	return signer, created, nil
}

func createHostKey(path string) ([]byte, error) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	block, err := gossh.MarshalPrivateKey(priv, "gatehouse host key")
	if err != nil {
		return nil, err
	}
	data := pem.EncodeToMemory(block)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("cannot create the host key folder: %v", err)
	}
	// O_EXCL: two servers starting at once never overwrite each other's key
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		if errors.Is(err, fs.ErrExist) {
			return os.ReadFile(path)
		}
		return nil, fmt.Errorf("cannot write the host key %s: %v", path, err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(path)
		return nil, fmt.Errorf("cannot write the host key %s: %v", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		os.Remove(path)
		return nil, fmt.Errorf("cannot write the host key %s: %v", path, err)
	}
	if err := f.Close(); err != nil {
		os.Remove(path)
		return nil, fmt.Errorf("cannot write the host key %s: %v", path, err)
	}
	return data, nil
}
