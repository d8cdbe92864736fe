package keys

import gossh "golang.org/x/crypto/ssh"

// The algorithms the server offers: a hardened set, not x/crypto's
// defaults, which still offer the NIST ECDH curves, diffie-hellman-group14
// with SHA-1, hmac-sha1(-96) and MACs computed before encryption (what
// ssh-audit fails or warns on). The host key is ed25519 (LoadOrCreateHostKey),
// so ssh-ed25519 is the one host key algorithm. OpenSSH 6.5 and later
// negotiate these (ML-KEM from 9.9), and so does x/crypto.
var (
	// KeyExchanges: post-quantum hybrid ML-KEM-768 with X25519 first,
	// then X25519 (x/crypto adds the curve25519-sha256@libssh.org alias).
	KeyExchanges = []string{
		gossh.KeyExchangeMLKEM768X25519,
		gossh.KeyExchangeCurve25519,
	}
	// Ciphers: AEAD, then CTR (only with an encrypt-then-MAC MAC below).
	Ciphers = []string{
		gossh.CipherChaCha20Poly1305,
		gossh.CipherAES256GCM,
		gossh.CipherAES128GCM,
		gossh.CipherAES256CTR,
		gossh.CipherAES192CTR,
		gossh.CipherAES128CTR,
	}
	// MACs: encrypt-then-MAC with SHA-2 only (AEAD ciphers need none).
	MACs = []string{
		gossh.HMACSHA256ETM,
		gossh.HMACSHA512ETM,
	}
)

// publicKeyAuthAlgorithms are the signatures a client may sign in with:
// x/crypto's supported ones, which leave out ssh-rsa (RSA with SHA-1) that
// its defaults still accept.
func publicKeyAuthAlgorithms() []string {
	return gossh.SupportedAlgorithms().PublicKeyAuths
}

// hardened sets the offered algorithms on a server configuration.
func hardened(c *gossh.ServerConfig) *gossh.ServerConfig {
	c.KeyExchanges = append([]string(nil), KeyExchanges...)
	c.Ciphers = append([]string(nil), Ciphers...)
	c.MACs = append([]string(nil), MACs...)
	c.PublicKeyAuthAlgorithms = publicKeyAuthAlgorithms()
	return c
}
