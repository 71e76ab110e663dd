package node

import (
	"testing"

	"github.com/gnomon-chain/gnomon/sdk"
)

// BenchmarkPriorityBuffer measures the leader's buffer per transaction: a
// steady state of 100,000 waiting, each op one arrival and one pack's take.
func BenchmarkPriorityBuffer(b *testing.B) {
	var buf priorityBuffer
	txs := make([]*sdk.Transaction, 1024)
	for i := range txs {
		txs[i] = &sdk.Transaction{}
	}
	for i := 0; i < 100_000; i++ {
		buf.add(txs[i%len(txs)], uint64(i%97))
	}
	var taken []pending
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		buf.add(txs[i%len(txs)], uint64(i%97))
		taken = buf.take(1, taken[:0])
		i++
	}
}
