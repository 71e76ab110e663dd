package ledger

import (
	"encoding/binary"
	"math/rand/v2"
	"testing"

	"github.com/cockroachdb/pebble/v2/vfs"
	"github.com/gnomon-chain/gnomon/runtime"
	"github.com/gnomon-chain/gnomon/runtime/invoke"
	"github.com/gnomon-chain/gnomon/sdk"
)

func openMem(t testing.TB) *Ledger {
	t.Helper()
	l, err := Open("ledger", Options{FS: vfs.NewMem(), CacheBytes: 8 << 20, MemTableBytes: 4 << 20})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.Close() })
	return l
}

// testSlot builds a slot's data shreds: n shreds carrying dataLen entry
// bytes each after a 16-byte header, every fourth one ending an entry
// batch, the last one LAST_IN_SLOT. Data is a slice of Payload, as a
// parsed shred's would be.
func testSlot(rng *rand.Rand, slot, parent uint64, n, dataLen int) []ShredRecord {
	out := make([]ShredRecord, n)
	for i := range out {
		p := make([]byte, 16+dataLen)
		binary.BigEndian.PutUint64(p, slot)
		binary.BigEndian.PutUint32(p[8:], uint32(i))
		for j := 16; j < len(p); j++ {
			p[j] = byte(rng.Uint32())
		}
		out[i] = ShredRecord{
			Slot: slot, Index: uint32(i), FECSetIndex: uint32(i / 32 * 32), ParentSlot: parent,
			DataComplete: i%4 == 3 || i == n-1, LastInSlot: i == n-1,
			Payload: p, Data: p[16:],
		}
	}
	return out
}

// testCoding builds n coding shreds for a slot.
func testCoding(rng *rand.Rand, slot, parent uint64, n, size int) []ShredRecord {
	out := make([]ShredRecord, n)
	for i := range out {
		p := make([]byte, size)
		for j := range p {
			p[j] = byte(rng.Uint32())
		}
		out[i] = ShredRecord{Slot: slot, Index: uint32(i), Coding: true, ParentSlot: parent, Payload: p}
	}
	return out
}

func slotBytes(shreds []ShredRecord) []byte {
	var out []byte
	for i := range shreds {
		if !shreds[i].Coding {
			out = append(out, shreds[i].Data...)
		}
	}
	return out
}

func randKey(rng *rand.Rand) sdk.Pubkey {
	var k sdk.Pubkey
	for i := range k {
		k[i] = byte(rng.Uint32())
	}
	return k
}

func randSig(rng *rand.Rand) sdk.Signature {
	var s sdk.Signature
	for i := range s {
		s[i] = byte(rng.Uint32())
	}
	return s
}

// testStatus builds a status with every field set.
func testStatus(rng *rand.Rand, slot uint64, pos uint32, keys []sdk.Pubkey) StatusRecord {
	r := StatusRecord{
		Signature: randSig(rng), Slot: slot, Position: pos,
		Fee: 5000, ComputeUnits: rng.Uint64N(1_400_000),
		Logs:        []string{"Program 11111111111111111111111111111111 invoke [1]", "Program 11111111111111111111111111111111 success"},
		AccountKeys: keys,
	}
	for range keys {
		r.PreBalances = append(r.PreBalances, rng.Uint64())
		r.PostBalances = append(r.PostBalances, rng.Uint64())
	}
	if rng.IntN(4) == 0 {
		r.Err = []byte(`{"InstructionError":[0,{"Custom":1}]}`)
	}
	if rng.IntN(3) == 0 {
		r.PreTokenBalances = []runtime.TokenBalance{{AccountIndex: 1, Mint: randKey(rng), Owner: randKey(rng), ProgramID: sdk.TokenProgramID, Amount: rng.Uint64(), Decimals: 6}}
		r.PostTokenBalances = r.PreTokenBalances
		r.ReturnData.ProgramID = sdk.TokenProgramID
		r.ReturnData.Data = []byte{1, 2, 3}
		r.LoadedAddresses.Writable = []sdk.Pubkey{randKey(rng)}
		r.LoadedAddresses.Readonly = []sdk.Pubkey{randKey(rng), randKey(rng)}
		r.InnerInstructions = []invoke.InnerInstruction{
			{TopLevel: 0, ProgramIDIndex: 2, Accounts: []uint8{0, 1}, Data: []byte{2, 0, 0, 0}, StackHeight: 2},
			{TopLevel: 1, ProgramIDIndex: 2, Data: []byte{9}, StackHeight: 3},
		}
	}
	return r
}
