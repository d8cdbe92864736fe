//go:build etcd

package store

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/server/v3/embed"
	"go.uber.org/zap"
)

// A 3-member embedded etcd cluster for the fault tests: 127.0.0.1, free
// ports picked at start and kept across a member's restarts (its data
// folder names them), no fsync, temporary folders. Starting one takes
// about 2.4 s, so the fault tests share one (sharedCluster) and give each
// store a prefix of its own.

type testCluster struct {
	mu      sync.Mutex
	members []*clusterMember
	root    string
}

type clusterMember struct {
	name      string
	cfg       *embed.Config
	e         *embed.Etcd // nil while stopped
	clientURL string
	closed    chan struct{} // closed once a killed member's Close is done (nil: nothing pending)
}

// freePort is a port nothing listens on now.
func freePort() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// startCluster starts n members and waits until they have a leader.
func startCluster(n int) (*testCluster, error) {
	root, err := os.MkdirTemp("", "gatehouse-etcd-cluster-")
	if err != nil {
		return nil, err
	}
	c := &testCluster{root: root}
	var initial []string
	for i := range n {
		peer, err := freePort()
		if err != nil {
			return nil, err
		}
		client, err := freePort()
		if err != nil {
			return nil, err
		}
		name := fmt.Sprintf("m%d", i)
		cfg := embed.NewConfig()
		cfg.Name = name
		cfg.Dir = filepath.Join(root, name)
		cfg.UnsafeNoFsync = true
		cfg.MaxTxnOps, cfg.MaxRequestBytes = testEtcdMaxTxnOps, testEtcdMaxRequestBytes
		cfg.ZapLoggerBuilder = embed.NewZapLoggerBuilder(zap.NewNop())
		pu, _ := url.Parse("http://" + peer)
		cu, _ := url.Parse("http://" + client)
		cfg.ListenPeerUrls, cfg.AdvertisePeerUrls = []url.URL{*pu}, []url.URL{*pu}
		cfg.ListenClientUrls, cfg.AdvertiseClientUrls = []url.URL{*cu}, []url.URL{*cu}
		initial = append(initial, name+"="+pu.String())
		c.members = append(c.members, &clusterMember{name: name, cfg: cfg, clientURL: cu.String()})
	}
	for _, m := range c.members {
		m.cfg.InitialCluster = strings.Join(initial, ",")
		m.cfg.InitialClusterToken = "gatehouse-test"
	}
	// every member waits for the others to be up before it is ready
	errs := make(chan error, n)
	for i := range c.members {
		go func() { errs <- c.Start(i) }()
	}
	for range n {
		if err := <-errs; err != nil {
			c.Close()
			return nil, err
		}
	}
	return c, nil
}

// Start starts member i (again, from its data folder) and waits until it
// is ready: part of a cluster with a leader.
func (c *testCluster) Start(i int) error {
	c.mu.Lock()
	m := c.members[i]
	running, closed := m.e != nil, m.closed
	c.mu.Unlock()
	if running {
		return nil
	}
	if closed != nil {
		<-closed // its folder and ports are free
	}
	e, err := embed.StartEtcd(m.cfg)
	if err != nil {
		return fmt.Errorf("member %s: %w", m.name, err)
	}
	select {
	case <-e.Server.ReadyNotify():
	case err := <-e.Err():
		e.Close()
		return fmt.Errorf("member %s: %w", m.name, err)
	case <-time.After(60 * time.Second): // a bound only: it is ready in seconds
		e.Close()
		return fmt.Errorf("member %s was not ready in 60s", m.name)
	}
	c.mu.Lock()
	m.e = e
	c.mu.Unlock()
	return nil
}

// Stop stops member i as it is (a leader hands on its lead first: Close).
func (c *testCluster) Stop(i int) {
	c.mu.Lock()
	m := c.members[i]
	e := m.e
	m.e = nil
	c.mu.Unlock()
	if e != nil {
		e.Close()
	}
}

