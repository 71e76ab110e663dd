package turbine

import (
	"fmt"
	"math"
	"sync"

	"github.com/klauspost/reedsolomon"

	"github.com/gnomon-chain/gnomon/internal/shred"
	"github.com/gnomon-chain/gnomon/sdk"
)

// SlotHeader says which block a slot's shreds belong to.
type SlotHeader struct {
	Slot   uint64
	Parent uint64 // must be < Slot, and at most 65,535 slots back; 0 for slot 0
	// ReferenceTick is the tick of the slot at which the data was shredded;
	// values above shred.MaxReferenceTick are saturated.
	ReferenceTick uint8
}

// Shredder cuts a slot's entry batches into signed shreds. It is the only
// holder of the leader key in this package. It is not safe for concurrent
// use: it reuses one arena of shreds from call to call, so a steady stream of
// slots of similar size allocates nothing.
type Shredder struct {
	leader  sdk.Keypair
	version uint16
	rs      reedsolomon.Encoder
	arena   []byte
	out     [][]byte
	shards  [][]byte
	tree    shred.Tree
}

// NewShredder returns a Shredder that signs with leader and stamps shreds
// with the cluster's shred version.
func NewShredder(leader sdk.Keypair, version uint16) (*Shredder, error) {
	if leader.IsZero() {
		return nil, fmt.Errorf("new shredder: %w: zero leader keypair", ErrInvalidSlot)
	}
	rs, err := newErasureCoder()
	if err != nil {
		return nil, fmt.Errorf("new shredder: %w", err)
	}
	return &Shredder{leader: leader, version: version, rs: rs, shards: make([][]byte, shred.SetSize)}, nil
}

// newErasureCoder returns the one 32+32 Reed–Solomon coder of the process.
// Building one costs about half a millisecond and 300 allocations (its
// matrices), too much for every slot's Deshredder; sharing it is safe because
// klauspost/reedsolomon keeps only read-only matrices, an inversion cache
// behind a mutex, and sync.Pools in it.
func newErasureCoder() (reedsolomon.Encoder, error) { return sharedErasureCoder() }

var sharedErasureCoder = sync.OnceValues(func() (reedsolomon.Encoder, error) {
	return reedsolomon.New(shred.DataPerSet, shred.CodingPerSet)
})

// setBytes is the arena space of one FEC set: 32 data shreds, then 32 coding.
const setBytes = shred.DataPerSet*shred.DataSize + shred.CodingPerSet*shred.CodingSize

// Shred cuts batches, the slot's serialized entry batches in order (each one
// poh.EncodeEntries output, decodable on its own), into FEC sets, and
// returns the shreds set by set, each set's 32 data shreds in index order and
// then its 32 coding shreds in position order.
//
// Each non-empty batch starts a new data shred and its last shred is marked
// DATA_COMPLETE, so a reader can decode a batch as soon as its shreds are in;
// empty batches produce nothing. The last set is padded with empty data
// shreds (size 0, DATA_COMPLETE) to 32, and the slot's last data shred is
// marked LAST_IN_SLOT. A slot with no data is one set of padding.
//
// The returned slices alias the Shredder's arena and are valid until the
// next call; copy them to keep them longer.
func (s *Shredder) Shred(h SlotHeader, batches ...[]byte) ([][]byte, error) {
	if err := checkHeader(h); err != nil {
		return nil, err
	}
	ndata := 0
	for _, b := range batches {
		ndata += (len(b) + shred.DataCapacity - 1) / shred.DataCapacity
	}
	nsets := max(1, (ndata+shred.DataPerSet-1)/shred.DataPerSet)
	if nsets*shred.DataPerSet > shred.MaxDataShredsPerSlot {
		return nil, fmt.Errorf("shred slot %d: %w: %d data shreds > %d", h.Slot, ErrInvalidSlot, ndata, shred.MaxDataShredsPerSlot)
	}
	if need := nsets * setBytes; cap(s.arena) < need {
		s.arena = make([]byte, need)
	} else {
		s.arena = s.arena[:need]
	}
	s.out = s.out[:0]
	for i := 0; i < nsets; i++ {
		set := s.arena[i*setBytes : (i+1)*setBytes]
		for j := 0; j < shred.DataPerSet; j++ {
			s.out = append(s.out, set[j*shred.DataSize:(j+1)*shred.DataSize:(j+1)*shred.DataSize])
		}
		coding := set[shred.DataPerSet*shred.DataSize:]
		for j := 0; j < shred.CodingPerSet; j++ {
			s.out = append(s.out, coding[j*shred.CodingSize:(j+1)*shred.CodingSize:(j+1)*shred.CodingSize])
		}
	}
	s.writeData(h, batches, nsets)
	for i := 0; i < nsets; i++ {
		if err := s.finishSet(h.Slot, uint32(i*shred.DataPerSet), s.out[i*shred.SetSize:(i+1)*shred.SetSize]); err != nil {
			return nil, fmt.Errorf("shred slot %d set %d: %w", h.Slot, i, err)
		}
	}
	return s.out, nil
}

