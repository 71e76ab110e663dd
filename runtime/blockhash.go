package runtime

import (
	"github.com/gnomon-chain/gnomon/runtime/sysvar"
	"github.com/gnomon-chain/gnomon/sdk"
)

type hashInfo struct {
	index                uint64
	lamportsPerSignature uint64
}

// blockhashQueue is the recent blockhashes a transaction may name: one per
// frozen block, a blockhash valid while at most maxAge newer ones exist.
type blockhashQueue struct {
	entries   map[sdk.Hash]hashInfo
	order     []sdk.Hash // oldest first
	lastIndex uint64
	maxAge    uint64
}

func newBlockhashQueue(maxAge uint64) *blockhashQueue {
	return &blockhashQueue{entries: make(map[sdk.Hash]hashInfo, maxAge+2), maxAge: maxAge}
}

func (q *blockhashQueue) clone() *blockhashQueue {
	c := &blockhashQueue{entries: make(map[sdk.Hash]hashInfo, len(q.entries)+1), order: make([]sdk.Hash, len(q.order), len(q.order)+1),
		lastIndex: q.lastIndex, maxAge: q.maxAge}
	for h, i := range q.entries {
		c.entries[h] = i
	}
	copy(c.order, q.order)
	return c
}

// register appends a block's last hash and forgets hashes past their age.
func (q *blockhashQueue) register(h sdk.Hash, lamportsPerSignature uint64) {
	q.lastIndex++
	q.entries[h] = hashInfo{index: q.lastIndex, lamportsPerSignature: lamportsPerSignature}
	q.order = append(q.order, h)
	for len(q.order) > 0 {
		old := q.order[0]
		if q.entries[old].index+q.maxAge >= q.lastIndex {
			break
		}
		delete(q.entries, old)
		q.order = q.order[1:]
	}
}

// valid returns the fee rate of h if a transaction may still name it.
func (q *blockhashQueue) valid(h sdk.Hash) (uint64, bool) {
	info, ok := q.entries[h]
	if !ok || info.index+q.maxAge < q.lastIndex {
		return 0, false
	}
	return info.lamportsPerSignature, true
}

func (q *blockhashQueue) last() sdk.Hash {
	if len(q.order) == 0 {
		return sdk.Hash{}
	}
	return q.order[len(q.order)-1]
}

// recent returns up to n newest entries, newest first.
func (q *blockhashQueue) recent(n int) []sysvar.RecentBlockhash {
	out := make([]sysvar.RecentBlockhash, 0, min(n, len(q.order)))
	for i := len(q.order) - 1; i >= 0 && len(out) < n; i-- {
		out = append(out, sysvar.RecentBlockhash{Blockhash: q.order[i], LamportsPerSignature: q.entries[q.order[i]].lamportsPerSignature})
	}
	return out
}
