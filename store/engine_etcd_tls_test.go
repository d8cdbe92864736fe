//go:build etcd

package store

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.etcd.io/etcd/client/pkg/v3/transport"
	"go.etcd.io/etcd/server/v3/embed"
	"go.uber.org/zap"
)

// testCA signs certificates for a test: the CA's, a server's for
// 127.0.0.1, a client's; each written as PEM files in dir.
type testCA struct {
	t    *testing.T
	dir  string
	key  *ecdsa.PrivateKey
	cert *x509.Certificate
	File string // the CA's certificate
}

func newTestCA(t *testing.T) *testCA {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "gatehouse test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	ca := &testCA{t: t, dir: t.TempDir(), key: key, cert: cert}
	ca.File = ca.write("ca.pem", "CERTIFICATE", der)
	return ca
}

func (ca *testCA) write(name, typ string, der []byte) string {
	path := filepath.Join(ca.dir, name)
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
		ca.t.Fatal(err)
	}
	return path
}

// issue makes a certificate and its key; it returns their files.
func (ca *testCA) issue(name string, serial int64, notAfter time.Time, usage x509.ExtKeyUsage) (certFile, keyFile string) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-48 * time.Hour), NotAfter: notAfter,
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{usage},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		ca.t.Fatal(err)
	}
	keyDER, _ := x509.MarshalPKCS8PrivateKey(key)
	return ca.write(name+".pem", "CERTIFICATE", der), ca.write(name+"-key.pem", "PRIVATE KEY", keyDER)
}

// startTLSMember starts an etcd member that speaks TLS to its clients and
// asks each for a certificate its CA signed; it returns its client URL.
func startTLSMember(t *testing.T, ca *testCA) string {
	t.Helper()
	certFile, keyFile := ca.issue("member", 2, time.Now().Add(24*time.Hour), x509.ExtKeyUsageServerAuth)
	cfg := embed.NewConfig()
	cfg.Dir = t.TempDir()
	cfg.UnsafeNoFsync = true
	cfg.ZapLoggerBuilder = embed.NewZapLoggerBuilder(zap.NewNop())
	client, _ := url.Parse("https://127.0.0.1:0")
	peer, _ := url.Parse("http://127.0.0.1:0")
	cfg.ListenClientUrls, cfg.AdvertiseClientUrls = []url.URL{*client}, []url.URL{*client}
	cfg.ListenPeerUrls, cfg.AdvertisePeerUrls = []url.URL{*peer}, []url.URL{*peer}
	cfg.InitialCluster = cfg.InitialClusterFromName(cfg.Name)
	cfg.ClientTLSInfo = transport.TLSInfo{CertFile: certFile, KeyFile: keyFile, TrustedCAFile: ca.File, ClientCertAuth: true}
	e, err := embed.StartEtcd(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Close)
	select {
	case <-e.Server.ReadyNotify():
	case err := <-e.Err():
		t.Fatal(err)
	case <-time.After(60 * time.Second):
		t.Fatal("the TLS member was not ready in 60s")
	}
	return "https://" + e.Clients[0].Addr().String()
}

// The store opens over TLS with the CA and a client certificate; a member
// that asks for a certificate refuses a client without one.
func TestEtcdOverTLS(t *testing.T) {
	ca := newTestCA(t)
	endpoint := startTLSMember(t, ca)
	certFile, keyFile := ca.issue("gatehouse", 3, time.Now().Add(24*time.Hour), x509.ExtKeyUsageClientAuth)
	cfg := EtcdConfig{Endpoints: []string{endpoint}, Prefix: "tls/", CAFile: ca.File, CertFile: certFile, KeyFile: keyFile,
		MaxTxnOps: 128, MaxRequestBytes: 1536 << 10} // the member is at etcd's defaults
	s, err := OpenEtcd(cfg, Options{})
	if err != nil {
		t.Fatalf("over TLS: %v", err)
	}
	if _, err := s.Apply(LocalActor("test"), "one", invitedUsers("tls", 1)); err != nil {
		t.Fatal(err)
	}
	s.Close()

	anonymous := cfg
	anonymous.CertFile, anonymous.KeyFile = "", ""
	anonymous.DialTimeout, anonymous.CallTimeout = time.Second, time.Second
	if s, err := OpenEtcd(anonymous, Options{}); err == nil {
		s.Close()
		t.Fatal("a member that asks for a client certificate served a client without one")
	} else {
		t.Logf("without a client certificate: %v", err)
	}
}

// Every TLS file that cannot serve is refused before anything is dialled,
// with one line naming the file and what is wrong with it.
func TestEtcdTLSFilesRefused(t *testing.T) {
	ca := newTestCA(t)
	certFile, keyFile := ca.issue("gatehouse", 3, time.Now().Add(24*time.Hour), x509.ExtKeyUsageClientAuth)
	oldCert, oldKey := ca.issue("old", 4, time.Now().Add(-24*time.Hour), x509.ExtKeyUsageClientAuth)
	_, otherKey := ca.issue("other", 5, time.Now().Add(24*time.Hour), x509.ExtKeyUsageClientAuth)
	notPEM := filepath.Join(t.TempDir(), "notes.txt")
	os.WriteFile(notPEM, []byte("not a certificate\n"), 0o600)
	missing := filepath.Join(t.TempDir(), "missing.pem")
	https := []string{"https://127.0.0.1:1"}
	for _, c := range []struct {
		name string
		cfg  EtcdConfig
		want []string
	}{
		{"a CA file that is not there", EtcdConfig{Endpoints: https, CAFile: missing}, []string{missing, "no such file"}},
		{"a CA file of no certificate", EtcdConfig{Endpoints: https, CAFile: notPEM}, []string{notPEM, "no PEM certificate"}},
		{"a certificate without its key", EtcdConfig{Endpoints: https, CertFile: certFile}, []string{certFile, "has no key"}},
		{"a key without its certificate", EtcdConfig{Endpoints: https, KeyFile: keyFile}, []string{keyFile, "has no certificate"}},
		{"a certificate file of no certificate", EtcdConfig{Endpoints: https, CertFile: notPEM, KeyFile: keyFile}, []string{notPEM, "no PEM certificate"}},
		{"a key file of no key", EtcdConfig{Endpoints: https, CertFile: certFile, KeyFile: ca.File}, []string{ca.File, "no PEM private key"}},
		{"a key of another certificate", EtcdConfig{Endpoints: https, CertFile: certFile, KeyFile: otherKey}, []string{otherKey, certFile, "does not go with"}},
		{"an expired certificate", EtcdConfig{Endpoints: https, CertFile: oldCert, KeyFile: oldKey}, []string{oldCert, "expired on"}},
		{"TLS files for http://", EtcdConfig{Endpoints: []string{"http://127.0.0.1:1"}, CAFile: ca.File}, []string{"https://", "http://"}},
		{"endpoints of both schemes", EtcdConfig{Endpoints: []string{"https://127.0.0.1:1", "http://127.0.0.1:2"}}, []string{"mix https:// and http://"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := OpenEtcd(c.cfg, Options{})
			checkErr(t, err, ErrInput, c.want...)
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("more than one line: %q", err)
			}
		})
	}
}
