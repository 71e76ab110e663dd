package poh

import (
	"crypto/sha256"

	"github.com/gnomon-chain/gnomon/sdk"
)

// Entry is one link of the PoH chain as it appears in a block: the number of
// hashes since the previous entry, the hash reached, and the transactions
// mixed in by the last of those hashes. An entry without transactions is a
// tick.
type Entry struct {
	NumHashes    uint64
	Hash         sdk.Hash
	Transactions []*sdk.Transaction
}

// IsTick reports whether e is a tick, an entry that mixes in nothing.
func (e *Entry) IsTick() bool { return len(e.Transactions) == 0 }

// NextHash is the hash an entry with numHashes and txs reaches from start, as
// Solana's entry::next_hash computes it: numHashes-1 plain SHA-256 steps, then
// one step that mixes in MixinOf(txs), or a plain step when txs is empty. With
// numHashes 0 and no transactions the hash is start unchanged; with numHashes 0
// and transactions it is the mix-in step alone, as with numHashes 1.
func NextHash(start sdk.Hash, numHashes uint64, txs []*sdk.Transaction) sdk.Hash {
	var scratch [8]sdk.Hash
	return nextHash(start, numHashes, txs, scratch[:0])
}

// nextHash is NextHash with a caller's scratch space for the mix-in tree, so
// verification workers allocate nothing per entry.
func nextHash(start sdk.Hash, numHashes uint64, txs []*sdk.Transaction, scratch []sdk.Hash) sdk.Hash {
	if numHashes == 0 && len(txs) == 0 {
		return start
	}
	h := hashChain(start, max(numHashes, 1)-1)
	if len(txs) == 0 {
		return hashChain(h, 1)
	}
	mixin, _ := mixinInto(scratch, txs)
	return hashMix(h, mixin)
}

// hashChain applies n plain SHA-256 steps to h. It is the PoH hot loop: one
// Sum256 over a 32-byte array per step, nothing allocated.
func hashChain(h sdk.Hash, n uint64) sdk.Hash {
	x := [sha256.Size]byte(h)
	for ; n > 0; n-- {
		x = sha256.Sum256(x[:])
	}
	return sdk.Hash(x)
}

// hashMix is the record step: sha256(h ‖ mixin).
func hashMix(h, mixin sdk.Hash) sdk.Hash {
	var buf [2 * sdk.HashSize]byte
	copy(buf[:sdk.HashSize], h[:])
	copy(buf[sdk.HashSize:], mixin[:])
	return sha256.Sum256(buf[:])
}

// Merkle prefixes of Solana's merkle-tree crate, which keep a leaf from ever
// hashing like an inner node.
const (
	merkleLeafPrefix = 0x00
	merkleNodePrefix = 0x01
)

// MixinOf is the mix-in of a batch of transactions: the root of a Merkle tree
// over each transaction's first signature, with the rules of Solana's
// merkle-tree crate. A leaf is sha256(0x00 ‖ signature), a node is
// sha256(0x01 ‖ left ‖ right), a node with no right sibling at its level is
// paired with itself, and a single leaf is the root. No transactions gives the
// zero hash. A transaction with no signature (never one that parsed, since
// sanitize demands a fee payer) contributes no leaf.
//
// Agave's hash_transactions takes every signature of every transaction; Gnomon
// takes only the first, which names the transaction. The two agree for
// transactions with one signer.
func MixinOf(txs []*sdk.Transaction) sdk.Hash {
	h, _ := mixinInto(nil, txs)
	return h
}

// mixinInto computes MixinOf in scratch, grown as needed and returned for
// reuse.
func mixinInto(scratch []sdk.Hash, txs []*sdk.Transaction) (sdk.Hash, []sdk.Hash) {
	level := scratch[:0]
	var buf [1 + 2*sdk.HashSize]byte
	for _, tx := range txs {
		if len(tx.Signatures) == 0 {
			continue
		}
		buf[0] = merkleLeafPrefix
		copy(buf[1:], tx.Signatures[0][:])
		level = append(level, sha256.Sum256(buf[:1+sdk.SignatureSize]))
	}
	if len(level) == 0 {
		return sdk.Hash{}, level
	}
	// Each pass halves the level in place: node i of the next level only
	// reads nodes 2i and 2i+1, which are at or after i.
	buf[0] = merkleNodePrefix
	for n := len(level); n > 1; n = (n + 1) / 2 {
		for i := 0; i < n; i += 2 {
			right := i + 1
			if right == n {
				right = i
			}
			copy(buf[1:], level[i][:])
			copy(buf[1+sdk.HashSize:], level[right][:])
			level[i/2] = sha256.Sum256(buf[:])
		}
	}
	return level[0], level
}
