package sdk

import (
	"crypto/sha256"
	"errors"
	"fmt"

	"filippo.io/edwards25519"
	"github.com/mr-tron/base58"
)

// Sizes of the fixed-width types, in bytes.
const (
	PubkeySize    = 32
	HashSize      = 32
	SignatureSize = 64
)

// Pubkey is an account address: an ed25519 public key, or a program-derived
// address that is deliberately off the curve.
type Pubkey [PubkeySize]byte

// Hash is a 32-byte digest: a blockhash, a PoH hash or a bank hash.
type Hash [HashSize]byte

// Signature is an ed25519 signature; the first signature of a transaction is its id.
type Signature [SignatureSize]byte

// String returns the base58 form Solana clients print and parse.
func (p Pubkey) String() string { return base58.Encode(p[:]) }

// String returns the base58 form.
func (h Hash) String() string { return base58.Encode(h[:]) }

// String returns the base58 form.
func (s Signature) String() string { return base58.Encode(s[:]) }

// IsZero reports whether p is all zero bytes (the System program's address).
func (p Pubkey) IsZero() bool { return p == Pubkey{} }

// MarshalText implements encoding.TextMarshaler with the base58 form, so
// Pubkeys read and write as JSON strings.
func (p Pubkey) MarshalText() ([]byte, error) { return []byte(p.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (p *Pubkey) UnmarshalText(b []byte) error { return decodeBase58Into(p[:], string(b), "pubkey") }

// MarshalText implements encoding.TextMarshaler.
func (h Hash) MarshalText() ([]byte, error) { return []byte(h.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (h *Hash) UnmarshalText(b []byte) error { return decodeBase58Into(h[:], string(b), "hash") }

// MarshalText implements encoding.TextMarshaler.
func (s Signature) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (s *Signature) UnmarshalText(b []byte) error {
	return decodeBase58Into(s[:], string(b), "signature")
}

// ParsePubkey decodes a base58 address.
func ParsePubkey(s string) (Pubkey, error) {
	var p Pubkey
	err := decodeBase58Into(p[:], s, "pubkey")
	return p, err
}

// MustPubkey decodes a base58 address known at compile time (a program id) and
// panics if it is malformed; never call it on input.
func MustPubkey(s string) Pubkey {
	p, err := ParsePubkey(s)
	if err != nil {
		panic(err)
	}
	return p
}

// ParseHash decodes a base58 hash.
func ParseHash(s string) (Hash, error) {
	var h Hash
	err := decodeBase58Into(h[:], s, "hash")
	return h, err
}

// ParseSignature decodes a base58 signature.
func ParseSignature(s string) (Signature, error) {
	var sig Signature
	err := decodeBase58Into(sig[:], s, "signature")
	return sig, err
}

// maxBase58Len bounds the text we hand to the decoder: 64 bytes encode to at
// most 88 base58 characters, so anything longer is wrong before decoding, and
// the bound keeps a hostile RPC argument from costing quadratic time.
const maxBase58Len = 88

func decodeBase58Into(dst []byte, s, what string) error {
	if len(s) == 0 || len(s) > maxBase58Len {
		return fmt.Errorf("decode %s: length %d: %w", what, len(s), ErrMalformed)
	}
	b, err := base58.Decode(s)
	if err != nil {
		return fmt.Errorf("decode %s: %v: %w", what, err, ErrMalformed)
	}
	if len(b) != len(dst) {
		return fmt.Errorf("decode %s: %d bytes, want %d: %w", what, len(b), len(dst), ErrMalformed)
	}
	copy(dst, b)
	return nil
}

// IsOnCurve reports whether p decodes to a point on edwards25519, with the
// same decoding rule as Solana's curve25519-dalek (non-canonical y accepted),
// so program-derived addresses agree with Solana's.
func (p Pubkey) IsOnCurve() bool {
	_, err := new(edwards25519.Point).SetBytes(p[:])
	return err == nil
}

// Limits on program-derived address seeds, as Solana sets them.
const (
	MaxSeeds   = 16
	MaxSeedLen = 32
)

// pdaMarker is appended to every program-derived address preimage.
const pdaMarker = "ProgramDerivedAddress"

// Errors from program-derived address derivation, with Solana's meanings.
var (
	ErrMaxSeedLengthExceeded = errors.New("sdk: length of the seed is too long for address generation")
	ErrInvalidSeeds          = errors.New("sdk: provided seeds do not result in a valid address")
)

// CreateProgramAddress derives the address sha256(seeds ‖ program ‖
// "ProgramDerivedAddress") and rejects it if it lies on the curve (such an
// address could have a private key, so a program could not own it safely).
func CreateProgramAddress(seeds [][]byte, program Pubkey) (Pubkey, error) {
	if len(seeds) > MaxSeeds {
		return Pubkey{}, fmt.Errorf("%d seeds: %w", len(seeds), ErrMaxSeedLengthExceeded)
	}
	h := sha256.New()
	for _, s := range seeds {
		if len(s) > MaxSeedLen {
			return Pubkey{}, fmt.Errorf("seed of %d bytes: %w", len(s), ErrMaxSeedLengthExceeded)
		}
		h.Write(s)
	}
	h.Write(program[:])
	h.Write([]byte(pdaMarker))
	var p Pubkey
	h.Sum(p[:0])
	if p.IsOnCurve() {
		return Pubkey{}, ErrInvalidSeeds
	}
	return p, nil
}

// FindProgramAddress searches bump seeds from 255 down to 1, as Solana does
// (bump 0 is never tried), and returns the first off-curve address with its bump.
func FindProgramAddress(seeds [][]byte, program Pubkey) (Pubkey, uint8, error) {
	withBump := make([][]byte, len(seeds)+1)
	copy(withBump, seeds)
	var bump [1]byte
	for b := 255; b >= 1; b-- {
		bump[0] = byte(b)
		withBump[len(seeds)] = bump[:]
		p, err := CreateProgramAddress(withBump, program)
		if err == nil {
			return p, byte(b), nil
		}
		if !errors.Is(err, ErrInvalidSeeds) {
			return Pubkey{}, 0, err
		}
	}
	return Pubkey{}, 0, fmt.Errorf("no bump seed works: %w", ErrInvalidSeeds)
}
