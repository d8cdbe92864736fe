package store

import (
	"os"
	"strings"
	"testing"
)

// Tests run on the bbolt engine, and in a build with -tags etcd on etcd
// too (engine_etcd_helpers_test.go).

// onEtcd says whether t's stores are to be opened on etcd.
func onEtcd(t testing.TB) bool {
	on := os.Getenv("GATEHOUSE_TEST_ENGINE") == "etcd" || strings.HasPrefix(t.Name(), "TestOnEtcd/")
	if on && !etcdBuilt {
		t.Fatal("GATEHOUSE_TEST_ENGINE=etcd needs the etcd engine: go test -tags etcd ./store")
	}
	return on
}

// skipOnEtcd skips a test that is about the bbolt file itself on etcd.
func skipOnEtcd(t testing.TB, why string) {
	t.Helper()
	if onEtcd(t) {
		t.Skip("bbolt only: " + why)
	}
}

// storedBytes is everything the fixture's store holds, as stored: the
// bbolt file, or every key and value under its etcd prefix.
func (f *fx) storedBytes() []byte {
	f.t.Helper()
	if f.etcd != nil {
		return etcdStoredBytes(f.t, f.etcd.Prefix)
	}
	raw, err := os.ReadFile(f.path)
	if err != nil {
		f.t.Fatal(err)
	}
	return raw
}

// testOpen opens a new store at path, or, on etcd, under a fresh prefix.
func testOpen(t testing.TB, path string, opt Options) (*Store, error) {
	t.Helper()
	if onEtcd(t) {
		return OpenEtcd(etcdConfig(t), opt)
	}
	return Open(path, opt)
}
