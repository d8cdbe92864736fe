//go:build etcd

package bench

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/gatehouse/gatehouse/internal/etcdtest"
	"github.com/gatehouse/gatehouse/store"
)

func stopTestEtcd() { etcdtest.StopShared() }

// BenchmarkSSHSessionsThreeNodes is BenchmarkSSHSessions on three serve
// nodes over one store on etcd (the 2k demo migrated into the embedded
// member): each round opens 100 console sessions on every node at once
// (300 in all, from six client processes: two per node, each 50 sessions
// of an Administrator or Manager of its own, one user holding at most
// keys.MaxSessionsPerUser) and reports the first frames' latencies, and the
// heap and goroutines per session of the three nodes together (they share
// this process).
func BenchmarkSSHSessionsThreeNodes(b *testing.B) {
	const nodes, perNode, perProcess = 3, 100, 50
	cfg := store.EtcdConfig{Endpoints: []string{etcdtest.Shared(b)}, Prefix: etcdtest.Prefix(), MaxTxnOps: etcdtest.MaxTxnOps, MaxRequestBytes: etcdtest.MaxRequestBytes}
	src, err := store.Open(demoDB(b, 2_000), store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := src.MigrateToEtcd(cfg); err != nil {
		b.Fatal(err)
	}
	src.Close()
	dir := mkdir(b, filepath.Join(fixtureDir, "ssh-nodes"))
	servers := make([]*sshServer, nodes)
	for i := range servers {
		servers[i] = startNode(b, cfg, dir)
		defer servers[i].stop(b)
	}
	const processes = nodes * perNode / perProcess
	keyFiles := enrolBenchKeys(b, servers, processes)
	clients := make([]*clients, processes)
	for i := range clients {
		node := *servers[i%nodes]
		node.keyFile = keyFiles[i]
		clients[i] = startClients(b, &node, perProcess)
		defer clients[i].stop()
	}
	// every node at once, each its own client process
	// (asked of all before any answer is read: each process opens its
	// sessions while the others do)
	all := func(what string, d time.Duration) []string {
		for _, cl := range clients {
			if _, err := fmt.Fprintln(cl.in, what); err != nil {
				b.Fatal(err)
			}
		}
		answers := make([]string, len(clients))
		for i, cl := range clients {
			select {
			case line, ok := <-cl.lines:
				if !ok || strings.HasPrefix(line, "ERR") {
					b.Fatalf("client process %d, asked %q: %q", i, what, line)
				}
				answers[i] = line
			case <-time.After(d):
				b.Fatalf("client process %d did not answer %q within %s", i, what, d)
			}
		}
		return answers
	}
	open := func() []time.Duration {
		var lat []time.Duration
		for _, a := range all("go", 5*time.Minute) {
			lat = append(lat, latencies(b, a)...)
		}
		return lat
	}
	closeAll := func() { all("close", 2*time.Minute) }
	base := measure().goroutines
	cold := open()
	closeAll()
	settle(base)
	slices.Sort(cold)
	for b.Loop() {
		before := measure()
		lat := open()
		time.Sleep(100 * time.Millisecond) // let every console settle
		after := measure()
		closeAll()
		settle(before.goroutines)
		slices.Sort(lat)
		sessions := float64(nodes * perNode)
		b.ReportMetric((float64(after.heap)-float64(before.heap))/sessions/1024, "heap-KiB/session")
		b.ReportMetric(float64(after.goroutines-before.goroutines)/sessions, "goroutines/session")
		b.ReportMetric(float64(percentile(lat, 0.50).Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(percentile(lat, 0.95).Microseconds())/1000, "p95-ms")
		b.ReportMetric(float64(percentile(lat, 0.99).Microseconds())/1000, "p99-ms")
		b.ReportMetric(float64(len(lat)), "samples")
		b.ReportMetric(float64(percentile(cold, 0.50).Microseconds())/1000, "cold-p50-ms")
		b.ReportMetric(float64(cold[len(cold)-1].Microseconds())/1000, "cold-max-ms")
	}
}

// startNode is one serve node over the store on etcd; the nodes share a
// host key (as the README's do), so one known key serves every client.
func startNode(tb testing.TB, cfg store.EtcdConfig, dir string) *sshServer {
	tb.Helper()
	st, err := store.OpenEtcd(cfg, store.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	return serveStore(tb, st, filepath.Join(dir, "host_key"), "")
}

// enrolBenchKeys enrols a new key for each of n Administrators and
// Managers on the first node, waits until every node has them, and gives their
// files.
func enrolBenchKeys(tb testing.TB, servers []*sshServer, n int) []string {
	tb.Helper()
	st := servers[0].st
	var admins []*store.User // Administrators first, then Managers: enough of them
	for _, p := range []string{"Administrator", "Manager"} {
		us, err := st.Users(store.UserFilter{Profile: p})
		if err != nil {
			tb.Fatal(err)
		}
		for _, u := range us {
			if !u.Disabled && len(admins) < n {
				admins = append(admins, u)
			}
		}
	}
	if len(admins) < n {
		tb.Fatalf("only %d Administrators and Managers to sign in as", len(admins))
	}
	files := make([]string, n)
	signers := make([]gossh.Signer, n)
	for i := range admins {
		_, priv, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			tb.Fatal(err)
		}
		if signers[i], err = gossh.NewSignerFromKey(priv); err != nil {
			tb.Fatal(err)
		}
		block, err := gossh.MarshalPrivateKey(priv, "")
		if err != nil {
			tb.Fatal(err)
		}
		files[i] = filepath.Join(fixtureDir, "ssh-nodes", fmt.Sprintf("client_key_%d", i))
		if err := os.WriteFile(files[i], pem.EncodeToMemory(block), 0o600); err != nil {
			tb.Fatal(err)
		}
	}
	cs, err := st.Apply(actor, "bench keys", func(t *store.Tx) error {
		for i, u := range admins {
			if _, err := t.AddKey(u.ID, string(gossh.MarshalAuthorizedKey(signers[i].PublicKey()))); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	for i, s := range servers {
		deadline := time.Now().Add(time.Minute)
		for s.st.LastBatch() < cs.Batch {
			if time.Now().After(deadline) {
				tb.Fatalf("node %d did not follow the keys' change set in a minute", i)
			}
			time.Sleep(time.Millisecond)
		}
	}
	return files
}
