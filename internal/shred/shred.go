package shred

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/gnomon-chain/gnomon/sdk"
)

// The layout, in bytes. doc.go draws it.
const (
	SignatureSize    = sdk.SignatureSize // 64
	CommonHeaderSize = 83
	DataHeaderSize   = 88
	CodingHeaderSize = 89

	DataSize   = 1203 // every data shred
	CodingSize = 1228 // every coding shred; the largest shred
	MaxSize    = CodingSize

	ProofNodeSize = 20
	ProofDepth    = 6 // log2(SetSize)
	ProofSize     = ProofNodeSize * ProofDepth

	// DataCapacity is the most payload bytes one data shred carries.
	DataCapacity = DataSize - DataHeaderSize - ProofSize // 995
	// ErasureShardSize is the length of the Reed–Solomon shards: a data
	// shred's bytes between signature and proof, and a coding shred's parity.
	ErasureShardSize = DataSize - SignatureSize - ProofSize // 1019

	DataPerSet   = 32
	CodingPerSet = 32
	SetSize      = DataPerSet + CodingPerSet

	// MaxDataShredsPerSlot bounds a slot's data shred indexes (and so the
	// coding ones, which share the numbering).
	MaxDataShredsPerSlot = 32768
	// MaxReferenceTick is the largest reference tick the flags can hold.
	MaxReferenceTick = 63
)

const (
	offVariant      = 64
	offSlot         = 65
	offIndex        = 73
	offVersion      = 77
	offFECSetIndex  = 79
	offParentOffset = 83
	offFlags        = 85
	offSize         = 86
	offNumData      = 83
	offNumCoding    = 85
	offPosition     = 87
)

// ErrMalformed is the class of every error Parse returns: the bytes are not a
// shred under the rules of this package.
var ErrMalformed = errors.New("shred: malformed")

// Type says whether a shred carries data or parity.
type Type uint8

// The two types, as the high nibble of the variant byte. They differ in all
// four bits, so no single flipped bit turns one into the other.
const (
	TypeData   Type = 0xA
	TypeCoding Type = 0x5
)

func (t Type) String() string {
	switch t {
	case TypeData:
		return "data"
	case TypeCoding:
		return "coding"
	}
	return fmt.Sprintf("Type(%#x)", uint8(t))
}

// Variant returns the variant byte of a shred of type t: the type in the high
// nibble, the proof depth in the low one.
func Variant(t Type) byte { return byte(t)<<4 | ProofDepth }

// Flags is a data shred's flags byte.
type Flags uint8

const (
	// FlagLastInSlot marks the slot's last data shred.
	FlagLastInSlot Flags = 1 << 7
	// FlagDataComplete marks the last data shred of an entry batch.
	FlagDataComplete Flags = 1 << 6
	// flagTickMask selects the reference tick.
	flagTickMask Flags = MaxReferenceTick
)

// ReferenceTick returns the tick in the low six bits.
func (f Flags) ReferenceTick() uint8 { return uint8(f & flagTickMask) }

// Key names a shred's position in the ledger: two shreds with equal keys
// that differ are a duplicate-block proof if the leader signed both.
type Key struct {
	Slot  uint64
	Index uint32
	Type  Type
}

// Shred is a parsed view of one shred. It holds the bytes it was parsed from
// and copies nothing: its slices alias them, so the caller must not change
// them while the Shred is in use. Its methods are defined only on a Shred
// that Parse returned.
type Shred struct {
	b []byte
}

