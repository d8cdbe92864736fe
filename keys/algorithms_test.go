package keys_test

import (
	"bufio"
	"crypto/rand"
	"crypto/rsa"
	"encoding/binary"
	"io"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/gatehouse/gatehouse/keys"
	"github.com/gatehouse/gatehouse/store"
)

// kexInit is the server's SSH_MSG_KEXINIT (RFC 4253, 7.1): what it offers.
type kexInit struct {
	Cookie                  [16]byte `sshtype:"20"`
	KexAlgos                []string
	ServerHostKeyAlgos      []string
	CiphersClientServer     []string
	CiphersServerClient     []string
	MACsClientServer        []string
	MACsServerClient        []string
	CompressionClientServer []string
	CompressionServerClient []string
	LanguagesClientServer   []string
	LanguagesServerClient   []string
	FirstKexFollows         bool
	Reserved                uint32
}

// offered reads the algorithms the server offers, as a client sees them
// before any key exchange: its KEXINIT packet.
func offered(t *testing.T, addr string) kexInit {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(c, "SSH-2.0-gatehouse-test\r\n"); err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(c)
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("no version line: %v", err)
		}
		if strings.HasPrefix(line, "SSH-") {
			break
		}
	}
	var head [5]byte
	if _, err := io.ReadFull(r, head[:]); err != nil {
		t.Fatal(err)
	}
	packet := make([]byte, binary.BigEndian.Uint32(head[:4])-1)
	if _, err := io.ReadFull(r, packet); err != nil {
		t.Fatal(err)
	}
	payload := packet[:len(packet)-int(head[4])]
	var k kexInit
	if err := gossh.Unmarshal(payload, &k); err != nil {
		t.Fatalf("the server's first packet is not a KEXINIT: %v", err)
	}
	return k
}

// withoutMarkers drops the pseudo-algorithms that announce extensions
// (ext-info-s, kex-strict-s-v00@openssh.com: strict key exchange, the
// Terrapin fix) from a list of key exchanges.
func withoutMarkers(algos []string) []string {
	return slices.DeleteFunc(slices.Clone(algos), func(a string) bool {
		return strings.HasPrefix(a, "ext-info-") || strings.HasPrefix(a, "kex-strict-")
	})
}

