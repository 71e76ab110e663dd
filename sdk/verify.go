package sdk

// The signature rule.
//
// Ed25519 as specified leaves room for implementations to disagree: whether S
// must be reduced, whether A and R must be canonical encodings, whether
// small-order points are allowed, and whether the check multiplies by the
// cofactor. "Taming the many EdDSAs" (Chalkias, Garillot, Nikolaenko, 2020)
// catalogues the disagreements. A blockchain cannot afford any: if one node
// accepts a signature that another rejects, they compute different banks.
//
// Gnomon's rule, fixed in DESIGN.md, and applied by every path:
//
//   - S is canonical (S < L), and A and R are canonical encodings;
//   - A and R are not of small order (this is what Agave's verify_strict adds,
//     and it makes signatures strongly binding);
//   - the cofactored equation [8]([S]B) = [8]R + [8][k]A holds.
//
// The cofactored equation is the one a randomized batch check can evaluate, so
// a batch can never accept a signature that single verification rejects (up to
// the 2^-128 chance of the random batch coefficients). Agave's verify_strict is
// cofactorless; the two differ only on a public key or R that has a torsion
// component and is not small-order (mixed order), which an honest signer never
// produces. Go's crypto/ed25519 implements neither rule, so the implementation
// is curve25519-voi, which exposes each choice, configured below. It was chosen
// by measurement (bench/RESULTS.md): its batch path is the only one that meets
// the 28,000 signatures/s per core target.

import (
	"crypto/rand"
	"sync"
	"sync/atomic"

	voi "github.com/oasisprotocol/curve25519-voi/primitives/ed25519"
)

// ruleOptions turns every permissive option off: canonical A and R, no
// small-order A or R, cofactored equation.
var ruleOptions = &voi.Options{Verify: &voi.VerifyOptions{}}

// Verify reports whether sig is pub's signature of msg under the signature rule.
func Verify(pub Pubkey, msg []byte, sig Signature) bool {
	return voi.VerifyWithOptions(pub[:], msg, sig[:], ruleOptions)
}

// BatchVerifier checks many signatures at once and gives a verdict for each
// that always equals Verify's. It is not safe for concurrent use; a sigverify
// stage keeps one per worker and reuses it.
type BatchVerifier struct {
	v     *voi.BatchVerifier
	n     int
	cache *KeyCache
}

// NewBatchVerifier returns a verifier sized for batches of about capacity entries.
func NewBatchVerifier(capacity int) *BatchVerifier {
	// Expanding each public key into a precomputed table only pays for itself
	// when a key signs many entries of a batch; a batch of transactions from
	// distinct payers is the common case, so do without.
	return &BatchVerifier{v: voi.NewBatchVerifierWithCapacity(capacity).ForceNoPublicKeyExpansion()}
}

// WithKeyCache makes the verifier use c's expanded keys for the public keys
// c holds, and teach c the ones it sees. The verdicts do not change.
func (b *BatchVerifier) WithKeyCache(c *KeyCache) *BatchVerifier {
	b.cache = c
	return b
}

// Add queues one (public key, message, signature). The message is read during
// Add; the verifier keeps no reference to it.
func (b *BatchVerifier) Add(pub Pubkey, msg []byte, sig Signature) {
	if b.cache != nil {
		if x := b.cache.expanded(pub); x != nil {
			b.v.AddExpandedWithOptions(x, msg, sig[:], ruleOptions)
			b.n++
			return
		}
	}
	b.v.AddWithOptions(pub[:], msg, sig[:], ruleOptions)
	b.n++
}

// Len is the number of entries queued since the last Verify.
func (b *BatchVerifier) Len() int { return b.n }

// Verify checks every queued entry, appends one verdict per entry to verdicts
// in the order added, reports whether all passed, and empties the verifier
// for reuse. When the batch equation fails it checks each entry alone, so a
// bad signature costs its batch a second pass but never hides.
func (b *BatchVerifier) Verify(verdicts []bool) ([]bool, bool) {
	if b.n == 0 {
		return verdicts, true
	}
	all, each := b.v.Verify(rand.Reader)
	verdicts = append(verdicts, each...)
	b.v.Reset().ForceNoPublicKeyExpansion()
	b.n = 0
	return verdicts, all
}

// KeyCache holds public keys in the expanded form batch verification uses
// (the decompressed point and its precomputed multiples), for keys that sign
// again and again: validators' vote transactions, market makers, bots, a
// busy fee payer. Decompressing A is about a sixth of a batch verification's
// cost and building its table another share; a cached key skips both.
//
// Admission: a key is expanded only the second time it is seen within a
// generation, so a flood of one-off keys costs a 32-byte note each instead of
// a 1.5 KiB expansion. Memory is bounded: at most size expanded keys (two
// generations of size/2, the older dropped when the newer fills) and 4×size
// notes. Safe for concurrent use by a stage's workers.
type KeyCache struct {
	size         int
	mu           sync.Mutex
	cur, old     map[Pubkey]*voi.ExpandedPublicKey
	seenOnce     map[Pubkey]struct{}
	hits, misses atomic.Uint64
}

// NewKeyCache returns a cache of at most size expanded keys (about 1.5 KiB
// each).
func NewKeyCache(size int) *KeyCache {
	size = max(size, 2)
	return &KeyCache{size: size, cur: make(map[Pubkey]*voi.ExpandedPublicKey),
		old: make(map[Pubkey]*voi.ExpandedPublicKey), seenOnce: make(map[Pubkey]struct{})}
}

// expanded returns pub's expanded form, or nil if the caller should verify
// with the plain key (first sighting, or a key that is not a curve point:
// the plain path rejects it exactly as the rule says).
func (c *KeyCache) expanded(pub Pubkey) *voi.ExpandedPublicKey {
	c.mu.Lock()
	if x, ok := c.cur[pub]; ok {
		c.mu.Unlock()
		c.hits.Add(1)
		return x
	}
	if x, ok := c.old[pub]; ok {
		c.putLocked(pub, x)
		c.mu.Unlock()
		c.hits.Add(1)
		return x
	}
	_, again := c.seenOnce[pub]
	if !again {
		if len(c.seenOnce) >= 4*c.size {
			clear(c.seenOnce)
		}
		c.seenOnce[pub] = struct{}{}
	}
	c.mu.Unlock()
	c.misses.Add(1)
	if !again {
		return nil
	}
	x, err := voi.NewExpandedPublicKey(pub[:])
	if err != nil {
		return nil
	}
	c.mu.Lock()
	delete(c.seenOnce, pub)
	c.putLocked(pub, x)
	c.mu.Unlock()
	return x
}

func (c *KeyCache) putLocked(pub Pubkey, x *voi.ExpandedPublicKey) {
	if len(c.cur) >= c.size/2 {
		c.old, c.cur = c.cur, make(map[Pubkey]*voi.ExpandedPublicKey, c.size/2)
	}
	c.cur[pub] = x
}

// Stats reports how many lookups found an expanded key and how many did not.
func (c *KeyCache) Stats() (hits, misses uint64) { return c.hits.Load(), c.misses.Load() }