func checkHeader(h SlotHeader) error {
	switch {
	case h.Slot == 0 && h.Parent != 0:
		return fmt.Errorf("shred slot 0: %w: parent %d", ErrInvalidSlot, h.Parent)
	case h.Slot != 0 && h.Parent >= h.Slot:
		return fmt.Errorf("shred slot %d: %w: parent %d not before it", h.Slot, ErrInvalidSlot, h.Parent)
	case h.Slot-h.Parent > math.MaxUint16:
		return fmt.Errorf("shred slot %d: %w: parent %d more than %d slots back", h.Slot, ErrInvalidSlot, h.Parent, math.MaxUint16)
	}
	return nil
}

// writeData fills every data shred's header and payload, padding included.
func (s *Shredder) writeData(h SlotHeader, batches [][]byte, nsets int) {
	tick := shred.Flags(min(h.ReferenceTick, shred.MaxReferenceTick))
	c := shred.Common{Slot: h.Slot, Version: s.version}
	dh := shred.DataHeader{ParentOffset: uint16(h.Slot - h.Parent)}
	next, total := 0, nsets*shred.DataPerSet // index of the next data shred, and how many
	put := func(payload []byte, flags shred.Flags) {
		if next == total-1 {
			// Always a batch's last shred or padding, so DATA_COMPLETE is set too.
			flags |= shred.FlagLastInSlot
		}
		b := s.out[(next/shred.DataPerSet)*shred.SetSize+next%shred.DataPerSet]
		c.Index, c.FECSetIndex = uint32(next), uint32(next-next%shred.DataPerSet)
		dh.Flags, dh.Size = flags|tick, uint16(len(payload))
		shred.PutData(b, c, dh)
		n := copy(b[shred.DataHeaderSize:], payload)
		// The arena is reused, so the unused payload must be cleared: Parse
		// requires zeros there.
		clear(b[shred.DataHeaderSize+n : shred.DataHeaderSize+shred.DataCapacity])
		next++
	}
	for _, batch := range batches {
		for len(batch) > 0 {
			n := min(len(batch), shred.DataCapacity)
			var f shred.Flags
			if n == len(batch) {
				f = shred.FlagDataComplete
			}
			put(batch[:n], f)
			batch = batch[n:]
		}
	}
	for next < total {
		put(nil, shred.FlagDataComplete)
	}
}

// finishSet writes a set's coding shreds, builds its Merkle tree, signs the
// root once, and writes the signature and each shred's proof.
func (s *Shredder) finishSet(slot uint64, fec uint32, set [][]byte) error {
	c := shred.Common{Slot: slot, Version: s.version, FECSetIndex: fec}
	for j := 0; j < shred.CodingPerSet; j++ {
		c.Index = fec + uint32(j)
		shred.PutCoding(set[shred.DataPerSet+j], c, shred.CodingHeader{
			NumData: shred.DataPerSet, NumCoding: shred.CodingPerSet, Position: uint16(j),
		})
	}
	for i, b := range set {
		s.shards[i] = shred.ErasureShard(b)
	}
	if err := s.rs.Encode(s.shards); err != nil {
		return fmt.Errorf("erasure code: %w", err)
	}
	for i, b := range set {
		s.tree.SetLeaf(i, shred.Leaf(b))
	}
	msg := shred.RootMessage(s.tree.Build())
	sig := s.leader.Sign(msg[:])
	for i, b := range set {
		shred.PutSignature(b, sig)
		s.tree.WriteProof(i, shred.ProofBytes(b))
	}
	return nil
}
