package turbine

import (
	"bytes"
	"math/rand/v2"
	"testing"

	"github.com/gnomon-chain/gnomon/internal/shred"
	"github.com/gnomon-chain/gnomon/sdk"
)

const testVersion = 4242

func keypairFrom(b byte) sdk.Keypair {
	var seed [32]byte
	seed[0], seed[31] = b, 0x5a
	return sdk.KeypairFromSeed(seed)
}

var (
	testLeader = keypairFrom(1)
	otherKey   = keypairFrom(2)
)

// shredSlot shreds batches as testLeader and returns private copies.
func shredSlot(t testing.TB, key sdk.Keypair, h SlotHeader, batches ...[]byte) [][]byte {
	t.Helper()
	s, err := NewShredder(key, testVersion)
	if err != nil {
		t.Fatal(err)
	}
	out, err := s.Shred(h, batches...)
	if err != nil {
		t.Fatal(err)
	}
	copies := make([][]byte, len(out))
	for i, b := range out {
		copies[i] = bytes.Clone(b)
	}
	return copies
}

func randomBytes(r *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// keepHalf returns, for each set, 32 of its 64 shreds chosen by r.
func keepHalf(r *rand.Rand, shreds [][]byte) [][]byte {
	var kept [][]byte
	for set := 0; set < len(shreds); set += shred.SetSize {
		for _, i := range r.Perm(shred.SetSize)[:shred.SetSize/2] {
			kept = append(kept, shreds[set+i])
		}
	}
	return kept
}

func newTestDeshredder(t testing.TB, slot uint64) *Deshredder {
	t.Helper()
	d, err := NewDeshredder(slot, testLeader.Pubkey(), testVersion)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// nonEmpty drops empty batches, as the deshredder does.
func nonEmpty(batches [][]byte) [][]byte {
	var out [][]byte
	for _, b := range batches {
		if len(b) > 0 {
			out = append(out, b)
		}
	}
	return out
}

func equalBatches(a, b [][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !bytes.Equal(a[i], b[i]) {
			return false
		}
	}
	return true
}

// resign rebuilds the Merkle tree of one set of 64 shreds whose bytes were
// changed, signs it with key, and rewrites signatures and proofs: what a
// misbehaving leader can do.
func resign(key sdk.Keypair, set [][]byte) {
	var tree shred.Tree
	for i, b := range set {
		tree.SetLeaf(i, shred.Leaf(b))
	}
	msg := shred.RootMessage(tree.Build())
	sig := key.Sign(msg[:])
	for i, b := range set {
		shred.PutSignature(b, sig)
		tree.WriteProof(i, shred.ProofBytes(b))
	}
}
