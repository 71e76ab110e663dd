package turbine

import (
	"github.com/gnomon-chain/gnomon/internal/shred"
	"github.com/gnomon-chain/gnomon/ledger"
)

// Record turns a parsed shred into what the blockstore stores: its
// identity, its flags and parent for the slot metadata, and for a data shred
// the bytes of the slot it carries, which alias the shred.
func Record(s shred.Shred) ledger.ShredRecord {
	r := ledger.ShredRecord{
		Slot:        s.Slot(),
		Index:       s.Index(),
		Coding:      !s.IsData(),
		FECSetIndex: s.FECSetIndex(),
		Payload:     s.Bytes(),
	}
	if s.IsData() {
		r.DataComplete, r.LastInSlot = s.DataComplete(), s.LastInSlot()
		r.ParentSlot = s.Parent()
		r.Data = s.Payload()
	}
	return r
}
