//go:build etcd

package store

import clientv3 "go.etcd.io/etcd/client/v3"

// behind says whether the head moved past what this node's memory
// reflects (Store.Refresh): one read of the head's revision.
func (e *etcdEngine) behind() (bool, error) {
	if err := e.refuseRead(); err != nil {
		return false, err
	}
	ctx, cancel := e.ctx()
	defer cancel()
	resp, err := e.cli.Get(ctx, e.headKey, clientv3.WithKeysOnly())
	if err != nil {
		return false, e.etcdError("a read", err)
	}
	var rev int64
	if len(resp.Kvs) == 1 {
		rev = resp.Kvs[0].ModRevision
	}
	return rev != e.known.Load(), nil
}
