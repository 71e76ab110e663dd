package ledger

import (
	"errors"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/gnomon-chain/gnomon/sdk"
)

// FuzzDecodeStatus feeds arbitrary bytes to the status decoder: it must
// never panic, and whatever it accepts must re-encode to a record that
// decodes to the same value.
func FuzzDecodeStatus(f *testing.F) {
	rng := rand.New(rand.NewPCG(1, 1))
	e := newEncoder()
	for i := range 4 {
		r := testStatus(rng, uint64(i), uint32(i), []sdk.Pubkey{randKey(rng)})
		f.Add(encodeStatus(e, nil, &r))
	}
	e.release()
	f.Add([]byte{0xc0})
	f.Add([]byte{0xf8, 0xff})
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := DecodeStatus(b)
		if err != nil {
			return
		}
		e := newEncoder()
		defer e.release()
		again, err := DecodeStatus(encodeStatus(e, nil, &r))
		if err != nil {
			t.Fatalf("re-encoded record does not decode: %v", err)
		}
		if !reflect.DeepEqual(again, r) {
			t.Fatalf("round trip changed the record:\n%+v\n%+v", r, again)
		}
	})
}

// FuzzDecodeStored feeds arbitrary bytes to every other stored-value
// decoder (slot meta, shred, account, root marker, duplicate proof): none
// may panic.
func FuzzDecodeStored(f *testing.F) {
	rng := rand.New(rand.NewPCG(2, 2))
	s := testSlot(rng, 3, 2, 1, 40)[0]
	f.Add(encodeShred(nil, &s))
	m := SlotMeta{Slot: 3, HasParent: true, ParentSlot: 2, Received: 4, DataCompleteIndexes: []uint32{1, 3}, HasBankHash: true}
	f.Add(encodeSlotMeta(&m))
	f.Add(encodeAccount(nil, &sdk.Account{Lamports: 5, Data: []byte{1, 2}}))
	f.Add(encodeRootMarker(9, sdk.Hash{9}))
	f.Add(encodeDuplicateProof(&DuplicateProof{Slot: 1, Shred1: []byte{1}, Shred2: []byte{2}}))
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = decodeShred(1, 1, b)
		if m, err := decodeSlotMeta(b); err == nil {
			m.CompletedRanges()
			m.addDataComplete(7)
		}
		p := parsers.Get()
		_, _ = decodeAccount(p, b)
		parsers.Put(p)
		_, _ = decodeDuplicateProof(b)
	})
}

// Deeply nested lists are corrupt, refused before the recursive parser sees
// them; the ledger's own values still decode (the round-trip tests).
func TestDecodeRefusesDeeplyNestedLists(t *testing.T) {
	nested := func(depth int) []byte {
		b := []byte{0x80}
		for range depth {
			b = append([]byte{0xc0 + byte(len(b))}, b...)
		}
		return b
	}
	for _, depth := range []int{40, maxNesting + 1} {
		b := nested(depth)
		p := parsers.Get()
		_, err := decodeAccount(p, b)
		parsers.Put(p)
		if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "nested") {
			t.Errorf("depth %d: err %v, want ErrCorrupt for nesting", depth, err)
		}
	}
	if !nestingWithinMax(nested(maxNesting)) {
		t.Errorf("nesting of exactly %d refused", maxNesting)
	}
}
