package runtime

import (
	"sync"

	"github.com/gnomon-chain/gnomon/sdk"
)

const statusShards = 64

// StatusCache remembers which slots processed each signature, so a
// transaction never executes twice on a fork. A transaction can only execute
// while its blockhash is young, and its signature commits to that blockhash,
// so entries older than the blockhash age are forgotten (Purge).
type StatusCache struct {
	shards [statusShards]struct {
		mu sync.Mutex
		m  map[sdk.Signature][]uint64
	}
}

// NewStatusCache returns an empty cache.
func NewStatusCache() *StatusCache {
	c := &StatusCache{}
	for i := range c.shards {
		c.shards[i].m = make(map[sdk.Signature][]uint64)
	}
	return c
}

func (c *StatusCache) shard(s sdk.Signature) int { return int(s[0]^s[33]) % statusShards }

// seen reports whether sig was processed in a slot view sees.
func (c *StatusCache) seen(view forkView, sig sdk.Signature) bool {
	sh := &c.shards[c.shard(sig)]
	sh.mu.Lock()
	defer sh.mu.Unlock()
	for _, slot := range sh.m[sig] {
		if view.sees(slot) {
			return true
		}
	}
	return false
}

// add records sig as processed in slot.
func (c *StatusCache) add(slot uint64, sig sdk.Signature) {
	sh := &c.shards[c.shard(sig)]
	sh.mu.Lock()
	sh.m[sig] = append(sh.m[sig], slot)
	sh.mu.Unlock()
}

// forget drops sig's record for slot (a purged slot).
func (c *StatusCache) forget(slot uint64, sig sdk.Signature) {
	sh := &c.shards[c.shard(sig)]
	sh.mu.Lock()
	slots := sh.m[sig]
	kept := slots[:0]
	for _, s := range slots {
		if s != slot {
			kept = append(kept, s)
		}
	}
	if len(kept) == 0 {
		delete(sh.m, sig)
	} else {
		sh.m[sig] = kept
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
