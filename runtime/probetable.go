package runtime

import (
	"iter"

	"github.com/gnomon-chain/gnomon/sdk"
)

// probeTable is one shard's map of the account store (address to
// accountEntry, 64-byte slots) and of the status cache (signature prefix to
// slots, 40-byte slots): open addressing with linear probing, grown at 5/8
// full.
//
// Why not a Go map: every assignment to a Go map toggles a flag in its
// header twice and every lookup reads it, so with two workers executing an
// entry, each account stored or signature claimed by one core made the
// other core's next lookup in that shard wait for the header's cache line,
// on top of the slot's. Here updating a key writes only its slot; only
// inserting and removing change the count, which lives beside the shard's
// lock, a line every access writes anyway.
//
// A slot whose value is vacant is free: neither store keeps a vacant value.
// H hashes keys (the same seeded hash that chose the shard). The caller
// holds the shard's lock.
//
// Memory, account store: 64 bytes a slot at between 5/16 and 5/8 full,
// 102-205 bytes per address (measured on 1,000,000 and 1,500,000 addresses:
// 134 and 179; Go maps of the same entries: 119 and 69), besides the
// accounts themselves. Status cache: 40 bytes a slot, 84 and 112 bytes per
// signature at 1,000,000 and 1,500,000 (about 100 with Go maps). Growing
// copies the shard's table at once, under its lock: at 1,000,000 accounts
// a shard holds about 4,000.
type probeTable[K comparable, V vacancy, H keyHasher[K]] struct {
	slots []probeSlot[K, V] // length a power of two, or zero
	n     int               // occupied slots
}

type probeSlot[K comparable, V any] struct {
	key K
	val V
}

// vacancy is a table's value: the zero value is vacant.
type vacancy interface{ vacant() bool }

// keyHasher hashes a table's keys; its implementations are empty structs.
type keyHasher[K any] interface{ hash(*K) uint64 }

type pubkeyHash struct{}

func (pubkeyHash) hash(k *sdk.Pubkey) uint64 { return keyHash(k[:]) }

// accountTable is an account shard's table.
type accountTable = probeTable[sdk.Pubkey, accountEntry, pubkeyHash]

// tableIndex is where a key's probe starts: the hash bits above those that
// chose the shard.
func (t *probeTable[K, V, H]) tableIndex(h uint64) int {
	return int((h >> 8) & uint64(len(t.slots)-1))
}

// find returns the slot holding k, or the free slot where its probe ended.
func (t *probeTable[K, V, H]) find(k *K, h uint64) (int, bool) {
	mask := len(t.slots) - 1
	for i := t.tableIndex(h); ; i = (i + 1) & mask {
		s := &t.slots[i]
		if s.val.vacant() {
			return i, false
		}
		if s.key == *k {
			return i, true
		}
	}
}

// get returns k's value, or a vacant one.
func (t *probeTable[K, V, H]) get(k *K, h uint64) (V, bool) {
	if t.n == 0 {
		var zero V
		return zero, false
	}
	i, ok := t.find(k, h)
	if !ok {
		var zero V
		return zero, false
	}
	return t.slots[i].val, true
}

// put stores v as k's value, or removes k when v is vacant.
func (t *probeTable[K, V, H]) put(k *K, h uint64, v V) {
	if v.vacant() {
		t.remove(k, h)
		return
	}
	if len(t.slots) == 0 || (t.n+1)*8 > len(t.slots)*5 {
		t.grow()
	}
	i, ok := t.find(k, h)
	if !ok {
		t.slots[i].key = *k
		t.n++
	}
	t.slots[i].val = v
}

// remove deletes k, moving later slots of its probe run back so that no
// lookup stops early at the hole (backward-shift deletion: no tombstones).
func (t *probeTable[K, V, H]) remove(k *K, h uint64) {
	if t.n == 0 {
		return
	}
	hole, ok := t.find(k, h)
	if !ok {
		return
	}
	mask := len(t.slots) - 1
	for j := (hole + 1) & mask; ; j = (j + 1) & mask {
		s := &t.slots[j]
		if s.val.vacant() {
			break
		}
		// The entry at j may fill the hole only if its probe start is not
		// strictly between the hole and j (cyclically).
		var hh H
		home := t.tableIndex(hh.hash(&s.key))
		if (j-home)&mask >= (j-hole)&mask {
			t.slots[hole] = *s
			hole = j
		}
	}
	t.slots[hole] = probeSlot[K, V]{}
	t.n--
}

func (t *probeTable[K, V, H]) grow() {
	old := t.slots
	size := max(16, 2*len(old))
	t.slots = make([]probeSlot[K, V], size)
	mask := size - 1
	for i := range old {
		s := &old[i]
		if s.val.vacant() {
			continue
		}
		var hh H
		j := t.tableIndex(hh.hash(&s.key))
		for !t.slots[j].val.vacant() {
			j = (j + 1) & mask
		}
		t.slots[j] = *s
	}
}

// all yields every key and its value.
func (t *probeTable[K, V, H]) all() iter.Seq2[K, V] {
	return func(yield func(K, V) bool) {
		for i := range t.slots {
			s := &t.slots[i]
			if s.val.vacant() {
				continue
			}
			if !yield(s.key, s.val) {
				return
			}
		}
	}
}
