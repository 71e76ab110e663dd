package node

import (
	"slices"

	"github.com/gnomon-chain/gnomon/sdk"
)

// pending is a verified transaction waiting for the leader, with its
// priority and arrival order.
type pending struct {
	tx    *sdk.Transaction
	price uint64
	seq   uint64
}

// before orders the buffer: higher compute-unit price first, then earlier
// arrival.
func (p *pending) before(q *pending) bool {
	if p.price != q.price {
		return p.price > q.price
	}
	return p.seq < q.seq
}

// priorityBuffer is the leader's buffer of verified transactions: a binary
// heap in before order, so each pack takes the best few thousand without
// sorting everything waiting. It is written out rather than built on
// container/heap, whose interface boxes every element: two allocations per
// transaction on the leader's path.
type priorityBuffer struct {
	items []pending
	seq   uint64
}

func (b *priorityBuffer) Len() int { return len(b.items) }

// add queues a newly arrived transaction.
func (b *priorityBuffer) add(tx *sdk.Transaction, price uint64) {
	b.seq++
	b.putBack(pending{tx: tx, price: price, seq: b.seq})
}

// putBack returns a taken transaction, keeping its place in line.
func (b *priorityBuffer) putBack(p pending) {
	b.items = append(b.items, p)
	for i := len(b.items) - 1; i > 0; {
		parent := (i - 1) / 2
		if !b.items[i].before(&b.items[parent]) {
			break
		}
		b.items[i], b.items[parent] = b.items[parent], b.items[i]
		i = parent
	}
}

// take pops up to n transactions, best first, appending them to dst.
func (b *priorityBuffer) take(n int, dst []pending) []pending {
	for ; n > 0 && len(b.items) > 0; n-- {
		dst = append(dst, b.items[0])
		last := len(b.items) - 1
		b.items[0] = b.items[last]
		b.items[last] = pending{}
		b.items = b.items[:last]
		b.down(0)
	}
	return dst
}

func (b *priorityBuffer) down(i int) {
	for {
		best, l := i, 2*i+1
		if l < len(b.items) && b.items[l].before(&b.items[best]) {
			best = l
		}
		if r := l + 1; r < len(b.items) && b.items[r].before(&b.items[best]) {
			best = r
		}
		if best == i {
			return
		}
		b.items[i], b.items[best] = b.items[best], b.items[i]
		i = best
	}
}

// shed drops the lowest-priority transactions beyond limit and reports how
// many. It sorts, which is rare: only a buffer over its bound pays for it,
// and a sorted slice is already a heap.
func (b *priorityBuffer) shed(limit int) int {
	if len(b.items) <= limit {
		return 0
	}
	slices.SortFunc(b.items, func(x, y pending) int {
		if x.before(&y) {
			return -1
		}
		return 1
	})
	n := len(b.items) - limit
	clear(b.items[limit:])
	b.items = b.items[:limit]
	return n
}
