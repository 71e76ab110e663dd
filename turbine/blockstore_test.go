package turbine

import (
	"bytes"
	"testing"

	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/gnomon-chain/gnomon/internal/shred"
	"github.com/gnomon-chain/gnomon/ledger"
	"github.com/gnomon-chain/gnomon/poh"
	"github.com/gnomon-chain/gnomon/sdk"
)

// TestShreddedSlotRoundTripsThroughTheBlockstore: a leader's entries,
// shredded and signed, stored shred by shred in the ledger (coding shreds
// too, in a scrambled order), read back as the slot's bytes, decode to the
// same entries; half the data shreds are stored only after the rest, and the
// slot becomes full exactly when the last arrives.
func TestShreddedSlotRoundTripsThroughTheBlockstore(t *testing.T) {
	leader, err := sdk.NewKeypairFrom(bytes.NewReader(bytes.Repeat([]byte{7}, 32)))
	if err != nil {
		t.Fatal(err)
	}
	var entries []poh.Entry
	h := sdk.Hash{1}
	for i := 0; i < 300; i++ {
		h = poh.NextHash(h, 10, nil)
		entries = append(entries, poh.Entry{NumHashes: 10, Hash: h})
	}
	data, err := poh.EncodeEntries(entries)
	if err != nil {
		t.Fatal(err)
	}
	sh, err := NewShredder(leader, 1)
	if err != nil {
		t.Fatal(err)
	}
	shreds, err := sh.Shred(SlotHeader{Slot: 9, Parent: 8}, data)
	if err != nil {
		t.Fatal(err)
	}
	l, err := ledger.Open("ledger", ledger.Options{FS: vfs.NewMem()})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	var first, second []ledger.ShredRecord
	for i, b := range shreds {
		s, err := shred.Parse(bytes.Clone(b))
		if err != nil {
			t.Fatal(err)
		}
		if !s.VerifySignature(leader.Pubkey()) {
			t.Fatal("shred does not verify")
		}
		if s.IsData() && i%2 == 1 {
			second = append(second, Record(s))
		} else {
			first = append([]ledger.ShredRecord{Record(s)}, first...)
		}
	}
	if _, err := l.InsertShreds(first); err != nil {
		t.Fatal(err)
	}
	if m, err := l.SlotMeta(9); err != nil || m.IsFull() {
		t.Fatalf("slot full with half its data shreds: %+v %v", m, err)
	}
	res, err := l.InsertShreds(second)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Full) != 1 || res.Full[0] != 9 {
		t.Fatalf("insert result %+v", res)
	}
	got, err := l.SlotData(9)
	if err != nil {
		t.Fatal(err)
	}
	back, err := poh.DecodeEntries(got)
	if err != nil {
		t.Fatal(err)
	}
	if len(back) != len(entries) || back[299].Hash != entries[299].Hash {
		t.Fatalf("%d entries back", len(back))
	}
	if err := poh.Verify(sdk.Hash{1}, back, 2); err != nil {
		t.Fatal(err)
	}
}
