package poh

import (
	"crypto/sha256"
	"testing"

	"github.com/gnomon-chain/gnomon/sdk"
)

// The expected values below are built step by step with sha256 calls, not with
// the package's helpers, so that a wrong loop bound, prefix or pairing rule in
// the package shows up as a mismatch.

func sha(parts ...[]byte) [32]byte {
	h := sha256.New()
	for _, p := range parts {
		h.Write(p)
	}
	return [32]byte(h.Sum(nil))
}

func TestNextHashTickIsPlainChain(t *testing.T) {
	start := sdk.Hash{1, 2, 3}
	h0 := start
	h1 := sha(h0[:])
	h2 := sha(h1[:])
	h3 := sha(h2[:])
	if got := NextHash(start, 3, nil); got != sdk.Hash(h3) {
		t.Fatalf("3-hash tick: got %s, want %s", got, sdk.Hash(h3))
	}
	if got := NextHash(start, 1, nil); got != sdk.Hash(h1) {
		t.Fatalf("1-hash tick: got %s, want %s", got, sdk.Hash(h1))
	}
}

func TestNextHashZeroHashesNoTransactionsIsUnchanged(t *testing.T) {
	start := sdk.Hash{9}
	if got := NextHash(start, 0, nil); got != start {
		t.Fatalf("got %s, want the start hash %s", got, start)
	}
}

func TestMixinOfOneTransactionIsItsLeaf(t *testing.T) {
	tx := testTx(t, 1)
	want := sha([]byte{0}, tx.Signatures[0][:])
	if got := MixinOf([]*sdk.Transaction{tx}); got != sdk.Hash(want) {
		t.Fatalf("got %s, want %s", got, sdk.Hash(want))
	}
	if got := MixinOf(nil); got != (sdk.Hash{}) {
		t.Fatalf("no transactions: got %s, want the zero hash", got)
	}
}

// TestMixinOfThreeTransactionsPairsTheOddNodeWithItself: with three leaves the
// third has no right sibling, so Solana's merkle-tree hashes it with itself.
func TestMixinOfThreeTransactionsPairsTheOddNodeWithItself(t *testing.T) {
	txs := testTxs(t, 10, 3)
	// A second signature must not count: only the first names a transaction.
	txs[1].Signatures = append(txs[1].Signatures, sdk.Signature{0xee})
	l0 := sha([]byte{0}, txs[0].Signatures[0][:])
	l1 := sha([]byte{0}, txs[1].Signatures[0][:])
	l2 := sha([]byte{0}, txs[2].Signatures[0][:])
	n01 := sha([]byte{1}, l0[:], l1[:])
	n22 := sha([]byte{1}, l2[:], l2[:])
	root := sha([]byte{1}, n01[:], n22[:])
	if got := MixinOf(txs); got != sdk.Hash(root) {
		t.Fatalf("got %s, want %s", got, sdk.Hash(root))
	}

	// The entry: two plain hashes, then sha256(h ‖ mixin).
	start := sdk.Hash{7}
	h1 := sha(start[:])
	h2 := sha(h1[:])
	h3 := sha(h2[:], root[:])
	if got := NextHash(start, 3, txs); got != sdk.Hash(h3) {
		t.Fatalf("entry hash: got %s, want %s", got, sdk.Hash(h3))
	}
	// num_hashes 0 with transactions is the mix-in step alone (Solana's
	// saturating_sub).
	if got, want := NextHash(start, 0, txs), sha(start[:], root[:]); got != sdk.Hash(want) {
		t.Fatalf("0-hash record: got %s, want %s", got, sdk.Hash(want))
	}
}

func TestMixinOfFiveTransactionsCarriesOddNodesUpEachLevel(t *testing.T) {
	txs := testTxs(t, 20, 5)
	var l [5][32]byte
	for i := range l {
		l[i] = sha([]byte{0}, txs[i].Signatures[0][:])
	}
	a := sha([]byte{1}, l[0][:], l[1][:])
	b := sha([]byte{1}, l[2][:], l[3][:])
	c := sha([]byte{1}, l[4][:], l[4][:])
	ab := sha([]byte{1}, a[:], b[:])
	cc := sha([]byte{1}, c[:], c[:])
	root := sha([]byte{1}, ab[:], cc[:])
	if got := MixinOf(txs); got != sdk.Hash(root) {
		t.Fatalf("got %s, want %s", got, sdk.Hash(root))
	}
}

func TestMixinOfSkipsTransactionsWithoutSignatures(t *testing.T) {
	txs := testTxs(t, 30, 2)
	unsigned := &sdk.Transaction{}
	if MixinOf([]*sdk.Transaction{txs[0], unsigned, txs[1]}) != MixinOf(txs) {
		t.Fatal("a transaction without signatures changed the mix-in")
	}
}
