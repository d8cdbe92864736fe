//go:build !etcd

package store

// OpenEtcd, in a build without the etcd engine, says how to get one.
func OpenEtcd(cfg EtcdConfig, opt Options) (*Store, error) {
	return nil, &Error{Kind: KindInput, Msg: "this gatehouse was built without etcd: build it with `go build -tags etcd ./cmd/gatehouse` (or `task build-etcd`)"}
}
