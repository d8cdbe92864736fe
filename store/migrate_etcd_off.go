//go:build !etcd

package store

// newEtcdLoader, in a build without the etcd engine, says how to get one
// (as OpenEtcd does).
func newEtcdLoader(cfg EtcdConfig, from string) (loader, error) {
	_, err := OpenEtcd(cfg, Options{})
	return nil, err
}
