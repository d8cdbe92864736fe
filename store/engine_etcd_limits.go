//go:build etcd

package store

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	pb "go.etcd.io/etcd/api/v3/etcdserverpb"
	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
)

// The cluster's limits, checked at open. etcd has no call that says them,
// so one request that writes nothing shows whether the member answering
// takes what a change set within the store's limits sends: a Txn whose
// compare never holds (nothing in it runs, and as it only reads, it is
// not a raft entry), holding MaxTxnOps operations (etcd counts a
// transaction's operations before it runs it), padded to
// MaxRequestBytes plus what etcd lets a gRPC message carry beyond its
// --max-request-bytes (512 KiB: a message larger than that is refused
// before it is read). A cluster below the store's limits is refused with
// one line, before anything is written: the probe runs while the store
// loads, and a write waits for it. What a probe found is kept for the
// process: a command opens one store, and tests open many.

// etcdGRPCOverhead is what etcd's server lets a message carry beyond
// --max-request-bytes (server/config: grpcOverheadBytes).
const etcdGRPCOverhead = 512 << 10

var probed sync.Map // endpoints and limits → struct{}: the cluster took them

// checkLimits refuses a cluster that would refuse a change set within the
// store's limits.
func (e *etcdEngine) checkLimits() error {
	eps := slices.Clone(e.cli.Endpoints())
	slices.Sort(eps)
	seen := fmt.Sprintf("%s %d %d", strings.Join(eps, ","), e.limits.MaxTxnOps, e.limits.MaxRequestBytes)
	if _, ok := probed.Load(seen); ok {
		return nil
	}
	err := e.probe(e.limits.MaxTxnOps, e.limits.MaxRequestBytes+etcdGRPCOverhead)
	switch {
	case err == nil:
		probed.Store(seen, struct{}{})
		return nil
	case errors.Is(err, rpctypes.ErrTooManyOps):
		return e.belowOps()
	case status.Code(err) == codes.ResourceExhausted:
		return e.belowBytes(err)
	}
	return e.etcdError("the check of its limits", err)
}

// probe sends the Txn that writes nothing: ops operations, size bytes in
// all (at least; no padding when the operations alone are larger).
func (e *etcdEngine) probe(ops, size int) error {
	req := &pb.TxnRequest{Compare: []*pb.Compare{{Result: pb.Compare_LESS, Target: pb.Compare_VERSION,
		Key: []byte(e.headKey), TargetUnion: &pb.Compare_Version{Version: 0}}}}
	for range ops {
		req.Success = append(req.Success, &pb.RequestOp{Request: &pb.RequestOp_RequestRange{RequestRange: &pb.RangeRequest{Key: []byte(e.headKey)}}})
	}
	if ops > 0 {
		pad := req.Success[ops-1].GetRequestRange()
		for range 4 { // a longer key may take a longer length: settle in a few steps
			short := size - proto.Size(req)
			if short == 0 || len(pad.Key)+short < len(e.headKey) {
				break
			}
			pad.Key = append([]byte(e.headKey), make([]byte, len(pad.Key)+short-len(e.headKey))...)
		}
	}
	// megabytes in one request: more time than a call
	ctx, cancel := context.WithTimeout(context.Background(), 3*e.timeout)
	defer cancel()
	_, err := pb.NewKVClient(e.cli.ActiveConnection()).Txn(ctx, req)
	return rpctypes.Error(err)
}

// belowOps is the one line for a cluster that takes fewer operations per
// transaction than the store may send: how many it takes (found by
// halving, on this path only) and what to start its members with.
func (e *etcdEngine) belowOps() error {
	lo, hi := 0, e.limits.MaxTxnOps // lo taken, hi refused
	for hi-lo > 1 {
		mid := (lo + hi) / 2
		switch err := e.probe(mid, 0); {
		case err == nil:
			lo = mid
		case errors.Is(err, rpctypes.ErrTooManyOps):
			hi = mid
		default:
			return e.etcdError("the check of its limits", err)
		}
	}
	return badInput("the etcd cluster (%s) allows %d operations per transaction; gatehouse needs %d: start every member with --max-txn-ops=%d, or give gatehouse the cluster's limit (its bulk changes are then held to it)",
		strings.Join(e.cli.Endpoints(), ","), lo, e.limits.MaxTxnOps, e.limits.MaxTxnOps)
}

// grpcLimit is the size a gRPC server refused a message over: "grpc:
// received message larger than max (N vs. M)".
var grpcLimit = regexp.MustCompile(`larger than max \(\d+ vs\. (\d+)\)`)

// belowBytes is the one line for a cluster that takes smaller requests
// than the store may send.
func (e *etcdEngine) belowBytes(err error) error {
	allows := "smaller requests"
	if m := grpcLimit.FindStringSubmatch(err.Error()); m != nil {
		if n, perr := strconv.Atoi(m[1]); perr == nil && n > etcdGRPCOverhead {
			allows = fmt.Sprintf("requests of %d bytes", n-etcdGRPCOverhead)
		}
	}
	return badInput("the etcd cluster (%s) allows %s; gatehouse needs %d: start every member with --max-request-bytes=%d, or give gatehouse the cluster's limit (its bulk changes are then held to it)",
		strings.Join(e.cli.Endpoints(), ","), allows, e.limits.MaxRequestBytes, e.limits.MaxRequestBytes)
}
