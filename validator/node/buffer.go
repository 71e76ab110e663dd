package node

import (
	"container/heap"
	"sort"

	"github.com/gnomon-chain/gnomon/sdk"
)

// pending is a verified transaction waiting for the leader, with its
// priority and arrival order.
type pending struct {
	tx    *sdk.Transaction
	price uint64
	seq   uint64
}

// priorityBuffer is the leader's buffer of verified transactions: a heap,
// highest compute-unit price first and arrival order among equals, so each
// pack takes the best few thousand without sorting everything waiting.
type priorityBuffer struct {
	items []pending
	seq   uint64
}

func (b *priorityBuffer) Len() int { return len(b.items) }
func (b *priorityBuffer) Less(i, j int) bool {
	x, y := &b.items[i], &b.items[j]
	if x.price != y.price {
		return x.price > y.price
	}
	return x.seq < y.seq
}
func (b *priorityBuffer) Swap(i, j int) { b.items[i], b.items[j] = b.items[j], b.items[i] }
func (b *priorityBuffer) Push(x any)    { b.items = append(b.items, x.(pending)) }
func (b *priorityBuffer) Pop() any {
	last := b.items[len(b.items)-1]
	b.items[len(b.items)-1] = pending{}
	b.items = b.items[:len(b.items)-1]
	return last
}

// add queues a newly arrived transaction.
func (b *priorityBuffer) add(tx *sdk.Transaction, price uint64) {
	b.seq++
	heap.Push(b, pending{tx: tx, price: price, seq: b.seq})
}

// putBack returns popped transactions, keeping their place in line.
func (b *priorityBuffer) putBack(p pending) { heap.Push(b, p) }

// take pops up to n transactions, best first.
func (b *priorityBuffer) take(n int, dst []pending) []pending {
	for i := 0; i < n && len(b.items) > 0; i++ {
		dst = append(dst, heap.Pop(b).(pending))
	}
	return dst
}

// shed drops the lowest-priority transactions beyond limit and reports how
// many. It sorts, which is rare: only a buffer over its bound pays for it.
func (b *priorityBuffer) shed(limit int) int {
	if len(b.items) <= limit {
		return 0
	}
	sort.Slice(b.items, b.Less)
	n := len(b.items) - limit
	clear(b.items[limit:])
	b.items = b.items[:limit]
	heap.Init(b) // a sorted slice is a heap already; Init is cheap and keeps it honest
	return n
}
