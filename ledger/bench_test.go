package ledger

import (
	"math/rand/v2"
	"testing"

	"github.com/cockroachdb/pebble/v2/vfs"
	"github.com/gnomon-chain/gnomon/sdk"
)

// Benchmarks run on pebble's in-memory filesystem, so they measure the
// ledger's and pebble's CPU cost (encoding, batching, memtable, WAL
// framing), not a disk.

func benchLedger(b *testing.B) *Ledger {
	l, err := Open("bench", Options{FS: vfs.NewMem()})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = l.Close() })
	return l
}

// BenchmarkInsertShreds inserts whole slots of 1228-byte shreds (Solana's
// data shred size) in batches of 32, one FEC set's worth.
func BenchmarkInsertShreds(b *testing.B) {
	l := benchLedger(b)
	rng := rand.New(rand.NewPCG(1, 1))
	const perSlot, batch = 128, 32
	template := testSlot(rng, 1, 0, perSlot, 1228-16)
	b.SetBytes(int64(batch * 1228))
	b.ResetTimer()
	slot := uint64(1)
	i := 0
	for b.Loop() {
		shreds := make([]ShredRecord, batch)
		for j := range shreds {
			shreds[j] = template[i+j]
			shreds[j].Slot, shreds[j].ParentSlot = slot, slot-1
		}
		if _, err := l.InsertShreds(shreds); err != nil {
			b.Fatal(err)
		}
		if i += batch; i == perSlot {
			i, slot = 0, slot+1
		}
	}
	b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "shreds/s")
}

// BenchmarkWriteStatuses writes blocks of 1,000 transfer-like statuses (3
// account keys, 2 log lines) per call.
func BenchmarkWriteStatuses(b *testing.B) {
	l := benchLedger(b)
	rng := rand.New(rand.NewPCG(2, 2))
	const perBlock = 1000
	recs := make([]StatusRecord, perBlock)
	payers := make([]sdk.Pubkey, 64)
	for i := range payers {
		payers[i] = randKey(rng)
	}
	for i := range recs {
		r := testStatus(rng, 0, uint32(i), []sdk.Pubkey{payers[i%64], randKey(rng), sdk.SystemProgramID})
		r.PreTokenBalances, r.PostTokenBalances, r.LoadedAddresses.Writable, r.LoadedAddresses.Readonly = nil, nil, nil, nil
		recs[i] = r
	}
	slot := uint64(0)
	for b.Loop() {
		slot++
		for i := range recs {
			recs[i].Slot = slot
			recs[i].Signature[0], recs[i].Signature[1] = byte(slot), byte(slot>>8)
		}
		if err := l.WriteStatuses(slot, recs); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*perBlock)/b.Elapsed().Seconds(), "statuses/s")
}

// BenchmarkSlotData reads back a full slot of 128 shreds (~155 KB of
// entries) from a ledger holding 64 slots.
func BenchmarkSlotData(b *testing.B) {
	l := benchLedger(b)
	rng := rand.New(rand.NewPCG(3, 3))
	const slots, perSlot = 64, 128
	for s := uint64(1); s <= slots; s++ {
		if _, err := l.InsertShreds(testSlot(rng, s, s-1, perSlot, 1228-16)); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(perSlot * (1228 - 16))
	b.ResetTimer()
	s := uint64(0)
	for b.Loop() {
		s = s%slots + 1
		if _, err := l.SlotData(s); err != nil {
			b.Fatal(err)
		}
	}
}
