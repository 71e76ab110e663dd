package turbine

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/gnomon-chain/gnomon/internal/shred"
	"github.com/gnomon-chain/gnomon/sdk"
)

func TestShredderLaysOutSetsAndFlags(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	// Three batches: one shred and a bit, exactly one shred, and 40 shreds,
	// so 2+1+40 = 43 data shreds in two sets, 21 of them padding.
	batches := [][]byte{
		randomBytes(r, shred.DataCapacity+1),
		randomBytes(r, shred.DataCapacity),
		{},
		randomBytes(r, 40*shred.DataCapacity),
	}
	h := SlotHeader{Slot: 1000, Parent: 990, ReferenceTick: 200}
	shreds := shredSlot(t, testLeader, h, batches...)
	if len(shreds) != 2*shred.SetSize {
		t.Fatalf("%d shreds, want %d", len(shreds), 2*shred.SetSize)
	}
	completeAt := map[uint32]bool{1: true, 2: true, 42: true}
	for i := 43; i < 64; i++ {
		completeAt[uint32(i)] = true
	}
	for i, b := range shreds {
		s, err := shred.Parse(b)
		if err != nil {
			t.Fatalf("shred %d does not parse: %v", i, err)
		}
		set, pos := i/shred.SetSize, i%shred.SetSize
		if !s.VerifySignature(testLeader.Pubkey()) {
			t.Fatalf("shred %d does not verify", i)
		}
		if s.Signature() != [64]byte(shreds[set*shred.SetSize][:64]) {
			t.Fatalf("shred %d: not the set's one signature", i)
		}
		if s.Slot() != 1000 || s.Version() != testVersion || s.FECSetIndex() != uint32(set*32) || s.LeafIndex() != pos {
			t.Fatalf("shred %d: header %+v fec %d leaf %d", i, s.Key(), s.FECSetIndex(), s.LeafIndex())
		}
		if !s.IsData() {
			continue
		}
		idx := s.Index()
		if s.Parent() != 990 || s.ReferenceTick() != shred.MaxReferenceTick {
			t.Fatalf("data shred %d: parent %d tick %d", idx, s.Parent(), s.ReferenceTick())
		}
		if s.DataComplete() != completeAt[idx] {
			t.Fatalf("data shred %d: DATA_COMPLETE = %v", idx, s.DataComplete())
		}
		if s.LastInSlot() != (idx == 63) {
			t.Fatalf("data shred %d: LAST_IN_SLOT = %v", idx, s.LastInSlot())
		}
		if (idx >= 43) != (len(s.Payload()) == 0) {
			t.Fatalf("data shred %d: size %d", idx, len(s.Payload()))
		}
	}
	if got := shreds[0][shred.DataHeaderSize : shred.DataHeaderSize+shred.DataCapacity]; !bytes.Equal(got, batches[0][:shred.DataCapacity]) {
		t.Fatal("first payload is not the first batch's start")
	}
}

func TestShredderIsDeterministicAndReusesItsArena(t *testing.T) {
	s, err := NewShredder(testLeader, testVersion)
	if err != nil {
		t.Fatal(err)
	}
	big := bytes.Repeat([]byte{0xee}, 100*shred.DataCapacity)
	if _, err := s.Shred(SlotHeader{Slot: 5, Parent: 4}, big); err != nil {
		t.Fatal(err)
	}
	// A smaller slot in the dirty arena must come out as from a fresh one:
	// the leftover bytes must not leak into payload padding.
	out, err := s.Shred(SlotHeader{Slot: 6, Parent: 5}, []byte("small"))
	if err != nil {
		t.Fatal(err)
	}
	fresh := shredSlot(t, testLeader, SlotHeader{Slot: 6, Parent: 5}, []byte("small"))
	for i := range out {
		if !bytes.Equal(out[i], fresh[i]) {
			t.Fatalf("shred %d differs from a fresh shredder's", i)
		}
	}
	// klauspost/reedsolomon's Encode makes two small allocations per call
	// (v1.14.2); everything else, the 64 shreds of each set above all, must
	// come from the reused arena.
	const sets = 4
	if allocs := testing.AllocsPerRun(5, func() { _, _ = s.Shred(SlotHeader{Slot: 6, Parent: 5}, big) }); allocs > 2*sets && !raceEnabled {
		t.Fatalf("steady-state Shred of %d sets allocates %.0f times", sets, allocs)
	}
}

func TestShredderRefusesUnshreddableSlots(t *testing.T) {
	s, err := NewShredder(testLeader, testVersion)
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]struct {
		h    SlotHeader
		size int
	}{
		"parent equals slot":     {SlotHeader{Slot: 5, Parent: 5}, 1},
		"parent after slot":      {SlotHeader{Slot: 5, Parent: 6}, 1},
		"slot 0 with parent":     {SlotHeader{Slot: 0, Parent: 1}, 1},
		"parent too far back":    {SlotHeader{Slot: 70000, Parent: 1}, 1},
		"more than 32768 shreds": {SlotHeader{Slot: 5, Parent: 4}, shred.MaxDataShredsPerSlot*shred.DataCapacity + 1},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := s.Shred(c.h, make([]byte, c.size))
			if !errors.Is(err, ErrInvalidSlot) {
				t.Fatalf("Shred = %v, want ErrInvalidSlot", err)
			}
		})
	}
	if _, err := s.Shred(SlotHeader{}, []byte("genesis")); err != nil {
		t.Fatalf("slot 0: %v", err)
	}
	if _, err := NewShredder(sdk.Keypair{}, 0); err == nil {
		t.Fatal("zero keypair accepted")
	}
}
