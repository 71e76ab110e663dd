package sdk

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
)

// KeypairSize is the length of a keypair's bytes: the 32-byte seed followed by
// the 32-byte public key, the layout of a solana-keygen JSON file.
const KeypairSize = ed25519.PrivateKeySize

// Keypair is an ed25519 signing key with its public key.
type Keypair struct {
	private ed25519.PrivateKey
}

// NewKeypair generates a keypair from the operating system's random source.
func NewKeypair() (Keypair, error) {
	return NewKeypairFrom(rand.Reader)
}

// NewKeypairFrom generates a keypair from r; tests pass a seeded reader to get
// reproducible keys.
func NewKeypairFrom(r io.Reader) (Keypair, error) {
	var seed [ed25519.SeedSize]byte
	if _, err := io.ReadFull(r, seed[:]); err != nil {
		return Keypair{}, fmt.Errorf("read keypair seed: %w", err)
	}
	return KeypairFromSeed(seed), nil
}

// KeypairFromSeed derives the keypair of a 32-byte RFC 8032 seed.
func KeypairFromSeed(seed [ed25519.SeedSize]byte) Keypair {
	return Keypair{private: ed25519.NewKeyFromSeed(seed[:])}
}

// KeypairFromBytes accepts seed ‖ public key and rejects a public key that does
// not belong to the seed, as Solana's Keypair::try_from does.
func KeypairFromBytes(b []byte) (Keypair, error) {
	if len(b) != KeypairSize {
		return Keypair{}, fmt.Errorf("keypair is %d bytes, want %d: %w", len(b), KeypairSize, ErrMalformed)
	}
	kp := KeypairFromSeed([ed25519.SeedSize]byte(b[:ed25519.SeedSize]))
	if !bytes.Equal(kp.private[ed25519.SeedSize:], b[ed25519.SeedSize:]) {
		return Keypair{}, fmt.Errorf("keypair public key does not match its seed: %w", ErrMalformed)
	}
	return kp, nil
}

// Pubkey returns the public key.
func (k Keypair) Pubkey() Pubkey { return Pubkey(k.private[ed25519.SeedSize:]) }

// Bytes returns seed ‖ public key (a copy).
func (k Keypair) Bytes() []byte { return bytes.Clone(k.private) }

// Sign signs msg (for a transaction, the serialized message).
func (k Keypair) Sign(msg []byte) Signature {
	return Signature(ed25519.Sign(k.private, msg))
}

// IsZero reports whether k is the zero Keypair, which cannot sign.
func (k Keypair) IsZero() bool { return k.private == nil }

// MarshalJSON writes the solana-keygen form: a JSON array of 64 numbers.
func (k Keypair) MarshalJSON() ([]byte, error) {
	if k.IsZero() {
		return nil, errors.New("marshal keypair: zero keypair")
	}
	out := make([]byte, 0, 4*KeypairSize+2)
	out = append(out, '[')
	for i, b := range k.private {
		if i > 0 {
			out = append(out, ',')
		}
		out = strconv.AppendUint(out, uint64(b), 10)
	}
	return append(out, ']'), nil
}

// UnmarshalJSON reads the solana-keygen form.
func (k *Keypair) UnmarshalJSON(b []byte) error {
	// A []uint8 unmarshals from a base64 string by default; solana-keygen files
	// are arrays of numbers, so decode as integers to refuse anything else.
	var ints []int
	if err := json.Unmarshal(b, &ints); err != nil {
		return fmt.Errorf("keypair JSON is not an array of numbers: %v: %w", err, ErrMalformed)
	}
	raw := make([]uint8, len(ints))
	for i, v := range ints {
		if v < 0 || v > 255 {
			return fmt.Errorf("keypair JSON element %d is %d, not a byte: %w", i, v, ErrMalformed)
		}
		raw[i] = uint8(v)
	}
	kp, err := KeypairFromBytes(raw)
	if err != nil {
		return err
	}
	*k = kp
	return nil
}

// ReadKeypairFile loads a solana-keygen JSON keypair file.
func ReadKeypairFile(path string) (Keypair, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Keypair{}, fmt.Errorf("read keypair %s: %w", path, err)
	}
	var k Keypair
	if err := k.UnmarshalJSON(bytes.TrimSpace(b)); err != nil {
		return Keypair{}, fmt.Errorf("read keypair %s: %w", path, err)
	}
	return k, nil
}

// WriteKeypairFile writes k in the solana-keygen JSON form with mode 0600. It
// refuses to replace an existing file: overwriting an operator's identity or
// vote key by accident loses funds, so callers that mean it remove the file first.
func WriteKeypairFile(path string, k Keypair) error {
	b, err := k.MarshalJSON()
	if err != nil {
		return fmt.Errorf("write keypair %s: %w", path, err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("write keypair %s: %w", path, err)
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		os.Remove(path)
		return fmt.Errorf("write keypair %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		os.Remove(path)
		return fmt.Errorf("sync keypair %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		os.Remove(path)
		return fmt.Errorf("close keypair %s: %w", path, err)
	}
	return nil
}
