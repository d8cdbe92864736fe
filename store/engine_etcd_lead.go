//go:build etcd

package store

import (
	"context"
	"os"
	"strconv"

	"go.etcd.io/etcd/client/v3/concurrency"
)

// leaseTTL is how long a node that stopped answering keeps a role (seconds)
// before another takes it over.
const leaseTTL = 5

func (e *etcdEngine) lead(ctx context.Context, role string) (<-chan struct{}, func(), error) {
	sess, err := concurrency.NewSession(e.cli, concurrency.WithTTL(leaseTTL), concurrency.WithContext(ctx))
	if err != nil {
		return nil, nil, e.etcdError("a lease", err)
	}
	el := concurrency.NewElection(sess, e.prefix+"lead/"+role)
	host, _ := os.Hostname()
	if err := el.Campaign(ctx, host+" pid "+strconv.Itoa(os.Getpid())); err != nil {
		sess.Close()
		if ctx.Err() != nil {
			return nil, nil, ctx.Err()
		}
		return nil, nil, e.etcdError("an election", err)
	}
	release := func() {
		rctx, cancel := e.ctx()
		defer cancel()
		_ = el.Resign(rctx)
		sess.Close()
	}
	return sess.Done(), release, nil
}
