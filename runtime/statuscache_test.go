package runtime

import (
	"testing"

	"github.com/gnomon-chain/gnomon/sdk"
)

// slotsView sees exactly the listed slots.
type slotsView map[uint64]bool

func (v slotsView) sees(slot uint64) bool { return v[slot] }

// TestStatusCacheKeepsEveryForksClaim: one signature processed on three
// sibling forks is seen by each fork's descendants, and forgetting one
// fork's slot (pruned) leaves the others.
func TestStatusCacheKeepsEveryForksClaim(t *testing.T) {
	c := NewStatusCache()
	var sig sdk.Signature
	sig[0], sig[63] = 7, 9
	for _, slot := range []uint64{4, 5, 6} {
		if c.claim(slotsView{slot - 3: true}, slot, sig) {
			t.Fatalf("slot %d: claimed on a fork that never saw it", slot)
		}
	}
	for _, slot := range []uint64{4, 5, 6} {
		if !c.claim(slotsView{slot: true}, slot+10, sig) {
			t.Fatalf("a descendant of slot %d does not see the signature", slot)
		}
	}
	c.forget(5, sig)
	if c.seen(slotsView{5: true}, sig) {
		t.Fatal("forgotten slot 5 still seen")
	}
	if !c.seen(slotsView{4: true}, sig) || !c.seen(slotsView{6: true}, sig) {
		t.Fatal("forgetting slot 5 lost the other forks' claims")
	}
	// Signatures that differ after the key's 20 bytes are one entry (the
	// cache keys by 20 bytes); ones that differ inside them are not.
	other := sig
	other[40] ^= 1
	if !c.seen(slotsView{4: true}, other) {
		t.Fatal("the key is not the signature's first 20 bytes")
	}
	other = sig
	other[3] ^= 1
	if c.seen(slotsView{4: true}, other) {
		t.Fatal("a different signature was seen")
	}
	// Slot 0 is a slot like any other (the table's free marker is not it),
	// and forgetting a signature's last slot forgets the signature.
	other[5] ^= 1
	if c.claim(slotsView{}, 0, other) || !c.seen(slotsView{0: true}, other) {
		t.Fatal("a claim in slot 0 was not recorded")
	}
	n := c.Len()
	c.forget(0, other)
	if c.seen(slotsView{0: true}, other) || c.Len() != n-1 {
		t.Fatalf("forgetting the only slot left the signature (%d entries, had %d)", c.Len(), n)
	}
}
