package poh

import (
	"crypto/sha256"
	"runtime"
	"testing"

	"github.com/gnomon-chain/gnomon/sdk"
)

// hashSink keeps the compiler from dropping a benchmark's chain.
var hashSink sdk.Hash

// BenchmarkHashChain compares the Recorder's hashing (as the Service drives
// it: batches of 256 hashes, a tick every 12,500) with a bare sha256.Sum256
// chain. The target is recorder ≥ 90% of raw-sha256 in the same run; run it
// with -cpu 1. One op is one hash.
func BenchmarkHashChain(b *testing.B) {
	b.Run("impl=raw-sha256", func(b *testing.B) {
		var x [32]byte
		for i := 0; i < b.N; i++ {
			x = sha256.Sum256(x[:])
		}
		hashSink = x
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "hashes/s")
	})
	b.Run("impl=recorder", func(b *testing.B) {
		r, err := NewRecorder(sdk.Hash{}, 0, Config{HashesPerTick: 12_500, TicksPerSlot: 64})
		if err != nil {
			b.Fatal(err)
		}
		b.ResetTimer()
		for left := uint64(b.N); left > 0; {
			if r.TickDue() {
				r.Tick()
				left--
				continue
			}
			left -= r.Hash(min(left, 256))
		}
		hashSink = r.CurrentHash()
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "hashes/s")
	})
}

// BenchmarkVerify verifies one slot of entries (64 ticks of 12,500 hashes,
// with a 4-transaction record in every tick) on GOMAXPROCS workers. Compare
// -cpu 1 and -cpu 2: the target is ≥ 1.8× at 2. One op is the whole slot.
func BenchmarkVerify(b *testing.B) {
	const (
		ticks         = 64
		hashesPerTick = 12_500
	)
	start := sdk.Hash{1}
	r, err := NewRecorder(start, 0, Config{HashesPerTick: hashesPerTick, TicksPerSlot: ticks})
	if err != nil {
		b.Fatal(err)
	}
	var entries []Entry
	var total uint64
	for k := range ticks {
		r.Hash(hashesPerTick / 2)
		txs := testTxs(b, byte(k), 4)
		e, err := r.Record(MixinOf(txs), txs)
		if err != nil {
			b.Fatal(err)
		}
		entries = append(entries, e, r.Tick())
	}
	for i := range entries {
		total += entries[i].NumHashes
	}
	workers := runtime.GOMAXPROCS(0)
	b.Run("slot=64x12500", func(b *testing.B) {
		for b.Loop() {
			if err := Verify(start, entries, workers); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(total)*float64(b.N)/b.Elapsed().Seconds(), "hashes/s")
	})
}
