package consensus

import (
	"testing"
)

func FuzzUnmarshalTower(f *testing.F) {
	tw := NewTower()
	for s := uint64(1); s <= 40; s++ {
		tw.RecordVote(s, hashOf(s))
	}
	f.Add(tw.Marshal())
	f.Add(NewTower().Marshal())
	f.Add([]byte("GNTW"))
	f.Fuzz(func(t *testing.T, data []byte) {
		var got Tower
		if err := got.Unmarshal(data); err != nil {
			return
		}
		if string(got.Marshal()) != string(data) {
			t.Fatal("accepted tower has another encoding")
		}
	})
}

// FuzzTower votes a random sequence on a random fork tree and checks that no
// lockout is ever violated, the root never decreases and the tower never
// holds more than 31 votes.
func FuzzTower(f *testing.F) {
	f.Add([]byte{0, 0, 0, 1, 1, 2, 0, 0, 0, 0})
	f.Add([]byte{5, 3, 200, 7, 7, 7, 1, 9, 0, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4})
	f.Fuzz(func(t *testing.T, data []byte) {
		fc := NewForkChoice(0)
		tw := NewTower()
		slots := []uint64{0}
		var next uint64 = 1
		var root uint64
		for _, b := range data {
			// Each byte adds a slot under a random known slot, then votes
			// on it if the tower allows.
			parent := slots[int(b)%len(slots)]
			slot := max(next, parent+1)
			next = slot + uint64(b>>6) + 1
			if fc.AddSlot(slot, parent) != nil {
				continue
			}
			slots = append(slots, slot)
			anc, _ := fc.Fork(slot)
			if tw.IsLockedOut(slot, anc) {
				continue
			}
			// Lockouts never violated: every vote still locked out at slot
			// is on slot's fork.
			for _, v := range tw.Votes() {
				if v.IsLockedOutAtSlot(slot) && !anc.Contains(v.Slot) {
					t.Fatalf("vote on %d breaks the lockout of %d", slot, v.Slot)
				}
			}
			tw.RecordVote(slot, hashOf(slot))
			votes := tw.Votes()
			if len(votes) > 31 {
				t.Fatalf("%d votes", len(votes))
			}
			if r, ok := tw.Root(); ok {
				if r < root {
					t.Fatalf("root went back from %d to %d", root, r)
				}
				root = r
			}
			var back Tower
			if err := back.Unmarshal(tw.Marshal()); err != nil {
				t.Fatalf("tower does not survive its own encoding: %v", err)
			}
		}
	})
}
