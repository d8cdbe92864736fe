//go:build etcd

package store

import "testing"

// What the fault campaign (package store_test, campaign_etcd_test.go)
// needs of this package's test helpers: the shared 3-member cluster, and a
// node's abrupt end.

// FaultCluster is the shared 3-member test cluster (engine_etcd_cluster_test.go).
type FaultCluster struct{ c *testCluster }

// SharedFaultCluster is the shared cluster, every member up and a leader chosen.
func SharedFaultCluster(t testing.TB) *FaultCluster { return &FaultCluster{sharedCluster(t)} }

// Config is a fresh prefix on it.
func (f *FaultCluster) Config(t testing.TB) EtcdConfig { return clusterConfig(t, f.c) }

// Leader waits for a leader and gives its index.
func (f *FaultCluster) Leader(t testing.TB) int { return f.c.WaitLeader(t) }

// Kill stops member i at once; Start starts it again from its data folder.
func (f *FaultCluster) Kill(i int)        { f.c.Kill(i) }
func (f *FaultCluster) Start(i int) error { return f.c.Start(i) }

// CutClient closes the store's etcd client under it, as when its node
// dies: calls in flight fail, and nothing it does after reaches the
// cluster. Close the store after it.
func CutClient(s *Store) { _ = s.db.(*etcdEngine).cli.Close() }

// CaughtUp says whether s's memory reflects the last commit the cluster holds.
func CaughtUp(s *Store) (bool, error) {
	f := s.db.(followed)
	head, err := f.headRevision()
	return err == nil && f.reflected() >= head, err
}
