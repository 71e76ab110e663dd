package runtime

import (
	"encoding/binary"
	"math/rand/v2"

	"github.com/gnomon-chain/gnomon/sdk"
)

// shardSeed keys the choice of shard for account addresses and signatures.
//
// Why seeded: a fixed rule such as "the first byte" lets anyone who can pick
// addresses or vary a signed message (256 tries for one byte) put all their
// accounts or signatures in one shard and serialize every worker on its lock.
// Structured addresses do it by accident too (token accounts that differ only
// in their last bytes). With a secret per-process seed over all 32 bytes,
// crowding one shard takes as many tries as colliding 64-bit hashes.
var shardSeed = rand.Uint64() | 1

// shardAndHash maps a key of at least 16 bytes (an address or a
// status-cache key) to one of n shards, n a power of two at most 256, and
// returns its hash too: the shard's table places the key by the bits above
// the shard's (probeTable.tableIndex), so one hash serves both.
func shardAndHash(k []byte, n int) (int, uint64) {
	h := keyHash(k)
	return int(h & uint64(n-1)), h
}

// keyHash is the seeded 64-bit hash of a key.
func keyHash(k []byte) uint64 {
	x := shardSeed
	for i := 0; i+8 <= len(k); i += 8 {
		x ^= binary.LittleEndian.Uint64(k[i:]) * shardMultipliers[(i/8)%len(shardMultipliers)]
		x = x<<31 | x>>33
	}
	if r := len(k) % 8; r != 0 {
		var tail [8]byte
		copy(tail[:], k[len(k)-r:])
		x ^= binary.LittleEndian.Uint64(tail[:])
	}
	// The finalizer of MurmurHash3: every input bit moves every output bit.
	x ^= x >> 33
	x *= 0xff51afd7ed558ccd
	x ^= x >> 33
	x *= 0xc4ceb9fe1a85ec53
	x ^= x >> 33
	return x
}

var shardMultipliers = [4]uint64{0x9e3779b97f4a7c15, 0xc2b2ae3d27d4eb4f, 0x165667b19e3779f9, 0x27d4eb2f165667c5}

// keyFilter is a one-bit-per-bucket summary of a small set of addresses: a
// clear bit proves an address is not in the set, so the common case (an
// ordinary account tested against the builtins and sysvars) costs one bit
// test instead of hashing 32 bytes for a map lookup. A set bit may be a
// false positive; the caller then asks the exact set.
type keyFilter [1 << 10]uint64

func keyFilterBit(k *sdk.Pubkey) uint {
	x := binary.LittleEndian.Uint64(k[0:8]) ^ binary.LittleEndian.Uint64(k[8:16]) ^
		binary.LittleEndian.Uint64(k[16:24]) ^ binary.LittleEndian.Uint64(k[24:32])
	return uint((x * 0x9e3779b97f4a7c15) >> 48)
}

func (f *keyFilter) add(k sdk.Pubkey) {
	b := keyFilterBit(&k)
	f[b/64] |= 1 << (b % 64)
}

// mayHave reports false only for addresses certainly not in the set. A nil
// filter knows nothing and says maybe.
func (f *keyFilter) mayHave(k *sdk.Pubkey) bool {
	if f == nil {
		return true
	}
	b := keyFilterBit(k)
	return f[b/64]&(1<<(b%64)) != 0
}