// The server offers only the hardened set: ML-KEM and curve25519 key
// exchange, AEAD or CTR ciphers, encrypt-then-MAC SHA-2 MACs, the ed25519
// host key, and strict key exchange. A client that has only something else
// (what ssh-audit fails or warns on) cannot connect; a client with any one
// of the offered algorithms can, and signs in.
func TestOfferedAlgorithms(t *testing.T) {
	f := newFixture(t)
	k := offered(t, f.addr)
	wantKex := []string{gossh.KeyExchangeMLKEM768X25519, gossh.KeyExchangeCurve25519, "curve25519-sha256@libssh.org"}
	for _, got := range []struct {
		what       string
		list, want []string
	}{
		{"key exchanges", withoutMarkers(k.KexAlgos), wantKex},
		{"host key algorithms", k.ServerHostKeyAlgos, []string{gossh.KeyAlgoED25519}},
		{"ciphers client to server", k.CiphersClientServer, keys.Ciphers},
		{"ciphers server to client", k.CiphersServerClient, keys.Ciphers},
		{"MACs client to server", k.MACsClientServer, keys.MACs},
		{"MACs server to client", k.MACsServerClient, keys.MACs},
		{"compression", k.CompressionClientServer, []string{"none"}},
	} {
		if !slices.Equal(got.list, got.want) {
			t.Errorf("%s: offered %q, want %q", got.what, got.list, got.want)
		}
	}
	if !slices.Contains(k.KexAlgos, "kex-strict-s-v00@openssh.com") {
		t.Errorf("no strict key exchange offered: %q", k.KexAlgos)
	}

	// an RSA key, to tell ssh-rsa (SHA-1) from rsa-sha2-*
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	rsaSigner, err := gossh.NewSignerFromKey(rsaKey)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.st.Apply(store.LocalActor("test"), "rsa key", func(tx *store.Tx) error {
		u, _ := f.st.User(emAdmin)
		_, err := tx.AddKey(u.ID, authorized(rsaSigner))
		return err
	}); err != nil {
		t.Fatal(err)
	}
	onlyAlgo := func(algo string) gossh.Signer {
		s, err := gossh.NewSignerWithAlgorithms(rsaSigner.(gossh.AlgorithmSigner), []string{algo})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}

	type client struct {
		name   string
		config gossh.Config
		signer gossh.Signer
	}
	with := func(kex, cipher, mac string) gossh.Config {
		c := gossh.Config{KeyExchanges: keys.KeyExchanges, Ciphers: keys.Ciphers, MACs: keys.MACs}
		if kex != "" {
			c.KeyExchanges = []string{kex}
		}
		if cipher != "" {
			c.Ciphers = []string{cipher}
		}
		if mac != "" {
			c.MACs = []string{mac}
		}
		return c
	}
	var accepted, refused []client
	for _, kex := range keys.KeyExchanges {
		accepted = append(accepted, client{"key exchange " + kex, with(kex, "", ""), nil})
	}
	for _, c := range keys.Ciphers {
		accepted = append(accepted, client{"cipher " + c, with("", c, ""), nil})
	}
	for _, m := range keys.MACs {
		accepted = append(accepted, client{"MAC " + m + " with aes128-ctr", with("", gossh.CipherAES128CTR, m), nil})
	}
	accepted = append(accepted,
		client{"RSA key signing with rsa-sha2-256", gossh.Config{}, onlyAlgo(gossh.KeyAlgoRSASHA256)},
		client{"RSA key signing with rsa-sha2-512", gossh.Config{}, onlyAlgo(gossh.KeyAlgoRSASHA512)})
	for _, kex := range []string{gossh.KeyExchangeECDHP256, gossh.KeyExchangeECDHP384, gossh.KeyExchangeECDHP521,
		gossh.InsecureKeyExchangeDH14SHA1, gossh.KeyExchangeDH14SHA256, gossh.KeyExchangeDH16SHA512, gossh.InsecureKeyExchangeDH1SHA1} {
		refused = append(refused, client{"key exchange " + kex, with(kex, "", ""), nil})
	}
	for _, m := range []string{gossh.HMACSHA1, gossh.InsecureHMACSHA196, gossh.HMACSHA256, gossh.HMACSHA512} {
		refused = append(refused, client{"MAC " + m + " with aes128-ctr", with("", gossh.CipherAES128CTR, m), nil})
	}
	for _, c := range []string{gossh.InsecureCipherAES128CBC, gossh.InsecureCipherTripleDESCBC, gossh.InsecureCipherRC4256} {
		refused = append(refused, client{"cipher " + c, with("", c, ""), nil})
	}
	refused = append(refused, client{"RSA key signing with ssh-rsa (SHA-1)", gossh.Config{}, onlyAlgo(gossh.KeyAlgoRSA)})

	dial := func(c client) error {
		signer := c.signer
		if signer == nil {
			signer = f.signer[emAdmin]
		}
		conn, err := gossh.Dial("tcp", f.addr, &gossh.ClientConfig{
			Config: c.config, User: "x", Auth: []gossh.AuthMethod{gossh.PublicKeys(signer)},
			HostKeyCallback: gossh.FixedHostKey(f.srv.HostKey()), Timeout: 5 * time.Second,
		})
		if err != nil {
			return err
		}
		defer conn.Close()
		s, err := conn.NewSession()
		if err != nil {
			return err
		}
		defer s.Close()
		_, err = s.Output("effective " + emAdmin)
		return err
	}
	for _, c := range accepted {
		if err := dial(c); err != nil {
			t.Errorf("%s: %v", c.name, err)
		}
	}
	for _, c := range refused {
		if err := dial(c); err == nil {
			t.Errorf("%s: connected and signed in", c.name)
		}
	}
}