// Kill stops member i at once: it leaves raft without handing on its lead
// (HardStop), as a process killed would; its Close, which lets client
// streams drain for up to etcd's request timeout, goes on behind, and
// Start waits for it.
func (c *testCluster) Kill(i int) {
	c.mu.Lock()
	m := c.members[i]
	e := m.e
	m.e = nil
	if e != nil {
		m.closed = make(chan struct{})
	}
	closed := m.closed
	c.mu.Unlock()
	if e == nil {
		return
	}
	e.Server.HardStop()
	go func() {
		defer close(closed)
		e.Close()
	}()
}

// Running is how many members are up.
func (c *testCluster) Running() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, m := range c.members {
		if m.e != nil {
			n++
		}
	}
	return n
}

// Leader is the index of the member that is the leader as the members
// running see it, or -1 when they see none.
func (c *testCluster) Leader() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, m := range c.members {
		if m.e == nil {
			continue
		}
		lead := m.e.Server.Leader()
		if lead == 0 {
			continue
		}
		for j, o := range c.members {
			if o.e != nil && o.e.Server.MemberID() == lead {
				return j
			}
		}
	}
	return -1
}

// WaitLeader waits until the running members have a leader, and returns
// its index.
func (c *testCluster) WaitLeader(t testing.TB) int {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second) // a bound only: an election takes about a second
	for {
		if l := c.Leader(); l >= 0 {
			return l
		}
		if time.Now().After(deadline) {
			t.Fatalf("the test cluster has no leader after 30s (%d members up)", c.Running())
		}
		time.Sleep(20 * time.Millisecond) // polling a condition
	}
}

// Endpoints are every member's client URL, stopped or not: as a node
// configured with the cluster holds them.
func (c *testCluster) Endpoints() []string {
	var out []string
	for _, m := range c.members {
		out = append(out, m.clientURL)
	}
	return out
}

// Healthy waits until all members are up and a linearizable read works
// through every one of them.
func (c *testCluster) Healthy(t testing.TB) {
	t.Helper()
	for i := range c.members {
		if err := c.Start(i); err != nil {
			t.Fatal(err)
		}
	}
	c.WaitLeader(t)
	for _, m := range c.members {
		cli, err := clientv3.New(clientv3.Config{Endpoints: []string{m.clientURL}, DialTimeout: 5 * time.Second, Logger: zap.NewNop()})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		_, err = cli.Get(ctx, "health")
		cancel()
		cli.Close()
		if err != nil {
			t.Fatalf("member %s: %v", m.name, err)
		}
	}
}

func (c *testCluster) Close() {
	for i, m := range c.members {
		c.Stop(i)
		if m.closed != nil {
			<-m.closed
		}
	}
	os.RemoveAll(c.root)
}

var testClusterOnce struct {
	once sync.Once
	c    *testCluster
	err  error
}

// sharedCluster is the one 3-member cluster the fault tests share, all
// members up and a leader chosen; TestMain closes it.
func sharedCluster(t testing.TB) *testCluster {
	t.Helper()
	testClusterOnce.once.Do(func() {
		testClusterOnce.c, testClusterOnce.err = startCluster(3)
	})
	if testClusterOnce.err != nil {
		t.Fatalf("test cluster: %v", testClusterOnce.err)
	}
	c := testClusterOnce.c
	c.Healthy(t)
	return c
}

func stopSharedCluster() {
	if testClusterOnce.c != nil {
		testClusterOnce.c.Close()
	}
}

// clusterConfig is a fresh prefix on the shared cluster.
func clusterConfig(t testing.TB, c *testCluster) EtcdConfig {
	t.Helper()
	return EtcdConfig{Endpoints: c.Endpoints(), Prefix: fmt.Sprintf("fault/%d/", testEtcd.prefixes.Add(1)),
		MaxTxnOps: testEtcdMaxTxnOps, MaxRequestBytes: testEtcdMaxRequestBytes}
}
