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
		m  map[statusKey]slotList
	}
}

// statusKey is the first 20 bytes of a signature, as Agave's status cache
// keys by 20 bytes (CACHED_KEY_SIZE): a third of the hashing and of the
// memory per signature (a node keeps every signature of the last ~150 s).
// Two signatures that share them are indistinguishable here, but a shared
// prefix of R takes 2^160 tries to produce, and a signature reaches the
// cache only after it verified.
type statusKey [20]byte

func keyOf(sig *sdk.Signature) (k statusKey) {
	copy(k[:], sig[:len(k)])
	return k
}

// slotList holds the first slot inline: almost every signature is processed
// on one fork only, and an inline slot costs no allocation.
type slotList struct {
	first uint64
	more  *[]uint64
}

// slots returns the list's slots, using buf for the inline case.
func (l *slotList) slots(buf *[1]uint64) []uint64 {
	buf[0] = l.first
	if l.more == nil {
		return buf[:]
	}
	return append(buf[:], *l.more...)
}

// NewStatusCache returns an empty cache.
func NewStatusCache() *StatusCache {
	c := &StatusCache{}
	for i := range c.shards {
		c.shards[i].m = make(map[statusKey]slotList)
	}
	return c
}

func (c *StatusCache) shard(k *statusKey) int { return shardIndex(k[:], statusShards) }

// claim reports whether sig was processed in a slot view sees, and if not,
// records it as processed in slot, in one lookup: a transaction that passes
// is about to be committed (the caller forgets the claim if it is dropped
// after all), and no other transaction with its signature can run
// concurrently on this fork (it would lock the same fee payer).
func (c *StatusCache) claim(view forkView, slot uint64, sig sdk.Signature) (seen bool) {
	k := keyOf(&sig)
	sh := &c.shards[c.shard(&k)]
	sh.mu.Lock()
	defer sh.mu.Unlock()
	l, ok := sh.m[k]
	if !ok {
		sh.m[k] = slotList{first: slot}
		return false
	}
	if l.seenBy(view) {
		return true
	}
	var more []uint64
	if l.more != nil {
		more = *l.more
	}
	more = append(more, slot)
	l.more = &more
	sh.m[k] = l
	return false
}

// seen reports whether sig was processed in a slot view sees.
func (c *StatusCache) seen(view forkView, sig sdk.Signature) bool {
	k := keyOf(&sig)
	sh := &c.shards[c.shard(&k)]
	sh.mu.Lock()
	defer sh.mu.Unlock()
	l, ok := sh.m[k]
	return ok && l.seenBy(view)
}

// seenBy reports whether view sees any of the slots.
func (l *slotList) seenBy(view forkView) bool {
	if view.sees(l.first) {
		return true
	}
	if l.more != nil {
		for _, s := range *l.more {
			if view.sees(s) {
				return true
			}
		}
	}
	return false
}

// forget drops sig's record for slot (a purged slot).
func (c *StatusCache) forget(slot uint64, sig sdk.Signature) {
	k := keyOf(&sig)
	sh := &c.shards[c.shard(&k)]
	sh.mu.Lock()
	l, ok := sh.m[k]
	if ok {
		var buf [1]uint64
		var kept []uint64
		for _, s := range l.slots(&buf) {
			if s != slot {
				kept = append(kept, s)
			}
		}
		switch len(kept) {
		case 0:
			delete(sh.m, k)
		case 1:
			sh.m[k] = slotList{first: kept[0]}
		default:
			rest := kept[1:]
			sh.m[k] = slotList{first: kept[0], more: &rest}
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
