package runtime

import (
	"sync"

	"github.com/gnomon-chain/gnomon/sdk"
)

const statusShards = 256

// StatusCache remembers which slots processed each signature, so a
// transaction never executes twice on a fork. A transaction can only execute
// while its blockhash is young, and its signature commits to that blockhash,
// so entries older than the blockhash age are forgotten (Purge).
type StatusCache struct {
	shards [statusShards]struct {
		mu sync.Mutex
		m  map[sdk.Signature]slotList
	}
}

// slotList holds the first slot inline: almost every signature is processed
// on one fork only, and an inline slot costs no allocation.
type slotList struct {
	first uint64
	more  []uint64
}

// NewStatusCache returns an empty cache.
func NewStatusCache() *StatusCache {
	c := &StatusCache{}
	for i := range c.shards {
		c.shards[i].m = make(map[sdk.Signature]slotList)
	}
	return c
}

func (c *StatusCache) shard(s sdk.Signature) int { return shardIndex(s[:], statusShards) }

// claim reports whether sig was processed in a slot view sees, and if not,
// records it as processed in slot, in one lookup: a transaction that passes
// is about to be committed (the caller forgets the claim if it is dropped
// after all), and no other transaction with its signature can run
// concurrently on this fork (it would lock the same fee payer).
func (c *StatusCache) claim(view forkView, slot uint64, sig sdk.Signature) (seen bool) {
	sh := &c.shards[c.shard(sig)]
	sh.mu.Lock()
	defer sh.mu.Unlock()
	l, ok := sh.m[sig]
	if !ok {
		sh.m[sig] = slotList{first: slot}
		return false
	}
	if l.seenBy(view) {
		return true
	}
	l.more = append(l.more, slot)
	sh.m[sig] = l
	return false
}

// seen reports whether sig was processed in a slot view sees.
func (c *StatusCache) seen(view forkView, sig sdk.Signature) bool {
	sh := &c.shards[c.shard(sig)]
	sh.mu.Lock()
	defer sh.mu.Unlock()
	l, ok := sh.m[sig]
	return ok && l.seenBy(view)
}

// seenBy reports whether view sees any of the slots.
func (l *slotList) seenBy(view forkView) bool {
	if view.sees(l.first) {
		return true
	}
	for _, s := range l.more {
		if view.sees(s) {
			return true
		}
	}
	return false
}

// forget drops sig's record for slot (a purged slot).
func (c *StatusCache) forget(slot uint64, sig sdk.Signature) {
	sh := &c.shards[c.shard(sig)]
	sh.mu.Lock()
	l, ok := sh.m[sig]
	if ok {
		var kept []uint64
		for _, s := range append([]uint64{l.first}, l.more...) {
			if s != slot {
				kept = append(kept, s)
			}
		}
		if len(kept) == 0 {
			delete(sh.m, sig)
		} else {
			sh.m[sig] = slotList{first: kept[0], more: kept[1:]}
		}
	}
	sh.mu.Unlock()
}

// Len is the number of signatures remembered.
func (c *StatusCache) Len() int {
	n := 0
	for i := range c.shards {
		c.shards[i].mu.Lock()
		n += len(c.shards[i].m)
		c.shards[i].mu.Unlock()
	}
	return n
}