// Parse checks that b is exactly one well-formed shred and returns a view of
// it. It does not check the signature (VerifySignature does), nor anything
// that needs more than this shred (the deshredder does). Every error wraps
// ErrMalformed.
func Parse(b []byte) (Shred, error) {
	if len(b) <= offVariant {
		return Shred{}, fmt.Errorf("%w: %d bytes, too short for a variant", ErrMalformed, len(b))
	}
	v := b[offVariant]
	t, depth := Type(v>>4), v&0x0f
	if depth != ProofDepth {
		return Shred{}, fmt.Errorf("%w: variant %#x: proof depth %d, want %d", ErrMalformed, v, depth, ProofDepth)
	}
	var want int
	switch t {
	case TypeData:
		want = DataSize
	case TypeCoding:
		want = CodingSize
	default:
		return Shred{}, fmt.Errorf("%w: variant %#x: unknown type", ErrMalformed, v)
	}
	if len(b) != want {
		return Shred{}, fmt.Errorf("%w: %s shred of %d bytes, want %d", ErrMalformed, t, len(b), want)
	}
	s := Shred{b: b}
	slot, index, fec := s.Slot(), s.Index(), s.FECSetIndex()
	if index >= MaxDataShredsPerSlot {
		return Shred{}, fmt.Errorf("%w: index %d >= %d", ErrMalformed, index, MaxDataShredsPerSlot)
	}
	if fec%DataPerSet != 0 {
		return Shred{}, fmt.Errorf("%w: fec_set_index %d not a multiple of %d", ErrMalformed, fec, DataPerSet)
	}
	if t == TypeCoding {
		nd, nc, pos := s.NumData(), s.NumCoding(), s.Position()
		if nd != DataPerSet || nc != CodingPerSet {
			return Shred{}, fmt.Errorf("%w: coding shred claims %d data + %d coding, every set is %d + %d",
				ErrMalformed, nd, nc, DataPerSet, CodingPerSet)
		}
		if pos >= nc {
			return Shred{}, fmt.Errorf("%w: position %d >= num_coding %d", ErrMalformed, pos, nc)
		}
		if index != fec+uint32(pos) {
			return Shred{}, fmt.Errorf("%w: coding index %d != fec_set_index %d + position %d", ErrMalformed, index, fec, pos)
		}
		return s, nil
	}
	if index-fec >= DataPerSet || index < fec {
		return Shred{}, fmt.Errorf("%w: data index %d outside set at fec_set_index %d", ErrMalformed, index, fec)
	}
	po := s.ParentOffset()
	if slot == 0 && po != 0 {
		return Shred{}, fmt.Errorf("%w: slot 0 with parent_offset %d", ErrMalformed, po)
	}
	if slot != 0 && (po == 0 || uint64(po) > slot) {
		return Shred{}, fmt.Errorf("%w: slot %d with parent_offset %d", ErrMalformed, slot, po)
	}
	size := int(s.size())
	if size > DataCapacity {
		return Shred{}, fmt.Errorf("%w: size %d > capacity %d", ErrMalformed, size, DataCapacity)
	}
	// The unused payload must be zero so that a shred has one byte form for
	// its content, and nothing rides in it unseen by the reader.
	tail := b[DataHeaderSize+size : DataHeaderSize+DataCapacity]
	if !bytes.Equal(tail, zeros[:len(tail)]) {
		return Shred{}, fmt.Errorf("%w: nonzero bytes after size %d", ErrMalformed, size)
	}
	f := s.Flags()
	if f&FlagLastInSlot != 0 {
		if f&FlagDataComplete == 0 {
			return Shred{}, fmt.Errorf("%w: LAST_IN_SLOT without DATA_COMPLETE", ErrMalformed)
		}
		if index%DataPerSet != DataPerSet-1 {
			return Shred{}, fmt.Errorf("%w: LAST_IN_SLOT at index %d, not the last of its set", ErrMalformed, index)
		}
	}
	if size == 0 && f&FlagDataComplete == 0 {
		return Shred{}, fmt.Errorf("%w: empty data shred without DATA_COMPLETE", ErrMalformed)
	}
	return s, nil
}

var zeros [DataCapacity]byte

// Bytes returns the whole shred (aliasing the parsed bytes).
func (s Shred) Bytes() []byte { return s.b }

// Signature returns the leader's signature of the set's root.
func (s Shred) Signature() sdk.Signature { return sdk.Signature(s.b[:SignatureSize]) }

// Type returns data or coding.
func (s Shred) Type() Type { return Type(s.b[offVariant] >> 4) }

// IsData reports whether s is a data shred.
func (s Shred) IsData() bool { return s.Type() == TypeData }

// Slot returns the slot.
func (s Shred) Slot() uint64 { return binary.LittleEndian.Uint64(s.b[offSlot:]) }

// Index returns the index: a data shred's place in the slot, or a coding
// shred's fec_set_index + position.
func (s Shred) Index() uint32 { return binary.LittleEndian.Uint32(s.b[offIndex:]) }

// Version returns the shred version.
func (s Shred) Version() uint16 { return binary.LittleEndian.Uint16(s.b[offVersion:]) }

// FECSetIndex returns the index of the set's first data shred.
func (s Shred) FECSetIndex() uint32 { return binary.LittleEndian.Uint32(s.b[offFECSetIndex:]) }

