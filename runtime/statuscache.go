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
		t  statusTable
	}
}

// statusTable is a status-cache shard's table (probeTable: 40-byte slots).
type statusTable = probeTable[statusKey, slotList, statusKeyHash]

type statusKeyHash struct{}

func (statusKeyHash) hash(k *statusKey) uint64 { return keyHash(k[:]) }

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
// on one fork only, and an inline slot costs no allocation. It keeps that
// slot plus one, so that the zero list, holding none, marks a free slot of
// its table.
type slotList struct {
	firstPlusOne uint64
	more         *[]uint64
}

func oneSlot(slot uint64) slotList { return slotList{firstPlusOne: slot + 1} }

func (l slotList) vacant() bool { return l.firstPlusOne == 0 }

func (l *slotList) first() uint64 { return l.firstPlusOne - 1 }

// slots returns the list's slots, using buf for the inline case.
func (l *slotList) slots(buf *[1]uint64) []uint64 {
	buf[0] = l.first()
	if l.more == nil {
		return buf[:]
	}
	return append(buf[:], *l.more...)
}

// NewStatusCache returns an empty cache.
func NewStatusCache() *StatusCache { return &StatusCache{} }

// shard returns k's shard and k's hash, which places it in the shard's
// table.
func (c *StatusCache) shard(k *statusKey) (int, uint64) { return shardAndHash(k[:], statusShards) }

// claim reports whether sig was processed in a slot view sees, and if not,
// records it as processed in slot, in one lookup: a transaction that passes
// is about to be committed (the caller forgets the claim if it is dropped
// after all), and no other transaction with its signature can run
// concurrently on this fork (it would lock the same fee payer).
func (c *StatusCache) claim(view forkView, slot uint64, sig sdk.Signature) (seen bool) {
	k := keyOf(&sig)
	i, h := c.shard(&k)
	sh := &c.shards[i]
	sh.mu.Lock()
	defer sh.mu.Unlock()
	l, ok := sh.t.get(&k, h)
	if !ok {
		sh.t.put(&k, h, oneSlot(slot))
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
	sh.t.put(&k, h, l)
	return false
}

// seen reports whether sig was processed in a slot view sees.
func (c *StatusCache) seen(view forkView, sig sdk.Signature) bool {
	k := keyOf(&sig)
	i, h := c.shard(&k)
	sh := &c.shards[i]
	sh.mu.Lock()
	defer sh.mu.Unlock()
	l, ok := sh.t.get(&k, h)
	return ok && l.seenBy(view)
}

// seenBy reports whether view sees any of the slots.
func (l *slotList) seenBy(view forkView) bool {
	if view.sees(l.first()) {
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
	i, h := c.shard(&k)
	sh := &c.shards[i]
	sh.mu.Lock()
	l, ok := sh.t.get(&k, h)
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
			sh.t.remove(&k, h)
		case 1:
			sh.t.put(&k, h, oneSlot(kept[0]))
		default:
			l := oneSlot(kept[0])
			rest := kept[1:]
			l.more = &rest
			sh.t.put(&k, h, l)
		}
	}
	sh.mu.Unlock()
}

// Len is the number of signatures remembered.
func (c *StatusCache) Len() int {
	n := 0
	for i := range c.shards {
		c.shards[i].mu.Lock()
		n += c.shards[i].t.n
		c.shards[i].mu.Unlock()
	}
	return n
}
