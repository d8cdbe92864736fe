//go:build !etcd

package keys_test

// stopTestEtcd: without the etcd engine no test starts a member.
func stopTestEtcd() {}
