package store

import "time"

// The etcd engine (engine_etcd.go) is in builds made with -tags etcd only:
// its client brings grpc and protobuf, whose package init alone adds about
// 10 ms and 0.7 MB to every gatehouse process (a command, an attached
// command, a console's start), and 8.5 MB to the binary. A single node's
// gatehouse needs none of it.

// EtcdConfig says which etcd cluster holds the store, and its limits.
type EtcdConfig struct {
	Endpoints []string // client URLs
	Prefix    string   // every key of the store starts with it (default "gatehouse/")
	// MaxTxnOps and MaxRequestBytes are the cluster's limits (etcd's
	// --max-txn-ops, default 128, and --max-request-bytes, default 1.5
	// MiB): a change set that would not fit is refused before anything is
	// written.
	MaxTxnOps       int
	MaxRequestBytes int
	// DialTimeout bounds connecting (default 5s); CallTimeout every call
	// (default 5s).
	DialTimeout time.Duration
	CallTimeout time.Duration
	// CAFile, CertFile and KeyFile are PEM files for TLS (https://
	// endpoints): the CA that signed the members' certificates (none: the
	// system's), and this client's certificate and key, for a cluster that
	// asks clients for one (etcd's --client-cert-auth).
	CAFile   string
	CertFile string
	KeyFile  string
}
