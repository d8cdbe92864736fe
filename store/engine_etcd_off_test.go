//go:build !etcd

package store

import "testing"

const etcdBuilt = false

func etcdConfig(t testing.TB) EtcdConfig {
	t.Fatal("the etcd engine is not in this build: go test -tags etcd ./store")
	return EtcdConfig{}
}

func etcdStoredBytes(t testing.TB, prefix string) []byte {
	t.Fatal("the etcd engine is not in this build: go test -tags etcd ./store")
	return nil
}

func etcdTamperedCopy(t *testing.T, prefix string, edit func(*testing.T, auditKeys)) (*Store, error) {
	t.Fatal("the etcd engine is not in this build: go test -tags etcd ./store")
	return nil, nil
}
