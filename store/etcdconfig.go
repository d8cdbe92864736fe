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
	// MaxTxnOps and MaxRequestBytes are what one change set may send
	// the cluster in its one Txn (default 16384 operations and 4 MiB):
	// every member must be started with at least --max-txn-ops=16384
	// --max-request-bytes=4194304 (etcd's own defaults are 128 and 1.5
	// MiB), which OpenEtcd checks. A bulk edit of 10,000 users is one
	// Txn of about 10,040 operations and 2.1 MiB (a user is one key; the
	// audit log is packed and deflated: engine_etcd_pack.go). A change
	// set over them is refused before anything is written, with one line
	// that says which and how to split it or raise them. Lower values
	// open on a cluster with etcd's defaults, and hold bulk changes to
	// them.
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
