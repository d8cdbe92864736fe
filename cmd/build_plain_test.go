//go:build !etcd

package cmd_test

// buildFlags are the go build flags of the binary the tests run: this
// build has no etcd engine, and neither has the binary.
var buildFlags []string

func stopTestEtcd() {}
