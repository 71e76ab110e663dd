package alt

import (
	"bytes"
	"errors"
	"testing"

	"github.com/gnomon-chain/gnomon/runtime/invoke"
	"github.com/gnomon-chain/gnomon/runtime/sysvar"
)

func FuzzDecodeTable(f *testing.F) {
	frozen := newMeta(authority)
	frozen.HasAuthority = false
	f.Add(tableAcct(newMeta(authority), addrs(3)...).data)
	f.Add(tableAcct(frozen, addrs(1)...).data)
	f.Add(make([]byte, MetaSize))
	f.Add([]byte{1, 0, 0, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		tb, err := DecodeTable(data)
		if err != nil {
			if !errors.Is(err, invoke.Err(invoke.InvalidAccountData)) && !errors.Is(err, invoke.Err(invoke.UninitializedAccount)) {
				t.Fatalf("error %v", err)
			}
			return
		}
		if len(tb.Addresses) != (len(data)-MetaSize)/32 || len(tb.Addresses) > 0 && !bytes.Equal(tb.Addresses[0][:], data[MetaSize:MetaSize+32]) {
			t.Fatalf("%d addresses from %d bytes", len(tb.Addresses), len(data))
		}
		// Rewriting the meta it decoded to leaves the table it decodes to.
		again := bytes.Clone(data)
		if err := overwriteMeta(again, tb.Meta); err != nil {
			t.Fatal(err)
		}
		tb2, err := DecodeTable(again)
		if err != nil || tb2.Meta != tb.Meta {
			t.Fatalf("rewrite: %v %+v %+v", err, tb2.Meta, tb.Meta)
		}
		// Lookups never panic and never exceed the table.
		hashes := []sysvar.SlotHash{{Slot: tb.Meta.LastExtendedSlot}}
		n, err := tb.ActiveAddressesLen(tb.Meta.LastExtendedSlot, hashes)
		if err == nil && n > len(tb.Addresses) {
			t.Fatalf("%d active of %d", n, len(tb.Addresses))
		}
		_, _ = tb.Lookup(nil, tb.Meta.LastExtendedSlot, hashes, []uint8{0, 255, tb.Meta.LastExtendedSlotStartIndex})
	})
}

func FuzzDecodeInstruction(f *testing.F) {
	f.Add(CreateLookupTableData(5, 254))
	f.Add(ExtendLookupTableData(addrs(2)))
	f.Add(FreezeLookupTableData())
	f.Add([]byte{2, 0, 0, 0, 255, 255, 255, 255, 255, 255, 255, 255})
	f.Fuzz(func(t *testing.T, data []byte) {
		ix, err := DecodeInstruction(data)
		if err != nil {
			if !errors.Is(err, invoke.Err(invoke.InvalidInstructionData)) {
				t.Fatalf("error %v", err)
			}
			return
		}
		var b []byte
		switch ix.Tag {
		case TagCreateLookupTable:
			b = CreateLookupTableData(ix.RecentSlot, ix.BumpSeed)
		case TagExtendLookupTable:
			b = ExtendLookupTableData(ix.NewAddresses)
		default:
			b = tagged(ix.Tag)
		}
		if !bytes.HasPrefix(data, b) {
			t.Fatalf("re-encoded %x from %x", b, data)
		}
	})
}
