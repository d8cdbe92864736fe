//go:build etcd

package cmd_test

import (
	"sync"
	"testing"

	"github.com/gatehouse/gatehouse/internal/etcdtest"
)

// buildFlags are the go build flags of the binary the tests run: with the
// etcd engine, as this build has (go test -tags etcd ./cmd).
var buildFlags = []string{"-tags", "etcd"}

// testEtcd is the embedded member the etcd tests share, started by the
// first that needs it; each test keeps its store under a prefix of its own.
var testEtcd struct {
	once   sync.Once
	member *etcdtest.Member
	err    error
}

func etcdEndpoint(t *testing.T) string {
	t.Helper()
	testEtcd.once.Do(func() { testEtcd.member, testEtcd.err = etcdtest.Start() })
	if testEtcd.err != nil {
		t.Fatalf("the test etcd member: %v", testEtcd.err)
	}
	return testEtcd.member.Endpoint
}

func stopTestEtcd() {
	if testEtcd.member != nil {
		testEtcd.member.Stop()
	}
}
