package poh

import (
	"testing"

	"github.com/gnomon-chain/gnomon/sdk"
)

var memoProgram = sdk.Pubkey{0x05, 0x4a, 0x53, 0x5a}

// testTx is a signed one-instruction transaction, distinct for each seed, as
// it arrives from the wire (parsed, so it aliases its own bytes).
func testTx(t testing.TB, seed byte) *sdk.Transaction {
	t.Helper()
	var s [32]byte
	s[0], s[1] = seed, 0x77
	k := sdk.KeypairFromSeed(s)
	ix := sdk.Instruction{ProgramID: memoProgram, Data: []byte{'m', seed}}
	tx, err := sdk.NewTransaction([]sdk.Instruction{ix}, sdk.Hash{seed}, k)
	if err != nil {
		t.Fatal(err)
	}
	b, err := tx.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	parsed, err := sdk.ParseTransaction(b)
	if err != nil {
		t.Fatal(err)
	}
	return parsed
}

func testTxs(t testing.TB, first byte, n int) []*sdk.Transaction {
	txs := make([]*sdk.Transaction, n)
	for i := range txs {
		txs[i] = testTx(t, first+byte(i))
	}
	return txs
}

// testChain records a chain with the Recorder: ticks of hashesPerTick hashes,
// with a batch of transactions recorded in some ticks, and returns the start
// hash and the entries.
func testChain(t testing.TB, hashesPerTick uint64, ticks int) (sdk.Hash, []Entry) {
	t.Helper()
	start := sdk.Hash{0xab, 0xcd}
	r, err := NewRecorder(start, 0, Config{HashesPerTick: hashesPerTick, TicksPerSlot: 4})
	if err != nil {
		t.Fatal(err)
	}
	var entries []Entry
	for k := range ticks {
		if k%2 == 1 {
			r.Hash(hashesPerTick / 3)
			txs := testTxs(t, byte(k), 1+k%3)
			e, err := r.Record(MixinOf(txs), txs)
			if err != nil {
				t.Fatal(err)
			}
			entries = append(entries, e)
		}
		r.Hash(hashesPerTick / 4)
		entries = append(entries, r.Tick())
	}
	return start, entries
}
