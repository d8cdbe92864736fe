//go:build !etcd

package bench

// stopTestEtcd: without the etcd engine no benchmark starts a member.
func stopTestEtcd() {}
