package tpu

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"time"

	"github.com/gnomon-chain/gnomon/sdk"
)

// ALPN is the application protocol a TPU connection must negotiate.
const ALPN = "solana-tpu"

// identityCertificate builds the self-signed X.509 certificate that a TPU peer
// presents: its key is the identity's ed25519 key, which is how Solana peers
// learn each other's identity over QUIC. The key comes from the keypair's seed
// here rather than from sdk so that sdk keeps no TLS concerns.
func identityCertificate(kp sdk.Keypair) (tls.Certificate, error) {
	if kp.IsZero() {
		return tls.Certificate{}, fmt.Errorf("tpu: identity keypair is empty")
	}
	key := ed25519.NewKeyFromSeed(kp.Bytes()[:ed25519.SeedSize])
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 64))
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("tpu: certificate serial: %w", err)
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: "Solana node"},
		// The window is wide because nobody checks it: peers do not verify the
		// certificate, they only read its key.
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(100 * 365 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		BasicConstraintsValid: true,
		DNSNames:              []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("tpu: self-signed certificate: %w", err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, nil
}

// peerIdentity returns the ed25519 key of the certificate a peer presented, or
// the zero Pubkey when it presented none or a key of another kind.
func peerIdentity(cs tls.ConnectionState) sdk.Pubkey {
	if len(cs.PeerCertificates) == 0 {
		return sdk.Pubkey{}
	}
	pub, ok := cs.PeerCertificates[0].PublicKey.(ed25519.PublicKey)
	if !ok || len(pub) != sdk.PubkeySize {
		return sdk.Pubkey{}
	}
	return sdk.Pubkey(pub)
}
