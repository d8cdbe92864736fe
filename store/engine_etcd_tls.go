//go:build etcd

package store

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"io/fs"
	"os"
	"strings"
	"time"
)

// etcdTLS is the TLS the etcd client speaks: none for http:// endpoints;
// for https:// ones the CA file's roots (else the system's) and the
// client's certificate when one is given. A file that cannot serve is one
// line naming it and what is wrong with it, before anything is dialled.
func etcdTLS(cfg EtcdConfig, now time.Time) (*tls.Config, error) {
	secure, err := etcdSecure(cfg.Endpoints)
	if err != nil {
		return nil, err
	}
	files := cfg.CAFile != "" || cfg.CertFile != "" || cfg.KeyFile != ""
	if !secure {
		if files {
			return nil, badInput("TLS files are given for etcd, but its endpoints are http://: give https:// endpoints (the client would drop TLS on http://)")
		}
		return nil, nil
	}
	c := &tls.Config{MinVersion: tls.VersionTLS12}
	if cfg.CAFile != "" {
		pool, err := etcdCAPool(cfg.CAFile)
		if err != nil {
			return nil, err
		}
		c.RootCAs = pool
	}
	switch {
	case cfg.CertFile != "" && cfg.KeyFile == "":
		return nil, badInput("the etcd client certificate %s has no key: give its key file too", cfg.CertFile)
	case cfg.KeyFile != "" && cfg.CertFile == "":
		return nil, badInput("the etcd client key %s has no certificate: give its certificate file too", cfg.KeyFile)
	case cfg.CertFile != "":
		cert, err := etcdClientCert(cfg.CertFile, cfg.KeyFile, now)
		if err != nil {
			return nil, err
		}
		c.Certificates = []tls.Certificate{cert}
	}
	return c, nil
}

// etcdSecure says whether the endpoints are https:// (the client speaks
// the first one's scheme to every one of them, so they may not mix).
func etcdSecure(endpoints []string) (bool, error) {
	secure := 0
	for _, ep := range endpoints {
		if strings.HasPrefix(ep, "https://") {
			secure++
		}
	}
	if secure != 0 && secure != len(endpoints) {
		return false, badInput("the etcd endpoints %s mix https:// and http://: give them all one scheme", strings.Join(endpoints, ","))
	}
	return secure != 0, nil
}

// readTLSFile reads one of the TLS files, saying which when it cannot.
func readTLSFile(what, name string) ([]byte, error) {
	b, err := os.ReadFile(name)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, badInput("cannot read the etcd %s %s: %v", what, name, err)
	}
	return b, nil
}

func etcdCAPool(name string) (*x509.CertPool, error) {
	b, err := readTLSFile("CA file", name)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(b) {
		return nil, badInput("the etcd CA file %s holds no PEM certificate (BEGIN CERTIFICATE): give the CA's certificate", name)
	}
	return pool, nil
}

func etcdClientCert(certFile, keyFile string, now time.Time) (tls.Certificate, error) {
	certPEM, err := readTLSFile("client certificate", certFile)
	if err != nil {
		return tls.Certificate{}, err
	}
	keyPEM, err := readTLSFile("client key", keyFile)
	if err != nil {
		return tls.Certificate{}, err
	}
	if !holdsPEM(certPEM, func(t string) bool { return t == "CERTIFICATE" }) {
		return tls.Certificate{}, badInput("the etcd client certificate %s holds no PEM certificate (BEGIN CERTIFICATE)", certFile)
	}
	if !holdsPEM(keyPEM, func(t string) bool { return t == "PRIVATE KEY" || strings.HasSuffix(t, " PRIVATE KEY") }) {
		return tls.Certificate{}, badInput("the etcd client key %s holds no PEM private key (BEGIN PRIVATE KEY)", keyFile)
	}
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return tls.Certificate{}, badInput("the etcd client key %s does not go with the certificate %s: %v", keyFile, certFile, strings.TrimPrefix(err.Error(), "tls: "))
	}
	if leaf := cert.Leaf; leaf != nil && now.After(leaf.NotAfter) {
		return tls.Certificate{}, badInput("the etcd client certificate %s expired on %s: give a current one", certFile, leaf.NotAfter.UTC().Format("2006-01-02"))
	}
	return cert, nil
}

// holdsPEM says whether b holds a PEM block of a type ok accepts.
func holdsPEM(b []byte, ok func(string) bool) bool {
	for {
		var blk *pem.Block
		blk, b = pem.Decode(b)
		if blk == nil {
			return false
		}
		if ok(blk.Type) {
			return true
		}
	}
}