// Key returns (slot, index, type).
func (s Shred) Key() Key { return Key{Slot: s.Slot(), Index: s.Index(), Type: s.Type()} }

// ParentOffset returns slot - parent slot. Data shreds only; 0 for coding.
func (s Shred) ParentOffset() uint16 {
	if !s.IsData() {
		return 0
	}
	return binary.LittleEndian.Uint16(s.b[offParentOffset:])
}

// Parent returns the parent slot. Data shreds only; 0 for coding.
func (s Shred) Parent() uint64 {
	if !s.IsData() {
		return 0
	}
	return s.Slot() - uint64(s.ParentOffset())
}

// Flags returns the flags. Data shreds only; 0 for coding.
func (s Shred) Flags() Flags {
	if !s.IsData() {
		return 0
	}
	return Flags(s.b[offFlags])
}

// DataComplete reports whether s ends an entry batch.
func (s Shred) DataComplete() bool { return s.Flags()&FlagDataComplete != 0 }

// LastInSlot reports whether s is the slot's last data shred.
func (s Shred) LastInSlot() bool { return s.Flags()&FlagLastInSlot != 0 }

// ReferenceTick returns the reference tick. Data shreds only.
func (s Shred) ReferenceTick() uint8 { return s.Flags().ReferenceTick() }

func (s Shred) size() uint16 { return binary.LittleEndian.Uint16(s.b[offSize:]) }

// Payload returns the data bytes in use: size bytes for a data shred, the
// parity for a coding shred.
func (s Shred) Payload() []byte {
	if s.IsData() {
		return s.b[DataHeaderSize : DataHeaderSize+int(s.size())]
	}
	return s.b[CodingHeaderSize : CodingHeaderSize+ErasureShardSize]
}

// NumData returns the set's data shred count. Coding shreds only; 0 for data.
func (s Shred) NumData() uint16 {
	if s.IsData() {
		return 0
	}
	return binary.LittleEndian.Uint16(s.b[offNumData:])
}

// NumCoding returns the set's coding shred count. Coding shreds only.
func (s Shred) NumCoding() uint16 {
	if s.IsData() {
		return 0
	}
	return binary.LittleEndian.Uint16(s.b[offNumCoding:])
}

// Position returns which coding shred of its set s is. Coding shreds only.
func (s Shred) Position() uint16 {
	if s.IsData() {
		return 0
	}
	return binary.LittleEndian.Uint16(s.b[offPosition:])
}

// ErasureShard returns the bytes Reed–Solomon codes: a data shred's bytes
// between signature and proof, or a coding shred's parity.
func (s Shred) ErasureShard() []byte { return ErasureShard(s.b) }

// ErasureShard returns the erasure shard of the shred in b, which must be
// DataSize or CodingSize long (the shredder uses it before the shred is
// signed, so it cannot be parsed yet).
func ErasureShard(b []byte) []byte {
	if len(b) == DataSize {
		return b[SignatureSize : DataSize-ProofSize]
	}
	return b[CodingHeaderSize : CodingHeaderSize+ErasureShardSize]
}

// LeafIndex returns the shred's leaf in its set's Merkle tree: data shreds
// 0..31 by index, coding shreds 32..63 by position.
func (s Shred) LeafIndex() int {
	if s.IsData() {
		return int(s.Index() - s.FECSetIndex())
	}
	return DataPerSet + int(s.Position())
}

// Proof returns the proof bytes: ProofDepth nodes, leaf level first.
func (s Shred) Proof() []byte { return s.b[len(s.b)-ProofSize:] }

// Leaf returns the shred's Merkle leaf.
func (s Shred) Leaf() Node { return Leaf(s.b) }

// MerkleRoot returns the root that the shred's leaf and proof lead to. It
// equals the set's signed root only if neither the shred nor its proof was
// changed; VerifySignature checks that.
func (s Shred) MerkleRoot() Node {
	return RootFromProof(s.Leaf(), s.LeafIndex(), s.Proof())
}

// VerifySignature reports whether the shred's signature is leader's signature
// of the root its leaf and proof lead to, under sdk.Verify's rule.
func (s Shred) VerifySignature(leader sdk.Pubkey) bool {
	msg := RootMessage(s.MerkleRoot())
	return sdk.Verify(leader, msg[:], s.Signature())
}
