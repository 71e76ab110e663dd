package shred

import (
	"encoding/binary"

	"github.com/gnomon-chain/gnomon/sdk"
)

// Common holds the header fields both types share, other than the signature
// and the variant.
type Common struct {
	Slot        uint64
	Index       uint32
	Version     uint16
	FECSetIndex uint32
}

// DataHeader holds a data shred's own header fields.
type DataHeader struct {
	ParentOffset uint16
	Flags        Flags
	Size         uint16
}

// CodingHeader holds a coding shred's own header fields.
type CodingHeader struct {
	NumData   uint16
	NumCoding uint16
	Position  uint16
}

// PutData writes the variant and headers of a data shred into b, which must
// be DataSize long. It checks nothing: Parse is the one place that says what
// is valid, and the shredder's tests parse what it writes.
func PutData(b []byte, c Common, d DataHeader) {
	_ = b[DataSize-1]
	putCommon(b, TypeData, c)
	binary.LittleEndian.PutUint16(b[offParentOffset:], d.ParentOffset)
	b[offFlags] = byte(d.Flags)
	binary.LittleEndian.PutUint16(b[offSize:], d.Size)
}

// PutCoding writes the variant and headers of a coding shred into b, which
// must be CodingSize long.
func PutCoding(b []byte, c Common, h CodingHeader) {
	_ = b[CodingSize-1]
	putCommon(b, TypeCoding, c)
	binary.LittleEndian.PutUint16(b[offNumData:], h.NumData)
	binary.LittleEndian.PutUint16(b[offNumCoding:], h.NumCoding)
	binary.LittleEndian.PutUint16(b[offPosition:], h.Position)
}

func putCommon(b []byte, t Type, c Common) {
	b[offVariant] = Variant(t)
	binary.LittleEndian.PutUint64(b[offSlot:], c.Slot)
	binary.LittleEndian.PutUint32(b[offIndex:], c.Index)
	binary.LittleEndian.PutUint16(b[offVersion:], c.Version)
	binary.LittleEndian.PutUint32(b[offFECSetIndex:], c.FECSetIndex)
}

// PutSignature writes sig into the shred in b.
func PutSignature(b []byte, sig sdk.Signature) { copy(b[:SignatureSize], sig[:]) }

// ProofBytes returns the proof area of the shred in b (DataSize or
// CodingSize long), for Tree.WriteProof.
func ProofBytes(b []byte) []byte { return b[len(b)-ProofSize:] }
